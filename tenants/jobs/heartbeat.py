"""A running job's heartbeat, saved from a thread of its own while the body works.

Progress writes alone are no proof of life: a publish spends minutes inside one
transaction, an export inside one zip, with nothing to report. The reaper fails a running
job whose heartbeat is older than JOB_STALE_AFTER_SECONDS, so it must be saved however busy
(or blocked on a row lock) the body is: every JOB_HEARTBEAT_SECONDS, from this thread, on
its own database connection, in autocommit (never inside the body's transaction, which
would hide it until commit). When the process dies (SIGKILL, OOM, a lost machine) the
thread dies with it and the heartbeat stops: that is what the reaper sees.

Progress reported inside the body's own transaction travels with the beats too: written on
the body's connection it would lock the job row until commit, holding back the heartbeat
(and hiding the progress) for as long as the transaction lasts.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from tenants.models import Job, JobStatus

if TYPE_CHECKING:
    from .services import ProgressReporter

logger = logging.getLogger(__name__)

JOIN_SECONDS = 5.0


class JobHeartbeat:
    """`with JobHeartbeat(job_id=..., attempt=..., interval=...):` saves `heartbeat_at` every
    `interval` seconds until the block ends, while this attempt still owns the row (running,
    same attempt count); it stops on its own once the reaper has taken the row over.
    `interval` <= 0 turns it off. With `progress`, each beat also saves its counters."""

    def __init__(
        self,
        *,
        job_id: int,
        attempt: int,
        interval: float,
        progress: ProgressReporter | None = None,
    ):
        self.job_id = job_id
        self.attempt = attempt
        self.interval = interval
        self.progress = progress
        self.beats = 0
        self._stopped = False
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self) -> JobHeartbeat:
        if self.interval > 0:
            self._thread = threading.Thread(
                target=self._run, name=f"job-{self.job_id}-heartbeat", daemon=True
            )
            self._thread.start()
            if self.progress is not None:
                self.progress.heartbeat = self
        return self

    def __exit__(self, *exc_info) -> None:
        if self.progress is not None:
            self.progress.heartbeat = None
        self._stopped = True
        self._wake.set()
        if self._thread is not None:
            self._thread.join(JOIN_SECONDS)

    def carries_progress(self) -> bool:
        """Whether progress reported now should travel with a beat: inside a transaction of
        the body, on a database with concurrent writers (SQLite has one writer: the beat
        would only wait behind the transaction, so progress is written directly there)."""
        if self._thread is None or not self._thread.is_alive():
            return False
        body = transaction.get_connection()
        return body.in_atomic_block and body.vendor != "sqlite"

    def wake(self) -> None:
        """Beat now (progress to save)."""
        self._wake.set()

    def _run(self) -> None:
        try:
            while True:
                self._wake.wait(self.interval)
                self._wake.clear()
                if self._stopped or not self._beat():
                    return
        finally:
            connections.close_all()  # this thread's own connections only

    def _beat(self) -> bool:
        """One UPDATE; False once the row is no longer this attempt's."""
        fields = {"heartbeat_at": timezone.now()}
        if self.progress is not None:
            fields["progress_done"] = self.progress.job.progress_done
            fields["progress_total"] = self.progress.job.progress_total
        try:
            owned = Job.objects.filter(
                pk=self.job_id, status=JobStatus.RUNNING, attempts=self.attempt
            ).update(**fields)
        except DatabaseError:
            # A busy or briefly unreachable database: the next beat tries again (the stale
            # limit is many beats long). The connection is dropped so it starts clean.
            logger.warning("job %s: could not save its heartbeat", self.job_id, exc_info=True)
            connections.close_all()
            return True
        if not owned:
            logger.warning(
                "job %s: attempt %s no longer owns the row (reaped, ended, or not visible "
                "outside an enclosing transaction): its heartbeat stops",
                self.job_id,
                self.attempt,
            )
            return False
        self.beats += 1
        return True
