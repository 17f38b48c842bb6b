"""R28: events reach a real receiver on loopback, signed (Standard Webhooks), after commit;
failures are retried with backoff, logged per attempt, re-sendable; R29 at delivery time.

Jobs run inline here (eager Celery); `django_capture_on_commit_callbacks` runs what a
commit triggers, as the real commit would. tests/webhooks/test_worker.py repeats the key
checks with a real worker (PostgreSQL run).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from standardwebhooks.webhooks import Webhook

from media_library.services import media_item_publish
from tenants.models import Job
from tests.publishing import builders as b
from tests.webhooks.helpers import docs_verify, make_due
from webhooks.delivery import retry_delay
from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookMessage
from webhooks.tasks import webhooks_tick

pytestmark = pytest.mark.django_db

T = "/api/v1/tenants/acme"


@pytest.fixture
def api(client_for, django_capture_on_commit_callbacks):
    """api(user, method, path, body) -> response; what the commit triggers runs too."""

    def _call(user, method, path, body=None):
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(client_for(user), method)(f"{T}/{path}", body or {}, format="json")

    return _call


@pytest.fixture
def tick(django_capture_on_commit_callbacks):
    """Beat's tick, with what it commits run too."""

    def _tick():
        with django_capture_on_commit_callbacks(execute=True):
            return webhooks_tick()

    return _tick


@pytest.fixture
def photo(tenant, editor):
    return b.image(tenant, editor, "photo")


@pytest.fixture
def mug_draft(tenant, editor, photo, django_capture_on_commit_callbacks):
    """MUG-001 with a checked-in draft showing `photo` (not yet published)."""
    with django_capture_on_commit_callbacks(execute=True):
        product = b.mug(tenant)
        b.checkin(tenant, product, editor, {"master": b.slots([photo])})
    return product


def deliveries(user_client, webhook_id: int) -> list[dict]:
    response = user_client.get(f"{T}/webhooks/{webhook_id}/deliveries")
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_media_published_arrives_signed_and_verifies(
    receiver, register, api, photo, publisher, admin_user, client_for
):  # R28
    hook = register(receiver.url(), ["media.published", "media.unpublished"])

    response = api(publisher, "post", f"media/{photo.pk}/publish")

    assert response.status_code == 200, response.content
    [got] = receiver.requests
    assert got.headers["content-type"] == "application/json"
    assert got.headers["webhook-event"] == "media.published"
    # The Standard Webhooks reference library and the docs' own example both accept it.
    message = Webhook(hook["secret"]).verify(got.body, got.headers)
    assert message == docs_verify()(hook["secret"], got.headers, got.body)
    assert message["type"] == "media.published" and message["tenant"] == "acme"
    assert message["id"] == got.headers["webhook-id"]
    media = message["data"]["media"]
    assert media["id"] == photo.pk and media["status"] == "published"
    assert media["url"].endswith(photo.original_filename)
    # Signed with another secret, or altered, it is refused.
    with pytest.raises(Exception, match="signature"):
        Webhook("whsec_" + "A" * 44).verify(got.body, got.headers)
    with pytest.raises(ValueError, match="signature"):
        docs_verify()(hook["secret"], got.headers, got.body.replace(b"acme", b"evil"))

    log = deliveries(client_for(admin_user), hook["id"])
    assert [(d["event"], d["status"], d["attempts"], d["last_status_code"]) for d in log] == [
        ("media.published", "succeeded", 1, 200)
    ]
    detail = client_for(admin_user).get(f"{T}/webhooks/{hook['id']}/deliveries/{log[0]['id']}")
    attempt = detail.json()["log"][0]
    assert attempt["status_code"] == 200 and attempt["error"] == ""
    assert attempt["duration_ms"] >= 0 and '"ok"' in attempt["response_excerpt"]
    assert detail.json()["payload"] == message

    api(publisher, "post", f"media/{photo.pk}/unpublish", {"force": True})
    assert [r.json["type"] for r in receiver.requests] == ["media.published", "media.unpublished"]
    assert receiver.requests[1].json["data"]["media"]["status"] == "draft"


def test_a_replayed_or_stale_delivery_fails_the_documented_check(
    receiver, register, api, photo, publisher
):  # R28: replay-safe through the timestamp tolerance
    hook = register(receiver.url(), ["media.published"])
    api(publisher, "post", f"media/{photo.pk}/publish")
    got = receiver.requests[0]
    stale = {**got.headers, "webhook-timestamp": str(int(got.headers["webhook-timestamp"]) - 600)}
    with pytest.raises(ValueError, match="tolerance"):
        docs_verify()(hook["secret"], stale, got.body)
    with pytest.raises(Exception, match="too old"):
        Webhook(hook["secret"]).verify(got.body, stale)


