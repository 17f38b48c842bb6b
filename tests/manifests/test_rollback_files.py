"""R18 (issue 12): an import that does not commit leaves no media files behind. Files
stored for rows that a savepoint or the whole import rolls back are removed when the run
ends; files of a run killed before commit are removed by its re-run or by beat."""

from __future__ import annotations

import io
import zipfile
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from assignments.manifests import media_apply
from assignments.manifests.cleanup import (
    import_job_journal,
    import_run_journal,
    manifest_imports_clean,
)
from assignments.manifests.files import FileSource
from assignments.manifests.importer import manifest_import
from assignments.manifests.jobs import import_job_start
from media_library.models import MediaItem, Rendition
from media_library.staging import media_staging
from media_library.storage import public_storage
from tenants.exceptions import Conflict
from tenants.jobs.runner import job_execute
from tenants.jobs.services import job_fail, job_start
from tenants.models import JobStatus
from tests.manifests.helpers import run_import, tsv

HEADER = [
    "MediaLocale",
    "MediaType",
    "MediaImportPath",
    "MediaDisplayName",
    "ImageAltText",
    "MediaAction",
]


def _manifest() -> str:
    """Two new images, both published on import."""
    return tsv(
        HEADER,
        ["system_neutral", "Image", "media/red.jpg", "Red", "red", "PublishNow"],
        ["system_neutral", "Image", "media/green.png", "Green", "green", "PublishNow"],
    )


def media_files() -> list[Path]:
    """Every stored media file (item files and companions, not uploads or journals)."""
    root = Path(settings.MEDIA_ROOT) / "tenants"
    return sorted(p for p in root.glob("*/media/**/*") if p.is_file()) if root.exists() else []


def public_files() -> list[Path]:
    """Every file in (local) public storage: published items' copies."""
    root = Path(public_storage().location)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


@contextmanager
def process_killed():
    """Inside: a process that is killed, not one that unwinds. The database still undoes the
    transaction, but no Python clean-up of files written in it runs (rollback hooks)."""
    with mock.patch("tenants.storage._rolled_back_files_delete", lambda written: None):
        yield


def _rows_point_at(files: list[Path]) -> bool:
    names = {str(p.relative_to(settings.MEDIA_ROOT)) for p in files}
    return names == set(MediaItem.objects.values_list("file", flat=True))


@pytest.fixture
def green_fails(monkeypatch):
    """Publishing 'Green' fails after its file is stored (say it was renamed meanwhile)."""
    publish = media_apply.media_item_publish

    def failing(*, item, user):
        if item.display_name == "Green":
            raise Conflict("The item changed meanwhile.")
        return publish(item=item, user=user)

    monkeypatch.setattr(media_apply, "media_item_publish", failing)


def test_a_row_rolled_back_by_its_savepoint_leaves_no_file(
    tenant, files_dir, green_fails
):  # R18: --on-error skip applies Red; Green's row is undone, and its file with it
    report, rows = run_import(tenant, _manifest(), folder=files_dir, on_error="skip")

    assert [r["Result"] for r in rows] == ["Succeeded", "Failed"]
    assert list(MediaItem.objects.values_list("display_name", flat=True)) == ["Red"]
    assert len(media_files()) == 1 and _rows_point_at(media_files())


def test_an_import_rolled_back_as_a_whole_leaves_no_file(
    tenant, files_dir, green_fails, django_capture_on_commit_callbacks
):  # R18: --on-error abort undoes Red too, after its file was stored
    manifest = files_dir / "in.tsv"
    manifest.write_text(_manifest())

    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(CommandError, match="nothing was applied"),
    ):
        call_command("import_manifest", str(manifest), tenant="acme", no_progress=True)

    assert not MediaItem.objects.exists()
    assert media_files() == [] and public_files() == []


