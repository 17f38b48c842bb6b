"""A job row's life: create, claim, start, progress, end; sending it to its queue; and the
one retry service, with the role check of its kind (R1a, R16, R30).

Every transition after the claim is conditional on the row still being in the state the
caller saw (status and attempt), so of two actors (a user's retry and the reaper, a dead
attempt's late end and its successor) exactly one acts, and nothing overwrites a newer run.
Progress writes are throttled to one UPDATE per half second, so a 100,000-row import does
not spend its time reporting progress.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tenants.exceptions import Conflict, DomainError
from tenants.models import Job, JobStatus, Tenant
from tenants.selectors import role_require

from .queues import queue_send_options
from .registry import UNREGISTERED_RETRY_ROLE, job_kind_get

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_SECONDS = 0.5
ERRORS_KEPT = 100
HISTORY_KEPT = 50


class JobFailed(Exception):
    """Raised by a job's body to end it failed with this reason, plus the counts so far and
    notes (e.g. what had no match) recorded before the reason."""

    def __init__(self, message: str, *, counts: dict | None = None, errors: list | None = None):
        super().__init__(message)
        self.message = message
        self.counts = counts
        self.errors = errors


@dataclass
class JobOutcome:
    """What a body returns when a plain dict of counts is not enough."""

    counts: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)


def worker_name() -> str:
    """Who runs (or schedules) something: host and process id, so an operator can find the
    process and the reaper can say which one stopped."""
    return f"{socket.gethostname()} pid {os.getpid()}"


def history_add(
    history: list | None,
    event: str,
    *,
    attempt: int | None = None,
    by: AbstractBaseUser | None = None,
    worker: str | None = None,
    reason: str | None = None,
) -> list:
    """`history` with one more entry (the last HISTORY_KEPT kept): the job's own audit
    trail, which survives retries (errors are reset by each new attempt)."""
    entry: dict = {"at": timezone.now().isoformat(timespec="milliseconds"), "event": event}
    if attempt is not None:
        entry["attempt"] = attempt
    if by is not None and getattr(by, "is_authenticated", False):
        entry["by"] = by.get_username()
    if worker:
        entry["worker"] = worker
    if reason:
        entry["reason"] = reason[:500]
    return [*(history or []), entry][-HISTORY_KEPT:]


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
        queued_at=timezone.now(),
        history=history_add([], "queued", by=user),
    )


def job_claim(*, job_id: int) -> bool:
    """Take a queued job for running, atomically: of two runners (a redelivered task, a command
    running it in-process) exactly one gets True and runs it. The claim is a sign of life."""
    return bool(
        Job.objects.filter(pk=job_id, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, heartbeat_at=timezone.now()
        )
    )


def job_start(*, job: Job, total: int = 0, worker: str | None = None) -> Job:
    """(Re)start a claimed job: a retry resets progress and errors but keeps the attempt
    count. The heartbeat is saved with it, so the reaper sees the run alive from its first
    moment, and the worker is named, so an operator sees which process runs it."""
    job.status = JobStatus.RUNNING
    job.started_at = job.heartbeat_at = timezone.now()
    job.finished_at = None
    job.progress_done = 0
    job.progress_total = total
    job.errors = []
    job.attempts += 1
    job.worker = (worker or worker_name())[:200]
    job.history = history_add(job.history, "started", attempt=job.attempts, worker=job.worker)
    job.save(
        update_fields=[
            "status",
            "started_at",
            "heartbeat_at",
            "finished_at",
            "progress_done",
            "progress_total",
            "errors",
            "attempts",
            "worker",
            "history",
        ]
    )
    return job


class ProgressReporter:
    """Handed to a job's body: `set_total(n)` once known, `advance(n)` as work is done; the
    row is written at most twice a second (each write is also a sign of life). `listener`
    (done, total) lets a command draw a progress bar. Inside the body's own transaction the
    runner's heartbeat thread writes it instead (tenants.jobs.heartbeat)."""

    def __init__(
        self, job: Job, total: int | None = None, listener: Callable[[int, int], None] | None = None
    ):
        self.job = job
        if total is not None:
            job.progress_total = total
        self.listener = listener
        self.heartbeat = None  # set by the runner's JobHeartbeat while it runs
        self._last = 0.0

    def set_total(self, total: int) -> None:
        self.job.progress_total = total
        self._write()

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
            self._write()

    def _write(self) -> None:
        if self.heartbeat is not None and self.heartbeat.carries_progress():
            self.heartbeat.wake()  # never lock the job row inside the body's transaction
            return
        Job.objects.filter(pk=self.job.pk).update(
            progress_done=self.job.progress_done,
            progress_total=self.job.progress_total,
            heartbeat_at=timezone.now(),
        )


