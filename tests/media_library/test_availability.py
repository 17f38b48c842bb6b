"""R27: items may carry an availability window; outside it they are in no shop answer (the
default image recomputed): at once when a date set is already past, and by the scheduler's
sweep when a date passes later. Dates in the wrong order are refused and change nothing."""

from datetime import timedelta

import pytest
from django.utils import timezone

from media_library import tasks
from media_library.models import MediaItem
from tests.media_library.test_replace_file import RECORDED
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db


def _ids(answer: dict) -> list[int]:
    return [m["id"] for m in answer["primary"]]


@pytest.fixture
def clock(monkeypatch):
    """clock(delta) moves `timezone.now()` forward for everything (projection included)."""
    real_now = timezone.now

    def _advance(delta: timedelta):
        frozen = real_now() + delta
        monkeypatch.setattr(timezone, "now", lambda: frozen)
        return frozen

    return _advance


@pytest.fixture
def events(settings):
    settings.DOMAIN_EVENT_HOOKS = [
        *settings.DOMAIN_EVENT_HOOKS,
        "tests.media_library.test_replace_file.record_event",
    ]
    RECORDED.clear()
    return RECORDED


def test_a_past_expiry_hides_the_item_at_once_and_recomputes_the_default(
    published_mug, api_call, editor, shop_read, events, publisher
):  # R27, R11
    _, media = published_mug
    front, back = media["front"], media["back"]
    assert shop_read("MUG-001").json()["default_image"]["id"] == front.pk
    past = (timezone.now() - timedelta(minutes=5)).isoformat()

    response = api_call(publisher, "patch", f"media/{front.pk}/", {"expires_at": past})

    assert response.status_code == 200, response.content
    assert response.json()["availability"] == "expired"
    answer = shop_read("MUG-001").json()
    assert _ids(answer) == [back.pk]
    assert answer["default_image"]["id"] == back.pk
    assert ("media.expired", [front.pk]) in events
    # Clearing the date brings it back at once.
    api_call(publisher, "patch", f"media/{front.pk}/", {"expires_at": None})
    assert shop_read("MUG-001").json()["default_image"]["id"] == front.pk


def test_a_date_passing_later_is_applied_by_the_periodic_sweep(
    published_mug,
    api_call,
    editor,
    shop_read,
    clock,
    events,
    django_capture_on_commit_callbacks,
    publisher,
):  # R27
    _, media = published_mug
    front, back = media["front"], media["back"]
    soon = (timezone.now() + timedelta(hours=1)).isoformat()
    response = api_call(publisher, "patch", f"media/{front.pk}/", {"expires_at": soon})
    assert response.json()["availability"] == "available"
    assert _ids(shop_read("MUG-001").json()) == [front.pk, back.pk]

    clock(timedelta(hours=2))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.media_availability_sweep() == 1  # the beat task, run directly

    answer = shop_read("MUG-001").json()
    assert _ids(answer) == [back.pk] and answer["default_image"]["id"] == back.pk
    assert MediaItem.objects.get(pk=front.pk).served is False
    assert ("media.expired", [front.pk]) in events
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.media_availability_sweep() == 0  # idempotent


