"""Is a scheduler running? (issue 13, R16) Beat records itself every few seconds; the jobs
API and page, the publish-group API and the admin say clearly when none has been seen
lately, so scheduled publish groups never wait silently."""

from __future__ import annotations

import warnings
from datetime import timedelta

import pytest
from celery import Celery
from django.test import Client
from django.utils import timezone

from publishing.groups import group_create, group_schedule
from tenants.jobs.beat import SchedulerSeenMixin, redbeat_configure
from tenants.jobs.scheduler import scheduler_seen, scheduler_status
from tenants.models import Role, SchedulerBeat
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db

MISSING = "No scheduler (Celery beat) has been seen"


@pytest.fixture
def scheduled_group(tenant, publisher):
    b.mug(tenant)
    group = group_create(tenant=tenant, user=publisher, name="Launch", products=["MUG-001"])
    return group_schedule(group=group, user=publisher, when=timezone.now() + timedelta(days=1))


def _seen(seconds_ago: float) -> None:
    scheduler_seen(holder="beat-host pid 7", now=timezone.now() - timedelta(seconds=seconds_ago))


def test_no_beat_ever_seen_is_a_warning_naming_what_waits():
    status = scheduler_status()
    assert status.ok is False and status.last_seen_at is None
    assert MISSING in status.warning and "at all" in status.warning
    assert "scheduled publish groups will not start" in status.warning


def test_a_beat_seen_lately_is_fine_and_a_silent_one_is_not(settings):
    _seen(1)
    assert scheduler_status().ok is True and scheduler_status().warning is None

    _seen(settings.SCHEDULER_MISSING_AFTER_SECONDS + 1)
    status = scheduler_status()
    assert status.ok is False and "since" in status.warning


def test_the_jobs_api_says_whether_a_scheduler_runs(tenant, viewer, client_for):
    client = client_for(viewer)

    missing = client.get("/api/v1/tenants/acme/jobs/").json()["scheduler"]
    _seen(1)
    present = client.get("/api/v1/tenants/acme/jobs/").json()["scheduler"]

    assert missing["ok"] is False and MISSING in missing["warning"]
    assert present["ok"] is True and present["warning"] is None and present["last_seen_at"]


def test_a_scheduled_group_says_it_would_not_start(scheduled_group, publisher, client_for):
    client = client_for(publisher)
    url = "/api/v1/tenants/acme/publish-groups/"

    listing = client.get(url).json()
    detail = client.get(f"{url}{scheduled_group.pk}/").json()

    assert listing["scheduler"]["ok"] is False
    assert MISSING in listing["results"][0]["scheduler_warning"]
    assert MISSING in detail["scheduler_warning"]

    _seen(1)
    assert client.get(f"{url}{scheduled_group.pk}/").json()["scheduler_warning"] is None


def test_an_open_group_carries_no_warning(tenant, publisher, client_for):
    group = group_create(tenant=tenant, user=publisher, name="Someday")
    detail = client_for(publisher).get(f"/api/v1/tenants/acme/publish-groups/{group.pk}/").json()
    assert detail["scheduler_warning"] is None


def test_the_jobs_page_shows_the_warning(tenant, viewer):
    client = Client()
    client.force_login(viewer)

    missing = client.get("/workspace/acme/jobs/").content.decode()
    _seen(1)
    present = client.get("/workspace/acme/jobs/").content.decode()

    assert MISSING in missing
    assert MISSING not in present and 'id="scheduler-warning"' in present


@pytest.mark.parametrize("page", ["/admin/tenants/job/", "/admin/publishing/publishgroup/"])
def test_the_admin_lists_show_the_warning(tenant, member, page):
    staff = member(Role.ADMIN, username="staff-ada")
    staff.is_staff = True
    staff.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(staff)

    texts = [str(m) for m in client.get(page).context["messages"]]
    assert any(MISSING in t for t in texts), texts
    _seen(1)
    assert not [str(m) for m in client.get(page).context["messages"]]


class _Ticking:
    """Stands for Celery's scheduler: ticks ask to sleep five minutes."""

    def tick(self):
        return 300.0


class _Beat(SchedulerSeenMixin, _Ticking):
    pass


def test_beat_records_itself_after_a_tick_and_wakes_often_enough(settings):
    beat = _Beat()

    interval = beat.tick()

    row = SchedulerBeat.objects.get()
    assert interval == settings.SCHEDULER_SEEN_SECONDS  # never sleeps past its next sign
    assert "pid" in row.holder and scheduler_status().ok
    first = row.last_seen_at
    beat.tick()  # within the period: no second write
    assert SchedulerBeat.objects.get().last_seen_at == first


def test_redbeat_reads_its_settings_from_django(settings):
    from redbeat.schedulers import RedBeatConfig

    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/9"
    settings.BROKER_KEY_PREFIX = "deploy-a:"
    settings.BEAT_LOCK_TIMEOUT_SECONDS = 17
    app = Celery("redbeat-conf-test", broker="redis://127.0.0.1:6379/9", set_as_current=False)

    redbeat_configure(app)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "falling back to broker_url" deprecation
        conf = RedBeatConfig(app)

    assert conf.redis_url == "redis://127.0.0.1:6379/9"
    assert conf.key_prefix == "deploy-a:redbeat:" and conf.lock_key == "deploy-a:redbeat::lock"
    assert conf.lock_timeout == 17


@pytest.mark.parametrize(
    ("path", "item"), [("/jobs/", "Job"), ("/publish-groups/", "PublishGroup")]
)
def test_the_schema_documents_the_scheduler_block_beside_the_items(client_for, viewer, path, item):
    schema = client_for(viewer).get("/api/schema/?format=json").json()
    operation = schema["paths"][f"/api/v1/tenants/{{tenant}}{path}"]["get"]
    ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert page["properties"]["results"]["items"]["$ref"].endswith(f"/{item}Output")
    assert "scheduler" in page["required"]
    assert set(page["properties"]["scheduler"]["properties"]) == {"ok", "last_seen_at", "warning"}


def test_the_file_scheduler_starts_without_redbeats_lock_handler_failing(tmp_path):
    """Beat with a broker other than Redis runs Celery's file scheduler; RedBeat's handler
    of every beat's start (it takes RedBeat's lock) must leave it alone, not log a
    traceback at each start."""
    from celery.signals import beat_init

    from tenants.jobs.beat import FileScheduler

    app = Celery("file-beat", broker="memory://", set_as_current=False)
    scheduler = FileScheduler(app=app, schedule_filename=str(tmp_path / "schedule"), lazy=True)
    service = type("Service", (), {"scheduler": scheduler})()  # what beat sends
    results = beat_init.send(sender=service)

    assert [r for _, r in results if isinstance(r, Exception)] == []
