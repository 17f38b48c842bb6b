"""R18 (issue 12): the manifest and zip uploaded for an import job are not kept forever.
They are deleted when the job ends, succeeded or failed, unless MANIFEST_UPLOAD_KEEP_SECONDS
keeps them that long; then beat deletes them. A retry after that fails saying why."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assignments.manifests.cleanup import manifest_imports_clean
from assignments.manifests.tasks import manifest_imports_clean as clean_task
from tenants.jobs.services import job_retry
from tenants.models import Job
from tests.manifests.conftest import jpeg_bytes
from tests.manifests.helpers import records, tsv
from tests.manifests.test_validation import HEADER, row

URL = "/api/v1/tenants/acme/manifests/import"


@pytest.fixture
def start_import(admin_user, client_for, catalog, django_capture_on_commit_callbacks):
    """start_import(text) -> the finished Job (the job runs inline after commit)."""

    def _start(text: str, *, with_zip: bool = True) -> Job:
        data = {"manifest": SimpleUploadedFile("manifest.tsv", text.encode())}
        if with_zip:
            bundle = io.BytesIO()
            with zipfile.ZipFile(bundle, "w") as archive:
                archive.writestr("media/red.jpg", jpeg_bytes())
            data["files"] = SimpleUploadedFile("files.zip", bundle.getvalue())
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(admin_user).post(URL, data, format="multipart")
        assert response.status_code == 202, response.json()
        return Job.objects.get(pk=response.json()["id"])

    return _start


def _good() -> str:
    return tsv(
        HEADER,
        row(None, MediaDisplayName="Red", ImageAltText="red", MediaImportPath="media/red.jpg"),
    )


def _uploads(job: Job) -> list[str]:
    return [job.params[k] for k in ("manifest", "files") if job.params.get(k)]


def _manifest_files() -> list[str]:
    """Every file under tenants/*/manifests/ (uploads), however deep."""
    found = []

    def walk(folder):
        try:
            folders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            return
        found.extend(f"{folder}/{name}" for name in files)
        for sub in folders:
            walk(f"{folder}/{sub}")

    for tenant_folder in default_storage.listdir("tenants")[0]:
        walk(f"tenants/{tenant_folder}/manifests")
    return found


def test_uploads_are_deleted_when_the_job_succeeds(start_import, admin_user, client_for):  # R18
    job = start_import(_good())

    assert job.status == "succeeded", job.errors
    assert len(_uploads(job)) == 2
    assert not any(default_storage.exists(name) for name in _uploads(job))
    assert _manifest_files() == []
    assert job.params["uploads_removed"]
    # The result manifest is the job's output, not an upload: it stays.
    result = client_for(admin_user).get(f"/api/v1/tenants/acme/jobs/{job.pk}/result")
    assert records(b"".join(result.streaming_content).decode())[0]["Result"] == "Succeeded"


def test_uploads_are_deleted_when_the_job_fails(start_import):  # R18
    job = start_import(tsv(HEADER, row(None, EntityKey="NOPE", MediaImportPath="x.jpg")))

    assert job.status == "failed"
    assert not any(default_storage.exists(name) for name in _uploads(job))
    assert _manifest_files() == []


def test_a_retry_after_the_uploads_went_fails_saying_why(
    start_import, admin_user, django_capture_on_commit_callbacks
):  # R18
    job = start_import(tsv(HEADER, row(None, EntityKey="NOPE", MediaImportPath="x.jpg")))

    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=job, user=admin_user)

    job.refresh_from_db()
    assert job.status == "failed" and job.attempts == 2
    assert "no longer stored" in job.errors[-1]
    assert "MANIFEST_UPLOAD_KEEP_SECONDS" in job.errors[-1]


def test_keep_seconds_keeps_them_until_beat_removes_them(start_import, settings):  # R18
    settings.MANIFEST_UPLOAD_KEEP_SECONDS = 3600
    job = start_import(_good())
    assert job.status == "succeeded"
    assert all(default_storage.exists(name) for name in _uploads(job))

    assert manifest_imports_clean(now=timezone.now())["uploads"] == 0  # not yet
    assert all(default_storage.exists(name) for name in _uploads(job))
    later = timezone.now() + timedelta(seconds=3601)
    assert manifest_imports_clean(now=later)["uploads"] == 2
    assert not any(default_storage.exists(name) for name in _uploads(job))
    assert _manifest_files() == []
    assert manifest_imports_clean(now=later)["uploads"] == 0  # done once


def test_a_kept_upload_can_be_retried_within_the_window(
    start_import, admin_user, settings, django_capture_on_commit_callbacks
):  # R18
    settings.MANIFEST_UPLOAD_KEEP_SECONDS = 3600
    job = start_import(tsv(HEADER, row(None, EntityKey="NOPE", MediaImportPath="x.jpg")))

    with django_capture_on_commit_callbacks(execute=True):
        job_retry(job=job, user=admin_user)

    job.refresh_from_db()
    assert job.attempts == 2 and "no longer stored" not in " ".join(job.errors)
    assert any(error.startswith("Line 2:") for error in job.errors)
    assert job.errors[-1].startswith("1 row(s) failed")


def test_beat_runs_the_clean_up_task():  # R18
    entry = settings.CELERY_BEAT_SCHEDULE["manifest-imports-clean"]
    assert entry["task"] == clean_task.name == "assignments.manifests.tasks.manifest_imports_clean"
    assert "assignments.manifests" in settings.INSTALLED_APPS  # its tasks are autodiscovered
    assert settings.MANIFEST_UPLOAD_KEEP_SECONDS == 0  # the default: deleted at the end
