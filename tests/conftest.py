import hashlib
import os
import socket
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from tenants.models import Role
from tests.factories import make_member, make_tenant
from tests.s3 import S3_CREDENTIALS, s3_storage_options


@pytest.fixture(scope="session", autouse=True)
def _live_server_one_request_at_a_time_on_sqlite():
    """On in-memory SQLite the live server's threads share the test's one connection (so
    they see its data); two requests running on it at once hang both. The workspace pages
    poll and fetch in parallel, as they should against a real server, so on SQLite the
    live server answers one request at a time. PostgreSQL keeps a connection per thread."""
    from django.db import connection
    from django.test.testcases import FSFilesHandler

    if connection.vendor != "sqlite":
        yield
        return
    lock = threading.RLock()
    original = FSFilesHandler.__call__

    def serialized(self, environ, start_response):
        with lock:
            return original(self, environ, start_response)

    FSFilesHandler.__call__ = serialized
    yield
    FSFilesHandler.__call__ = original


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Each test writes files under its own folder, never into another test's."""
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture(autouse=True)
def _clear_cache():
    """The PostgreSQL run caches in Redis: no test may see another's entries."""
    from publishing.read_cache import local_clear

    cache.clear()
    local_clear()
    yield
    cache.clear()
    local_clear()


_RENDERED: dict = {}


@pytest.fixture
def renditions_rendered_once(monkeypatch):
    """For tests that load the demo (or other fixed images) again and again: its 40 images'
    renditions and placeholders took 6 of the demo's 8 s, the same bytes made again for
    each test. The pixels are rendered once a run (the real functions, the same outputs)
    and handed out again to the tests that follow; what renders them is tested in
    tests/media_library."""
    from media_library import services
    from media_library.renditions import placeholder_compute, renditions_render

    def rendered(source, specs, *, focal=(0.5, 0.5), ladder=False):
        key = ("renditions", hashlib.sha256(source).digest(), tuple(specs), focal, ladder)
        if key not in _RENDERED:
            _RENDERED[key] = renditions_render(source, specs, focal=focal, ladder=ladder)
        return _RENDERED[key]

    def placeholder(source):
        key = ("placeholder", hashlib.sha256(source).digest())
        if key not in _RENDERED:
            _RENDERED[key] = placeholder_compute(source)
        return dict(_RENDERED[key])

    monkeypatch.setattr(services, "renditions_render", rendered)
    monkeypatch.setattr(services, "placeholder_compute", placeholder)


@pytest.fixture
def tenant(db):
    return make_tenant("acme")


@pytest.fixture
def other_tenant(db):
    return make_tenant("globex")


@pytest.fixture
def member(tenant):
    """member(role) -> a user holding that role in `tenant`."""

    def _make(role: str = Role.EDITOR, *, username: str | None = None, in_tenant=None):
        return make_member(in_tenant or tenant, role, username)

    return _make


@pytest.fixture
def client_for():
    """client_for(user) -> an authenticated API client (None: anonymous)."""

    def _make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return _make


@pytest.fixture
def viewer(member):
    return member(Role.VIEWER, username="vera")


@pytest.fixture
def editor(member):
    return member(Role.EDITOR, username="eddie")


@pytest.fixture
def publisher(member):
    return member(Role.PUBLISHER, username="pia")


@pytest.fixture
def admin_user(member):
    return member(Role.ADMIN, username="ada")


@contextmanager
def celery_broker(prefix: str):
    """Send this process's tasks to the real broker (CELERY_BROKER_URL), under a key prefix
    of their own (queues, beat's keys), instead of running them inline: a worker started
    with CELERY_BROKER_KEY_PREFIX=prefix takes them, and nothing else on that Redis does."""
    from config.celery import app

    amqp = app.amqp
    saved = (
        app.conf.task_always_eager,
        app.conf.broker_transport_options,
        app._pool,
        amqp._producer_pool,
    )
    app.conf.task_always_eager = False
    app.conf.broker_transport_options = {
        **(app.conf.broker_transport_options or {}),
        "global_keyprefix": prefix,
    }
    app._pool = amqp._producer_pool = None  # new connections, with the prefix
    try:
        yield
    finally:
        (
            app.conf.task_always_eager,
            app.conf.broker_transport_options,
            app._pool,
            amqp._producer_pool,
        ) = saved


