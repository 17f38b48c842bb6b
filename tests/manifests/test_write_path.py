"""Issue 11 (R12, R18, R21): a manifest import writes through the bulk check-in, publish and
discard services of `assignments.services`, one call per kind for all its documents, so
it gets their checks, audit events, check-in hooks and outbox rows."""

from __future__ import annotations

import pytest

from assignments import services
from assignments.models import DocumentEvent
from assignments.services import document_checkout
from publishing.groups import group_create
from tenants.models import Channel, Locale
from tests.manifests.helpers import run_import, tsv
from tests.manifests.test_validation import HEADER, row

ACTION_HEADER = [*HEADER, "EntityAssignmentAction", "EntityCheckedOutAction"]


@pytest.fixture
def calls(monkeypatch):
    """Spy on the bulk services: name -> list of the documents (or items) of each call."""
    seen: dict[str, list] = {}
    for name in (
        "documents_checkin_bulk",
        "documents_publish_bulk",
        "documents_discard_bulk",
        "documents_unpublish_entries_bulk",
    ):
        real = getattr(services, name)

        def spy(*args, _real=real, _name=name, **kwargs):
            given = kwargs.get("items", kwargs.get("documents"))
            seen.setdefault(_name, []).append(list(given))
            return _real(*args, **kwargs)

        monkeypatch.setattr(services, name, spy)
    return seen


def test_an_import_checks_in_and_publishes_through_the_bulk_services(
    tenant, admin_user, editor, catalog, images, calls
):  # R12, R14
    channel = Channel.objects.get(tenant=tenant, code="omnichannel")
    locale = Locale.objects.get(tenant=tenant, code="neutral")
    document_checkout(
        tenant=tenant, product=catalog["shirt"], channel=channel, locale=locale, user=editor
    )
    text = tsv(
        ACTION_HEADER,
        [*row(images[0]), "PublishNow", "Overwrite"],
        [*row(images[1], EntityKey="MUG-001"), "PublishNow", ""],
        [*row(images[2], EntityKey="MUG-001", EntityLocale="en-us"), "Draft", ""],
    )
    report, rows = run_import(tenant, text, user=admin_user)
    assert report.ok, report.errors
    assert [len(c) for c in calls["documents_discard_bulk"]] == [1]
    assert [len(c) for c in calls["documents_checkin_bulk"]] == [3]
    assert [len(c) for c in calls["documents_publish_bulk"]] == [2]
    assert "documents_unpublish_entries_bulk" not in calls
    assert report.counts["versions"] == 3 and report.counts["documents_published"] == 2
    shirt_events = DocumentEvent.objects.filter(document__product=catalog["shirt"]).order_by("pk")
    assert [(e.action, e.user_id, e.detail.get("source")) for e in shirt_events] == [
        ("checkout", editor.pk, None),
        ("discard", admin_user.pk, "manifest import"),
        ("checkin", admin_user.pk, "manifest import"),
        ("publish", admin_user.pk, "manifest import"),
    ]


def test_a_re_import_calls_no_write_service(tenant, catalog, images, calls):  # R18
    text = tsv(ACTION_HEADER, [*row(images[0]), "PublishNow", ""])
    run_import(tenant, text)
    calls.clear()
    report, rows = run_import(tenant, text)
    assert {r["Result"] for r in rows} == {"Skipped"}
    assert calls == {}


def test_unpublish_goes_through_the_bulk_service(tenant, catalog, images, calls):  # R18
    run_import(
        tenant,
        tsv(
            ACTION_HEADER,
            [*row(images[0], MediaDisplayOrder="1"), "PublishNow", ""],
            [*row(images[1], MediaDisplayOrder="2"), "PublishNow", ""],
        ),
    )
    calls.clear()
    report, rows = run_import(tenant, tsv(ACTION_HEADER, [*row(images[1]), "Unpublish", ""]))
    assert report.ok, report.errors
    assert [len(c) for c in calls["documents_unpublish_entries_bulk"]] == [1]
    event = DocumentEvent.objects.filter(action="publish").latest("pk")
    assert event.detail == {"source": "manifest import", "unpublished": 1}


def test_imported_check_ins_run_the_check_in_hooks_and_join_no_group(
    tenant, catalog, images, settings
):
    """Configured check-in hooks run once per import, in their bulk form; publish groups
    gain no product by an import (issue 15: membership is explicit, R16)."""
    from tests.assignments import test_bulk_services as hooks

    settings.ASSIGNMENT_CHECKIN_HOOKS = ["tests.assignments.test_bulk_services.bulk_hook"]
    hooks.HOOK_CALLS.clear()
    everywhere = group_create(tenant=tenant, user=None, name="Spring")
    english = group_create(
        tenant=tenant,
        user=None,
        name="English",
        locale=Locale.objects.get(tenant=tenant, code="en-us"),
    )
    text = tsv(
        ACTION_HEADER,
        [*row(images[0]), "Draft", ""],
        [*row(images[1], EntityKey="MUG-001", EntityLocale="en-us"), "Draft", ""],
    )
    report, _ = run_import(tenant, text)
    assert report.ok, report.errors
    assert [kind for kind, _ in hooks.HOOK_CALLS] == ["bulk"]
    assert len(hooks.HOOK_CALLS[0][1]) == 2
    hooks.HOOK_CALLS.clear()
    assert not everywhere.products.exists() and not english.products.exists()
