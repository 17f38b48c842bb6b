"""Jobs that survive (issue 13, R16, SPEC §4), with the real processes: two Celery workers and
beat started from the Procfile's definitions, on PostgreSQL and Redis.

- A worker SIGKILLed in the middle of a publish: the shop keeps the old answer, the reaper
  fails the job and it is retried by the other worker, ending as an uninterrupted run does.
- Two beat processes: one schedules (the other waits on its lock), a scheduled publish group
  runs exactly once, and the standby takes over when the first dies.

Needs PostgreSQL, Redis and CELERY_BROKER_URL (the second pass of .ci/run); skipped
elsewhere. Every wait is bounded; processes are stopped by process group, always.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from assignments.models import AssignmentDocument
from publishing.groups import group_create, group_schedule
from publishing.models import PublishGroup, PublishGroupStatus
from tenants.models import Job, JobStatus, Role, SchedulerBeat
from tests.conftest import celery_broker, redis_keys_delete
from tests.factories import make_member, make_tenant
from tests.jobs.processes import Topology, topology_env, wait_for
from tests.publishing import builders as b

pytestmark = [pytest.mark.postgres, pytest.mark.worker]

START_SECONDS = 90  # the processes import Django and Celery first, on a loaded machine
JOB_SECONDS = 90


def _database_url() -> str:
    db = connection.settings_dict
    return f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def topology(transactional_db, tmp_path, settings):
    """Processes of the Procfile on the test database; stopped (and their Redis keys
    removed) before the database is flushed."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the second run of .ci/run)")
    if not os.environ.get("CELERY_BROKER_URL") or not os.environ.get("REDIS_URL"):
        pytest.skip("needs CELERY_BROKER_URL and REDIS_URL (the second run of .ci/run)")
    env, prefix = topology_env(
        tmp_path, database_url=_database_url(), media_root=settings.MEDIA_ROOT
    )
    running = Topology(env=env, folder=tmp_path, prefix=prefix)
    try:
        yield running
    finally:
        running.stop_all()
        redis_keys_delete(os.environ["CELERY_BROKER_URL"], prefix)


def _pid(worker: str) -> int:
    """The process id in a job's `worker` ("host pid N")."""
    return int(re.search(r"pid (\d+)$", worker)[1])


def _ready(topology: Topology, *workers) -> None:
    for worker in workers:
        wait_for(
            lambda w=worker: " ready." in w.log() or not w.alive(),
            seconds=START_SECONDS,
            what=f"{worker.name} to start",
            topology=topology,
        )
        assert worker.alive(), topology.logs()


def _beat_holder() -> tuple[str, object] | None:
    row = SchedulerBeat.objects.filter(name="beat").first()
    return (row.holder, row.last_seen_at) if row else None


def _holder_pid(topology: Topology) -> int:
    holder = wait_for(_beat_holder, seconds=START_SECONDS, what="beat to run", topology=topology)
    return _pid(holder[0])


# --- a worker killed mid-publish ----------------------------------------------------------


def _content(slug: str):
    """A tenant with MUG-001 published with photo v1, and a v2 gallery checked in."""
    tenant = make_tenant(slug)
    editor = make_member(tenant, Role.EDITOR, f"{slug}-editor")
    publisher = make_member(tenant, Role.PUBLISHER, f"{slug}-publisher")
    mug = b.mug(tenant)
    v1 = b.image(tenant, editor, "photo-v1")
    b.checkin(tenant, mug, editor, {"master": b.slots([v1])})
    return tenant, editor, publisher, mug


def _publish(client_for, tenant, user):
    response = client_for(user).post(
        f"/api/v1/tenants/{tenant.slug}/products/MUG-001/media/publish"
        "?channel=omnichannel&locale=neutral",
        {"publish_dependencies": True},
        format="json",
    )
    assert response.status_code == 202, response.content
    return Job.objects.get(pk=response.json()["id"])


def _answer(client_for, tenant) -> dict:
    """The shop answer, with what differs between two tenants (ids, URLs, times) left out."""
    response = client_for(None).get(
        f"/api/v1/tenants/{tenant.slug}/channels/web/products/MUG-001/media?locale=en-us"
    )
    assert response.status_code == 200, response.content
    body = response.json()

    def media(item):
        return item["alt_text"] if item else None

    return {
        "default_image": media(body["default_image"]),
        "primary": [media(m) for m in body["primary"]],
        "additional": {k: [media(m) for m in v] for k, v in body["additional"].items()},
        "swatches": body["swatches"],
        "provenance": body["provenance"],
    }


def _ended(job: Job) -> Job | None:
    job.refresh_from_db()
    return job if job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED) else None


