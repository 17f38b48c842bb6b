"""The reaper (issue 13, R16): a job whose worker died is failed, saying which worker, and
retried on its own when its kind is idempotent (a bounded number of times), else left for
a user's retry; a queued job whose message was lost is sent again."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.utils import timezone

from tenants.jobs.reaper import _job_reap, jobs_reap
from tenants.jobs.services import job_claim, job_create, job_fail, job_start
from tenants.models import Job, JobKind, JobStatus

pytestmark = pytest.mark.django_db


def _running(tenant, kind, *, user=None, silent_for: float | None = None, **params) -> Job:
    """A job claimed and started by a worker, whose last heartbeat was `silent_for` s ago."""
    job = job_create(tenant=tenant, kind=kind, user=user, params=params)
    job_claim(job_id=job.pk)
    job_start(job=job, worker="worker-1 pid 4242")
    if silent_for is not None:
        Job.objects.filter(pk=job.pk).update(
            heartbeat_at=timezone.now() - timedelta(seconds=silent_for)
        )
    job.refresh_from_db()
    return job


def _events(job: Job) -> list[str]:
    return [entry["event"] for entry in job.history]


def test_a_dead_publish_is_failed_and_retried_on_its_own(
    tenant, publisher, settings, django_capture_on_commit_callbacks
):
    stale = settings.JOB_STALE_AFTER_SECONDS + 5
    dead = _running(tenant, JobKind.PUBLISH, user=publisher, silent_for=stale, product_ids=[])
    alive = _running(tenant, JobKind.PUBLISH, user=publisher, product_ids=[])

    with django_capture_on_commit_callbacks(execute=True):  # the retry runs (eager)
        assert jobs_reap() == {"failed": 1, "retried": 1, "requeued": 0}

    dead.refresh_from_db()
    alive.refresh_from_db()
    assert alive.status == JobStatus.RUNNING and alive.attempts == 1
    assert dead.attempts == 2  # it ran again (and failed again: it names no products)
    assert _events(dead)[:5] == ["queued", "started", "reaped", "retried", "started"]
    reaped = dead.history[2]
    assert reaped["worker"] == "worker-1 pid 4242" and reaped["attempt"] == 1
    assert "worker-1 pid 4242" in reaped["reason"] and "Retried automatically" in reaped["reason"]


def test_a_dead_import_is_failed_and_waits_for_a_user(tenant, admin_user, settings, job_kind):
    # An import is not retried on its own (it may be what killed the worker); its kind's
    # finished hook hears that it ended.
    finished = []
    job_kind(
        kind="import",
        label="Manifest import",
        execute=lambda *, job, progress: None,
        finished=lambda *, job: finished.append(job.status),
    )
    dead = _running(
        tenant, JobKind.IMPORT, user=admin_user, silent_for=settings.JOB_STALE_AFTER_SECONDS + 1
    )

    assert jobs_reap() == {"failed": 1, "retried": 0, "requeued": 0}

    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED and dead.finished_at is not None
    assert dead.errors[-1].endswith("Retry the job.")
    assert finished == [JobStatus.FAILED]


def test_automatic_retries_are_bounded(tenant, publisher, settings):
    settings.JOB_AUTO_RETRY_ATTEMPTS = 2
    dead = _running(
        tenant, JobKind.PUBLISH, user=publisher, silent_for=settings.JOB_STALE_AFTER_SECONDS + 1
    )
    Job.objects.filter(pk=dead.pk).update(attempts=2)  # its second attempt died too

    assert jobs_reap()["retried"] == 0

    dead.refresh_from_db()
    assert dead.status == JobStatus.FAILED
    assert "Not retried again after 2 attempts" in dead.errors[-1]


def test_a_job_that_beat_after_it_was_read_is_left_alone(tenant, publisher, settings):
    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.JOB_STALE_AFTER_SECONDS)
    job = _running(
        tenant, JobKind.PUBLISH, user=publisher, silent_for=settings.JOB_STALE_AFTER_SECONDS + 1
    )
    Job.objects.filter(pk=job.pk).update(heartbeat_at=now)  # its heartbeat thread, meanwhile

    assert _job_reap(job, now=now, stale_cutoff=cutoff) is None
    assert Job.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_a_queued_job_whose_message_was_lost_is_sent_again_once_per_period(
    tenant, django_capture_on_commit_callbacks
):
    lost = job_create(tenant=tenant, kind=JobKind.PUBLISH, user=None, params={"product_ids": []})
    fresh = job_create(tenant=tenant, kind=JobKind.PUBLISH, user=None, params={"product_ids": []})
    long_ago = timezone.now() - timedelta(seconds=django_settings.JOB_REQUEUE_AFTER_SECONDS + 60)
    Job.objects.filter(pk=lost.pk).update(queued_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_reap()["requeued"] == 1

    lost.refresh_from_db()
    fresh.refresh_from_db()
    assert lost.attempts == 1 and lost.status != JobStatus.QUEUED  # sent, so it ran (eager)
    assert fresh.status == JobStatus.QUEUED


def test_a_resend_is_stamped_so_a_long_queue_is_not_flooded(tenant, monkeypatch):
    from tenants.jobs import reaper

    sent = []
    monkeypatch.setattr(reaper, "job_send", lambda job_id: sent.append(job_id))
    job = job_create(tenant=tenant, kind=JobKind.IMPORT, user=None)
    long_ago = timezone.now() - timedelta(seconds=django_settings.JOB_REQUEUE_AFTER_SECONDS + 60)
    Job.objects.filter(pk=job.pk).update(queued_at=long_ago)

    assert jobs_reap()["requeued"] == 1
    assert jobs_reap()["requeued"] == 0  # still waiting in a busy queue: not sent twice
    assert sent == [job.pk]


def test_a_retried_job_whose_message_was_lost_is_sent_again(
    tenant, django_capture_on_commit_callbacks
):
    job = job_create(tenant=tenant, kind=JobKind.PUBLISH, user=None, params={"product_ids": []})
    job_claim(job_id=job.pk)
    job_start(job=job)
    job_fail(job=job, error="first try")
    long_ago = timezone.now() - timedelta(seconds=django_settings.JOB_REQUEUE_AFTER_SECONDS + 60)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED, queued_at=long_ago)

    with django_capture_on_commit_callbacks(execute=True):
        assert jobs_reap()["requeued"] == 1

    job.refresh_from_db()
    assert job.attempts == 2


def test_beat_runs_the_reaper():
    entry = django_settings.CELERY_BEAT_SCHEDULE["jobs-reap"]
    assert entry == {
        "task": "tenants.tasks.jobs_reap",
        "schedule": django_settings.JOB_REAPER_SECONDS,
    }
    # The reaper runs often enough to catch a death well before a user would wonder.
    assert django_settings.JOB_REAPER_SECONDS < django_settings.JOB_STALE_AFTER_SECONDS
