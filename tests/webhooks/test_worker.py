"""R28 with real components (the PostgreSQL run of .ci/run): a Celery worker over Redis
sends the deliveries, after commit; a receiver that hangs never holds up the write."""

from __future__ import annotations

import time

import pytest
from standardwebhooks.webhooks import Webhook

from tenants.models import Job
from tests.publishing import builders as b
from webhooks.models import WebhookDelivery
from webhooks.tasks import webhooks_tick

pytestmark = [pytest.mark.worker, pytest.mark.postgres]

T = "/api/v1/tenants/acme"


def wait_for(condition, seconds: float = 30.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    return condition()


def test_a_hanging_receiver_does_not_hold_up_the_publish(
    live_worker, tenant, editor, publisher, receiver, register, client_for
):  # R28: sent by a worker after commit
    hook = register(receiver.url(), ["media.published"])
    photo = b.image(tenant, editor, "photo")
    receiver.hold.clear()  # the receiver accepts the request and does not answer

    response = client_for(publisher).post(f"{T}/media/{photo.pk}/publish", {}, format="json")

    # The publish has answered and committed while the receiver still holds (or has not yet
    # been sent) the delivery: nothing waited for it.
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert not WebhookDelivery.objects.filter(status="succeeded").exists()
    assert receiver.arrived.wait(30), "the worker never sent the delivery"
    receiver.hold.set()
    delivery = wait_for(
        lambda: WebhookDelivery.objects.filter(status="succeeded").select_related("message").first()
    )
    assert delivery is not None, list(WebhookDelivery.objects.values())
    got = receiver.requests[0]
    assert Webhook(hook["secret"]).verify(got.body, got.headers)["data"]["media"]["id"] == photo.pk


def test_the_worker_follows_the_change_feed_and_finished_jobs(
    live_worker, tenant, editor, publisher, receiver, register, client_for
):  # R28, R24
    register(receiver.url(), ["answer.changed", "job.finished"])
    product = b.mug(tenant)
    photo = b.image(tenant, editor, "photo")
    b.checkin(tenant, product, editor, {"master": b.slots([photo])})

    response = client_for(publisher).post(
        f"{T}/products/MUG-001/media/publish", {"publish_dependencies": True}, format="json"
    )
    assert response.status_code == 202

    changed = wait_for(lambda: receiver.of_type("answer.changed"))
    assert changed, "no answer.changed arrived"
    assert {c["number"] for c in changed[0].json["data"]["changes"]} == {"MUG-001"}
    job = wait_for(lambda: Job.objects.filter(pk=response.json()["id"], status="succeeded").first())
    assert job is not None, Job.objects.get(pk=response.json()["id"]).errors
    webhooks_tick()  # what beat does every few seconds: announces the finished job
    finished = wait_for(lambda: receiver.of_type("job.finished"))
    assert finished and finished[0].json["data"]["job"]["id"] == response.json()["id"]
