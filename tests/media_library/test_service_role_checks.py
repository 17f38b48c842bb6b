"""R1a: the library's write services check the role themselves, whatever door calls them
(code review: upload, bulk upload, update and delete relied on their doors)."""

import pytest

from media_library import services
from media_library.models import MediaItem
from tenants.exceptions import PermissionDenied
from tests.media_library.samples import image_bytes, tiny_pdf, upload_file

pytestmark = pytest.mark.django_db


def test_upload_refuses_a_viewer(tenant, viewer):  # R1a
    with pytest.raises(PermissionDenied, match="editor"):
        services.media_item_upload(
            tenant=tenant, file=upload_file("a.pdf", tiny_pdf()), user=viewer, title="A"
        )
    assert not MediaItem.objects.exists()


def test_upload_refuses_a_non_member(tenant, other_tenant, member):  # R1, R1a
    outsider = member("editor", username="olga", in_tenant=other_tenant)
    with pytest.raises(PermissionDenied):
        services.media_item_upload(
            tenant=tenant, file=upload_file("a.pdf", tiny_pdf()), user=outsider, title="A"
        )
    assert not MediaItem.objects.exists()


def test_bulk_upload_refuses_a_viewer(tenant, viewer):  # R1a
    uploads = [services.MediaUpload(file=upload_file("a.pdf", tiny_pdf()), filename="a.pdf")]
    with pytest.raises(PermissionDenied, match="editor"):
        services.media_items_upload(tenant=tenant, uploads=uploads, user=viewer)
    assert not MediaItem.objects.exists()


def test_update_refuses_a_viewer(image_item, viewer):  # R1a
    with pytest.raises(PermissionDenied, match="editor"):
        services.media_item_update(item=image_item, user=viewer, title="Hacked")
    image_item.refresh_from_db()
    assert image_item.title == "Shirt"


def test_delete_refuses_a_viewer(image_item, viewer):  # R1a
    with pytest.raises(PermissionDenied, match="editor"):
        services.media_item_delete(item=image_item, user=viewer)
    assert MediaItem.objects.filter(pk=image_item.pk).exists()


def test_system_actions_need_no_role(tenant):  # user None: an operator's command
    item, created = services.media_item_upload(
        tenant=tenant, file=upload_file("b.jpg", image_bytes()), user=None, title="B", alt_text="b"
    )
    assert created
    services.media_item_update(item=item, user=None, title="B2")
    services.media_item_delete(item=item, user=None)
    assert not MediaItem.objects.exists()