def test_the_command_without_failures_keeps_its_files(
    tenant, files_dir, django_capture_on_commit_callbacks
):  # R18
    manifest = files_dir / "in.tsv"
    manifest.write_text(_manifest())

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_manifest", str(manifest), tenant="acme", no_progress=True)

    assert MediaItem.objects.count() == 2
    assert len(media_files()) == 2 and _rows_point_at(media_files())


def _killed_attempt(tenant, admin_user, files_dir):
    """An import job whose first attempt stored its files and died before committing."""
    bundle = io.BytesIO()
    with zipfile.ZipFile(bundle, "w") as archive:
        for name in ("media/red.jpg", "media/green.png"):
            archive.write(files_dir / name, name)
    job = import_job_start(
        tenant=tenant,
        user=admin_user,
        manifest=SimpleUploadedFile("in.tsv", _manifest().encode()),
        archive=SimpleUploadedFile("files.zip", bundle.getvalue()),
    )
    job_start(job=job)
    with (
        media_staging(import_job_journal(job)),
        FileSource(folder=files_dir) as files,
        process_killed(),
    ):
        try:
            with transaction.atomic():  # the database undoes what a dead process began
                manifest_import(
                    tenant=tenant,
                    source=io.BytesIO(_manifest().encode()),
                    files=files,
                    user=admin_user,
                )
                assert len(media_files()) == 2
                raise KeyboardInterrupt  # killed: nothing after this point runs
        except KeyboardInterrupt:
            pass
    assert not MediaItem.objects.exists() and len(media_files()) == 2  # the orphans
    assert public_files()  # published on import: their public copies are orphans too
    return job


def test_the_re_run_of_a_killed_job_removes_its_orphans(
    tenant, admin_user, files_dir, django_capture_on_commit_callbacks
):  # R18
    job = _killed_attempt(tenant, admin_user, files_dir)
    job_fail(job=job, error="The worker stopped.")  # what the reaper does

    job.status = JobStatus.QUEUED
    job.save(update_fields=["status"])
    with django_capture_on_commit_callbacks(execute=True):
        job = job_execute(job_id=job.pk)

    assert job.status == JobStatus.SUCCEEDED, job.errors
    assert MediaItem.objects.count() == 2
    assert len(media_files()) == 2 and _rows_point_at(media_files())
    # the killed attempt's public copies are gone; the re-run's are named by its rows
    named = set(MediaItem.objects.values_list("public_name", flat=True))
    named |= set(Rendition.objects.values_list("public_name", flat=True))
    root = Path(public_storage().location)
    assert {str(p.relative_to(root)) for p in public_files()} == named - {""}


def test_beat_removes_the_orphans_of_a_killed_job_never_re_run(
    tenant, admin_user, files_dir
):  # R18
    job = _killed_attempt(tenant, admin_user, files_dir)

    assert manifest_imports_clean()["staged_files"] == 0  # still "running": never touched
    assert len(media_files()) == 2
    job_fail(job=job, error="The worker stopped.")  # the reaper
    assert manifest_imports_clean()["staged_files"] > 2  # files, renditions, public copies
    assert media_files() == [] and public_files() == []
    assert manifest_imports_clean()["staged_files"] == 0


def test_beat_removes_the_orphans_of_a_killed_command_a_day_later(
    tenant, files_dir
):  # R18: a command run has no job row; nothing runs for a day
    journal = import_run_journal(tenant)
    with media_staging(journal), FileSource(folder=files_dir) as files, process_killed():
        try:
            with transaction.atomic():
                manifest_import(
                    tenant=tenant, source=io.BytesIO(_manifest().encode()), files=files, user=None
                )
                raise KeyboardInterrupt
        except KeyboardInterrupt:
            pass
    assert len(media_files()) == 2

    assert manifest_imports_clean()["staged_files"] == 0
    assert manifest_imports_clean(now=timezone.now() + timedelta(hours=25))["staged_files"] > 2
    assert media_files() == [] and public_files() == []