def redis_keys_delete(url: str, prefix: str) -> None:
    """Remove what a test's processes left in Redis under their key prefix."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(scope="session")
def _worker_process(tmp_path_factory, django_db_setup, django_db_blocker):
    """A real Celery worker over the configured broker, on the test database (PostgreSQL run),
    reading every queue under a key prefix of its own."""
    from django.db import connection

    broker = os.environ.get("CELERY_BROKER_URL")
    if not broker or connection.vendor != "postgresql":
        pytest.skip("needs CELERY_BROKER_URL and PostgreSQL (the second run of .ci/run)")
    db = connection.settings_dict
    media_root = str(tmp_path_factory.mktemp("worker-media"))
    prefix = f"mediahub-test-{uuid.uuid4().hex[:8]}:"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        MEDIA_ROOT=media_root,
        # Every task it or the tests send (a drain's webhook follow, a delivery) travels
        # under this prefix, on whichever queue it is routed to.
        CELERY_BROKER_KEY_PREFIX=prefix,
    )
    # No --queues: a worker reads every declared queue (publish, renditions, bulk, celery).
    proc = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-l", "warning"],
        env=env,
    )
    from config.celery import app

    with celery_broker(prefix):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if app.control.ping(timeout=0.5):
                break
            if proc.poll() is not None:
                pytest.fail("the Celery worker exited at start-up")
        else:
            proc.terminate()
            pytest.fail("the Celery worker did not answer within 30 s")
    yield {"prefix": prefix, "media_root": media_root}
    proc.terminate()
    proc.wait(timeout=20)
    redis_keys_delete(broker, prefix)


@pytest.fixture
def live_worker(_worker_process, transactional_db, settings):
    """Send tasks to the real worker for this test (tasks see only committed data)."""
    settings.MEDIA_ROOT = _worker_process["media_root"]
    with celery_broker(_worker_process["prefix"]):
        yield _worker_process


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def moto_endpoint():
    """moto's S3 server as a subprocess on a free loopback port (S3 tests never leave the machine)."""
    moto_server = Path(sys.executable).parent / "moto_server"
    if not moto_server.exists():
        pytest.skip("moto[server] is not installed")
    port = _free_port()
    proc = subprocess.Popen(
        [str(moto_server), "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.terminate()
        pytest.fail("moto_server did not start")
    yield f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def s3_client(moto_endpoint):
    import boto3

    return boto3.client("s3", endpoint_url=moto_endpoint, **S3_CREDENTIALS)


@pytest.fixture
def s3_media(moto_endpoint, s3_client, settings):
    """s3_media(shared_bucket=False) -> (private bucket, public bucket): media on moto's S3,
    private and public storages wired as the settings wire them with MEDIA_STORAGE=s3 (a
    bucket each, or one bucket with the public files under `public/`)."""

    def _configure(*, shared_bucket: bool = False) -> tuple[str, str]:
        private = f"private-{uuid.uuid4().hex[:8]}"
        public = private if shared_bucket else f"public-{uuid.uuid4().hex[:8]}"
        for bucket in {private, public}:
            s3_client.create_bucket(Bucket=bucket)
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "media_library.storage.PrivateS3Storage",
                "OPTIONS": s3_storage_options(
                    moto_endpoint,
                    private,
                    querystring_expire=settings.MEDIA_PRIVATE_URL_SECONDS,
                    file_overwrite=False,
                ),
            },
            "public": {
                "BACKEND": "media_library.storage.PublicS3Storage",
                "OPTIONS": s3_storage_options(
                    moto_endpoint,
                    public,
                    location="public" if shared_bucket else "",
                    default_acl="public-read",
                ),
            },
        }
        return private, public

    return _configure


@pytest.fixture
def s3_calls(monkeypatch):
    """Every S3 API call made in this process from now on: [(operation, params), ...]."""
    from botocore.client import BaseClient

    calls: list[tuple[str, dict]] = []
    original = BaseClient._make_api_call

    def spy(self, operation_name, api_params):
        if self.meta.service_model.service_name == "s3":
            calls.append((operation_name, dict(api_params)))
        return original(self, operation_name, api_params)

    monkeypatch.setattr(BaseClient, "_make_api_call", spy)
    return calls