def job_end(
    *,
    job: Job,
    status: str,
    error: str | None = None,
    counts: dict | None = None,
    errors: list | None = None,
    attempt: int | None = None,
) -> bool:
    """Record the end of a run. With `attempt`, only while that attempt still owns the row
    (running, same attempt count): False when the reaper took it over meanwhile."""
    job.status = status
    job.finished_at = timezone.now()
    fields = ["status", "finished_at", "errors", "history", "progress_done", "progress_total"]
    if errors is not None:
        job.errors = list(errors)
    elif status == JobStatus.SUCCEEDED:
        job.errors = []
    if error is not None:
        job.errors = [*job.errors, error]
    job.errors = job.errors[-ERRORS_KEPT:]
    job.history = history_add(job.history, status, attempt=job.attempts or None, reason=error)
    if counts is not None or status == JobStatus.SUCCEEDED:
        job.counts = counts or job.counts
        fields.append("counts")
    if status == JobStatus.SUCCEEDED and job.progress_total:
        job.progress_done = max(job.progress_done, job.progress_total)
    if attempt is None:
        job.save(update_fields=fields)
        return True
    owned = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=attempt).update(
        **{name: getattr(job, name) for name in fields}
    )
    if not owned:
        logger.warning(
            "job %s: attempt %s ended (%s) after the reaper gave up on it; not recorded",
            job.pk,
            attempt,
            status,
        )
        job.refresh_from_db()
    return bool(owned)


def job_succeed(*, job: Job, counts: dict | None = None, errors: list | None = None) -> Job:
    job_end(job=job, status=JobStatus.SUCCEEDED, counts=counts, errors=errors)
    return job


def job_fail(*, job: Job, error: str, counts: dict | None = None) -> Job:
    job_end(job=job, status=JobStatus.FAILED, error=error, counts=counts)
    return job


def job_finished_notify(*, job: Job) -> None:
    """Tell the kind's `finished` hook that the job has ended for good (a publish group takes
    its final status from it). A failing hook is logged; the job's end stands."""
    spec = job_kind_get(job.kind)
    hook = spec.finished_callable() if spec is not None else None
    if hook is None:
        return
    try:
        hook(job=job)
    except Exception:  # noqa: BLE001 - the job is recorded; its hook must not undo that
        logger.exception("job %s: the %s kind's finished hook failed", job.pk, job.kind)


# --- the queue ---------------------------------------------------------------------------


class JobQueueUnavailable(DomainError):
    """The broker does not answer: nothing was written; the caller may try again (503)."""

    status_code = 503
    code = "job_queue_unavailable"

    def __init__(self, message: str = "", **kwargs):
        super().__init__(
            message or "Job queue unavailable: nothing was changed. Try again in a moment.",
            **kwargs,
        )


# Degraded operations since the process started (also logged), for health checks and tests.
DEGRADED = {"job_queue_unavailable": 0, "job_enqueue_failed": 0}
JOB_QUEUE_CHECK_TIMEOUT_SECONDS = 2.0


def job_queue_require() -> None:
    """Refuse (503) before any write that must queue a job, when the broker does not answer.

    Called first by every start of a queued job (publish, group publish, retry, the API's job
    starters such as copy), so a write either completes with its job queued or fails having
    written nothing. Eager set-ups (no broker) always pass.
    """
    from tenants.tasks import job_run

    app = job_run.app
    if app.conf.task_always_eager:
        return
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=0, timeout=JOB_QUEUE_CHECK_TIMEOUT_SECONDS)
    except Exception:  # noqa: BLE001 - any transport error means: not reachable now
        DEGRADED["job_queue_unavailable"] += 1
        logger.warning("job queue unavailable: refused a job start", exc_info=True)
        raise JobQueueUnavailable() from None


