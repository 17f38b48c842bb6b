"""Job bookkeeping shared by every long-running action: start, progress, finish, fail.

Progress writes are throttled to one UPDATE per step of work, so a 100,000-row import does
not spend its time reporting progress.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q
from django.utils import timezone

from tenants.models import Tenant

from .models import Job, JobStatus

PROGRESS_INTERVAL_SECONDS = 0.5


def job_create(
    *,
    tenant: Tenant,
    kind: str,
    user: AbstractBaseUser | None,
    description: str = "",
    params: dict | None = None,
) -> Job:
    return Job.objects.create(
        tenant=tenant,
        kind=kind,
        description=description[:500],
        params=params or {},
        created_by=user if user is not None and user.is_authenticated else None,
    )


def job_claim(*, job_id: int) -> bool:
    """Take a queued job for running, atomically: of two runners (a redelivered task, a command
    running it in-process) exactly one gets True and runs it."""
    return bool(
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(status=JobStatus.RUNNING)
    )


def job_start(*, job: Job, total: int = 0) -> Job:
    """(Re)start: a retry resets progress and errors but keeps the attempt count."""
    job.status = JobStatus.RUNNING
    job.started_at = job.heartbeat_at = timezone.now()
    job.finished_at = None
    job.progress_done = 0
    job.progress_total = total
    job.errors = []
    job.attempts += 1
    job.save(
        update_fields=[
            "status",
            "started_at",
            "finished_at",
            "progress_done",
            "progress_total",
            "errors",
            "attempts",
        ]
    )
    return job


class ProgressReporter:
    """Call `advance(n)` as work is done; the job row is written at most twice a second."""

    def __init__(
        self, job: Job, total: int | None = None, listener: Callable[[int, int], None] | None = None
    ):
        self.job = job
        if total is not None:
            job.progress_total = total
        self.listener = listener
        self._last = 0.0

    def advance(self, steps: int = 1) -> None:
        self.job.progress_done += steps
        if self.listener is not None:
            self.listener(self.job.progress_done, self.job.progress_total)
        now = time.monotonic()
        if (
            now - self._last >= PROGRESS_INTERVAL_SECONDS
            or self.job.progress_done >= self.job.progress_total
        ):
            self._last = now
            Job.objects.filter(pk=self.job.pk).update(
                progress_done=self.job.progress_done,
                progress_total=self.job.progress_total,
                heartbeat_at=timezone.now(),
            )


def job_succeed(*, job: Job, counts: dict | None = None, errors: list | None = None) -> Job:
    job.status = JobStatus.SUCCEEDED
    job.finished_at = timezone.now()
    job.counts = counts or job.counts
    job.errors = errors or []
    if job.progress_total and job.progress_done < job.progress_total:
        job.progress_done = job.progress_total
    job.save(update_fields=["status", "finished_at", "counts", "errors", "progress_done"])
    return job


def job_fail(*, job: Job, error: str, counts: dict | None = None) -> Job:
    job.status = JobStatus.FAILED
    job.finished_at = timezone.now()
    job.errors = [*job.errors, error][-100:]
    if counts is not None:
        job.counts = counts
    job.save(update_fields=["status", "finished_at", "errors", "counts"])
    return job


STALE_AFTER_SECONDS = 15 * 60


def jobs_reap_stale(*, now=None, stale_after: float = STALE_AFTER_SECONDS) -> dict[str, int]:
    """Jobs whose worker died: a running job with no sign of life for `stale_after` seconds is
    failed (so it can be retried), and a queued job that long unclaimed is queued again
    (its message was lost; `job_run` claims atomically, so a duplicate delivery is harmless)."""
    from datetime import timedelta

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=stale_after)
    minutes = round(stale_after / 60)
    failed = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff):
        updated = Job.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, heartbeat_at__lt=cutoff
        ).update(
            status=JobStatus.FAILED,
            finished_at=now,
            errors=[
                *job.errors,
                f"The worker stopped: no progress for {minutes} minutes. Retry the job.",
            ][-100:],
        )
        failed += updated
    requeued = 0
    from .services import job_enqueue

    # Quiet since creation (first run) or since the last attempt ended (a retry).
    quiet = Q(finished_at__isnull=True, created_at__lt=cutoff) | Q(finished_at__lt=cutoff)
    for job in Job.objects.filter(quiet, status=JobStatus.QUEUED):
        job_enqueue(job=job)
        requeued += 1
    return {"failed": failed, "requeued": requeued}
