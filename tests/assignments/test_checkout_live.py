"""R12 + issue 15: check-outs others can follow (state endpoint with ETag/304), expire after
CHECKOUT_IDLE_MINUTES, and can be taken over (audited) by a publisher or, once idle, anyone
with edit rights; conflicts say who in words, with timestamps as data."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from assignments.models import AssignmentDocument, DocumentEvent
from tenants.models import Role

from .factories import make_master, make_media

pytestmark = pytest.mark.django_db

T = "/api/v1/tenants/acme"
DOC = f"{T}/products/SHIRT-001/media"
ISO = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


@pytest.fixture
def shirt(tenant):
    return make_master(tenant, "SHIRT-001")


@pytest.fixture
def editor2(member):
    return member(Role.EDITOR, username="erin")


def _idle(minutes: int) -> None:
    """Make the current check-out look idle for `minutes` (every stamp moved back)."""
    past = timezone.now() - timedelta(minutes=minutes)
    AssignmentDocument.objects.update(checked_out_at=past, saved_at=None, updated_at=past)


def test_state_answers_304_until_something_changes(shirt, editor, viewer, client_for):
    # issue 15: the page polls with If-None-Match; unchanged state costs a 304.
    watcher = client_for(viewer)
    first = watcher.get(f"{DOC}/state")
    assert first.status_code == 200 and first.json()["documents"] == []
    etag = first["ETag"]
    assert watcher.get(f"{DOC}/state", HTTP_IF_NONE_MATCH=etag).status_code == 304

    assert client_for(editor).post(f"{DOC}/checkout").status_code == 200
    changed = watcher.get(f"{DOC}/state", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    (doc,) = changed.json()["documents"]
    assert doc["state"] == "checked_out" and doc["checked_out_by"] == "eddie"
    assert doc["last_event"]["action"] == "checkout" and doc["last_event"]["by"] == "eddie"
    assert doc["expired"] is False and doc["expires_at"]
    etag = changed["ETag"]
    assert watcher.get(f"{DOC}/state", HTTP_IF_NONE_MATCH=etag).status_code == 304

    client_for(editor).post(f"{DOC}/checkin")
    after = watcher.get(f"{DOC}/state", HTTP_IF_NONE_MATCH=etag).json()["documents"][0]
    assert after["checked_out_by"] is None and after["last_event"]["action"] == "checkin"


def test_state_of_another_tenants_product_is_404(shirt, other_tenant, member, client_for):
    stranger = member(Role.ADMIN, username="otto", in_tenant=other_tenant)
    assert client_for(stranger).get(f"{DOC}/state").status_code == 404


def test_a_discard_by_a_publisher_shows_in_the_state_with_who(shirt, editor, publisher, client_for):
    client_for(editor).post(f"{DOC}/checkout")
    assert client_for(publisher).post(f"{DOC}/discard").status_code == 200
    (doc,) = client_for(editor).get(f"{DOC}/state").json()["documents"]
    assert doc["checked_out_by"] is None
    assert doc["last_event"]["action"] == "discard" and doc["last_event"]["by"] == "pia"
    assert doc["last_event"]["detail"]["holder"] == "eddie"
    # The editor's retry now answers 409 in words, not forever a "Retry save".
    response = client_for(editor).put(f"{DOC}/working", {"matrix": []}, format="json")
    assert (
        response.status_code == 409 and "check the document out first" in response.json()["detail"]
    )


def test_conflict_names_the_holder_without_a_raw_timestamp(shirt, editor, editor2, client_for):
    client_for(editor).post(f"{DOC}/checkout")
    response = client_for(editor2).post(f"{DOC}/checkout")
    body = response.json()
    assert response.status_code == 409
    assert "eddie is editing" in body["detail"] and not ISO.search(body["detail"])
    assert ISO.match(body["checked_out_at"]) and body["can_take_over"] is False
    assert ISO.match(body["expires_at"])


def test_an_editor_cannot_take_over_before_the_idle_limit(shirt, editor, editor2, client_for):
    client_for(editor).post(f"{DOC}/checkout")
    response = client_for(editor2).post(f"{DOC}/checkout", {"take_over": True}, format="json")
    assert response.status_code == 409
    assert AssignmentDocument.objects.get().checked_out_by == editor


def test_an_idle_checkout_expires_and_any_editor_may_take_it_over(
    shirt, tenant, editor, editor2, client_for, settings
):
    settings.CHECKOUT_IDLE_MINUTES = 30
    image = make_media(tenant)
    client_for(editor).post(f"{DOC}/checkout")
    client_for(editor).put(
        f"{DOC}/working",
        {"matrix": [], "master": {"primary": [image.pk]}, "dimensions": [], "variants": []},
        format="json",
    )
    _idle(31)
    doc = client_for(editor2).get(DOC).json()
    assert doc["expired"] is True
    refused = client_for(editor2).post(f"{DOC}/checkout")  # taking over is explicit
    assert refused.status_code == 409 and refused.json()["can_take_over"] is True

    taken = client_for(editor2).post(f"{DOC}/checkout", {"take_over": True}, format="json")
    assert taken.status_code == 200, taken.json()
    body = taken.json()
    assert body["checked_out_by"] == "erin" and body["expired"] is False
    assert body["working"]["master"]["primary"] == [image.pk]  # the work is kept
    event = DocumentEvent.objects.filter(action="takeover").get()
    assert event.user == editor2
    assert event.detail["former_holder"] == "eddie" and event.detail["reason"] == "expired"

    # The former holder learns it on their next poll, and their writes are refused.
    (state,) = client_for(editor).get(f"{DOC}/state").json()["documents"]
    assert state["last_event"]["action"] == "takeover" and state["last_event"]["by"] == "erin"
    assert client_for(editor).post(f"{DOC}/save").status_code == 409


def test_a_publisher_may_take_over_at_any_time(shirt, editor, publisher, client_for):
    client_for(editor).post(f"{DOC}/checkout")
    refused = client_for(publisher).post(f"{DOC}/checkout")
    assert refused.status_code == 409 and refused.json()["can_take_over"] is True
    taken = client_for(publisher).post(f"{DOC}/checkout", {"take_over": True}, format="json")
    assert taken.status_code == 200 and taken.json()["checked_out_by"] == "pia"
    event = DocumentEvent.objects.get(action="takeover")
    assert event.detail["reason"] == "publisher" and event.detail["former_holder"] == "eddie"


def test_activity_keeps_a_checkout_alive(shirt, editor, client_for, settings):
    settings.CHECKOUT_IDLE_MINUTES = 30
    client_for(editor).post(f"{DOC}/checkout")
    _idle(29)
    assert client_for(editor).post(f"{DOC}/save").status_code == 200
    doc = client_for(editor).get(DOC).json()
    assert doc["expired"] is False
    assert doc["expires_at"] > (timezone.now() + timedelta(minutes=29)).isoformat()


def test_copy_my_changes_into_a_new_checkout(shirt, tenant, editor, publisher, client_for):
    # The page's "Copy my changes": check out again, then PUT the kept working content; the
    # server validates it like any edit.
    image = make_media(tenant)
    client_for(editor).post(f"{DOC}/checkout")
    client_for(publisher).post(f"{DOC}/discard")
    kept = {"matrix": [], "master": {"primary": [image.pk]}, "dimensions": [], "variants": []}
    assert client_for(editor).post(f"{DOC}/checkout").status_code == 200
    response = client_for(editor).put(f"{DOC}/working", kept, format="json")
    assert response.status_code == 200 and response.json()["working"]["master"]["primary"] == [
        image.pk
    ]
    bad = client_for(editor).put(
        f"{DOC}/working", {**kept, "master": {"primary": [999999]}}, format="json"
    )
    assert bad.status_code == 400
