"""The Celery queues and what a run is sent with (issue 13).

Three queues keep kinds of work apart, so a four-hour import never delays a publish and a
batch of renditions never delays either: `publish` (publishes, read-model drains),
`renditions` (thumbnails and the rendition ladder) and `bulk` (imports, exports, tenant
copy, rebuilds). Periodic housekeeping stays on Celery's default queue. Each queue has a
soft time limit (the task is interrupted: the job fails, saying so) and a hard one (the
process running it is killed: the reaper fails the job); both live in
settings.TASK_QUEUE_TIME_LIMITS.
"""

from __future__ import annotations

from django.conf import settings

PUBLISH = "publish"
RENDITIONS = "renditions"
BULK = "bulk"
JOB_QUEUES = (PUBLISH, RENDITIONS, BULK)


def queue_time_limits(queue: str) -> dict[str, int]:
    """{"soft_time_limit": s, "time_limit": s} of a queue ({} for one without limits)."""
    return dict(settings.TASK_QUEUE_TIME_LIMITS.get(queue, {}))


def queue_send_options(queue: str | None) -> dict:
    """The options a job's run is sent with: its queue and that queue's limits, carried in
    the message itself, so whichever worker takes it applies the same limits."""
    if not queue:
        return {}
    return {"queue": queue, **queue_time_limits(queue)}


def queues_longest_hard_limit() -> int:
    """The longest hard limit of any queue: Redis must not hand an unacknowledged message
    to another worker before that (its visibility timeout must be longer)."""
    return max(
        (limits.get("time_limit", 0) for limits in settings.TASK_QUEUE_TIME_LIMITS.values()),
        default=0,
    )