def test_a_window_not_open_yet_hides_until_it_opens(
    published_mug, api_call, editor, shop_read, clock, django_capture_on_commit_callbacks, publisher
):  # R27
    _, media = published_mug
    front, back = media["front"], media["back"]
    later = (timezone.now() + timedelta(minutes=30)).isoformat()
    response = api_call(publisher, "patch", f"media/{front.pk}/", {"available_from": later})
    assert response.json()["availability"] == "scheduled"
    assert _ids(shop_read("MUG-001").json()) == [back.pk]

    clock(timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.media_availability_sweep() == 1

    assert _ids(shop_read("MUG-001").json()) == [front.pk, back.pk]


def test_dates_in_the_wrong_order_are_refused_and_change_nothing(
    published_mug, api_call, editor, shop_read, publisher
):  # R27
    _, media = published_mug
    front = media["front"]
    now = timezone.now()
    answer = shop_read("MUG-001").json()
    response = api_call(
        publisher,
        "patch",
        f"media/{front.pk}/",
        {
            "available_from": (now + timedelta(days=2)).isoformat(),
            "expires_at": (now + timedelta(days=1)).isoformat(),
            "title": "Renamed",
        },
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "expires_at"
    front_after = MediaItem.objects.get(pk=front.pk)
    assert (front_after.available_from, front_after.expires_at, front_after.title) == (
        None,
        None,
        front.title,
    )
    assert shop_read("MUG-001").json() == answer
    # Only the closing date, before an opening date already stored: refused too.
    api_call(publisher, "patch", f"media/{front.pk}/", {"available_from": now.isoformat()})
    response = api_call(
        publisher,
        "patch",
        f"media/{front.pk}/",
        {"expires_at": (now - timedelta(days=1)).isoformat()},
    )
    assert response.status_code == 400
    garbage = api_call(publisher, "patch", f"media/{front.pk}/", {"expires_at": "next tuesday"})
    assert garbage.status_code == 400 and garbage.json()["errors"][0]["field"] == "expires_at"


def test_rights_note_and_viewer_refused(published_mug, api_call, editor, viewer):  # R27, R1a
    _, media = published_mug
    front = media["front"]
    response = api_call(
        editor, "patch", f"media/{front.pk}/", {"usage_rights": "CC BY 4.0, credit Jo"}
    )
    assert response.status_code == 200
    assert response.json()["usage_rights"] == "CC BY 4.0, credit Jo"
    refused = api_call(
        viewer, "patch", f"media/{front.pk}/", {"expires_at": timezone.now().isoformat()}
    )
    assert refused.status_code == 403
    # What shops are shown changes with a published item's window: a publisher's call.
    refused = api_call(
        editor, "patch", f"media/{front.pk}/", {"expires_at": timezone.now().isoformat()}
    )
    assert refused.status_code == 403 and "publisher" in refused.json()["detail"]
    assert MediaItem.objects.get(pk=front.pk).expires_at is None


def test_publish_dialog_warns_about_expired_media(
    tenant, published_mug, api_call, editor, publisher, shop_read
):  # R27, R14
    product, media = published_mug
    front, back = media["front"], media["back"]
    api_call(
        publisher,
        "patch",
        f"media/{back.pk}/",
        {"expires_at": (timezone.now() - timedelta(days=1)).isoformat()},
    )
    b.checkin(tenant, product, editor, {"master": b.slots([back, front])})
    path = "products/MUG-001/media/publish?channel=omnichannel&locale=neutral"

    refused = api_call(publisher, "post", path, {"publish_dependencies": False})

    assert refused.status_code == 409
    body = refused.json()
    assert body["dependencies"] == []
    assert [(e["id"], e["availability"]) for e in body["expired"]] == [(back.pk, "expired")]
    assert "availability window" in body["detail"]
    confirmed = api_call(publisher, "post", path, {"publish_dependencies": True})
    assert confirmed.status_code == 202
    answer = shop_read("MUG-001").json()
    assert _ids(answer) == [front.pk] and answer["default_image"]["id"] == front.pk


def test_library_lists_expired_and_scheduled(published_mug, api_call, publisher, viewer):  # R27
    _, media = published_mug
    front, back = media["front"], media["back"]
    now = timezone.now()
    api_call(
        publisher, "patch", f"media/{front.pk}/", {"expires_at": (now - timedelta(1)).isoformat()}
    )
    api_call(
        publisher,
        "patch",
        f"media/{back.pk}/",
        {"available_from": (now + timedelta(1)).isoformat()},
    )

    def listed(availability):
        response = api_call(viewer, "get", f"media/?availability={availability}")
        assert response.status_code == 200
        return [(r["id"], r["availability"]) for r in response.json()["results"]]

    assert listed("expired") == [(front.pk, "expired")]
    assert listed("scheduled") == [(back.pk, "scheduled")]
    assert listed("available") == []
    assert api_call(viewer, "get", "media/?availability=soon").status_code == 400


def test_without_a_scheduler_shop_reads_apply_passed_dates(
    transactional_db, published_mug, api_call, editor, shop_read, clock, settings, publisher
):  # R27: eager jobs and no broker (the zero-set-up default) respect dates at read time
    # (transactional: the sweep's commits drain the outbox at once, as in a server)
    from media_library import availability

    _, media = published_mug
    front, back = media["front"], media["back"]
    soon = (timezone.now() + timedelta(minutes=10)).isoformat()
    api_call(publisher, "patch", f"media/{front.pk}/", {"expires_at": soon})
    settings.MEDIA_AVAILABILITY_INLINE_SWEEP_SECONDS = 10.0
    availability._inline["next"] = 0.0
    assert _ids(shop_read("MUG-001").json()) == [front.pk, back.pk]

    clock(timedelta(minutes=20))
    availability._inline["next"] = 0.0  # the interval has passed on the monotonic clock too

    answer = shop_read("MUG-001").json()
    assert _ids(answer) == [back.pk] and answer["default_image"]["id"] == back.pk


def test_without_a_scheduler_the_many_products_read_applies_passed_dates_too(
    transactional_db, published_mug, api_call, client_for, clock, settings, publisher
):  # R27: the default images of many products (lists, search) sweep as the others do
    from media_library import availability

    _, media = published_mug
    front, back = media["front"], media["back"]
    soon = (timezone.now() + timedelta(minutes=10)).isoformat()
    api_call(publisher, "patch", f"media/{front.pk}/", {"expires_at": soon})
    settings.MEDIA_AVAILABILITY_INLINE_SWEEP_SECONDS = 10.0
    url = "/api/v1/tenants/acme/channels/web/products/media?numbers=MUG-001&locale=en-us"

    def default_image() -> int:
        response = client_for(None).get(url)
        assert response.status_code == 200, response.content
        return response.json()["results"][0]["default_image"]["id"]

    availability._inline["next"] = 0.0
    assert default_image() == front.pk
    clock(timedelta(minutes=20))
    availability._inline["next"] = 0.0

    assert default_image() == back.pk  # no single-product read came first