def test_answer_changed_follows_the_change_feed(
    receiver, register, api, mug_draft, publisher, client_for, admin_user
):  # R28, R24
    register(receiver.url(), ["answer.changed"])
    reader = client_for(admin_user)
    before = reader.get(f"{T}/changes?since=0").json()["next"]  # the mug's creation, unsent

    response = api(
        publisher, "post", "products/MUG-001/media/publish", {"publish_dependencies": True}
    )

    assert response.status_code == 202, response.content
    [got] = receiver.of_type("answer.changed")
    changes = got.json["data"]["changes"]
    feed = reader.get(f"{T}/changes?since={before}").json()
    assert changes == feed["results"] and {c["number"] for c in changes} == {"MUG-001"}
    assert changes[0]["etag"] and got.json["data"]["cursor"] == feed["next"]

    # Following again sends only what is new: nothing, then the next publish's changes.
    webhooks_tick()
    assert len(receiver.of_type("answer.changed")) == 1
    api(admin_user, "delete", "products/MUG-001/")
    later = receiver.of_type("answer.changed")
    assert len(later) == 2
    assert {c["number"]: c["etag"] for c in later[1].json["data"]["changes"]} == {"MUG-001": None}


def test_job_finished_is_sent_once_by_the_tick(
    receiver, register, api, tick, mug_draft, publisher
):  # R28
    register(receiver.url(), ["job.finished"])
    response = api(
        publisher, "post", "products/MUG-001/media/publish", {"publish_dependencies": True}
    )
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == "succeeded"

    tick()
    tick()

    [got] = receiver.of_type("job.finished")
    assert got.json["data"]["job"]["id"] == job.pk
    assert got.json["data"]["job"]["status"] == "succeeded"
    assert got.json["data"]["job"]["kind"] == "publish"


def test_events_not_asked_for_and_inactive_endpoints_get_nothing(
    receiver, register, api, photo, publisher
):  # R28
    register(receiver.url("/jobs-only"), ["job.finished"])
    register(receiver.url("/off"), ["media.published"], active=False)
    api(publisher, "post", f"media/{photo.pk}/publish")
    assert receiver.requests == [] and not WebhookMessage.objects.exists()


def test_a_new_endpoint_is_not_sent_the_past(
    receiver, register, api, tick, mug_draft, publisher
):  # R28
    api(publisher, "post", "products/MUG-001/media/publish", {"publish_dependencies": True})
    register(receiver.url(), ["answer.changed", "job.finished"])
    tick()
    assert receiver.requests == []


def test_failures_are_retried_with_exponential_backoff_and_logged(
    receiver, register, api, tick, photo, publisher, settings
):  # R28
    settings.WEBHOOK_RETRY_BASE_SECONDS = 3600  # nothing becomes due by itself in this test
    receiver.statuses = [500, 503]
    register(receiver.url(), ["media.published"])

    api(publisher, "post", f"media/{photo.pk}/publish")

    delivery = WebhookDelivery.objects.get()
    first = WebhookAttempt.objects.get(delivery=delivery, number=1)
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
    assert first.error == "HTTP 500" and first.response_excerpt == "receiver says no"
    assert delivery.next_attempt_at >= first.started_at + timedelta(hours=1)
    tick()  # not due yet: nothing is sent
    assert len(receiver.requests) == 1

    make_due()
    tick()
    delivery.refresh_from_db()
    second = WebhookAttempt.objects.get(delivery=delivery, number=2)
    assert (delivery.attempts, delivery.last_status_code) == (2, 503)
    assert delivery.next_attempt_at >= second.started_at + timedelta(hours=2)  # doubled

    make_due()
    tick()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("succeeded", 3, 200)
    assert delivery.next_attempt_at is None and delivery.finished_at is not None
    assert [a.status_code for a in delivery.log.all()] == [500, 503, 200]
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    assert len(ids) == 1  # the same message every time
    assert len({r.headers["webhook-timestamp"] for r in receiver.requests}) >= 1


