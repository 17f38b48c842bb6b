"""Jobs whose worker died, and jobs whose message was lost (Celery beat runs this every
JOB_REAPER_SECONDS through `tenants.tasks.jobs_reap`).

- A running job whose heartbeat is older than JOB_STALE_AFTER_SECONDS lost its process
  (SIGKILL, OOM, a hard time limit, a lost machine): it is failed, saying which worker
  stopped. A kind whose work is idempotent (registry `auto_retry`) is queued again at once,
  up to JOB_AUTO_RETRY_ATTEMPTS attempts in all; any other waits for a user's retry.
- A queued job nobody claimed for JOB_REQUEUE_AFTER_SECONDS is sent again (the broker lost
  its message, or a send failed); `job_run` claims atomically, so a duplicate is harmless.

Every change is conditional on the row being as read, so two reapers (or a reaper and a
late heartbeat) never both act.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from tenants.models import Job, JobStatus

from .registry import job_kind_get
from .services import ERRORS_KEPT, history_add, job_finished_notify, job_requeue, job_send

logger = logging.getLogger(__name__)


def _stale(cutoff: datetime) -> Q:
    """No sign of life since `cutoff` (a claim without a start counts from creation)."""
    return Q(heartbeat_at__lt=cutoff) | Q(
        heartbeat_at__isnull=True, started_at__isnull=True, created_at__lt=cutoff
    )


def jobs_reap(*, now: datetime | None = None) -> dict[str, int]:
    """Fail dead running jobs (retrying the idempotent ones) and resend lost queued ones;
    returns how many of each."""
    now = now or timezone.now()
    stale_cutoff = now - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    counts = {"failed": 0, "retried": 0, "requeued": 0}
    dead = Job.objects.filter(_stale(stale_cutoff), status=JobStatus.RUNNING).order_by("pk")
    for job in dead.select_related("tenant"):
        outcome = _job_reap(job, now=now, stale_cutoff=stale_cutoff)
        if outcome:
            counts["failed"] += 1
            counts["retried"] += outcome == "retried"
    counts["requeued"] = _jobs_resend(now=now)
    if any(counts.values()):
        logger.warning("job reaper: %s", counts)
    return counts


def _job_reap(job: Job, *, now: datetime, stale_cutoff: datetime) -> str | None:
    spec = job_kind_get(job.kind)
    seconds = f"{settings.JOB_STALE_AFTER_SECONDS:g}"
    retry = spec is not None and spec.auto_retry and job.attempts < settings.JOB_AUTO_RETRY_ATTEMPTS
    reason = f"The worker running it ({job.worker or 'unknown'}) stopped: no sign of life for {seconds} s."
    if retry:
        reason += f" Retried automatically (attempt {job.attempts + 1} of {settings.JOB_AUTO_RETRY_ATTEMPTS})."
    elif spec is not None and spec.auto_retry:
        reason += (
            f" Not retried again after {job.attempts} attempts: retry it once the cause is fixed."
        )
    else:
        reason += " Retry the job."
    errors = [*job.errors, reason][-ERRORS_KEPT:]
    history = history_add(
        job.history, "reaped", attempt=job.attempts or None, worker=job.worker, reason=reason
    )
    updated = Job.objects.filter(
        _stale(stale_cutoff), pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts
    ).update(status=JobStatus.FAILED, finished_at=now, errors=errors, history=history)
    if not updated:  # it showed a sign of life, or ended, since it was read
        return None
    job.status, job.finished_at, job.errors, job.history = JobStatus.FAILED, now, errors, history
    if retry and job_requeue(job=job, expect=JobStatus.FAILED, reason="automatic retry"):
        return "retried"
    job_finished_notify(job=job)
    return "failed"


def _jobs_resend(*, now: datetime) -> int:
    cutoff = now - timedelta(seconds=settings.JOB_REQUEUE_AFTER_SECONDS)
    lost = (
        Job.objects.filter(status=JobStatus.QUEUED)
        .annotate(waiting_since=Coalesce("queued_at", "created_at"))
        .filter(waiting_since__lt=cutoff)
        .order_by("pk")
    )
    resent = 0
    for job in lost:
        # Stamped first, conditionally: one resend per period, whoever else looks.
        if Job.objects.filter(pk=job.pk, status=JobStatus.QUEUED, queued_at=job.queued_at).update(
            queued_at=now
        ):
            job_send(job.pk)
            resent += 1
    return resent
