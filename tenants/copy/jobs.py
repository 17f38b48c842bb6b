"""The tenant copy as a job in the destination's jobs list (R16, R19).

Starting validates everything at once (so the API answers 400/403/404 before anything is
queued), records the options as the job's params, and queues it; running re-checks the
rights and the mapping (either may have changed while it was queued) and reports
progress, counts and what had no match.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping

from django.contrib.auth.models import AbstractBaseUser

from publishing.jobs import ProgressReporter, job_create, job_fail, job_start, job_succeed
from publishing.models import Job, JobKind
from publishing.services import job_enqueue
from tenants.exceptions import DomainError
from tenants.models import Tenant

from .options import CopyOptions, copy_options_parse
from .report import CopyReport
from .services import copy_prepare, tenant_content_copy

logger = logging.getLogger(__name__)

OPERATOR_PARAM = "as_operator"


def copy_job_create(
    *,
    destination: Tenant,
    user: AbstractBaseUser | None,
    options: CopyOptions,
) -> Job:
    """Check the copy now and record it as a queued job. `user=None` is the operator
    (manage.py without --user); the params say so, so a retry runs with the same rights."""
    copy_prepare(destination=destination, user=user, options=options)
    return job_create(
        tenant=destination,
        kind=JobKind.COPY,
        user=user,
        description=options.describe(),
        params={**options.as_params(), OPERATOR_PARAM: user is None},
    )


def copy_job_start(*, destination: Tenant, user: AbstractBaseUser, options: CopyOptions) -> Job:
    job = copy_job_create(destination=destination, user=user, options=options)
    job_enqueue(job=job)
    return job


def copy_job_start_from_api(*, tenant: Tenant, user: AbstractBaseUser, data: Mapping) -> Job:
    """JOB_STARTERS["copy"]: `POST /api/v1/tenants/{dest}/jobs/` with
    `{"kind": "copy", "source": ..., "conflict", "versions", "channel_map", "locale_map",
    "drop_channels", "drop_locales", "dry_run"}`; the caller must be admin of both tenants."""
    options = copy_options_parse(data)
    return copy_job_start(destination=tenant, user=user, options=options)


def _job_user(job: Job) -> AbstractBaseUser | None:
    if job.params.get(OPERATOR_PARAM):
        return None
    if job.created_by is None:
        raise DomainError("The user who started this copy no longer exists.", field="user")
    return job.created_by


def copy_job_execute(*, job: Job, listener: Callable[[int, int], None] | None = None) -> Job:
    """JOB_RUNNERS["copy"]: run a queued copy; returns the job with its final status.

    A failure leaves every batch committed before it in place (each is whole), records the
    counts so far and the reason; the same copy started again finishes the work.
    """
    report = CopyReport()
    try:
        user = _job_user(job)
        params = {k: v for k, v in job.params.items() if k != OPERATOR_PARAM}
        options = copy_options_parse(params)
        plan = copy_prepare(destination=job.tenant, user=user, options=options)
    except DomainError as exc:
        return job_fail(job=job, error=exc.message)
    job_start(job=job, total=plan.total)
    report.progress = ProgressReporter(job, listener=listener).advance
    try:
        tenant_content_copy(plan=plan, user=user, options=options, report=report)
    except Exception as exc:  # any failure must end as a failed job, with its reason
        if not isinstance(exc, DomainError):
            logger.exception("copy job %s failed", job.pk)
        reason = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        job.errors = report.notes_list()
        return job_fail(job=job, error=reason, counts=report.counts_dict())
    return job_succeed(job=job, counts=report.counts_dict(), errors=report.notes_list())
