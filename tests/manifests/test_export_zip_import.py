"""R18, as a user does the round trip: the zip an export made (`export_manifest OUT.zip`,
the API's `include_files=true`, the admin's action) imports as it is, through the command,
the API and the admin form: its manifest.tsv is the manifest and its files the files. A zip
that holds no manifest is refused before anything is written, stored or queued."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from assignments.manifests.export import ExportSelection, export_to_path
from assignments.models import DocumentVersion
from media_library.models import MediaItem
from media_library.services import media_item_upload
from tenants.models import Job
from tests.manifests.conftest import jpeg_bytes
from tests.manifests.helpers import records, snapshot, tsv
from tests.manifests.test_roundtrip import _library
from tests.media_library.samples import fake_mp4

URL = "/api/v1/tenants/acme/manifests/import"


@pytest.fixture
def exported(tenant, admin_user, tmp_path):
    _library(tenant, admin_user)
    archive = tmp_path / "export.zip"
    export_to_path(tenant=tenant, selection=ExportSelection(kind="assignments"), target=archive)
    return archive


def test_the_command_imports_an_export_zip_into_another_tenant(
    exported, other_tenant, tmp_path
):  # R18
    from tests.publishing import builders

    builders.shirt(other_tenant), builders.mug(other_tenant)
    call_command("import_manifest", str(exported), tenant=other_tenant.slug, no_progress=True)
    assert MediaItem.objects.filter(tenant=other_tenant).count() == 3
    rows = records((tmp_path / "export.result.tsv").read_text())
    assert rows and {r["Result"] for r in rows} == {"Succeeded"}


def test_the_command_reimports_its_own_export_zip_as_a_no_op(exported, tenant, capsys):  # R18
    before, versions = snapshot(tenant), DocumentVersion.objects.count()
    call_command("import_manifest", str(exported), tenant="acme", dry_run=True, no_progress=True)
    call_command("import_manifest", str(exported), tenant="acme", no_progress=True)
    assert snapshot(tenant) == before and DocumentVersion.objects.count() == versions
    assert "Imported." in capsys.readouterr().out


def test_files_given_beside_an_export_zip_are_the_ones_used(tenant, catalog, tmp_path):  # R18
    from tests.manifests.helpers import tsv
    from tests.manifests.test_validation import HEADER, row

    text = tsv(HEADER, row(None, MediaDisplayName="New", ImageAltText="n", MediaImportPath="n.jpg"))
    bundle = tmp_path / "bundle.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("manifest.tsv", text)
    other = tmp_path / "files"
    other.mkdir()
    (other / "n.jpg").write_bytes(jpeg_bytes())
    call_command("import_manifest", str(bundle), tenant="acme", files=str(other), no_progress=True)
    assert MediaItem.objects.filter(tenant=tenant, display_name="New").exists()


@pytest.mark.parametrize(
    "entries, reason",
    [
        ({"media/a.jpg": b"x"}, "it has none"),
        ({"a.tsv": "x", "b.tsv": "y"}, "it has 2 .tsv files"),
        ({"sub/manifest.tsv": "x"}, "'sub/manifest.tsv' is in a folder: zip the folder's"),
    ],
)
def test_a_zip_without_a_manifest_is_refused_and_writes_nothing(
    tenant, tmp_path, entries, reason
):  # R18
    bundle = tmp_path / "odd.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    with pytest.raises(CommandError, match=f"no manifest.tsv at its root \\({reason}"):
        call_command("import_manifest", str(bundle), tenant="acme", no_progress=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["odd.zip"]  # no result file


def test_a_damaged_zip_is_refused(tenant, tmp_path):  # R18
    bundle = tmp_path / "broken.zip"
    bundle.write_bytes(b"PK\x03\x04" + b"\0" * 40)
    with pytest.raises(CommandError, match="damaged zip"):
        call_command("import_manifest", str(bundle), tenant="acme", no_progress=True)


def test_a_file_named_zip_that_is_none_is_refused_not_read_as_a_manifest(
    tenant, tmp_path, client_for, admin_user
):  # R18
    fake = tmp_path / "export.zip"
    fake.write_text("not a zip\n")
    with pytest.raises(CommandError, match="'export.zip' is named .zip but is not a zip"):
        call_command("import_manifest", str(fake), tenant="acme", no_progress=True)
    response = client_for(admin_user).post(
        URL, {"manifest": SimpleUploadedFile("export.zip", b"not a zip\n")}, format="multipart"
    )
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "manifest"
    assert "is named .zip but is not a zip" in response.json()["detail"]
    assert not Job.objects.exists()


def test_the_api_imports_an_export_zip_uploaded_as_the_manifest(
    exported, tenant, admin_user, client_for, django_capture_on_commit_callbacks
):  # R18
    versions = DocumentVersion.objects.count()
    upload = SimpleUploadedFile("export.zip", exported.read_bytes(), "application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(URL, {"manifest": upload}, format="multipart")
    assert response.status_code == 202, response.json()
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == "succeeded", job.errors
    assert job.counts["failed"] == 0 and DocumentVersion.objects.count() == versions
    result = client_for(admin_user).get(f"/api/v1/tenants/acme/jobs/{job.pk}/result")
    rows = records(b"".join(result.streaming_content).decode())
    assert rows and {r["Result"] for r in rows} == {"Skipped"}


def test_the_api_refuses_a_zip_without_a_manifest_before_queueing(
    tenant, admin_user, client_for
):  # R18
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("media/a.jpg", jpeg_bytes())
    upload = SimpleUploadedFile("files.zip", bundle.getvalue(), "application/zip")
    response = client_for(admin_user).post(URL, {"manifest": upload}, format="multipart")
    assert response.status_code == 400
    body = response.json()
    assert "no manifest.tsv at its root" in str(body) and "manifest" in str(body)
    assert not Job.objects.exists()


def test_the_admin_form_imports_an_export_zip(
    exported, tenant, admin_user, client, django_capture_on_commit_callbacks
):  # R18
    admin_user.is_staff = True
    admin_user.save()
    client.force_login(admin_user)
    upload = SimpleUploadedFile("export.zip", exported.read_bytes(), "application/zip")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/manifests/import/",
            {"tenant": tenant.pk, "manifest": upload, "on_error": "abort"},
        )
    assert response.status_code == 302, response.content[:500]
    job = Job.objects.get()
    assert job.status == "succeeded", job.errors


@pytest.fixture
def video_exported(tenant, admin_user, tmp_path):
    """The media export of a video with its own thumbnail and captions."""
    media_item_upload(
        tenant=tenant,
        file=ContentFile(fake_mp4(), name="clip.mp4"),
        user=admin_user,
        title="Runway",
        video_thumbnail=ContentFile(jpeg_bytes(), name="poster.jpg"),
        video_captions=ContentFile(CAPTIONS, name="clip.vtt"),
    )
    archive = tmp_path / "media.zip"
    export_to_path(tenant=tenant, selection=ExportSelection(kind="media"), target=archive)
    return archive


CAPTIONS = b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"


def _video_check(tenant) -> None:
    video = MediaItem.objects.get(tenant=tenant, kind="video")
    assert video.video_thumbnail.name.endswith("/companions/poster.jpg")
    assert video.video_thumbnail.read() == jpeg_bytes()
    assert video.video_captions.name.endswith("/companions/clip.vtt")
    assert video.video_captions.read() == CAPTIONS


def test_a_video_with_its_companions_imports_from_an_export_zip(
    video_exported, other_tenant
):  # R18
    call_command("import_manifest", str(video_exported), tenant=other_tenant.slug, no_progress=True)

    _video_check(other_tenant)
    call_command("import_manifest", str(video_exported), tenant=other_tenant.slug, no_progress=True)
    assert MediaItem.objects.filter(tenant=other_tenant).count() == 1


def test_a_video_with_its_companions_imports_from_the_export_unzipped(
    video_exported, other_tenant, tmp_path
):  # R18
    folder = _unzipped(video_exported, tmp_path)

    call_command(
        "import_manifest", str(folder / "manifest.tsv"), tenant=other_tenant.slug, no_progress=True
    )

    _video_check(other_tenant)


def _unzipped(archive, tmp_path):
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(archive) as opened:
        opened.extractall(folder)
    return folder


def _refused_twice(manifest, tenant, *words: str) -> None:
    """The dry run fails the row, naming it; the import with on_error=skip fails it alone
    and stores nothing; both say so in the result manifest and exit non-zero."""
    for options in ({"dry_run": True}, {"on_error": "skip"}):
        with pytest.raises(CommandError) as refused:
            call_command(
                "import_manifest", str(manifest), tenant=tenant.slug, no_progress=True, **options
            )
        (result,) = records(manifest.with_suffix(".result.tsv").read_text())
        assert result["Result"] == "Failed"
        for word in words:
            assert word in str(refused.value) and word in result["ResultDescription"]
    assert not MediaItem.objects.filter(tenant=tenant).exists()


@pytest.mark.parametrize(
    ("companion", "data", "reason"),
    [
        ("poster.jpg", b"not a picture at all", "content is text, not JPG"),
        ("clip.vtt", jpeg_bytes(), "content is image/jpeg"),
    ],
)
def test_a_companion_an_upload_would_refuse_fails_its_row_in_the_dry_run(
    video_exported, other_tenant, tmp_path, companion, data, reason
):  # R5, R18
    """Validation checks a video's thumbnail and captions as the upload does, so the dry run
    names the row and the import fails the row alone, instead of the dry run passing and
    the import stopping on the file."""
    folder = _unzipped(video_exported, tmp_path)
    (bad,) = folder.rglob(companion)
    bad.write_bytes(data)
    column = "VideoThumbnailImportPath" if companion == "poster.jpg" else "VideoCaptionImportPath"
    _refused_twice(folder / "manifest.tsv", other_tenant, column, companion, reason)


def test_companions_of_an_image_fail_its_row(video_exported, other_tenant, tmp_path):  # R18
    """Thumbnails and captions are for videos (as the upload says): a row giving them to an
    image fails in validation."""
    folder = _unzipped(video_exported, tmp_path)
    manifest = folder / "manifest.tsv"
    (row,) = records(manifest.read_text())
    row.update(
        MediaType="Image", MediaImportPath=row["VideoThumbnailImportPath"], ImageAltText="Poster"
    )
    manifest.write_text(tsv(list(row), list(row.values())))
    _refused_twice(manifest, other_tenant, "is not a video", "VideoThumbnailImportPath")
