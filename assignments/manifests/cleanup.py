"""What an import leaves in storage, and when it goes (issue 12).

- Uploads: the manifest and zip an import job was started with are deleted when the job
  ends, succeeded or failed, unless MANIFEST_UPLOAD_KEEP_SECONDS keeps them that long
  (then beat deletes them). A retry after that has nothing to read and fails saying so.
- Media files of rows that never committed: an import notes each new item in a staging
  journal (media_library.staging) before storing its files; the journal is swept when the
  run ends (a rollback leaves files no row points at) and before the next attempt (a
  killed run). Beat sweeps the journals whose run died and was never re-run.

Journals are per run attempt (`import-job-{id}-{attempt}`, `import-run-{uuid}` for the
command), so a sweep never touches the files of an attempt still writing.
"""

from __future__ import annotations

import logging
import os
import re
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import timedelta

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from media_library.staging import media_staging, media_staging_journal, media_staging_sweep
from tenants.models import Job, JobKind, JobStatus, Tenant

logger = logging.getLogger(__name__)

UPLOAD_KEYS = ("manifest", "files")
ENDED = (JobStatus.SUCCEEDED, JobStatus.FAILED)
# A command run (no job row) whose journal is older than this died: nothing runs that long.
RUN_JOURNAL_STALE_SECONDS = 24 * 3600
_JOB_JOURNAL = re.compile(r"^import-job-(?P<job>\d+)-(?P<attempt>\d+)$")
_RUN_JOURNAL = re.compile(r"^import-run-[0-9a-f]{32}$")
STAGING_ROOT = "tenants/{tenant}/staging"


# --- uploads -------------------------------------------------------------------------------


def import_uploads_remove(*, job: Job) -> int:
    """Delete the job's uploaded manifest and zip and note it in its params; returns how
    many files were deleted. Idempotent."""
    params = dict(job.params or {})
    if params.get("uploads_removed"):
        return 0
    removed = 0
    for key in UPLOAD_KEYS:
        name = params.get(key)
        if not name:
            continue
        try:
            default_storage.delete(name)
            removed += 1
        except Exception:  # noqa: BLE001 - storage backends raise anything; beat tries again
            logger.warning("could not delete upload %s of job %s", name, job.pk, exc_info=True)
            return removed
        _empty_folder_remove(os.path.dirname(name))
    params["uploads_removed"] = timezone.now().isoformat(timespec="seconds")
    Job.objects.filter(pk=job.pk).update(params=params)
    job.params = params
    return removed


def import_uploads_ended(*, job: Job) -> None:
    """The job has ended: its uploads go now, unless MANIFEST_UPLOAD_KEEP_SECONDS keeps them."""
    if settings.MANIFEST_UPLOAD_KEEP_SECONDS <= 0:
        import_uploads_remove(job=job)


def import_uploads_missing(*, job: Job) -> str | None:
    """Why this (re)run has nothing to read, or None."""
    params = job.params or {}
    names = [params.get(key) for key in UPLOAD_KEYS if params.get(key)]
    if params.get("uploads_removed") or not all(default_storage.exists(n) for n in names):
        return (
            "The uploaded manifest is no longer stored (uploads are deleted when their import "
            "ends, after MANIFEST_UPLOAD_KEEP_SECONDS); start a new import with the file."
        )
    return None


def import_uploads_prune(*, now=None) -> int:
    """Beat: delete the uploads of import jobs that ended more than
    MANIFEST_UPLOAD_KEEP_SECONDS ago (or whose end never removed them). Returns files deleted."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=max(0, settings.MANIFEST_UPLOAD_KEEP_SECONDS))
    jobs = Job.objects.filter(
        kind=JobKind.IMPORT, status__in=ENDED, finished_at__lte=cutoff
    ).exclude(params__has_key="uploads_removed")
    return sum(import_uploads_remove(job=job) for job in jobs.iterator())


# --- staging of media files -------------------------------------------------------------


def import_job_journal(job: Job) -> str:
    return media_staging_journal(
        tenant_id=job.tenant_id, key=f"import-job-{job.pk}-{max(job.attempts, 1)}"
    )


@contextmanager
def import_staging(*, journal: str, earlier: Sequence[str] = ()) -> Iterator[None]:
    """Run an import inside a staging journal: the `earlier` journals (dead attempts of the
    same job) are swept first, and this one when the run ends, however it ends."""
    for old in earlier:
        _journal_sweep(old)
    try:
        with media_staging(journal):
            yield
    finally:
        if transaction.get_connection().in_atomic_block:
            # An enclosing transaction could still roll back: sweep once it commits; if it
            # rolls back instead, the journal stays and beat sweeps it.
            transaction.on_commit(lambda: _journal_sweep(journal))
        else:
            _journal_sweep(journal)


def import_run_journal(tenant: Tenant) -> str:
    """A journal for a run without a job row (the import_manifest command)."""
    return media_staging_journal(tenant_id=tenant.pk, key=f"import-run-{uuid.uuid4().hex}")


def import_job_earlier_journals(job: Job) -> list[str]:
    """The journals of the job's earlier attempts (a killed run leaves one)."""
    return [
        media_staging_journal(tenant_id=job.tenant_id, key=f"import-job-{job.pk}-{attempt}")
        for attempt in range(1, max(job.attempts, 1))
    ]


def _journal_sweep(journal: str) -> int:
    try:
        removed = media_staging_sweep(journal)
    except Exception:  # noqa: BLE001 - clean-up must not fail the import; beat tries again
        logger.warning("could not sweep staging journal %s", journal, exc_info=True)
        return 0
    _empty_folder_remove(journal)
    return removed


def import_staging_prune(*, now=None) -> int:
    """Beat: sweep the journals whose run is over but did not sweep (killed): those of an
    ended (or deleted) job or of an earlier attempt, and command runs older than a day."""
    now = now or timezone.now()
    removed = 0
    try:
        tenant_folders, _ = default_storage.listdir("tenants")
    except (FileNotFoundError, NotADirectoryError):
        return 0
    for tenant_folder in tenant_folders:
        if not tenant_folder.isdigit():
            continue
        root = STAGING_ROOT.format(tenant=tenant_folder)
        try:
            journals, _ = default_storage.listdir(root)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for key in journals:
            journal = f"{root}/{key}"
            if _journal_is_dead(journal, key, now):
                removed += _journal_sweep(journal)
    return removed


def _journal_is_dead(journal: str, key: str, now) -> bool:
    match = _JOB_JOURNAL.match(key)
    if match is not None:
        job = Job.objects.filter(pk=int(match["job"])).only("status", "attempts").first()
        if job is None or job.status in ENDED:
            return True
        return int(match["attempt"]) < job.attempts  # an attempt that died, retried since
    if _RUN_JOURNAL.match(key) is not None:
        try:
            _, notes = default_storage.listdir(journal)
            newest = max(
                (default_storage.get_modified_time(f"{journal}/{n}") for n in notes),
                default=None,
            )
        except (FileNotFoundError, NotImplementedError):
            return False
        return newest is None or (now - newest).total_seconds() > RUN_JOURNAL_STALE_SECONDS
    return False


def _empty_folder_remove(folder: str) -> None:
    """Local storage keeps empty folders; object stores have none (path() not implemented)."""
    with suppress(NotImplementedError, OSError, ValueError):
        os.rmdir(default_storage.path(folder))


def manifest_imports_clean(*, now=None) -> dict[str, int]:
    """Beat's one task for imports: expired uploads, dead runs' staged files."""
    return {
        "uploads": import_uploads_prune(now=now),
        "staged_files": import_staging_prune(now=now),
    }
