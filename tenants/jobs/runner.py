"""The one runner skeleton every job goes through, in a worker (`tenants.tasks.job_run`) or
in-process (management commands): claim, start, heartbeat, progress, succeed or fail, and
the kind's finished hook. A kind only supplies its body (tenants.jobs.registry).

Whatever the body does, the job ends recorded: succeeded with its counts, or failed with
the reason (a domain error's own words, a time limit, or the exception), never left
"running" by a body that raised. A process that dies outright cannot record anything; its
heartbeat stops and the reaper takes over (tenants.jobs.reaper).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from tenants.exceptions import DomainError
from tenants.models import Job, JobStatus

from .heartbeat import JobHeartbeat
from .queues import queue_time_limits
from .registry import job_kind_get
from .services import (
    JobFailed,
    JobOutcome,
    ProgressReporter,
    job_claim,
    job_end,
    job_finished_notify,
    job_start,
)

logger = logging.getLogger(__name__)

Listener = Callable[[int, int], None]


def job_execute(*, job_id: int, listener: Listener | None = None) -> Job | None:
    """Claim a queued job and run it here; None when another runner claimed it first (a
    duplicate delivery, or a worker faster than the command that queued it)."""
    if not job_claim(job_id=job_id):
        return None
    job = Job.objects.select_related("tenant", "created_by").get(pk=job_id)
    return _run_claimed(job, listener)


def _run_claimed(job: Job, listener: Listener | None) -> Job:
    spec = job_kind_get(job.kind)
    job_start(job=job)
    attempt = job.attempts
    body = spec.execute_callable() if spec is not None else None
    if body is None:
        job_end(
            job=job,
            status=JobStatus.FAILED,
            error=f"No runner for jobs of kind '{job.kind}'.",
            attempt=attempt,
        )
        return job

    status, error, counts, errors = JobStatus.SUCCEEDED, None, None, None
    progress = ProgressReporter(job, listener=listener)
    with JobHeartbeat(
        job_id=job.pk,
        attempt=attempt,
        interval=settings.JOB_HEARTBEAT_SECONDS,
        progress=progress,
    ):
        try:
            outcome = body(job=job, progress=progress)
        except JobFailed as exc:
            status, error, counts, errors = JobStatus.FAILED, exc.message, exc.counts, exc.errors
        except SoftTimeLimitExceeded:
            limit = queue_time_limits(spec.queue).get("soft_time_limit")
            status, error = (
                JobStatus.FAILED,
                (
                    f"Stopped: the {spec.queue} queue's time limit ({limit} s) was reached. Retry "
                    "it, or raise the limit (docs/operations.md)."
                ),
            )
        except DomainError as exc:
            status, error = JobStatus.FAILED, exc.message
        except Exception as exc:  # any failure must end as a failed job, with its reason
            logger.exception("%s job %s failed", job.kind, job.pk)
            status, error = JobStatus.FAILED, f"{type(exc).__name__}: {exc}"
        else:
            if isinstance(outcome, JobOutcome):
                counts, errors = outcome.counts, outcome.errors
            elif outcome is not None:
                counts = outcome
    if job_end(job=job, status=status, error=error, counts=counts, errors=errors, attempt=attempt):
        job_finished_notify(job=job)
    return job
