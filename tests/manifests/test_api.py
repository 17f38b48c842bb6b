"""R1a, R16, R18: manifest import through the API as a job with a downloadable result;
export streamed as TSV or zip; only admins import."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tenants.models import Job
from tests.manifests.conftest import jpeg_bytes
from tests.manifests.helpers import records, tsv
from tests.manifests.test_validation import HEADER, row

URL = "/api/v1/tenants/acme/manifests/import"


def _upload(text: str, name="manifest.tsv"):
    return SimpleUploadedFile(name, text.encode(), content_type="text/tab-separated-values")


def test_import_runs_as_a_job_with_a_result_manifest(
    tenant, admin_user, client_for, catalog, django_capture_on_commit_callbacks
):  # R16, R18
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("media/red.jpg", jpeg_bytes())
    text = tsv(
        HEADER,
        row(None, MediaDisplayName="Red", ImageAltText="red", MediaImportPath="media/red.jpg"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            URL,
            {
                "manifest": _upload(text),
                "files": SimpleUploadedFile("files.zip", bundle.getvalue()),
            },
            format="multipart",
        )
    assert response.status_code == 202, response.json()
    job = Job.objects.get(pk=response.json()["id"])
    assert job.kind == "import" and job.status == "succeeded", job.errors
    assert job.counts["succeeded"] == 1 and job.counts["media_created"] == 1
    listed = client_for(admin_user).get("/api/v1/tenants/acme/jobs/").json()
    entries = listed["results"] if isinstance(listed, dict) else listed
    assert job.pk in [j["id"] for j in entries]
    result = client_for(admin_user).get(f"/api/v1/tenants/acme/jobs/{job.pk}/result")
    assert result.status_code == 200
    rows = records(b"".join(result.streaming_content).decode())
    assert rows[0]["Result"] == "Succeeded"


def test_a_bad_manifest_fails_the_job_and_still_gives_its_result(
    tenant, admin_user, client_for, catalog, django_capture_on_commit_callbacks
):  # R18
    text = tsv(HEADER, row(None, EntityKey="NOPE", MediaImportPath="x.jpg"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(URL, {"manifest": _upload(text)}, format="multipart")
    job = Job.objects.get(pk=response.json()["id"])
    assert job.status == "failed" and job.errors[0].startswith("Line 2:")
    assert job.errors[-1] == (
        "1 row(s) failed; nothing was applied: the result manifest says why, row by row."
    )  # one error a line, not one string joined with '; '
    result = client_for(admin_user).get(f"/api/v1/tenants/acme/jobs/{job.pk}/result")
    assert records(b"".join(result.streaming_content).decode())[0]["Result"] == "Failed"


@pytest.mark.parametrize("role", ["viewer", "editor", "publisher"])
def test_only_admins_import(role, tenant, member, client_for):  # R1a
    user = member(role)
    response = client_for(user).post(URL, {"manifest": _upload("x")}, format="multipart")
    assert response.status_code == 403
    assert "admin role" in response.json()["detail"]
    assert not Job.objects.exists()


def test_another_tenant_cannot_import_here(other_tenant, member, client_for, tenant):  # R1
    outsider = member("admin", in_tenant=other_tenant)
    response = client_for(outsider).post(URL, {"manifest": _upload("x")}, format="multipart")
    assert response.status_code == 404


def test_export_streams_tsv_and_zip(tenant, viewer, client_for, images):  # R18
    client = client_for(viewer)
    response = client.get("/api/v1/tenants/acme/manifests/export?kind=media")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/tab-separated-values")
    rows = records(b"".join(response.streaming_content).decode())
    assert len(rows) == 3 and rows[0]["MediaType"] == "Image"
    response = client.get(
        f"/api/v1/tenants/acme/manifests/export?kind=media&media_ids={images[0].pk}&include_files=true"
    )
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    manifest = records(archive.read("manifest.tsv").decode())
    assert len(manifest) == 1 and manifest[0]["MediaImportPath"] in archive.namelist()


def test_export_refuses_unknown_products_with_a_400(tenant, viewer, client_for):  # R18
    response = client_for(viewer).get(
        "/api/v1/tenants/acme/manifests/export?kind=assignments&products=NOPE"
    )
    assert response.status_code == 400
    assert "NOPE" in response.json()["detail"]