def test_backoff_doubles_up_to_the_cap(settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    settings.WEBHOOK_RETRY_MAX_SECONDS = 3600
    assert [retry_delay(n).total_seconds() for n in range(1, 9)] == [
        30,
        60,
        120,
        240,
        480,
        960,
        1920,
        3600,
    ]


def test_it_gives_up_after_the_last_attempt(
    receiver, register, api, tick, photo, publisher, settings
):  # R28
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [500, 500, 500, 500]
    register(receiver.url(), ["media.published"])
    api(publisher, "post", f"media/{photo.pk}/publish")
    for _ in range(4):
        make_due()
        tick()
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == ("failed", 3)
    assert delivery.next_attempt_at is None and len(receiver.requests) == 3


def test_a_redirect_is_a_failure_and_is_not_followed(receiver, register, api, photo, publisher):
    receiver.statuses = [302]
    register(receiver.url(), ["media.published"])
    api(publisher, "post", f"media/{photo.pk}/publish")
    delivery = WebhookDelivery.objects.get()
    assert delivery.last_status_code == 302 and "not followed" in delivery.last_error
    assert [r.path for r in receiver.requests] == ["/hooks"]


def test_an_unreachable_receiver_is_logged_and_retried(
    register, api, photo, publisher, receiver
):  # R28: nothing listens on the port any more
    hook = register(receiver.url(), ["media.published"])
    from webhooks.models import WebhookEndpoint

    WebhookEndpoint.objects.filter(pk=hook["id"]).update(url="http://127.0.0.9:9/closed")
    api(publisher, "post", f"media/{photo.pk}/publish")
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and delivery.last_status_code is None
    assert "could not connect" in delivery.last_error


def test_redeliver_sends_the_same_message_again(
    receiver, register, api, tick, photo, publisher, admin_user, client_for, settings
):  # R28
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [500]
    hook = register(receiver.url(), ["media.published"])
    api(publisher, "post", f"media/{photo.pk}/publish")
    [failed] = deliveries(client_for(admin_user), hook["id"])
    assert failed["status"] == "failed"

    path = f"webhooks/{hook['id']}/deliveries/{failed['id']}/redeliver"
    assert api(publisher, "post", path).status_code == 403  # admins only (R1a)
    response = api(admin_user, "post", path)

    assert response.status_code == 202, response.content
    again = response.json()
    assert again["redelivery_of"] == failed["id"] and again["requested_by"] == "ada"
    log = {d["id"]: d for d in deliveries(client_for(admin_user), hook["id"])}
    assert log[again["id"]]["status"] == "succeeded" and log[failed["id"]]["status"] == "failed"
    assert log[again["id"]]["webhook_id"] == failed["webhook_id"]
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] and first.body == second.body
    Webhook(hook["secret"]).verify(second.body, second.headers)


def test_redeliver_is_refused_while_pending_or_disabled(
    receiver, register, api, photo, publisher, admin_user, settings
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 3600
    receiver.statuses = [500]
    hook = register(receiver.url(), ["media.published"])
    api(publisher, "post", f"media/{photo.pk}/publish")
    delivery = WebhookDelivery.objects.get()
    path = f"webhooks/{hook['id']}/deliveries/{delivery.pk}/redeliver"
    response = api(admin_user, "post", path)
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "status"
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed")
    api(admin_user, "patch", f"webhooks/{hook['id']}/", {"active": False})
    response = api(admin_user, "post", path)
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "active"
    assert WebhookDelivery.objects.count() == 1


def test_the_guard_is_applied_again_at_delivery_time(
    receiver, register, api, photo, publisher, settings
):  # R29: registered while allowed; by the time it is sent, the address is refused
    register(receiver.url(), ["media.published"])
    settings.OUTBOUND_FETCH_ALLOWLIST = []

    api(publisher, "post", f"media/{photo.pk}/publish")

    assert receiver.requests == []
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == "pending" and "address not allowed" in delivery.last_error


def test_a_failing_receiver_never_blocks_or_rolls_back_a_publish(
    receiver, register, api, mug_draft, photo, publisher, client_for
):  # R28
    receiver.statuses = [500] * 10
    register(receiver.url(), ["answer.changed", "media.published", "job.finished"])

    response = api(
        publisher, "post", "products/MUG-001/media/publish", {"publish_dependencies": True}
    )

    assert response.status_code == 202 and response.json()["status"] in ("queued", "succeeded")
    assert Job.objects.get().status == "succeeded"
    shop = client_for(None).get(f"{T}/channels/web/products/MUG-001/media?locale=en-us")
    assert shop.status_code == 200 and shop.json()["primary"][0]["id"] == photo.pk
    photo.refresh_from_db()
    assert photo.status == "published"
    assert {d.status for d in WebhookDelivery.objects.all()} == {"pending"}
    assert receiver.requests  # it was tried, and said no


def test_a_broken_webhook_hook_never_fails_the_write(
    receiver, register, api, photo, publisher, monkeypatch
):  # R28: the hook runs in a savepoint of its own
    register(receiver.url(), ["media.published"])

    def broken(**kwargs):
        raise RuntimeError("payload builder on fire")

    monkeypatch.setattr("webhooks.events.media_data", broken)
    response = api(publisher, "post", f"media/{photo.pk}/publish")

    assert response.status_code == 200
    photo.refresh_from_db()
    assert photo.status == "published" and not WebhookMessage.objects.exists()


def test_a_rolled_back_write_announces_nothing(receiver, register, photo, publisher):  # R28
    register(receiver.url(), ["media.published"])
    with pytest.raises(RuntimeError), transaction.atomic():
        media_item_publish(item=photo, user=publisher)
        raise RuntimeError("the publish fails after the event")
    assert not WebhookMessage.objects.exists() and receiver.requests == []
