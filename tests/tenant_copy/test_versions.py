"""R19 version choice: published versions only, or also the latest checked-in draft;
checked-out working copies are never copied (R12)."""

import pytest

from assignments.models import AssignmentDocument
from assignments.selectors import content_sets_load
from media_library.models import MediaStatus
from tenants.models import Job
from tests.publishing import builders as b
from tests.tenant_copy.conftest import dest_item

pytestmark = pytest.mark.django_db


def _document(tenant, channel="omnichannel", locale="neutral"):
    return AssignmentDocument.objects.get(tenant=tenant, channel__code=channel, locale__code=locale)


def _primary(tenant, set_id) -> list[int]:
    return content_sets_load(tenant=tenant, set_ids=[set_id])[set_id].as_dict()["master"]["primary"]


def _ids(tenant, source, *names) -> list[int]:
    return [dest_item(tenant, getattr(source, name)).pk for name in names]


def test_published_only_copies_the_published_version_as_draft_and_published(  # R19
    other_tenant, source, copy_command
):
    copy_command("--versions", "published")

    document = _document(other_tenant)
    assert document.draft_id == document.published_id
    assert _primary(other_tenant, document.published_id) == _ids(
        other_tenant, source, "front", "back"
    )
    assert document.versions.count() == 1


def test_published_and_draft_copies_the_latest_checked_in_draft_too(  # R19
    other_tenant, source, copy_command, client_for
):
    copy_command("--versions", "published-and-draft")

    document = _document(other_tenant)
    assert _primary(other_tenant, document.published_id) == _ids(
        other_tenant, source, "front", "back"
    )
    # The draft stays a draft: staged, numbered, not published (R12).
    assert _primary(other_tenant, document.draft_id) == _ids(
        other_tenant, source, "back", "front", "draft_only"
    )
    assert (document.version, document.published_version) == (2, 1)
    assert dest_item(other_tenant, source.draft_only).status == MediaStatus.DRAFT
    # The shop read API serves the published version, not the draft (R15).
    shop = client_for(None).get(
        "/api/v1/tenants/globex/channels/pos/products/SHIRT-001-RED-S-SLIM/media?locale=en-us"
    )
    assert [m["id"] for m in shop.json()["primary"]] == _ids(other_tenant, source, "front", "back")


@pytest.mark.parametrize("versions", ["published", "published-and-draft"])
def test_checked_out_working_copies_are_never_copied(  # R12, R19
    other_tenant, source, copy_command, versions
):
    copy_command("--versions", versions)

    web = _document(other_tenant, "web", "en-us")
    assert web.working_id is None and web.checked_out_by_id is None
    held = dest_item(other_tenant, source.held).pk
    for set_id in (web.draft_id, web.published_id):
        assert held not in _primary(other_tenant, set_id)
    assert _primary(other_tenant, web.published_id) == _ids(other_tenant, source, "back")


def test_a_never_published_document_is_copied_only_with_drafts(  # R19
    tenant, other_tenant, source, editor, copy_command
):
    b.checkin(tenant, source.shirt, editor, {"master": b.slots([source.back])}, channel="pos")

    copy_command("--versions", "published")
    assert not AssignmentDocument.objects.filter(tenant=other_tenant, channel__code="pos").exists()
    assert Job.objects.latest("pk").counts["documents_without_versions"] == 1

    copy_command("--versions", "published-and-draft")
    pos = _document(other_tenant, "pos")
    assert pos.published_id is None
    assert _primary(other_tenant, pos.draft_id) == _ids(other_tenant, source, "back")
