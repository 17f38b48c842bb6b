"""R19 (issue 13): a tenant copy between S3 buckets is done by the store (CopyObject), not by
pulling the bytes through the worker; between different backends it streams. On moto's
server, with a spy on every S3 call this process makes."""

import hashlib
import uuid
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile

from media_library.models import MediaItem, MediaStatus, Rendition
from media_library.services import renditions_ensure
from media_library.storage import PrivateS3Storage
from tenants.copy.media import file_copy
from tests.s3 import object_sha256, operations, s3_storage_options
from tests.tenant_copy.conftest import dest_item

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

BYTES = b"\xff\xd8jpeg bytes " * 1000


def _field(storage, upload_to: str) -> FieldFile:
    field = FileField(storage=storage, upload_to=upload_to)
    field.set_attributes_from_name("file")
    return FieldFile(SimpleNamespace(), field, None)


def _bucket(s3_client) -> str:
    name = f"tenant-{uuid.uuid4().hex[:8]}"
    s3_client.create_bucket(Bucket=name)
    return name


def _s3(moto_endpoint, bucket: str) -> PrivateS3Storage:
    return PrivateS3Storage(**s3_storage_options(moto_endpoint, bucket, file_overwrite=False))


def test_a_file_is_copied_between_two_buckets_by_the_store(
    moto_endpoint, s3_client, s3_calls
):  # R19
    bucket_a, bucket_b = _bucket(s3_client), _bucket(s3_client)
    source = _field(_s3(moto_endpoint, bucket_a), "src")
    source.save("photo.jpg", ContentFile(BYTES), save=False)
    target = _field(_s3(moto_endpoint, bucket_b), "copied")
    s3_calls.clear()

    stored = file_copy(source=source, target=target)

    done = operations(s3_calls)
    assert "CopyObject" in done
    assert "GetObject" not in done and "PutObject" not in done  # no bytes through us
    copy = next(params for name, params in s3_calls if name == "CopyObject")
    assert copy["CopySource"] == {"Bucket": bucket_a, "Key": "src/photo.jpg"}
    assert (copy["Bucket"], copy["Key"]) == (bucket_b, "copied/photo.jpg")
    assert copy["ACL"] == "private"  # lands like an upload to the private storage
    assert stored.name == "copied/photo.jpg"
    assert (
        object_sha256(s3_client, bucket_b, "copied/photo.jpg") == hashlib.sha256(BYTES).hexdigest()
    )
    assert s3_client.head_object(Bucket=bucket_a, Key="src/photo.jpg")  # only read


def test_between_different_backends_the_bytes_stream(
    tmp_path, moto_endpoint, s3_client, s3_calls
):  # R19
    bucket = _bucket(s3_client)
    local = _field(FileSystemStorage(location=str(tmp_path / "disk")), "src")
    local.save("photo.jpg", ContentFile(BYTES), save=False)
    s3_calls.clear()

    uploaded = file_copy(source=local, target=_field(_s3(moto_endpoint, bucket), "copied"))
    assert "CopyObject" not in operations(s3_calls) and "PutObject" in operations(s3_calls)
    assert object_sha256(s3_client, bucket, uploaded.name) == hashlib.sha256(BYTES).hexdigest()

    back = file_copy(
        source=uploaded, target=_field(FileSystemStorage(location=str(tmp_path / "other")), "b")
    )
    assert (tmp_path / "other" / back.name).read_bytes() == BYTES


@pytest.fixture
def s3_source(s3_media, request, tenant):
    """The tenant-copy scenario (tests/tenant_copy/conftest.py), its files on S3, every
    item with its renditions (a copy then has nothing to make, only files to copy)."""
    private, public = s3_media()
    source = request.getfixturevalue("source")
    for item in MediaItem.objects.filter(tenant=tenant):
        renditions_ensure(item=item)
    return source, private, public


def test_a_tenant_copy_on_s3_moves_no_bytes_through_the_worker(
    s3_source, copy_command, other_tenant, tenant, s3_client, s3_calls
):  # R19
    source, private, public = s3_source
    s3_calls.clear()

    copy_command("--versions", "published-and-draft")

    done = operations(s3_calls)
    assert "GetObject" not in done, [c for c in s3_calls if c[0] == "GetObject"]
    assert "PutObject" not in done and "UploadPart" not in done
    copied = [params for name, params in s3_calls if name == "CopyObject"]
    originals = MediaItem.objects.filter(tenant=tenant)
    renditions = Rendition.objects.filter(tenant=tenant)
    assert len(copied) >= originals.count() + renditions.count()

    s3_calls.clear()  # from here on the test reads the objects itself
    for item in originals:
        target = dest_item(other_tenant, item)
        assert target.file.name != item.file.name  # the destination tenant's own object
        assert object_sha256(s3_client, private, target.file.name) == item.checksum
        by_name = {r.name: r for r in target.renditions.all()}
        for rendition in item.renditions.all():
            copy = by_name[rendition.name]
            assert copy.checksum == rendition.checksum
            assert object_sha256(s3_client, private, copy.file.name) == rendition.checksum
        if target.status == MediaStatus.PUBLISHED:  # public copies too, made by the store
            assert target.public_name and target.public_name != item.public_name
            assert object_sha256(s3_client, public, target.public_name) == item.checksum
            assert all(r.public_name for r in target.renditions.all())
        else:
            assert target.public_name == ""
    published = originals.filter(status=MediaStatus.PUBLISHED).count()
    assert published and published < originals.count()