def test_a_publish_whose_worker_is_killed_is_reaped_and_retried_by_the_other(
    topology, client_for, django_capture_on_commit_callbacks
):
    # given the same content in two tenants, published at v1 (inline) with v2 checked in
    acme, acme_editor, acme_publisher, acme_mug = _content("acme")
    twin, twin_editor, twin_publisher, twin_mug = _content("twin")
    for tenant, publisher in ((acme, acme_publisher), (twin, twin_publisher)):
        with django_capture_on_commit_callbacks(execute=True):
            assert _publish(client_for, tenant, publisher).status == JobStatus.SUCCEEDED
    v1_answer = _answer(client_for, acme)
    assert v1_answer["default_image"] == "photo-v1"
    for tenant, editor, mug in ((acme, acme_editor, acme_mug), (twin, twin_editor, twin_mug)):
        v2 = b.image(tenant, editor, "photo-v2")
        b.checkin(tenant, mug, editor, {"master": b.slots([v2, b.image(tenant, editor, "v2-b")])})

    # and two workers and beat, as the Procfile runs them
    first = topology.start("worker", "worker-a", CELERY_WORKER_HOSTNAME="a@%h")
    second = topology.start("worker", "worker-b", CELERY_WORKER_HOSTNAME="b@%h")
    topology.start("beat", "beat")
    _ready(topology, first, second)
    _holder_pid(topology)

    with celery_broker(topology.prefix):
        # an uninterrupted run, for the twin
        twin_job = _publish(client_for, twin, twin_publisher)
        wait_for(lambda: _ended(twin_job), seconds=JOB_SECONDS, what="the twin's publish")
        assert twin_job.status == JobStatus.SUCCEEDED, twin_job.errors
        expected = _answer(client_for, twin)
        assert expected["default_image"] == "photo-v2"

        # when acme's publish is held mid-run (its documents' rows locked elsewhere)
        lock = psycopg.connect(_database_url(), autocommit=False)
        try:
            lock.execute(
                f"SELECT id FROM {AssignmentDocument._meta.db_table} WHERE tenant_id = %s "
                "FOR UPDATE",
                [acme.pk],
            )
            job = _publish(client_for, acme, acme_publisher)

            def beating():
                job.refresh_from_db()
                return (
                    job.status == JobStatus.RUNNING
                    and job.worker
                    and job.heartbeat_at > job.started_at + timedelta(seconds=1)
                )

            # its heartbeat is saved while it waits (no progress to report meanwhile)
            wait_for(
                beating, seconds=JOB_SECONDS, what="the held publish to beat", topology=topology
            )
            assert _answer(client_for, acme) == v1_answer  # shops keep the old answer
            assert job.attempts == 1, job.history  # alive, though stuck: never reaped
            victim = topology.owner_of(_pid(job.worker))
            assert victim in (first, second), job.worker
            survivor = second if victim is first else first

            # and its worker is killed outright
            topology.kill(victim)
        finally:
            lock.close()  # the rows are free again
        assert _answer(client_for, acme) == v1_answer

        # then the reaper fails the job and the other worker runs it again, to the end
        wait_for(
            lambda: _ended(job), seconds=JOB_SECONDS, what="the retried publish", topology=topology
        )

    assert job.status == JobStatus.SUCCEEDED, (job.errors, job.history, topology.logs())
    assert job.attempts == 2
    events = [entry["event"] for entry in job.history]
    assert events == ["queued", "started", "reaped", "retried", "started", "succeeded"]
    started, reaped = job.history[1], job.history[2]
    assert topology.owner_of(_pid(started["worker"])) is None  # the killed worker's child
    assert reaped["worker"] == started["worker"] and "stopped" in reaped["reason"]
    assert topology.owner_of(_pid(job.history[4]["worker"])) is survivor
    assert _answer(client_for, acme) == expected  # as the uninterrupted run ended


# --- two schedulers -----------------------------------------------------------------------


def test_two_beats_schedule_once_and_the_standby_takes_over(topology):
    tenant = make_tenant("acme")
    editor = make_member(tenant, Role.EDITOR, "eddie")
    publisher = make_member(tenant, Role.PUBLISHER, "pia")
    mug = b.mug(tenant)
    b.checkin(tenant, mug, editor, {"master": b.slots([b.image(tenant, editor, "photo")])})

    worker = topology.start("worker", "worker")
    beats = [topology.start("beat", "beat-1"), topology.start("beat", "beat-2")]
    _ready(topology, worker)
    active = next(beat for beat in beats if beat.pid == _holder_pid(topology))
    standby = next(beat for beat in beats if beat is not active)

    def holders_over(ticks: int) -> set[str]:
        """The holders that recorded themselves during `ticks` more records."""
        seen, last = set(), None
        for _ in range(ticks):
            holder, last = wait_for(
                lambda last=last: _beat_holder() if _beat_holder()[1] != last else None,
                seconds=START_SECONDS,
                what="beat to record itself",
                topology=topology,
            )
            seen.add(holder)
        return seen

    def scheduled_group(name: str) -> PublishGroup:
        group = group_create(
            tenant=tenant,
            user=publisher,
            name=name,
            products=["MUG-001"],
            publish_dependencies=True,
        )
        group = group_schedule(
            group=group, user=publisher, when=timezone.now() + timedelta(seconds=1)
        )
        wait_for(
            lambda: PublishGroup.objects.get(pk=group.pk).status == PublishGroupStatus.PUBLISHED,
            seconds=JOB_SECONDS,
            what=f"group {name} to be published",
            topology=topology,
        )
        return group

    # only the lock holder schedules: the other beat never records itself
    assert {_pid(h) for h in holders_over(4)} == {active.pid}
    assert [beat.name for beat in beats if "Acquired lock" in beat.log()] == [active.name]

    # a scheduled group runs once, however many due-checks pass after its time
    launch = scheduled_group("Launch")
    holders_over(6)  # several more seconds of ticks (publish-groups-due runs every second)
    assert Job.objects.filter(params__group_id=launch.pk).count() == 1

    # when the active beat dies, the standby takes the lock and schedules alone
    topology.kill(active)
    wait_for(
        lambda: _beat_holder() and _pid(_beat_holder()[0]) == standby.pid,
        seconds=START_SECONDS,
        what="the standby beat to take over",
        topology=topology,
    )
    b.checkin(tenant, mug, editor, {"master": b.slots([b.image(tenant, editor, "photo-2")])})
    encore = scheduled_group("Encore")
    holders_over(4)
    assert Job.objects.filter(params__group_id=encore.pk).count() == 1
    assert Job.objects.filter(params__group_id=launch.pk).count() == 1
