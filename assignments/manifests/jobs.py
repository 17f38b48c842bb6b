"""Manifest imports and exports as jobs (R16, R18): started from the API or the admin,
run by `publishing.tasks.job_run` through settings.JOB_RUNNERS, visible in the jobs list,
with the result manifest (or the export zip) as the job's result file.

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
from typing import IO

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import File
from django.core.files.storage import default_storage

from publishing.jobs import ProgressReporter, job_create, job_fail, job_start, job_succeed
from publishing.models import Job, JobKind
from publishing.services import job_enqueue, job_queue_require
from tenants.exceptions import DomainError
from tenants.models import Role, Tenant
from tenants.selectors import role_require

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


def import_job_execute(*, job: Job, listener=None) -> Job:
    """Run a queued import; the result manifest is saved as the job's result file whatever
    happens, and the job fails when any row failed (its counts say how many). However it
    ends, its uploads go (unless kept) and the files of media rows that did not commit are
    removed, with those an earlier, killed attempt left."""
    job_start(job=job)
    try:
        with import_staging(
            journal=import_job_journal(job), earlier=import_job_earlier_journals(job)
        ):
            job = _import_run(job=job, listener=listener)
    finally:
        import_uploads_ended(job=job)
    return job


def _import_run(*, job: Job, listener) -> Job:
    params = job.params
    missing = import_uploads_missing(job=job)
    if missing is not None:
        return job_fail(job=job, error=missing)
    reporter = ProgressReporter(job, listener=listener)

    def progress(phase: str, done: int, total: int) -> None:
        if phase == "validate":
            reporter.job.progress_total = total * 2
            reporter.advance(done - reporter.job.progress_done)
        elif phase == "documents" and done == total:
            reporter.advance(max(0, reporter.job.progress_total - reporter.job.progress_done))

    # The result manifest is as long as the input: written to a temporary file as the
    # import makes it (bounded memory), then stored whole as the job's result.
    with tempfile.TemporaryFile() as spool:
        result = io.TextIOWrapper(spool, encoding="utf-8", newline="")
        try:
            archive = default_storage.open(params["files"], "rb") if params.get("files") else None
            with (
                FileSource(archive=archive) as files,
                default_storage.open(params["manifest"], "rb") as manifest,
            ):
                report = manifest_import(
                    tenant=job.tenant,
                    source=manifest,
                    files=files,
                    user=job.created_by,
                    dry_run=params.get("dry_run", False),
                    on_error=params.get("on_error", "abort"),
                    result_out=result,
                    progress=progress,
                )
        except (ImportRefused, DomainError) as exc:
            return job_fail(job=job, error=getattr(exc, "message", str(exc)))
        except Exception as exc:  # any failure must end as a failed job, never a stuck one
            logger.exception("manifest import job %s failed", job.pk)
            return job_fail(job=job, error=f"{type(exc).__name__}: {exc}")
        stem = params.get("filename", "manifest.tsv").rsplit(".", 1)[0]
        result.flush()
        result.detach()  # the spool stays open for storage to read
        spool.seek(0)
        job.result_file.save(f"{stem}.result.tsv", File(spool), save=False)
    Job.objects.filter(pk=job.pk).update(result_file=job.result_file.name)
    if not report.ok:
        return job_fail(job=job, error="; ".join(report.errors[:20]), counts=report.as_counts())
    return job_succeed(job=job, counts=report.as_counts())


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


def export_job_execute(*, job: Job, listener=None) -> Job:
    params = job.params
    job_start(job=job, total=1)
    selection = ExportSelection(
        kind=params.get("kind", "media"),
        media_ids=params.get("media_ids"),
        product_numbers=params.get("product_numbers"),
        locale=params.get("locale"),
        base_url=params.get("base_url", ""),
    )
    try:
        # Spooled to a temporary file: storages write whole files, memory stays flat.
        with tempfile.TemporaryFile() as spool:
            for chunk in zip_stream(tenant=job.tenant, selection=selection):
                spool.write(chunk)
            spool.seek(0)
            name = default_storage.save(
                f"tenants/{job.tenant_id}/jobs/{job.pk}/{selection.kind}-export.zip", File(spool)
            )
    except DomainError as exc:  # e.g. files missing from storage: the job says which
        return job_fail(job=job, error=exc.message)
    except Exception as exc:  # a failed export must show as a failed job
        logger.exception("manifest export job %s failed", job.pk)
        return job_fail(job=job, error=f"{type(exc).__name__}: {exc}")
    Job.objects.filter(pk=job.pk).update(result_file=name)
    job.result_file.name = name
    return job_succeed(job=job, counts={"rows": selection.rows, "files": len(selection.files)})
