"""The media library's write services each write one audit row, in their own transaction
(R1a, R5, R6, R25, R27): who, which action, which item, what changed (never the bytes)."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from media_library import bulk, services
from media_library.availability import media_availability_sweep
from media_library.models import MediaItem
from tenants.models import AuditEvent
from tests.media_library.samples import image_bytes, tiny_pdf, upload_file

pytestmark = pytest.mark.django_db


def _upload(tenant, user, name="shirt.jpg", color=(10, 20, 30)):
    item, _ = services.media_item_upload(
        tenant=tenant,
        file=upload_file(name, image_bytes(120, 80, color=color)),
        user=user,
        title="Shirt",
        alt_text="A shirt",
    )
    return item


def test_upload_writes_one_row(tenant, editor, only_row):  # R5
    item = _upload(tenant, editor)
    row = only_row()
    assert (row.tenant_id, row.user, row.username, row.action) == (
        tenant.pk,
        editor,
        "eddie",
        "media.upload",
    )
    assert (row.object_type, row.object_id, row.object_label) == (
        "mediaitem",
        str(item.pk),
        "shirt.jpg",
    )
    assert row.detail["checksum"] == item.checksum and row.detail["kind"] == "image"
    assert "file" not in row.detail


def test_the_same_bytes_again_write_nothing(tenant, editor, audit_rows):  # R5: no new item
    _upload(tenant, editor)
    _upload(tenant, editor, name="again.jpg")
    assert [r.action for r in audit_rows()] == ["media.upload"]


def test_bulk_upload_writes_one_row_per_batch(tenant, editor, only_row):  # R18
    uploads = [
        services.MediaUpload(
            file=upload_file(f"{n}.jpg", image_bytes(color=(n * 80, 0, 0))),
            filename=f"{n}.jpg",
            title=f"T{n}",
            alt_text="a",
        )
        for n in range(3)
    ]
    outcomes = services.media_items_upload(tenant=tenant, uploads=uploads, user=editor)
    row = only_row()
    assert row.action == "media.upload_batch" and row.username == "eddie"
    assert row.detail["count"] == 3
    assert row.detail["ids"] == [o.item.pk for o in outcomes]


def test_update_records_the_changed_fields(tenant, editor, only_row):  # R6, R27
    item = _upload(tenant, editor)
    AuditEvent.objects.all().delete()
    later = timezone.now() + timedelta(days=3)
    services.media_item_update(
        item=item,
        user=editor,
        title="Blue shirt",
        caption="Summer",
        tags=["Summer", "shirts"],
        focal_x=0.25,
        expires_at=later,
    )
    row = only_row()
    assert (row.action, row.object_id, row.user) == ("media.update", str(item.pk), editor)
    assert row.detail["title"] == {"old": "Shirt", "new": "Blue shirt"}
    assert row.detail["caption"] == {"old": "", "new": "Summer"}
    assert row.detail["focal_x"] == {"old": 0.5, "new": 0.25}
    assert row.detail["expires_at"] == {"old": None, "new": later.isoformat()}
    assert row.detail["tags"] == {"old": [], "new": ["shirts", "Summer"]}
    assert "alt_text" not in row.detail  # unchanged fields are left out


def test_delete_publish_unpublish_each_write_one_row(tenant, editor, publisher, audit_rows):
    item = _upload(tenant, editor)
    services.media_item_publish(item=item, user=publisher)
    services.media_item_publish(item=item, user=publisher)  # already published: no change
    services.media_item_unpublish(item=item, user=publisher)
    services.media_item_delete(item=MediaItem.objects.get(pk=item.pk), user=editor)
    rows = audit_rows()
    assert [(r.action, r.username) for r in rows] == [
        ("media.upload", "eddie"),
        ("media.publish", "pia"),
        ("media.unpublish", "pia"),
        ("media.delete", "eddie"),
    ]
    assert rows[1].detail["status"] == {"old": "draft", "new": "published"}
    assert rows[3].object_id == str(item.pk) and rows[3].object_label == "shirt.jpg"


def test_replace_and_restore_write_one_row_each(tenant, editor, audit_rows):  # R25
    item = _upload(tenant, editor)
    first = item.checksum
    item, replaced = services.media_item_file_replace(
        item=item, file=upload_file("new.jpg", image_bytes(color=(1, 2, 3))), user=editor
    )
    assert replaced
    services.media_item_file_version_restore(item=item, number=1, user=editor)
    upload, replace, restore = audit_rows()
    assert replace.action == "media.replace"
    assert replace.detail["checksum"]["old"] == first
    assert replace.detail["file_version"] == {"old": 1, "new": 2}
    assert restore.action == "media.restore_file"
    assert restore.detail["restored_from"] == 1
    assert restore.detail["checksum"]["new"] == first


def test_a_system_action_is_recorded_as_system(tenant, only_row):  # user None
    _upload(tenant, None)
    row = only_row()
    assert (row.user, row.username) == (None, "system")


def test_the_username_outlives_the_account(tenant, editor, only_row):
    _upload(tenant, editor)
    editor.delete()
    row = only_row()
    assert (row.user_id, row.username) == (None, "eddie")


def test_bulk_action_rows_come_from_each_item_plus_one_summary(
    tenant, editor, audit_rows
):  # R1a: bulk actions go through the per-item services
    items = [_upload(tenant, editor, name=f"{n}.jpg", color=(n * 80, 9, 9)) for n in range(2)]
    AuditEvent.objects.all().delete()
    bulk.media_items_bulk_apply(
        tenant=tenant,
        user=editor,
        action="tags_add",
        ids=[i.pk for i in items],
        params={"tags": ["Sale"]},
    )
    rows = audit_rows()
    assert [r.action for r in rows] == ["media.update", "media.update", "media.bulk"]
    assert rows[2].detail == {
        "action": "tags_add",
        "count": 2,
        "ids": [i.pk for i in items],
        "tags": ["Sale"],
    }


def test_a_refused_bulk_action_leaves_no_row(tenant, editor, audit_rows):  # all or nothing
    item = _upload(tenant, editor)
    AuditEvent.objects.all().delete()
    with pytest.raises(bulk.BulkRefused):
        bulk.media_items_bulk_apply(
            tenant=tenant, user=editor, action="title", ids=[item.pk, 999999],
            params={"title_pattern": "{title} {n}"},
        )  # fmt: skip
    assert audit_rows() == []


def test_the_availability_sweep_records_a_system_row(tenant, editor, only_row):  # R27
    item = _upload(tenant, editor)
    past = timezone.now() - timedelta(minutes=1)
    MediaItem.objects.filter(pk=item.pk).update(expires_at=past)
    AuditEvent.objects.all().delete()
    assert media_availability_sweep() == 1
    row = only_row()
    assert (row.action, row.username, row.user) == ("media.availability", "system", None)
    assert row.detail == {"served": {"old": True, "new": False}}


# --- refused calls and rollbacks write nothing -------------------------------------------


def test_refused_calls_write_no_row(tenant, editor, viewer, audit_rows):  # R1a, R6
    item = _upload(tenant, editor)
    AuditEvent.objects.all().delete()
    refusals = [
        lambda: services.media_item_upload(
            tenant=tenant, file=upload_file("a.pdf", tiny_pdf()), user=viewer, title="A"
        ),
        lambda: services.media_item_update(item=item, user=viewer, title="x"),
        lambda: services.media_item_update(item=item, user=editor, title="  "),  # R6 needs one
        lambda: services.media_item_update(item=item, user=editor, focal_x=2.0),
        lambda: services.media_item_publish(item=item, user=editor),  # a publisher's call
        lambda: services.media_item_delete(item=item, user=viewer),
        lambda: services.media_item_file_replace(
            item=item, file=upload_file("a.pdf", tiny_pdf()), user=editor
        ),  # another kind
    ]
    for refuse in refusals:
        with pytest.raises(Exception):  # noqa: B017, PT011 - each its own DomainError
            refuse()
    assert audit_rows() == []


def test_a_rolled_back_transaction_leaves_no_row(tenant, editor, audit_rows):
    item = _upload(tenant, editor)
    AuditEvent.objects.all().delete()

    class Boom(Exception):
        pass

    with pytest.raises(Boom), transaction.atomic():
        services.media_item_update(item=item, user=editor, title="Rolled back")
        services.media_item_delete(item=item, user=editor)
        assert len(audit_rows()) == 2  # written in the same transaction...
        raise Boom
    assert audit_rows() == []  # ...and gone with it
    assert MediaItem.objects.get(pk=item.pk).title == "Shirt"
