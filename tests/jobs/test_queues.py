"""Queues (issue 13, SPEC §4): publish, renditions and bulk work go to separate queues with
their own time limits, tasks survive a lost worker (acks late, rejected on worker loss,
a Redis visibility timeout longer than any task may run), and the Procfile's workers read
every queue."""

from __future__ import annotations

import importlib
import shlex

import pytest
from django.core.checks import run_checks
from django.test import override_settings

from config.celery import app
from tenants.jobs import services as job_services
from tenants.jobs.services import job_create, job_send
from tenants.models import JobKind
from tests.deploy.helpers import production_env, run_python
from tests.deploy.test_topology import procfile

pytestmark = pytest.mark.django_db


@pytest.fixture
def not_eager():
    """Sends go to the broker (here: whatever a test puts in place of it)."""
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def sent(monkeypatch, not_eager):
    """What `job_send` hands the broker: (args, options) per message."""
    from tenants.tasks import job_run

    messages = []
    monkeypatch.setattr(
        job_run, "apply_async", lambda args, **options: messages.append((args, options))
    )
    return messages


@pytest.mark.parametrize(
    ("kind", "queue"),
    [
        (JobKind.PUBLISH, "publish"),
        (JobKind.IMPORT, "bulk"),
        (JobKind.EXPORT, "bulk"),
        (JobKind.COPY, "bulk"),
    ],
)
def test_each_job_kind_is_sent_to_its_queue_with_its_limits(tenant, settings, sent, kind, queue):
    job = job_create(tenant=tenant, kind=kind, user=None)

    assert job_send(job.pk) is True

    limits = settings.TASK_QUEUE_TIME_LIMITS[queue]
    assert sent == [
        (
            (job.pk,),
            {
                "retry": False,
                "queue": queue,
                "soft_time_limit": limits["soft_time_limit"],
                "time_limit": limits["time_limit"],
            },
        )
    ]
    assert limits["soft_time_limit"] < limits["time_limit"]


@pytest.mark.parametrize(
    ("task", "queue"),
    [
        ("media_library.tasks.media_item_derivatives_ensure", "renditions"),
        ("media_library.tasks.media_derivatives_sweep", "renditions"),
        ("publishing.tasks.read_model_drain_tenant", "publish"),
        ("publishing.tasks.publish_groups_run_due", "celery"),
        ("tenants.tasks.jobs_reap", "celery"),
    ],
)
def test_other_tasks_are_routed_by_task_routes(settings, task, queue):
    route = app.amqp.router.route({}, task)
    assert route["queue"].name == queue
    limits = settings.TASK_QUEUE_TIME_LIMITS[queue]
    importlib.import_module(task.rsplit(".", 1)[0])  # as a worker's autodiscovery does
    registered = app.tasks[task]
    # the routed ones carry their queue's limits; the rest Celery's defaults (the default
    # queue's limits)
    assert (registered.soft_time_limit or app.conf.task_soft_time_limit) == limits[
        "soft_time_limit"
    ]
    assert (registered.time_limit or app.conf.task_time_limit) == limits["time_limit"]


def test_tasks_survive_their_worker():
    from tenants.tasks import job_run

    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert job_run.acks_late and job_run.reject_on_worker_lost


def test_the_visibility_timeout_outlasts_the_longest_hard_limit(settings):
    timeout = app.conf.broker_transport_options["visibility_timeout"]
    longest = max(limits["time_limit"] for limits in settings.TASK_QUEUE_TIME_LIMITS.values())
    assert timeout > longest


def test_a_visibility_timeout_shorter_than_a_time_limit_is_refused_at_start(settings):
    with override_settings(CELERY_BROKER_TRANSPORT_OPTIONS={"visibility_timeout": 3600}):
        errors = [e for e in run_checks() if e.id == "tenants.E101"]
    assert errors and "must be longer than the longest queue time limit" in errors[0].msg


def test_the_procfile_workers_read_every_queue(settings):
    consumed: dict[str, list[str]] = {}
    for name, command in procfile().items():
        words = shlex.split(command)
        if words[:4] != ["celery", "-A", "config", "worker"]:
            continue
        queues = words[words.index("--queues") + 1].split(",")
        for queue in queues:
            consumed.setdefault(queue, []).append(name)
    assert set(consumed) == set(settings.CELERY_TASK_QUEUES)
    # publishes never wait behind bulk work or renditions: their worker reads neither
    assert set(consumed["publish"]).isdisjoint(consumed["bulk"] + consumed["renditions"])


def test_a_failed_send_leaves_the_job_queued_and_counts_it(tenant, monkeypatch, not_eager):
    from tenants.tasks import job_run

    def refuse(*args, **kwargs):
        raise ConnectionError("broker gone")

    monkeypatch.setattr(job_run, "apply_async", refuse)
    job = job_create(tenant=tenant, kind=JobKind.PUBLISH, user=None)
    before = job_services.DEGRADED["job_enqueue_failed"]

    assert job_send(job.pk) is False
    assert job_services.DEGRADED["job_enqueue_failed"] == before + 1


@pytest.mark.parametrize(
    ("broker", "scheduler"),
    [
        ("redis://127.0.0.1:6379/0", "tenants.jobs.beat:RedBeatScheduler"),
        ("memory://", "tenants.jobs.beat:FileScheduler"),
    ],
)
def test_beat_uses_the_redis_lock_whenever_the_broker_is_redis(tmp_path, broker, scheduler):
    env = production_env(tmp_path, CELERY_BROKER_URL=broker, CELERY_BROKER_KEY_PREFIX="dep1:")
    code = (
        "from config.celery import app; import django; django.setup(); "
        "print(app.conf.beat_scheduler); print(app.conf.broker_transport_options)"
    )
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == scheduler
    assert "'global_keyprefix': 'dep1:'" in lines[1]
