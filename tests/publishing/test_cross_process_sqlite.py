"""R21 on the embedded default: SQLite, no Redis, several server processes. A write made by
another process (here a `manage.py` command) reaches gunicorn workers that had the old
answer cached, because every process follows the change feed in the database.

Runs entirely in subprocesses on a throwaway SQLite file, so it runs in both CI passes.
"""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL = "/api/v1/tenants/demo/channels/web/products/POLO-001-RED-M/media?locale=en-us"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def embedded(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        MEDIA_ROOT=str(tmp_path / "media"),
        # The demo's renditions are not what this checks: two small rungs, not the ladder.
        MEDIA_RENDITION_WIDTHS="160,320",
    )

    def manage(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
        return done.stdout

    manage("migrate", "-v0")
    manage("load_demo")
    port = _free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("gunicorn exited at start-up")
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}", manage
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _alt(base: str) -> str:
    with urllib.request.urlopen(base + URL, timeout=30) as response:
        return json.loads(response.read())["default_image"]["alt_text"]


def test_a_command_edit_reaches_every_worker_of_an_sqlite_server(embedded):
    base, manage = embedded
    before = _alt(base)
    for _ in range(10):  # warm both workers' caches
        assert _alt(base) == before
    manage(
        "shell",
        "-c",
        "from media_library.models import MediaItem;"
        "from media_library.services import media_item_update;"
        f"item = MediaItem.objects.get(tenant__slug='demo', alt_text={before!r});"
        "media_item_update(item=item, user=None, alt_text='Fixed in another process')",
    )
    deadline = time.monotonic() + 10
    seen = set()
    while time.monotonic() < deadline:
        seen = {_alt(base) for _ in range(6)}
        if seen == {"Fixed in another process"}:
            break
        time.sleep(0.1)
    assert seen == {"Fixed in another process"}