def job_queue_name(kind: str) -> str | None:
    """The Celery queue a kind's runs go to (its registry entry); None: Celery's default."""
    spec = job_kind_get(kind)
    return spec.queue if spec is not None else None


def job_enqueue(*, job: Job) -> None:
    """Send the job to the workers after commit. A broker that fails right then (after
    `job_queue_require` passed) does not turn the committed write into a 500: the job stays
    queued, the failure is logged and counted, and the reaper sends it again."""
    job_id, queue = job.pk, job_queue_name(job.kind)
    transaction.on_commit(lambda: job_send(job_id, queue=queue))


def job_send(job_id: int, *, queue: str | None = None) -> bool:
    """Send `tenants.tasks.job_run` for the job to its kind's queue, with that queue's time
    limits, now."""
    from tenants.tasks import job_run

    if queue is None:
        kind = Job.objects.filter(pk=job_id).values_list("kind", flat=True).first()
        queue = job_queue_name(kind) if kind else None
    options = queue_send_options(queue)
    if job_run.app.conf.task_always_eager:  # runs here and now: its own errors are not the queue's
        job_run.apply_async((job_id,), **options)
        return True
    try:
        job_run.apply_async((job_id,), retry=False, **options)
    except Exception:  # noqa: BLE001 - broker/transport errors: degrade, don't fail
        DEGRADED["job_enqueue_failed"] += 1
        logger.warning(
            "could not send job %s to the queue; it stays queued and is sent again later",
            job_id,
            exc_info=True,
        )
        return False
    return True


def job_requeue(
    *,
    job: Job,
    expect: str = JobStatus.FAILED,
    by: AbstractBaseUser | None = None,
    reason: str | None = None,
) -> bool:
    """Queue the job again and send it after commit. Conditional on the row being as the
    caller saw it (status `expect`, same attempt count), so of two callers (a user's retry
    and the reaper) exactly one acts."""
    now = timezone.now()
    history = history_add(
        job.history, "retried", attempt=job.attempts or None, by=by, reason=reason
    )
    updated = Job.objects.filter(pk=job.pk, status=expect, attempts=job.attempts).update(
        status=JobStatus.QUEUED, queued_at=now, history=history
    )
    if not updated:
        return False
    job.status, job.queued_at, job.history = JobStatus.QUEUED, now, history
    job_enqueue(job=job)
    return True


# --- retry -------------------------------------------------------------------------------


def job_retry_require(*, job: Job, user: AbstractBaseUser | None) -> None:
    """Retrying needs the role that may start a job of that kind (R1a, R30), plus the kind's
    own check (a copy: admin of its source too). `user=None` is the operator (manage.py)."""
    if user is None:
        return
    spec = job_kind_get(job.kind)
    role = spec.role_to_retry if spec is not None else UNREGISTERED_RETRY_ROLE
    label = spec.label.lower() if spec is not None else job.kind
    role_require(tenant=job.tenant, user=user, role=role, action=f"retry {label} jobs")
    check = spec.retry_check_callable() if spec is not None else None
    if check is not None:
        check(job=job, user=user)


def job_retry(*, job: Job, user: AbstractBaseUser | None) -> Job:
    """Queue a failed job again with the same parameters: the API's and the admin's retry (the
    reaper's automatic one is `job_requeue`, no user). The role is checked first (403 with the
    reason), then the state (409)."""
    job_retry_require(job=job, user=user)
    if job.status != JobStatus.FAILED:
        raise Conflict(
            f"Only failed jobs can be retried; this one is {job.status}.", field="status"
        )
    job_queue_require()
    if not job_requeue(job=job, by=user):
        raise Conflict("This job changed meanwhile (retried already?); reload it.", field="status")
    return job
