"""Issue 11 (R12, R19, R21): a tenant copy writes documents and category images through the
bulk services of `assignments.services`, once per batch, so it gets their checks, audit
events, check-in hooks and outbox rows."""

from __future__ import annotations

import pytest

from assignments import services
from assignments.models import AssignmentDocument, DocumentEvent
from publishing.groups import group_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def calls(monkeypatch):
    """Spy on the bulk services: name -> the number of documents/items of each call."""
    seen: dict[str, list[int]] = {}
    for name in (
        "documents_checkin_bulk",
        "documents_publish_bulk",
        "category_media_set_bulk",
        "category_media_publish_bulk",
    ):
        real = getattr(services, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            given = kwargs.get("items", kwargs.get("documents", kwargs.get("categories")))
            seen.setdefault(_name, []).append(len(list(given)))
            return _real(*args, **kwargs)

        monkeypatch.setattr(services, name, spy)
    return seen


def test_a_copy_checks_in_and_publishes_through_the_bulk_services(
    other_tenant, source, copy_command, calls
):  # R19
    copy_command("--versions", "published-and-draft")
    # one batch: the published contents (2 documents) checked in and published, then the
    # newer draft of one of them checked in on top
    assert calls["documents_checkin_bulk"] == [2, 1]
    assert calls["documents_publish_bulk"] == [2]
    assert calls["category_media_set_bulk"] == [1]
    assert calls["category_media_publish_bulk"] == [1]
    document = AssignmentDocument.objects.get(
        tenant=other_tenant, channel__code="omnichannel", locale__code="neutral"
    )
    events = DocumentEvent.objects.filter(document=document).order_by("pk")
    assert [(e.action, e.version) for e in events] == [
        ("checkin", 1),
        ("publish", 1),
        ("checkin", 2),
    ]
    assert all(e.detail["copied_from"] == "acme" for e in events)
    assert document.published_version == 1 and document.version == 2


def test_a_second_copy_calls_no_write_service(other_tenant, source, copy_command, calls):  # R19
    copy_command()
    calls.clear()
    copy_command()
    assert calls == {}


def test_copied_check_ins_join_no_publish_group(other_tenant, source, copy_command):
    """A copy checks content in; it adds no product to the destination's groups (issue 15:
    membership is explicit, R16)."""
    group = group_create(tenant=other_tenant, user=None, name="Spring")
    copy_command()
    assert not group.products.exists()
