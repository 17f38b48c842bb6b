"""The tenant copy as a job in the destination's jobs list (R16, R19), registered with the
ground floor's job machinery in TenantCopyConfig.ready().

Starting validates everything at once (so the API answers 400/403/404 before anything is
queued), records the options as the job's params, and queues it; running re-checks the
rights and the mapping (either may have changed while it was queued) and reports
progress, counts and what had no match. Retrying needs admin of both tenants, as starting.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.contrib.auth.models import AbstractBaseUser

from tenants.exceptions import DomainError, PermissionDenied
from tenants.jobs.services import (
    JobFailed,
    JobOutcome,
    ProgressReporter,
    job_create,
    job_enqueue,
)
from tenants.models import Job, JobKind, Role, Tenant
from tenants.selectors import role_require

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
    """The kind's API start: `POST /api/v1/tenants/{dest}/jobs/` with
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


def copy_job_body(*, job: Job, progress: ProgressReporter) -> JobOutcome:
    """The kind's body: run a queued copy.

    A failure leaves every batch committed before it in place (each is whole), records the
    counts so far, what had no match and the reason; the same copy started again finishes
    the work (which is why the reaper may retry a run whose worker died).
    """
    report = CopyReport()
    user = _job_user(job)
    params = {k: v for k, v in job.params.items() if k != OPERATOR_PARAM}
    options = copy_options_parse(params)
    plan = copy_prepare(destination=job.tenant, user=user, options=options)
    progress.set_total(plan.total)
    report.progress = progress.advance
    try:
        tenant_content_copy(plan=plan, user=user, options=options, report=report)
    except Exception as exc:  # any failure ends the job failed, with the counts so far
        if not isinstance(exc, DomainError):
            logger.exception("copy job %s failed", job.pk)
        reason = exc.message if isinstance(exc, DomainError) else f"{type(exc).__name__}: {exc}"
        raise JobFailed(reason, counts=report.counts_dict(), errors=report.notes_list()) from exc
    return JobOutcome(counts=report.counts_dict(), errors=report.notes_list())


def copy_job_retry_check(*, job: Job, user: AbstractBaseUser) -> None:
    """Retrying a copy re-reads its source: the user must be admin there too (R1a, R30), and
    an operator's copy (manage.py without --user) is retried by operators."""
    if user.is_superuser:
        return
    if job.params.get(OPERATOR_PARAM):
        raise PermissionDenied("This copy was started by an operator; an operator retries it.")
    source = Tenant.objects.filter(slug=job.params.get("source", "")).first()
    if source is None:
        raise PermissionDenied("This copy's source tenant no longer exists.")
    role_require(tenant=source, user=user, role=Role.ADMIN, action="retry a copy from it")
