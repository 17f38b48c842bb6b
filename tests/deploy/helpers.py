"""Running the project's settings and scripts in a child process with a controlled
environment (production settings read it at import, so only a fresh process tells)."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# Variables a developer's shell (or the PostgreSQL pass of .ci/run) may carry, which the
# child must not inherit unless a test says so.
_CLEARED = (
    "DJANGO_SETTINGS_MODULE",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by tests/browser for Playwright; check --deploy warns
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DATABASE_URL",
    "CELERY_BROKER_URL",
    "REDIS_URL",
    "MEDIA_STORAGE",
    "STATIC_ROOT",
    "MEDIA_ROOT",
    "LOG_FORMAT",
    "LOG_LEVEL",
)


def production_env(tmp_path: Path, **overrides: str) -> dict[str, str]:
    """Everything config.settings.production requires, pointing nowhere it would connect to.

    A variable given as "" is set empty, which counts as missing (and stops a .env file in
    the checkout from filling it in)."""
    env = {k: v for k, v in os.environ.items() if k not in _CLEARED}
    env.update(
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="media.example.com,testserver",
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        CELERY_BROKER_URL="memory://",
        REDIS_URL=f"redis://127.0.0.1:{closed_port()}/0",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
        MEDIA_STORAGE="local",
    )
    env.update(overrides)
    return env


def run_python(
    code: str, env: dict[str, str], *, timeout: float = 120
) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def closed_port() -> int:
    """A loopback port nothing listens on (connections are refused at once)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
