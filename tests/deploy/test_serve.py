"""scripts/serve runs the production processes from the Procfile on this machine (gunicorn
with 2 workers, a Celery worker, beat) against PostgreSQL and Redis, and stops them all on
SIGTERM. Through it: readiness, WhiteNoise, HTTPS behind a proxy, and a request id that
reaches the worker's log lines of the task the request started.

Needs PostgreSQL (the processes see only committed data) and Redis: the second pass of
.ci/run.
"""

import contextlib
import json
import os
import re
import signal
import socket
import subprocess
import time
import uuid

import pytest
import requests
from django.db import connection
from rest_framework.authtoken.models import Token

from tenants.models import Role
from tests.conftest import redis_keys_delete
from tests.deploy.helpers import ROOT, production_env
from tests.media_library.samples import image_bytes

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HTTPS = {"X-Forwarded-Proto": "https"}  # what the TLS-terminating proxy in front would add
START_SECONDS = 180  # the release step (migrate, collectstatic) comes first


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


class Served:
    def __init__(self, proc, base, log_path):
        self.proc, self.base, self.log_path = proc, base, log_path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def json_lines(self) -> list[dict]:
        entries = []
        for line in self.log().splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    entries.append(json.loads(line))
        return entries

    def child_pids(self) -> dict[str, int]:
        return {
            m[0]: int(m[1]) for m in re.findall(r"^serve: ([\w-]+) pid (\d+)$", self.log(), re.M)
        }


@pytest.fixture
def served(tmp_path, settings):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (the second run of .ci/run)")
    broker, cache = os.environ.get("CELERY_BROKER_URL"), os.environ.get("REDIS_URL")
    if not broker or not cache:
        pytest.skip("needs CELERY_BROKER_URL and REDIS_URL (the second run of .ci/run)")
    db = connection.settings_dict
    port = _free_port()
    prefix = f"mediahub-serve-{uuid.uuid4().hex[:8]}:"
    env = production_env(
        tmp_path,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgresql://{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}",
        CELERY_BROKER_URL=broker,
        REDIS_URL=cache,
        MEDIA_ROOT=settings.MEDIA_ROOT,
        # Keys of its own in Redis (queues, beat's schedule and lock): nothing else on this
        # broker takes (or leaves) its tasks.
        CELERY_BROKER_KEY_PREFIX=prefix,
        CELERY_WORKER_CONCURRENCY="1",
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),
    )
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [str(ROOT / "scripts" / "serve"), "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    served = Served(proc, f"http://127.0.0.1:{port}", log_path)
    try:
        deadline = time.monotonic() + START_SECONDS
        while True:
            if proc.poll() is not None:
                pytest.fail(f"scripts/serve exited ({proc.returncode}):\n{served.log()[-4000:]}")
            try:
                if requests.get(f"{served.base}/api/v1/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"scripts/serve did not answer:\n{served.log()[-4000:]}")
            time.sleep(0.3)
        yield served
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                for pid in served.child_pids().values():
                    if _alive(pid):
                        os.killpg(pid, signal.SIGKILL)
                proc.wait()
        redis_keys_delete(broker, prefix)


def _until(predicate, seconds: float = 60.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    return predicate()


def test_serve_runs_the_production_processes_and_stops_them(served, tenant, member):
    base = served.base
    assert set(served.child_pids()) == {
        "web",
        "worker",
        "worker-renditions",
        "worker-bulk",
        "beat",
    }

    # readiness: the database, the Redis cache, the Redis broker and file storage
    ready = requests.get(f"{base}/api/v1/health/ready", timeout=10)
    assert ready.status_code == 200, ready.text
    assert {k: v["status"] for k, v in ready.json()["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok",
        "storage": "ok",
    }

    # HTTPS only: plain HTTP is redirected, unless the proxy says it terminated TLS
    plain = requests.get(f"{base}/api/v1/tenants/", allow_redirects=False, timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"].startswith("https://")

    # the collected static files, by their hashed names (release ran collectstatic)
    manifest = json.loads((served_static_root(served) / "staticfiles.json").read_text())
    css = manifest["paths"]["workspace/css/workspace.css"]
    static = requests.get(f"{base}/static/{css}", headers=HTTPS, timeout=10)
    assert static.status_code == 200
    assert "immutable" in static.headers["Cache-Control"]

    # a request that starts a task: its id reaches the worker's log lines of that task
    editor = member(Role.EDITOR, username="serve-editor")
    token = Token.objects.create(user=editor)
    request_id = f"serve-{uuid.uuid4().hex}"
    upload = requests.post(
        f"{base}/api/v1/tenants/{tenant.slug}/media/",
        headers={
            "Authorization": f"Token {token.key}",
            "X-Request-ID": request_id,
            **HTTPS,
        },
        files={"file": ("photo.jpg", image_bytes(400, 300), "image/jpeg")},
        data={"title": "Photo", "alt_text": "A photo"},
        timeout=30,
    )
    assert upload.status_code == 201, upload.text
    assert upload.headers["X-Request-ID"] == request_id
    assert "max-age=" in upload.headers["Strict-Transport-Security"]

    def task_lines():
        return [
            e
            for e in served.json_lines()
            if e.get("request_id") == request_id and e["logger"].startswith("celery")
        ]

    lines = _until(task_lines)
    assert lines, f"no worker log line with the request id:\n{served.log()[-4000:]}"
    assert any("media_item_derivatives_ensure" in e["message"] for e in lines)
    assert {e["process"] for e in lines}.isdisjoint({served.child_pids()["web"]})
    web_lines = [
        e
        for e in served.json_lines()
        if e["logger"] == "mediahub.request" and e.get("request_id") == request_id
    ]
    assert [(e["method"], e["status"]) for e in web_lines] == [("POST", 201)]

    # SIGTERM stops every process it started
    children = served.child_pids()
    os.kill(served.proc.pid, signal.SIGTERM)
    assert served.proc.wait(timeout=60) == 0
    assert [name for name, pid in children.items() if _alive(pid)] == []
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/api/v1/health", timeout=2)


def served_static_root(served):
    return served.log_path.parent / "static"
