"""System checks of the job set-up (run by `manage.py check`, and at every start of the
web and worker processes): mistakes that would only show in production, as a job run twice
at once or a kind sent to a queue no worker reads."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, Tags, register

from .queues import queues_longest_hard_limit
from .registry import job_kinds


@register(Tags.compatibility)
def visibility_timeout_check(app_configs=None, **kwargs) -> list[Error]:
    """Redis redelivers an unacknowledged task after the visibility timeout: shorter than a
    task may legitimately run, and a long import would start a second time meanwhile."""
    timeout = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    longest = queues_longest_hard_limit()
    if timeout <= longest:
        return [
            Error(
                f"CELERY_VISIBILITY_TIMEOUT ({timeout} s) must be longer than the longest "
                f"queue time limit ({longest} s), or Redis hands running tasks to a second "
                "worker.",
                hint="Raise CELERY_VISIBILITY_TIMEOUT or lower the *_QUEUE_TIME_LIMIT settings.",
                id="tenants.E101",
            )
        ]
    return []


@register(Tags.compatibility)
def job_queues_check(app_configs=None, **kwargs) -> list[Error]:
    """Every registered job kind goes to a declared queue that has time limits."""
    errors = []
    for spec in job_kinds():
        if spec.queue not in settings.CELERY_TASK_QUEUES:
            errors.append(
                Error(
                    f"Job kind '{spec.kind}' is sent to queue '{spec.queue}', which "
                    "CELERY_TASK_QUEUES does not declare (no worker would read it).",
                    id="tenants.E102",
                )
            )
        elif spec.queue not in settings.TASK_QUEUE_TIME_LIMITS:
            errors.append(
                Error(
                    f"Queue '{spec.queue}' (job kind '{spec.kind}') has no time limits in "
                    "TASK_QUEUE_TIME_LIMITS.",
                    id="tenants.E103",
                )
            )
    return errors
