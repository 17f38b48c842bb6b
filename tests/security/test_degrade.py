"""Degrade, don't fail (issue 12, SPEC §4, R16, R30): with the job queue (broker) or the cache
unreachable, no request answers 500 and no write is left half done.

A write that must queue a job is refused with a 503 before it writes anything; an upload
completes without its renditions, which the periodic sweep makes later."""

from __future__ import annotations

import io
import socket

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from PIL import Image

from media_library import services as media_services
from media_library.models import MediaItem, Rendition
from publishing.models import PublishGroup
from tenants.jobs import services as job_services
from tenants.jobs.services import job_create, job_fail
from tenants.models import Job, JobStatus
from tests.media_library.samples import rendition_names
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db

API = "/api/v1/tenants/acme"
UNAVAILABLE = {"status": 503, "code": "job_queue_unavailable"}


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def broker_down(settings, monkeypatch):
    """Jobs go to a broker on a closed loopback port (the app's own config and pools too;
    Celery reads CELERY_BROKER_URL from the environment before its config)."""
    from config.celery import app

    amqp = app.amqp
    saved = (app.conf.task_always_eager, app.conf.broker_url, app._pool, amqp._producer_pool)
    url = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_BROKER_URL = url
    monkeypatch.setenv("CELERY_BROKER_URL", url)
    app.conf.task_always_eager = False
    app.conf.broker_url = url
    app._pool = None
    amqp._producer_pool = None
    yield url
    app.conf.task_always_eager, app.conf.broker_url, app._pool, amqp._producer_pool = saved


def _jpeg(n: int = 1) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 200), (n * 40 % 256, 90, 30)).save(out, "JPEG")
    return out.getvalue()


def _assert_unavailable(response):
    assert response.status_code == 503, response.content
    body = response.json()
    assert body["code"] == UNAVAILABLE["code"]
    assert "job queue unavailable" in body["detail"].lower()
    assert "Traceback" not in response.content.decode()


@pytest.fixture
def staged_mug(tenant, editor):
    mug = b.mug(tenant)
    b.checkin(tenant, mug, editor, {"master": b.slots([b.image(tenant, editor, "mug")])})
    return mug


def test_publish_with_the_broker_down_is_a_503_that_writes_nothing(
    broker_down, staged_mug, publisher, client_for, django_capture_on_commit_callbacks
):  # R16
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(publisher).post(
            f"{API}/products/MUG-001/media/publish?channel=omnichannel&locale=neutral",
            {"publish_dependencies": True},
            format="json",
        )
    _assert_unavailable(response)
    assert not Job.objects.exists()


