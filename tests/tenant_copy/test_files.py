"""R19: files are copied storage to storage through Django's storage API, so tenants in
different buckets (or backends) copy the same way."""

from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.db.models import FileField
from django.db.models.fields.files import FieldFile

from tenants.copy.media import file_copy, files_delete


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
