"""R19 conflict behaviours against a destination that already holds some of the items:
the same media bytes (matched by checksum) and the SHIRT-001 default document (matched by
product x channel x locale), older, newer or identical."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assignments import services as assignment_services
from assignments.models import AssignmentDocument
from assignments.selectors import content_sets_load
from catalog.models import Product
from media_library.models import MediaItem
from publishing.services import products_publish
from tenants.models import Channel, Job, Locale, Role
from tests.factories import make_member
from tests.publishing import builders as b
from tests.tenant_copy.conftest import dest_item, snapshot, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def overlap(other_tenant, source):
    """globex already has `front` (same bytes, its own title) and a published default
    SHIRT-001 document showing only that image."""
    user = make_member(other_tenant, Role.PUBLISHER, "globex-pub")
    mine = upload(other_tenant, user, 1, "mine", title="Destination title", tags=["kept"])
    shirt = other_tenant_shirt(other_tenant)
    b.checkin(other_tenant, shirt, user, {"master": b.slots([mine])})
    products_publish(
        tenant=other_tenant, product_ids=[shirt.pk], user=user, publish_dependencies=True
    )
    return mine


def other_tenant_shirt(tenant):
    return Product.objects.get(tenant=tenant, number="SHIRT-001")


def _age(other_tenant, mine, *, days: int) -> None:
    """Make the destination's overlapping items older (days < 0) or newer than the source's."""
    stamp = timezone.now() + timedelta(days=days)
    MediaItem.objects.filter(pk=mine.pk).update(updated_at=stamp)
    AssignmentDocument.objects.filter(tenant=other_tenant).update(updated_at=stamp)


def _default_document(tenant):
    return AssignmentDocument.objects.get(
        tenant=tenant, channel__code="omnichannel", locale__code="neutral"
    )


def _published_primary(tenant) -> list[int]:
    document = _default_document(tenant)
    contents = content_sets_load(tenant=tenant, set_ids=[document.published_id])
    return contents[document.published_id].as_dict()["master"]["primary"]


def _job(tenant) -> Job:
    return Job.objects.filter(tenant=tenant, kind="copy").latest("pk")


def _assert_kept(other_tenant, mine):
    mine.refresh_from_db()
    assert mine.title == "Destination title"
    assert [t.name for t in mine.tags.all()] == ["kept"]
    assert _published_primary(other_tenant) == [mine.pk]
    assert _default_document(other_tenant).version == 1


def _assert_replaced(other_tenant, mine, source):
    mine.refresh_from_db()
    assert (mine.title, mine.caption) == ("front", "Front view")
    assert sorted(t.name for t in mine.tags.all()) == ["Summer", "hero"]
    back = dest_item(other_tenant, source.back)
    assert _published_primary(other_tenant) == [mine.pk, back.pk]
    # History kept: the destination's own version, then the copied one (R12).
    assert _default_document(other_tenant).version == 2
    assert _default_document(other_tenant).versions.count() == 2


def test_keep_destination_skips_existing_items(  # R19
    other_tenant, source, overlap, copy_command
):
    copy_command("--conflict", "keep-destination")

    _assert_kept(other_tenant, overlap)
    counts = _job(other_tenant).counts
    assert counts["media_skipped"] == 1 and counts["media_created"] == 5
    assert counts["documents_skipped"] == 1 and counts["documents_created"] == 1
    # No second item for the same bytes (R5).
    assert MediaItem.objects.filter(tenant=other_tenant, checksum=overlap.checksum).count() == 1


def test_replace_overwrites_existing_items(other_tenant, source, overlap, copy_command):  # R19
    copy_command("--conflict", "replace")

    _assert_replaced(other_tenant, overlap, source)
    counts = _job(other_tenant).counts
    assert counts["media_replaced"] == 1 and counts["documents_replaced"] == 1
    # The display name is the destination's own, and stays.
    overlap.refresh_from_db()
    assert overlap.display_name == "mine.jpg"


@pytest.mark.parametrize(("days", "replaced"), [(-1, True), (1, False)])
def test_keep_latest_keeps_whichever_was_modified_last(  # R19
    other_tenant, source, overlap, copy_command, days, replaced
):
    _age(other_tenant, overlap, days=days)

    copy_command("--conflict", "keep-latest")

    counts = _job(other_tenant).counts
    if replaced:  # the destination's items are older: the source's win
        _assert_replaced(other_tenant, overlap, source)
        assert counts["media_replaced"] == 1 and counts["documents_replaced"] == 1
    else:  # the destination's are newer: kept
        _assert_kept(other_tenant, overlap)
        assert counts["media_skipped"] == 1 and counts["documents_skipped"] == 1


@pytest.mark.parametrize("conflict", ["keep-destination", "replace", "keep-latest"])
def test_identical_items_are_left_alone_whatever_the_behaviour(  # R19
    other_tenant, source, copy_command, conflict
):
    copy_command()  # the destination now holds exactly the source's content
    MediaItem.objects.filter(tenant=other_tenant).update(
        updated_at=timezone.now() - timedelta(days=1)
    )
    AssignmentDocument.objects.filter(tenant=other_tenant).update(
        updated_at=timezone.now() - timedelta(days=1)
    )
    before = snapshot(other_tenant)

    copy_command("--conflict", conflict)

    assert snapshot(other_tenant) == before
    counts = _job(other_tenant).counts
    assert counts["media_unchanged"] == 6 and counts["documents_unchanged"] == 2
    assert counts["categories_unchanged"] == 1
    assert not any(k.endswith(("_created", "_replaced")) for k in counts)


def test_a_destination_document_checked_out_is_never_overwritten(  # R12, R19
    other_tenant, source, overlap, copy_command
):
    holder = make_member(other_tenant, Role.EDITOR, "holder")
    assignment_services.document_checkout(
        tenant=other_tenant,
        product=other_tenant_shirt(other_tenant),
        channel=Channel.objects.get(tenant=other_tenant, code="omnichannel"),
        locale=Locale.objects.get(tenant=other_tenant, code="neutral"),
        user=holder,
    )

    copy_command("--conflict", "replace")

    assert _published_primary(other_tenant) == [overlap.pk]
    job = _job(other_tenant)
    assert job.counts["documents_held"] == 1
    assert any("checked out in the destination" in note for note in job.errors)
