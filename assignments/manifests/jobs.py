"""Manifest imports and exports as jobs (R16, R18): started from the API or the admin, run
by the ground floor's runner (tenants.jobs, kinds registered in ManifestsConfig.ready()),
visible in the jobs list, with the result manifest (or the export zip) as the job's result
file.

The uploaded manifest and zip are stored under one folder first, so the task only needs
ids and a worker on another machine reads them from the shared storage; they are deleted
when the job ends (cleanup.py: MANIFEST_UPLOAD_KEEP_SECONDS keeps them longer). Each run
stages its new media in a journal, so files of rows that never commit are removed.
"""

from __future__ import annotations

import io
import logging
import tempfile
import uuid
from contextlib import ExitStack
from typing import IO

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import File
from django.core.files.storage import default_storage

from tenants.exceptions import DomainError
from tenants.jobs.services import (
    JobFailed,
    ProgressReporter,
    job_create,
    job_enqueue,
    job_queue_require,
)
from tenants.models import Job, JobKind, Role, Tenant
from tenants.selectors import role_require

from .bundle import zip_check, zip_given, zip_manifest
from .cleanup import (
    import_job_earlier_journals,
    import_job_journal,
    import_staging,
    import_uploads_ended,
    import_uploads_missing,
)
from .export import ExportSelection, selection_check, zip_stream
from .files import FileSource
from .importer import ON_ERROR_CHOICES, ImportRefused, manifest_import

logger = logging.getLogger(__name__)

JOB_ERRORS_LISTED = 20  # on the job (the result manifest has every one)


def _store(folder: str, name: str, upload: IO[bytes]) -> str:
    return default_storage.save(f"{folder}/{name}", File(upload))


def import_job_start(
    *,
    tenant: Tenant,
    user: AbstractBaseUser,
    manifest: IO[bytes],
    archive: IO[bytes] | None = None,
    dry_run: bool = False,
    on_error: str = "abort",
) -> Job:
    """Admins only (R1a): store the uploads, create the job, queue it after commit."""
    role_require(tenant=tenant, user=user, role=Role.ADMIN, action="import manifests")
    if on_error not in ON_ERROR_CHOICES:
        raise DomainError(
            f"on_error must be one of {', '.join(ON_ERROR_CHOICES)}.", field="on_error"
        )
    job_queue_require()  # 503 before anything is stored when the broker is down (issue 12)
    try:
        zip_check(manifest)  # an export zip: refused now if it holds no manifest
    except ImportRefused as exc:
        raise DomainError(str(exc), field="manifest") from None
    folder = f"tenants/{tenant.pk}/manifests/{uuid.uuid4().hex}"
    stored: list[str] = []
    try:
        stored.append(_store(folder, "manifest.tsv", manifest))
        if archive is not None:
            stored.append(_store(folder, "files.zip", archive))
        params = {
            "manifest": stored[0],
            "files": stored[1] if archive is not None else None,
            "filename": getattr(manifest, "name", "manifest.tsv"),
            "dry_run": dry_run,
            "on_error": on_error,
        }
        job = job_create(
            tenant=tenant,
            kind=JobKind.IMPORT,
            user=user,
            description=f"Import {params['filename']}" + (" (dry run)" if dry_run else ""),
            params=params,
        )
        job_enqueue(job=job)
    except BaseException:
        for name in stored:  # no job, so nothing would ever delete them
            default_storage.delete(name)
        raise
    return job


def import_job_body(*, job: Job, progress: ProgressReporter) -> dict:
    """The import kind's body: run a queued import. The result manifest is saved as the job's
    result file whatever the rows say, and the job fails when any row failed (its counts say
    how many). The files of media rows that did not commit are removed, with those an
    earlier, killed attempt left."""
    with import_staging(journal=import_job_journal(job), earlier=import_job_earlier_journals(job)):
        return _import_run(job=job, progress=progress)


def import_job_finished(*, job: Job) -> None:
    """However the import ended, its uploads go now (unless MANIFEST_UPLOAD_KEEP_SECONDS keeps
    them for a retry; beat deletes them later)."""
    import_uploads_ended(job=job)


