"""R18 (issue 12): an export whose files are not all in storage is refused before its
first byte, naming the missing items: a 409 JSON error from the API, a message in the
admin, a failed job, a command error. Never a 200 with a truncated zip."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.test import Client

from assignments.manifests.export import ExportIncomplete, ExportSelection, export_to_path
from assignments.manifests.jobs import export_job_start
from tenants.jobs.runner import job_execute
from tenants.models import JobStatus
from tests.manifests.helpers import records
from tests.publishing import builders


@pytest.fixture
def lost(tenant, images):
    """The second image's file is gone from storage (a failed copy, a manual clean-up)."""
    default_storage.delete(images[1].file.name)
    return images[1]


def test_api_zip_export_with_a_missing_file_is_a_409_naming_it(
    viewer, client_for, images, lost
):  # R18
    response = client_for(viewer).get(
        "/api/v1/tenants/acme/manifests/export?kind=media&include_files=true"
    )

    assert response.status_code == 409 and not response.streaming
    body = response.json()
    assert body["code"] == "export_files_missing"
    assert str(lost.pk) in body["detail"]
    assert body["missing_count"] == 1
    assert body["missing"] == [
        {
            "media_id": lost.pk,
            "display_name": lost.display_name,
            "path": f"media/{lost.checksum[:12]}/{lost.original_filename}",
        }
    ]


def test_api_manifest_without_files_still_exports(viewer, client_for, images, lost):  # R18
    response = client_for(viewer).get("/api/v1/tenants/acme/manifests/export?kind=media")

    assert response.status_code == 200
    assert len(records(b"".join(response.streaming_content).decode())) == 3


def test_api_zip_export_of_the_files_that_exist_is_complete(
    viewer, client_for, images, lost
):  # R18
    response = client_for(viewer).get(
        f"/api/v1/tenants/acme/manifests/export?kind=media&media_ids={images[0].pk}"
        "&include_files=true"
    )

    assert response.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.testzip() is None and len(archive.namelist()) == 2


def test_assignment_export_names_the_missing_file_of_a_gallery(
    tenant, admin_user, catalog, images, lost, tmp_path
):  # R18
    builders.checkin(
        tenant, catalog["shirt"], admin_user, {"master": builders.slots(primary=images[:2])}
    )
    with pytest.raises(ExportIncomplete) as refused:
        export_to_path(
            tenant=tenant,
            selection=ExportSelection(kind="assignments", product_numbers=["SHIRT-001"]),
            target=tmp_path / "out.zip",
        )
    assert refused.value.extra["missing"][0]["media_id"] == lost.pk
    assert not (tmp_path / "out.zip").exists()


def test_admin_action_shows_the_error_instead_of_a_truncated_zip(
    tenant, admin_user, images, lost
):  # R18
    admin_user.is_staff = admin_user.is_superuser = True
    admin_user.save(update_fields=["is_staff", "is_superuser"])
    client = Client()
    client.force_login(admin_user)

    response = client.post(
        "/admin/media_library/mediaitem/",
        {"action": "export_media_manifest", "_selected_action": [i.pk for i in images]},
        follow=True,
    )

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "The export cannot complete" in text and str(lost.pk) in text


def test_export_job_fails_naming_the_missing_file(tenant, viewer, images, lost):  # R18
    job = export_job_start(tenant=tenant, user=viewer, selection=ExportSelection(kind="media"))

    job = job_execute(job_id=job.pk)

    assert job.status == JobStatus.FAILED
    assert "missing from storage" in job.errors[-1] and str(lost.pk) in job.errors[-1]
    assert not job.result_file


def test_export_command_writes_nothing_and_exits_non_zero(tenant, images, lost, tmp_path):
    # R18
    target = tmp_path / "out.zip"
    with pytest.raises(CommandError, match="missing from storage"):
        call_command("export_manifest", str(target), "--tenant", "acme", "--kind", "media")
    assert not target.exists()
    folder = tmp_path / "folder"
    with pytest.raises(CommandError, match="missing from storage"):
        call_command("export_manifest", str(folder), "--tenant", "acme", "--kind", "media")
    assert not folder.exists()
