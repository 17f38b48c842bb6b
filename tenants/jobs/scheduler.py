"""Is a scheduler (Celery beat) running? Beat records itself every SCHEDULER_SEEN_SECONDS
(tenants.jobs.beat); the jobs and publish-group pages, their API and the admin ask here,
and say so when none has been seen for SCHEDULER_MISSING_AFTER_SECONDS: without beat,
scheduled publish groups never start and dead jobs are never failed or retried, so users
must not be left waiting silently (issue 13).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from tenants.models import SchedulerBeat

SCHEDULER_NAME = "beat"


@dataclass(frozen=True)
class SchedulerStatus:
    ok: bool
    last_seen_at: datetime | None
    holder: str
    warning: str | None

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "last_seen_at": self.last_seen_at.isoformat() if self.last_seen_at else None,
            "warning": self.warning,
        }


def scheduler_seen(*, holder: str, now: datetime | None = None) -> None:
    """Beat's sign of life (one row, whichever beat holds the lock)."""
    SchedulerBeat.objects.update_or_create(
        name=SCHEDULER_NAME,
        defaults={"last_seen_at": now or timezone.now(), "holder": holder[:200]},
    )


def scheduler_status(*, now: datetime | None = None) -> SchedulerStatus:
    now = now or timezone.now()
    row = SchedulerBeat.objects.filter(name=SCHEDULER_NAME).first()
    limit = timedelta(seconds=settings.SCHEDULER_MISSING_AFTER_SECONDS)
    if row is not None and row.last_seen_at >= now - limit:
        return SchedulerStatus(True, row.last_seen_at, row.holder, None)
    since = f"since {row.last_seen_at:%Y-%m-%d %H:%M:%S} UTC" if row is not None else "at all"
    warning = (
        f"No scheduler (Celery beat) has been seen {since}: scheduled publish groups will not "
        "start, and jobs whose worker died are not failed or retried, until one runs. "
        "Start exactly one beat process (docs/operations.md)."
    )
    return SchedulerStatus(
        False, row.last_seen_at if row else None, row.holder if row else "", warning
    )
