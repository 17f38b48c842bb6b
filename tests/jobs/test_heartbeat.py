"""A running job's heartbeat is saved while it runs (issue 13, R16): the reaper can only tell
a live job from one whose worker died if a busy body still shows signs of life."""

from __future__ import annotations

import time

import pytest
from django.db import OperationalError, connection, transaction

from tenants.jobs.heartbeat import JobHeartbeat
from tenants.jobs.runner import job_execute
from tenants.jobs.services import job_create
from tenants.models import Job, JobKind, JobStatus, Tenant

WAIT_SECONDS = 20  # a bound on waiting for another thread, never a measured duration


def _heartbeat_of(job_id: int):
    """The saved heartbeat; SQLite's shared in-memory test database may refuse a read while
    the heartbeat thread writes, so ask again."""
    while True:
        try:
            return Job.objects.filter(pk=job_id).values_list("heartbeat_at", flat=True).get()
        except OperationalError:
            time.sleep(0.01)


def _wait_for_a_beat(job: Job, since) -> bool:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if _heartbeat_of(job.pk) > since:
            return True
        time.sleep(0.02)
    return False


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_is_saved_while_the_body_works(tenant, job_kind, settings):
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    seen = {}

    def body(*, job, progress):
        # A body busy with something that reports no progress (one long statement, a zip):
        # only the heartbeat thread writes meanwhile.
        started = Job.objects.get(pk=job.pk).heartbeat_at
        seen["beat"] = _wait_for_a_beat(job, started)

    job_kind(execute=body)
    job = job_create(tenant=tenant, kind=JobKind.SYNC, user=None)

    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert seen["beat"] is True, "no heartbeat was saved while the job ran"
    assert job.status == JobStatus.SUCCEEDED


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_progress_inside_a_transaction_holds_back_neither_heartbeat_nor_progress(
    tenant, job_kind, settings
):
    # A publish or a copy reports progress inside its transactions: written on the body's
    # connection, that would lock the job row until commit, so no heartbeat could be saved
    # (the reaper would fail a live job) and the jobs page would show no progress.
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite has one writer at a time)")
    settings.JOB_HEARTBEAT_SECONDS = 0.05
    seen = {}

    def body(*, job, progress):
        with transaction.atomic():
            Tenant.objects.filter(pk=tenant.pk).update(name="inside the transaction")
            progress.set_total(4)
            progress.advance(3)
            started = Job.objects.get(pk=job.pk).heartbeat_at
            seen["beat"] = _wait_for_a_beat(job, started)
            seen["progress"] = Job.objects.values_list("progress_done", "progress_total").get(
                pk=job.pk
            )
        progress.advance()

    job_kind(execute=body)
    job = job_create(tenant=tenant, kind=JobKind.SYNC, user=None)

    job_execute(job_id=job.pk)

    assert seen["beat"] is True
    assert seen["progress"] == (3, 4)  # visible to others before the commit
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == (JobStatus.SUCCEEDED, 4, 4)


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_stops_once_the_attempt_no_longer_owns_the_row(tenant):
    job = job_create(tenant=tenant, kind=JobKind.SYNC, user=None)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, attempts=1)

    with JobHeartbeat(job_id=job.pk, attempt=1, interval=0.02) as heartbeat:
        deadline = time.monotonic() + WAIT_SECONDS
        while heartbeat.beats == 0 and time.monotonic() < deadline:
            time.sleep(0.01)
        # The reaper failed it and a second attempt started: this one must not beat for it.
        Job.objects.filter(pk=job.pk).update(attempts=2, heartbeat_at=None)
        heartbeat._thread.join(WAIT_SECONDS)
        assert not heartbeat._thread.is_alive()

    assert heartbeat.beats >= 1
    assert _heartbeat_of(job.pk) is None  # nothing written for the new attempt


def test_no_thread_when_the_heartbeat_is_off():
    with JobHeartbeat(job_id=1, attempt=1, interval=0) as heartbeat:
        assert heartbeat._thread is None