def _import_run(*, job: Job, progress: ProgressReporter) -> dict:
    params = job.params
    missing = import_uploads_missing(job=job)
    if missing is not None:
        raise JobFailed(missing)

    def on_progress(phase: str, done: int, total: int) -> None:
        if phase == "validate":
            progress.job.progress_total = total * 2
            progress.advance(done - progress.job.progress_done)
        elif phase == "documents" and done == total:
            progress.advance(max(0, progress.job.progress_total - progress.job.progress_done))

    # The result manifest is as long as the input: written to a temporary file as the
    # import makes it (bounded memory), then stored whole as the job's result.
    with tempfile.TemporaryFile() as spool:
        result = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        try:
            with ExitStack() as opened:
                manifest = opened.enter_context(default_storage.open(params["manifest"], "rb"))
                zipped = zip_given(manifest)  # an export zip: its manifest, and its files
                archive = params.get("files") or (params["manifest"] if zipped else None)
                if archive is not None:
                    archive = opened.enter_context(default_storage.open(archive, "rb"))
                if zipped:
                    manifest = opened.enter_context(zip_manifest(manifest))
                files = opened.enter_context(FileSource(archive=archive))
                report = manifest_import(
                    tenant=job.tenant,
                    source=manifest,
                    files=files,
                    user=job.created_by,
                    dry_run=params.get("dry_run", False),
                    on_error=params.get("on_error", "abort"),
                    result_out=result,
                    progress=on_progress,
                )
        except ImportRefused as exc:
            raise JobFailed(getattr(exc, "message", str(exc))) from exc
        stem = params.get("filename", "manifest.tsv").rsplit(".", 1)[0]
        result.flush()
        result.detach()  # the spool stays open for storage to read
        spool.seek(0)
        job.result_file.save(f"{stem}.result.tsv", File(spool), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)
    if not report.ok:
        # One error a line (the job's list), then the verdict the job's history shows.
        verdict = "nothing was applied" if report.aborted else "the other rows were applied"
        raise JobFailed(
            f"{report.failed} row(s) failed; {verdict}: the result manifest says why, row by row.",
            counts=report.as_counts(),
            errors=report.errors[:JOB_ERRORS_LISTED],
        )
    return report.as_counts()


def export_job_start(*, tenant: Tenant, user: AbstractBaseUser, selection: ExportSelection) -> Job:
    """An export zip made in the background (the admin's action; the API streams instead)."""
    role_require(tenant=tenant, user=user, role=Role.VIEWER, action="export manifests")
    selection_check(tenant=tenant, selection=selection)
    job = job_create(
        tenant=tenant,
        kind=JobKind.EXPORT,
        user=user,
        description=f"Export {selection.kind}",
        params={
            "kind": selection.kind,
            "media_ids": selection.media_ids,
            "product_numbers": selection.product_numbers,
            "locale": selection.locale,
            "base_url": selection.base_url,
        },
    )
    job_enqueue(job=job)
    return job


def export_job_body(*, job: Job, progress: ProgressReporter) -> dict:
    """The export kind's body: the zip, spooled to a temporary file (storages write whole
    files, memory stays flat), saved as the job's result file. Files missing from storage
    fail the job naming them (a DomainError's own words)."""
    params = job.params
    progress.set_total(1)
    selection = ExportSelection(
        kind=params.get("kind", "media"),
        media_ids=params.get("media_ids"),
        product_numbers=params.get("product_numbers"),
        locale=params.get("locale"),
        base_url=params.get("base_url", ""),
    )
    with tempfile.TemporaryFile() as spool:
        for chunk in zip_stream(tenant=job.tenant, selection=selection):
            spool.write(chunk)
        spool.seek(0)
        name = default_storage.save(
            f"tenants/{job.tenant_id}/jobs/{job.pk}/{selection.kind}-export.zip", File(spool)
        )
    Job.objects.filter(pk=job.pk).update(result_file=name)
    job.result_file.name = name
    return {"rows": selection.rows, "files": len(selection.files)}
