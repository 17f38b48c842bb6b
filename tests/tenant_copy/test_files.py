"""R19: files are copied storage to storage through Django's storage API, so tenants in
different buckets (or backends) copy the same way."""

import hashlib
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile

from media_library.models import MediaItem, MediaStatus
from media_library.selectors import media_public_urls
from media_library.storage import public_storage
from tenants.copy.media import file_copy, files_delete
from tests.tenant_copy.conftest import dest_item


def _field(location, upload_to: str) -> FileField:
    field = FileField(storage=FileSystemStorage(location=str(location)), upload_to=upload_to)
    field.set_attributes_from_name("file")
    return field


def test_a_file_is_streamed_from_one_storage_into_another(tmp_path):  # R19
    bucket_a, bucket_b = _field(tmp_path / "a", "src"), _field(tmp_path / "b", "copied")
    source = FieldFile(SimpleNamespace(), bucket_a, None)
    source.save("photo.jpg", ContentFile(b"jpeg bytes"), save=False)
    target = FieldFile(SimpleNamespace(), bucket_b, None)

    stored = file_copy(source=source, target=target)

    assert stored.name == "copied/photo.jpg"
    assert (tmp_path / "b" / "copied" / "photo.jpg").read_bytes() == b"jpeg bytes"
    assert (tmp_path / "a" / "src" / "photo.jpg").exists()  # the source is only read

    files_delete([stored])
    assert not (tmp_path / "b" / "copied" / "photo.jpg").exists()


def test_an_empty_file_field_copies_nothing(tmp_path):  # R19
    empty = FieldFile(SimpleNamespace(), _field(tmp_path / "a", "src"), "")
    target = FieldFile(SimpleNamespace(), _field(tmp_path / "b", "copied"), None)

    assert file_copy(source=empty, target=target) is None


@pytest.mark.django_db
def test_published_items_arrive_with_their_own_public_copies(
    tenant, other_tenant, source, copy_command, client
):  # R19, R6
    copy_command()

    for item in MediaItem.objects.filter(tenant=tenant, status=MediaStatus.PUBLISHED):
        copy = dest_item(other_tenant, item)
        assert copy.status == MediaStatus.PUBLISHED
        # the destination's own public files (removed with it), the same bytes
        assert copy.public_name and copy.public_name != item.public_name
        assert copy.public_name.split("/")[2] == item.checksum[:16]
        with public_storage().open(copy.public_name, "rb") as handle:
            assert hashlib.sha256(handle.read()).hexdigest() == item.checksum
        assert all(r.public_name for r in copy.renditions.all())
        response = client.get(media_public_urls(copy).url)
        assert response.status_code == 200 and "immutable" in response["Cache-Control"]
    for item in MediaItem.objects.filter(tenant=other_tenant, status=MediaStatus.DRAFT):
        assert item.public_name == "" and not item.renditions.exclude(public_name="").exists()


@pytest.mark.parametrize("generated", [True, False])
def test_a_copied_video_keeps_whether_its_thumbnail_was_generated(
    tenant, other_tenant, source, copy_command, generated
):  # R19, R25: the copy re-cuts a generated thumbnail on replace and keeps an uploaded one
    from tests.media_library.samples import image_bytes
    from tests.publishing import builders as b

    frame = image_bytes(64, 48, "JPEG")
    video = b.video(tenant, "runway")
    video.video_thumbnail.save("runway-thumbnail.jpg", ContentFile(frame), save=False)
    video.video_thumbnail_checksum = hashlib.sha256(frame).hexdigest()
    video.video_thumbnail_generated = generated
    video.save()

    copy_command()

    copy = dest_item(other_tenant, video)
    assert copy.video_thumbnail and copy.video_thumbnail.name != video.video_thumbnail.name
    assert copy.video_thumbnail_generated is generated
