"""Events found by following feeds: shop answers that changed, and jobs that finished.

Answer changes are read from publishing's change feed (`changes_since`, R24), exactly as
an external follower would, from a cursor kept per tenant: one `answer.changed` message per
page of changes (up to `ANSWER_PAGE` entries), so a publish group of thousands of products
sends a handful of requests, not thousands. Finished jobs are read from the jobs list by
finish time. Each run locks the tenant's cursor row, so two followers never send the same
changes twice; messages found by following carry a `source_key`, unique per tenant, as a
second guard.

Who runs it: after every write that fed the read model, the process that drained the
outbox queues `webhooks_follow_tenant` (`answers_follow_after_drain`, listed in
`settings.OUTBOX_DRAINERS` after the projection), and beat's `webhooks_tick` follows every
tenant with active endpoints as a safety net (and is what announces finished jobs).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from publishing.changes import CursorExpired, changes_since
from publishing.models import AnswerChange
from tenants.models import Job, JobStatus, Tenant

from .messages import endpoints_subscribed, message_create
from .models import FeedSource, WebhookCursor, WebhookEndpoint, WebhookEventType, WebhookMessage
from .payloads import job_data

logger = logging.getLogger(__name__)

ANSWER_PAGE = 100  # changes per answer.changed message
PAGES_PER_RUN = 50  # bounds one run; the next run goes on from the cursor
JOBS_PER_RUN = 500
# A job's finish time is stamped before its transaction commits, so a follower may see a
# later finish first: each run looks this far behind its cursor (duplicates are skipped).
JOB_LOOKBACK = timedelta(minutes=15)


def _latest_change_id() -> int:
    return AnswerChange.objects.aggregate(last=Max("pk"))["last"] or 0


def _cursor_locked(tenant_id: int, source: str) -> WebhookCursor:
    """The tenant's cursor for `source`, locked until the transaction ends; a missing one
    starts now (nothing older is announced)."""
    cursor = WebhookCursor.objects.select_for_update().filter(tenant_id=tenant_id, source=source)
    found = cursor.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            _cursor_start(tenant_id, source)
    except IntegrityError:  # created meanwhile by another follower
        pass
    return cursor.get()


def _cursor_start(tenant_id: int, source: str) -> None:
    """Set (or reset) a cursor to now: a feed followed from here on, with no backlog."""
    now = timezone.now()
    WebhookCursor.objects.update_or_create(
        tenant_id=tenant_id,
        source=source,
        defaults={"position": _latest_change_id(), "position_at": now, "floor_at": now},
    )


def cursors_start_for(*, tenant_id: int, events: set[str]) -> None:
    """An endpoint starts listening to `events`: feeds nobody else of the tenant follows
    yet start from now, so it is not sent the changes of the days before it existed."""
    sources = {
        WebhookEventType.ANSWER_CHANGED: FeedSource.ANSWERS,
        WebhookEventType.JOB_FINISHED: FeedSource.JOBS,
    }
    for event, source in sources.items():
        if event in events and not endpoints_subscribed(tenant_id=tenant_id, event=event):
            _cursor_start(tenant_id, source)


@transaction.atomic
def answers_follow(*, tenant_id: int) -> int:
    """Turn the change feed since the cursor into `answer.changed` messages; returns how many."""
    cursor = _cursor_locked(tenant_id, FeedSource.ANSWERS)
    endpoints = endpoints_subscribed(tenant_id=tenant_id, event=WebhookEventType.ANSWER_CHANGED)
    if not endpoints:
        cursor.position = _latest_change_id()
        cursor.save(update_fields=["position"])
        return 0
    tenant = Tenant.objects.get(pk=tenant_id)
    # Feed ids are written in commit order, so once a page read after this comes back
    # empty, nothing of this tenant lies at or below it: the cursor may catch up, and stays
    # within the feed's retention even when the tenant changes nothing for weeks.
    horizon = _latest_change_id()
    sent = 0
    for _ in range(PAGES_PER_RUN):
        try:
            page = changes_since(tenant=tenant, cursor=cursor.position, limit=ANSWER_PAGE)
        except CursorExpired:
            # Pruned before we sent them (CHANGE_FEED_RETENTION_DAYS): say so in the log and go
            # on from the present; receivers re-read the shop API to resync.
            logger.error("webhooks of tenant %s lost changes older than the feed keeps", tenant_id)
            cursor.position = _latest_change_id()
            break
        changes = page["results"]
        if not changes:
            cursor.position = max(cursor.position, horizon)
            break
        message_create(
            tenant_id=tenant_id,
            event=WebhookEventType.ANSWER_CHANGED,
            data={"changes": changes, "cursor": page["next"]},
            endpoints=endpoints,
            source_key=f"answers:{changes[0]['cursor']}-{changes[-1]['cursor']}",
        )
        cursor.position = int(page["next"])
        sent += 1
        if not page["more"]:
            break
    cursor.save(update_fields=["position"])
    return sent


@transaction.atomic
def jobs_follow(*, tenant_id: int) -> int:
    """A `job.finished` message for each job that finished since the cursor; returns how many."""
    cursor = _cursor_locked(tenant_id, FeedSource.JOBS)
    endpoints = endpoints_subscribed(tenant_id=tenant_id, event=WebhookEventType.JOB_FINISHED)
    now = timezone.now()
    if not endpoints:
        cursor.position_at = cursor.floor_at = now
        cursor.save(update_fields=["position_at", "floor_at"])
        return 0
    since = max(cursor.floor_at or now, (cursor.position_at or now) - JOB_LOOKBACK)
    jobs = list(
        Job.objects.filter(
            tenant_id=tenant_id,
            status__in=[JobStatus.SUCCEEDED, JobStatus.FAILED],
            finished_at__gte=since,
        )
        .select_related("created_by")
        .order_by("finished_at", "pk")[:JOBS_PER_RUN]
    )
    keys = {job.pk: f"job:{job.pk}:{job.attempts}:{job.status}" for job in jobs}
    done = set(
        WebhookMessage.objects.filter(
            tenant_id=tenant_id, source_key__in=keys.values()
        ).values_list("source_key", flat=True)
    )
    sent = 0
    for job in jobs:
        if keys[job.pk] in done:
            continue
        message_create(
            tenant_id=tenant_id,
            event=WebhookEventType.JOB_FINISHED,
            data=job_data(job),
            endpoints=endpoints,
            source_key=keys[job.pk],
        )
        sent += 1
    if jobs and (cursor.position_at is None or jobs[-1].finished_at > cursor.position_at):
        cursor.position_at = jobs[-1].finished_at
        cursor.save(update_fields=["position_at"])
    return sent


def webhooks_follow(*, tenant_id: int) -> dict[str, int]:
    """Both feeds of one tenant (the task `webhooks_follow_tenant` runs this)."""
    return {
        "answers": answers_follow(tenant_id=tenant_id),
        "jobs": jobs_follow(tenant_id=tenant_id),
    }


def tenants_following() -> list[int]:
    """Tenants with at least one active endpoint: the only ones beat follows."""
    return list(
        WebhookEndpoint.objects.filter(active=True)
        .values_list("tenant_id", flat=True)
        .distinct()
        .order_by("tenant_id")
    )


def answers_follow_after_drain(*, tenant_id: int) -> None:
    """Listed in `settings.OUTBOX_DRAINERS` after the projection: the change feed just grew,
    so a worker follows it now (one indexed query when the tenant has no endpoint)."""
    if not WebhookEndpoint.objects.filter(tenant_id=tenant_id, active=True).exists():
        return
    from .tasks import webhooks_follow_tenant

    try:
        webhooks_follow_tenant.apply_async((tenant_id,), retry=False)
    except Exception:  # noqa: BLE001 - the write is committed; beat's tick follows later
        logger.warning("could not queue webhook follow for tenant %s", tenant_id, exc_info=True)
