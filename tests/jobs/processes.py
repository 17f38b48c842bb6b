"""Start the production processes of the Procfile (the definitions compose.yaml and
scripts/serve run) against the test database, in a broker key namespace of their own, and
stop them by process group: for the multi-process tests of jobs that survive (issue 13)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tests.deploy.helpers import ROOT, production_env
from tests.deploy.test_topology import procfile

STOP_SECONDS = 15


@dataclass
class Process:
    name: str
    proc: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.proc.poll() is None


@dataclass
class Topology:
    """Processes started from Procfile definitions, each its own process group (a Celery
    worker's pool children are in its group, so a kill takes the whole worker)."""

    env: dict[str, str]
    folder: Path
    prefix: str
    processes: list[Process] = field(default_factory=list)

    def start(self, definition: str, name: str, **env: str) -> Process:
        command = procfile()[definition]
        log_path = self.folder / f"{name}.log"
        with log_path.open("wb") as log:
            proc = subprocess.Popen(
                ["/bin/sh", "-c", f"exec {command}"],
                cwd=ROOT,
                env={**self.env, **env},
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        process = Process(name, proc, log_path)
        self.processes.append(process)
        return process

    def owner_of(self, pid: int) -> Process | None:
        """The started process whose group holds `pid` (a pool child runs the job)."""
        try:
            group = os.getpgid(pid)
        except ProcessLookupError:
            return None
        return next((p for p in self.processes if p.pid == group), None)

    def kill(self, process: Process) -> None:
        """SIGKILL the whole process (and its pool children): no clean-up runs."""
        _signal_group(process.pid, signal.SIGKILL)
        process.proc.wait(timeout=STOP_SECONDS)

    def stop_all(self) -> None:
        for process in self.processes:
            if process.alive():
                _signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_SECONDS
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            _signal_group(process.pid, signal.SIGKILL)  # and anything left in its group
            if process.proc.poll() is None:
                process.proc.wait(timeout=STOP_SECONDS)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} (pid {p.pid})\n{p.log()[-3000:]}" for p in self.processes)


def _signal_group(pgid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, signum)


def topology_env(tmp_path: Path, *, database_url: str, media_root: str, **overrides: str):
    """Production settings (what the Procfile runs) on this machine's PostgreSQL and Redis,
    with keys of their own in Redis and short periods, so deaths show within seconds."""
    prefix = f"mediahub-jobs-{uuid.uuid4().hex[:8]}:"
    env = production_env(
        tmp_path,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=database_url,
        CELERY_BROKER_URL=os.environ["CELERY_BROKER_URL"],
        REDIS_URL=os.environ["REDIS_URL"],
        MEDIA_ROOT=media_root,
        CELERY_BROKER_KEY_PREFIX=prefix,
        CELERY_WORKER_CONCURRENCY="1",
        LOG_FORMAT="plain",
        # 16 beats before a job counts as dead: a loaded CI machine may starve a thread
        # for seconds, and a live job must never be reaped here.
        JOB_HEARTBEAT_SECONDS="0.5",
        JOB_STALE_AFTER_SECONDS="8",
        JOB_REAPER_SECONDS="1",
        PUBLISH_GROUPS_DUE_SECONDS="1",
        SCHEDULER_SEEN_SECONDS="0.5",
        CELERY_BEAT_MAX_INTERVAL="1",
        BEAT_LOCK_TIMEOUT_SECONDS="4",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        PYTHONUNBUFFERED="1",
        CELERY_BEAT_SCHEDULE_FILENAME=str(tmp_path / "beat-schedule"),  # file scheduler only
    )
    env.update(overrides)
    return env, prefix


def wait_for(predicate: Callable[[], object], *, seconds: float, what: str, topology=None):
    """Poll until `predicate()` is truthy (bounded); fail naming what did not happen."""
    deadline = time.monotonic() + seconds
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            logs = f"\n{topology.logs()}" if topology is not None else ""
            raise AssertionError(f"timed out waiting for {what}{logs}")
        time.sleep(0.1)
