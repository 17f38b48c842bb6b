"""The one runner skeleton (issue 13, R16): every kind registered by its app, run through
claim, start, progress, end and the finished hook, whatever its body does."""

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.exceptions import ImproperlyConfigured

from tenants.exceptions import DomainError
from tenants.jobs.registry import job_kind_get, job_kind_register, job_kinds_started_by_api
from tenants.jobs.runner import job_execute
from tenants.jobs.services import JobFailed, JobOutcome, job_create
from tenants.models import Job, JobKind, JobStatus

pytestmark = pytest.mark.django_db


def _events(job: Job) -> list[str]:
    return [entry["event"] for entry in job.history]


def test_each_app_registers_its_kinds_with_queue_roles_and_retries():
    # The ground floor names no app: publishing, manifests and tenant copy fill the registry.
    expected = {
        "publish": ("publish", "publisher", True),
        "import": ("bulk", "admin", False),
        "export": ("bulk", "viewer", True),
        "copy": ("bulk", "admin", True),
    }
    for kind, (queue, role, auto_retry) in expected.items():
        spec = job_kind_get(kind)
        assert (spec.queue, spec.start_role, spec.auto_retry) == (queue, role, auto_retry), kind
        assert spec.execute_callable() is not None, kind
    assert job_kind_get("sync") is None  # nobody runs read-model syncs as jobs
    assert job_kinds_started_by_api() == ["copy"]


def test_registering_an_unknown_kind_role_or_no_queue_is_refused():
    with pytest.raises(ImproperlyConfigured, match="JobKind"):
        job_kind_register(kind="rebuild", label="x", execute=None, queue="bulk", start_role="admin")
    with pytest.raises(ImproperlyConfigured, match="role"):
        job_kind_register(kind="sync", label="x", execute=None, queue="bulk", start_role="boss")
    with pytest.raises(ImproperlyConfigured, match="queue"):
        job_kind_register(kind="sync", label="x", execute=None, queue="", start_role="admin")


def test_a_body_that_returns_counts_ends_succeeded_and_the_hook_hears_it(tenant, job_kind):
    finished = []

    def body(*, job, progress):
        progress.set_total(2)
        progress.advance(2)
        return {"rows": 2}

    job_kind(execute=body, finished=lambda *, job: finished.append((job.pk, job.status)))
    job = job_create(tenant=tenant, kind=JobKind.SYNC, user=None)

    ran = job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert ran.pk == job.pk and job.status == JobStatus.SUCCEEDED
    assert (job.counts, job.progress_done, job.progress_total, job.attempts) == (
        {"rows": 2},
        2,
        2,
        1,
    )
    assert job.worker and job.heartbeat_at and job.finished_at
    assert _events(job) == ["queued", "started", "succeeded"]
    assert finished == [(job.pk, JobStatus.SUCCEEDED)]


def test_job_failed_keeps_the_counts_and_notes_and_ends_with_the_reason(tenant, job_kind):
    def body(*, job, progress):
        raise JobFailed("3 rows failed", counts={"ok": 7, "failed": 3}, errors=["row 4: bad"])

    job_kind(execute=body)
    job = job_create(tenant=tenant, kind=JobKind.SYNC, user=None)

    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.counts == {"ok": 7, "failed": 3}
    assert job.errors == ["row 4: bad", "3 rows failed"]
    assert job.history[-1]["event"] == "failed" and job.history[-1]["reason"] == "3 rows failed"


@pytest.mark.parametrize(
    ("raised", "reason"),
    [
        (ValueError("boom"), "ValueError: boom"),
        (DomainError("Unknown channel 'x'.", field="channel"), "Unknown channel 'x'."),
        (SoftTimeLimitExceeded(), "Stopped: the bulk queue's time limit"),
    ],
)
def test_a_body_that_raises_never_leaves_the_job_running(tenant, job_kind, raised, reason):
    def body(*, job, progress):
        raise raised

    finished = []
    job_kind(execute=body, finished=lambda *, job: finished.append(job.status))
    job = job_create(tenant=tenant, kind=JobKind.SYNC, user=None)

    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.errors[-1].startswith(reason)
    assert finished == [JobStatus.FAILED]


def test_a_body_may_return_notes_with_its_counts(tenant, job_kind):
    job_kind(execute=lambda *, job, progress: JobOutcome(counts={"copied": 1}, errors=["no match"]))
    job = job_create(tenant=tenant, kind=JobKind.SYNC, user=None)

    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert (job.status, job.counts, job.errors) == ("succeeded", {"copied": 1}, ["no match"])


def test_a_job_is_run_once_however_often_it_is_delivered(tenant, job_kind):
    runs = []
    job_kind(execute=lambda *, job, progress: runs.append(job.pk))
    job = job_create(tenant=tenant, kind=JobKind.SYNC, user=None)

    assert job_execute(job_id=job.pk) is not None
    assert job_execute(job_id=job.pk) is None  # a redelivery: claimed already

    assert runs == [job.pk] and Job.objects.get(pk=job.pk).attempts == 1


def test_a_kind_nobody_registered_fails_saying_so(tenant):
    job = job_create(tenant=tenant, kind=JobKind.SYNC, user=None)

    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.errors == ["No runner for jobs of kind 'sync'."]


def test_progress_reaches_the_listener_and_the_row(tenant, job_kind):
    seen = []

    def body(*, job, progress):
        progress.set_total(3)
        for _ in range(3):
            progress.advance()

    job_kind(execute=body)
    job = job_create(tenant=tenant, kind=JobKind.SYNC, user=None)

    job_execute(job_id=job.pk, listener=lambda done, total: seen.append((done, total)))

    assert seen == [(1, 3), (2, 3), (3, 3)]
    assert Job.objects.get(pk=job.pk).progress_done == 3


def test_the_end_of_an_attempt_the_reaper_took_over_is_not_recorded(tenant, job_kind):
    # The reaper failed (and re-queued) this attempt while it was still working: its late
    # end must not overwrite the row, nor tell the hook the job ended.
    finished = []

    def body(*, job, progress):
        Job.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)  # what the reaper did
        return {"rows": 1}

    job_kind(execute=body, finished=lambda *, job: finished.append(job.status))
    job = job_create(tenant=tenant, kind=JobKind.SYNC, user=None)

    job_execute(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.counts == {} and finished == []
