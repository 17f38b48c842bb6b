"""Celery beat's scheduler classes (settings.CELERY_BEAT_SCHEDULER; issue 13).

Exactly one scheduler sends the periodic tasks even if two beat processes start: with a
Redis broker, celery-redbeat keeps the schedule in Redis behind a lock; the first beat holds
it (extending it every tick), a second waits as a hot standby and takes over within
BEAT_LOCK_TIMEOUT_SECONDS of the first one's death. Without Redis, Celery's file-based
scheduler (one beat per deployment, by hand).

Both record "last seen" (tenants.jobs.scheduler) every SCHEDULER_SEEN_SECONDS, from the beat
that holds the lock: only a working scheduler ticks.
"""

from __future__ import annotations

import logging
import time

from celery.beat import PersistentScheduler
from django.conf import settings
from django.db import close_old_connections, connection
from redbeat import RedBeatScheduler as _RedBeatScheduler

from .scheduler import scheduler_seen
from .services import worker_name

logger = logging.getLogger(__name__)


class SchedulerSeenMixin:
    """Writes the scheduler's sign of life after each tick, at most every
    SCHEDULER_SEEN_SECONDS, and never sleeps longer than that between ticks."""

    _seen_at = float("-inf")

    def tick(self, *args, **kwargs) -> float:
        interval = super().tick(*args, **kwargs)
        period = settings.SCHEDULER_SEEN_SECONDS
        if time.monotonic() - self._seen_at >= period:
            self._seen_at = time.monotonic()
            self.seen_write()
        return min(interval, period)

    def seen_write(self) -> None:
        try:
            if not connection.in_atomic_block:
                close_old_connections()  # beat is long-lived: no stale or broken connection
            scheduler_seen(holder=worker_name())
        except Exception:  # noqa: BLE001 - a database hiccup must not stop the schedule
            logger.warning("beat: could not record that the scheduler is alive", exc_info=True)


def redbeat_configure(app) -> None:
    """RedBeat's settings from Django's (it reads its own `redbeat_*` keys, which Celery's
    CELERY_ namespace does not map): the broker's Redis, a key prefix that follows the
    broker's (several deployments, or test runs, on one Redis never share a schedule), the
    lock's lifetime, and no broker transport options passed to its client."""
    app.conf.update(
        redbeat_redis_url=settings.CELERY_BROKER_URL,
        redbeat_key_prefix=f"{settings.BROKER_KEY_PREFIX}redbeat:",
        redbeat_lock_timeout=settings.BEAT_LOCK_TIMEOUT_SECONDS,
        redbeat_redis_options={},
    )


class RedBeatScheduler(SchedulerSeenMixin, _RedBeatScheduler):
    """The schedule and its lock in Redis: one active beat, any number of standbys."""

    def __init__(self, app, *args, **kwargs):
        redbeat_configure(app)
        super().__init__(app, *args, **kwargs)


class FileScheduler(SchedulerSeenMixin, PersistentScheduler):
    """Celery's own (CELERY_BEAT_SCHEDULE_FILENAME), for brokers other than Redis: run one."""

    # RedBeat connects a handler to every beat's start that takes its lock unless the
    # scheduler has no `lock_key`; without this it logged an AttributeError traceback.
    lock_key = None
