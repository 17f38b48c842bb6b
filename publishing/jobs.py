"""Job bookkeeping shared by every long-running action: start, progress, finish, fail.

Progress writes are throttled to one UPDATE per step of work, so a 100,000-row import does
not spend its time reporting progress.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from django.contrib.auth.models import AbstractBaseUser
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


def job_start(*, job: Job, total: int = 0) -> Job:
    """(Re)start: a retry resets progress and errors but keeps the attempt count."""
    job.status = JobStatus.RUNNING
    job.started_at = timezone.now()
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
                progress_done=self.job.progress_done, progress_total=self.job.progress_total
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