def test_group_publish_with_the_broker_down_is_a_503_and_the_group_stays_open(
    broker_down, tenant, staged_mug, publisher, client_for, django_capture_on_commit_callbacks
):  # R16
    group = PublishGroup.objects.create(tenant=tenant, name="Drop", publish_dependencies=True)
    group.products.set([staged_mug.pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(publisher).post(f"{API}/publish-groups/{group.pk}/publish")
    _assert_unavailable(response)
    group.refresh_from_db()
    assert group.status == "open" and group.last_job is None
    assert not Job.objects.exists()


def test_a_due_group_stays_scheduled_while_the_broker_is_down(
    broker_down, tenant, staged_mug
):  # R16: an outage is no reason to fail a scheduled group
    from django.utils import timezone

    from publishing.groups import groups_run_due

    group = PublishGroup.objects.create(
        tenant=tenant,
        name="Due",
        publish_dependencies=True,
        status="scheduled",
        scheduled_at=timezone.now(),
    )
    group.products.set([staged_mug.pk])
    assert groups_run_due() == []
    group.refresh_from_db()
    assert group.status == "scheduled" and not Job.objects.exists()


def test_copy_and_retry_with_the_broker_down_are_503s_that_write_nothing(
    broker_down, tenant, other_tenant, admin_user, client_for, django_capture_on_commit_callbacks
):  # R16, R19
    client = client_for(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{API}/jobs/", {"kind": "copy", "source": other_tenant.slug}, format="json"
        )
    _assert_unavailable(response)
    assert not Job.objects.exists()

    failed = job_create(tenant=tenant, kind="publish", user=admin_user, params={"product_ids": []})
    job_fail(job=failed, error="boom")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{API}/jobs/{failed.pk}/retry")
    _assert_unavailable(response)
    failed.refresh_from_db()
    assert failed.status == JobStatus.FAILED and Job.objects.count() == 1


def test_a_job_whose_send_fails_after_commit_stays_queued_not_a_500(
    broker_down, tenant, admin_user
):  # R16: the backstop behind the 503 check (broker lost between check and send)
    job = job_create(tenant=tenant, kind="publish", user=admin_user, params={"product_ids": []})
    before = job_services.DEGRADED["job_enqueue_failed"]
    assert job_services.job_send(job.pk) is False
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED  # the reaper sends it again later
    assert job_services.DEGRADED["job_enqueue_failed"] == before + 1


def test_an_upload_with_the_broker_down_completes_and_renditions_follow_later(
    broker_down, editor, client_for, django_capture_on_commit_callbacks
):  # R5, R6
    before = media_services.DEGRADED["derivatives_enqueue_failed"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).post(
            f"{API}/media/",
            {
                "file": SimpleUploadedFile("shirt.jpg", _jpeg(), content_type="image/jpeg"),
                "title": "Shirt",
                "alt_text": "A shirt",
            },
            format="multipart",
        )
    assert response.status_code == 201, response.content
    item = MediaItem.objects.get(pk=response.json()["id"])
    assert not Rendition.objects.filter(media=item).exists()
    assert media_services.DEGRADED["derivatives_enqueue_failed"] == before + 1

    # Beat's sweep (media_library.tasks.media_derivatives_sweep) makes them later.
    assert media_services.derivatives_missing_sweep(grace_seconds=0) == 1
    made = {r.name for r in Rendition.objects.filter(media=item)}
    assert made == rendition_names(item.width)  # named sizes and the ladder (issue 14)
    assert media_services.derivatives_missing_sweep(grace_seconds=0) == 0


def test_with_the_cache_down_nothing_answers_500(
    tenant, staged_mug, editor, publisher, client_for, django_capture_on_commit_callbacks
):  # SPEC §4: shop reads follow the change feed in the database, not the shared cache
    redis_down = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/1",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    with override_settings(CACHES=redis_down):
        from django.core.cache import cache

        with pytest.raises(Exception):  # noqa: B017 - the cache really is unreachable
            cache.get("probe")
        with django_capture_on_commit_callbacks(execute=True):
            published = client_for(publisher).post(
                f"{API}/products/MUG-001/media/publish?channel=omnichannel&locale=neutral",
                {"publish_dependencies": True},
                format="json",
            )
        assert published.status_code == 202, published.content
        anonymous = client_for(None)
        shop = anonymous.get(f"{API}/channels/omnichannel/products/MUG-001/media?locale=neutral")
        assert shop.status_code == 200, shop.content
        assert shop.json()["default_image"] is not None
        assert anonymous.get("/api/v1/health").status_code == 200
        with django_capture_on_commit_callbacks(execute=True):
            uploaded = client_for(editor).post(
                f"{API}/media/",
                {
                    "file": SimpleUploadedFile("cup.jpg", _jpeg(7), content_type="image/jpeg"),
                    "title": "Cup",
                    "alt_text": "A cup",
                },
                format="multipart",
            )
        assert uploaded.status_code == 201, uploaded.content
        assert client_for(editor).get(f"{API}/media/").status_code == 200
        assert client_for(editor).get(f"{API}/products/?q=mug").status_code == 200


def test_an_import_with_the_broker_down_is_a_503_that_stores_nothing(
    broker_down, admin_user, client_for, settings, django_capture_on_commit_callbacks
):  # R16, R18
    from pathlib import Path

    manifest = SimpleUploadedFile("m.tsv", b"MediaDisplayName\nRed\n", "text/tab-separated-values")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(admin_user).post(
            f"{API}/manifests/import", {"manifest": manifest}, format="multipart"
        )
    _assert_unavailable(response)
    assert not Job.objects.exists()
    stored = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert stored == []
