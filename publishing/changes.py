"""The change feed (R24): every change of a shop answer since a cursor, in commit order.

A search index or storefront cache follows it: `changes_since(cursor)` returns entries with
the number, the stored context (Omnichannel + Neutral means "every context of this number
without an answer of its own"), the new ETag or None when gone, and the cursor to resume
from. Channel and locale additions and removals come as their own events.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from tenants.exceptions import DomainError
from tenants.models import Tenant

from .models import AnswerChange

PAGE_MAX = 1000


class CursorExpired(DomainError):
    status_code = 410
    code = "cursor_expired"


def cursor_parse(value: str | None) -> int:
    if value in (None, ""):
        return 0
    try:
        cursor = int(value)
    except (TypeError, ValueError):
        raise DomainError(
            "The cursor must be a number from a previous page.", field="since"
        ) from None
    if cursor < 0:
        raise DomainError("The cursor must be a number from a previous page.", field="since")
    return cursor


def changes_since(*, tenant: Tenant, cursor: int, limit: int = 500) -> dict:
    """One page of the feed after `cursor`; `next` is the cursor to pass next time (the
    same one when nothing is new). A cursor older than the retention answers 410."""
    limit = max(1, min(limit, PAGE_MAX))
    if cursor and _expired(cursor):
        raise CursorExpired(
            "This cursor is older than the feed keeps: read the answers again from the shop "
            "API and follow from the latest cursor.",
            field="since",
        )
    rows = list(
        AnswerChange.objects.filter(tenant=tenant, pk__gt=cursor)
        .order_by("pk")
        .values(
            "pk",
            "event",
            "number",
            "channel_code",
            "locale_code",
            "category_id",
            "etag",
            "created_at",
        )[: limit + 1]
    )
    if not rows and cursor and _ahead(cursor):
        raise CursorExpired(
            "This cursor is ahead of the feed (a database restored from a backup?): read the "
            "answers again from the shop API and follow from the latest cursor.",
            field="since",
        )
    more = len(rows) > limit
    rows = rows[:limit]
    results = [_entry(row) for row in rows]
    return {
        "results": results,
        "next": str(rows[-1]["pk"]) if rows else str(cursor),
        "more": more,
    }


def _ahead(cursor: int) -> bool:
    """No change was ever numbered `cursor`: the follower's position is from another
    database, and waiting on it would miss every change until the feed caught up."""
    newest = AnswerChange.objects.order_by("-pk").values_list("pk", flat=True).first()
    return newest is not None and cursor > newest  # an empty feed cannot tell


def _expired(cursor: int) -> bool:
    """Rows after `cursor` may have been pruned when the oldest row kept lies beyond it and
    is not the feed's first (ids are global, so this errs on the safe side: a follower
    told to resync never misses a change)."""
    oldest = AnswerChange.objects.order_by("pk").values_list("pk", flat=True).first()
    return oldest is not None and oldest > cursor + 1 and oldest > 1


def _entry(row: dict) -> dict:
    entry = {
        "event": row["event"],
        "number": row["number"] or None,
        "channel": row["channel_code"] or None,
        "locale": row["locale_code"] or None,
        "etag": row["etag"],
        "cursor": str(row["pk"]),
        "at": row["created_at"].isoformat(),
    }
    if row["category_id"] is not None:
        entry["category"] = row["category_id"]
    return entry


def change_feed_prune() -> int:
    """Drop rows older than the retention; returns how many went."""
    horizon = timezone.now() - timedelta(days=settings.CHANGE_FEED_RETENTION_DAYS)
    deleted, _ = AnswerChange.objects.filter(created_at__lt=horizon).delete()
    return deleted
