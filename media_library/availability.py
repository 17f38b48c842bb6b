"""Rights and availability windows (R27): which items a shop may be shown at a moment.

An item is servable while `available_from <= now < expires_at` (a missing bound is open).
The read model asks `servable_q(now)` whenever it renders an answer, so a product
re-projected for any reason never shows an item outside its window. Dates that pass
later are caught by `media_availability_sweep` (Celery beat, every few seconds): it flips
the item's `served` flag, records the change in the outbox (the products showing the item
are re-projected) and announces `media.expired`. The flag makes the sweep idempotent: an
item is handled once per crossing, however often the sweep runs.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from tenants.audit import audit_record
from tenants.events import DomainEvent, domain_event_emit
from tenants.exceptions import ValidationFailed
from tenants.models import OutboxKind
from tenants.outbox import outbox_record

from .models import MediaItem, MediaStatus
from .public_files import media_public_files_put, media_public_files_remove

logger = logging.getLogger(__name__)

SWEEP_LIMIT = 1000
# Crossings applied per transaction: no more than the outbox drain takes in one batch
# (publishing.drain.DRAIN_BATCH), so one chunk is re-projected by one projection call.
SWEEP_TENANT_CHUNK = 500


def servable_q(now: datetime | None = None) -> Q:
    """Items inside their availability window at `now` (R27)."""
    now = now or timezone.now()
    return (Q(available_from__isnull=True) | Q(available_from__lte=now)) & (
        Q(expires_at__isnull=True) | Q(expires_at__gt=now)
    )


def in_window(
    available_from: datetime | None, expires_at: datetime | None, now: datetime | None = None
) -> bool:
    now = now or timezone.now()
    return (available_from is None or available_from <= now) and (
        expires_at is None or expires_at > now
    )


def availability_window_check(available_from: datetime | None, expires_at: datetime | None) -> None:
    """Both bounds given: the window must open before it closes (400 naming `expires_at`)."""
    errors = []
    for name, value in (("available_from", available_from), ("expires_at", expires_at)):
        if value is not None and timezone.is_naive(value):
            errors.append((name, "Give a date and time with a time zone."))
    if errors:
        raise ValidationFailed(errors, message=errors[0][1])
    if available_from is not None and expires_at is not None and available_from >= expires_at:
        raise ValidationFailed(
            [("expires_at", "The expiry must be later than the “available from” date.")],
            message="The expiry must be later than the “available from” date.",
        )


def served_flag_apply(item: MediaItem, now: datetime | None = None) -> bool:
    """Set `item.served` from its dates (the caller saves and holds the row lock); returns
    True when it changed. A published item crossing its window is noted for the read model
    in the caller's transaction, and an expiry is announced (webhooks, R28)."""
    now = now or timezone.now()
    serve = in_window(item.available_from, item.expires_at, now)
    if serve == item.served:
        return False
    item.served = serve
    if item.status == MediaStatus.PUBLISHED:
        # Outside its window an item's public copies go too (anyone holding an old URL
        # could still download an embargoed or expired file), and come back when it opens.
        if serve:
            media_public_files_put(item=item)
        else:
            media_public_files_remove(item=item)
        outbox_record(tenant=item.tenant_id, kind=OutboxKind.MEDIA, ids=[item.pk])
        if not serve and item.expires_at is not None and item.expires_at <= now:
            domain_event_emit(tenant=item.tenant_id, event=DomainEvent.MEDIA_EXPIRED, ids=[item.pk])
    return True


def _crossed(now: datetime) -> Q:
    inside = servable_q(now)
    return (Q(served=True) & ~inside) | (Q(served=False) & inside)


def media_availability_sweep(*, now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Apply every window that opened or closed since the last run (R27); returns how many
    items changed.

    The crossings of one tenant are applied in one transaction (chunks of
    `SWEEP_TENANT_CHUNK`), so its outbox notes commit together and the drain re-projects
    every product they touch in one call, each product once, however many of its items
    expired at the same moment. Safe to run twice at once and idempotent: rows are
    re-checked under their lock, a row another sweep holds is left to it (SKIP LOCKED where
    the database has it), and the `served` flag makes each crossing happen once."""
    now = now or timezone.now()
    candidates = MediaItem.objects.filter(_crossed(now)).order_by("tenant_id", "pk")
    by_tenant: dict[int, list[int]] = {}
    for tenant_id, pk in candidates.values_list("tenant_id", "pk")[:limit]:
        by_tenant.setdefault(tenant_id, []).append(pk)
    changed = 0
    for tenant_id, pks in by_tenant.items():
        for start in range(0, len(pks), SWEEP_TENANT_CHUNK):
            changed += _sweep_tenant_chunk(tenant_id, pks[start : start + SWEEP_TENANT_CHUNK], now)
    if changed:
        logger.info("availability sweep: %s media item(s) crossed their window", changed)
    return changed


def _sweep_tenant_chunk(tenant_id: int, pks: list[int], now: datetime) -> int:
    """One transaction for a tenant's crossings: one drain after its commit (R21)."""
    changed = 0
    with transaction.atomic():
        items = (
            MediaItem.objects.select_for_update(skip_locked=True)
            .filter(_crossed(now), tenant_id=tenant_id, pk__in=pks)
            .order_by("pk")
        )
        for item in items:
            if served_flag_apply(item, now):
                item.save(update_fields=["served"])
                audit_record(
                    user=None,  # a system action: the window's date passed
                    action="media.availability",
                    obj=item,
                    detail={"served": {"old": not item.served, "new": item.served}},
                )
                changed += 1
    return changed


_inline = {"next": 0.0}


def availability_sweep_inline() -> None:
    """Without a scheduler to run the beat task (jobs inline, no broker: the zero-set-up
    default), shop reads run the sweep themselves, at most once per
    `MEDIA_AVAILABILITY_INLINE_SWEEP_SECONDS` per process, so a date that passes is respected
    at read time there too (R27). A time comparison per read otherwise; 0 turns it off."""
    interval = getattr(settings, "MEDIA_AVAILABILITY_INLINE_SWEEP_SECONDS", 0.0)
    if not interval or not settings.CELERY_TASK_ALWAYS_EAGER:
        return
    now = time.monotonic()
    if now < _inline["next"]:
        return
    _inline["next"] = now + interval
    try:
        media_availability_sweep()
    except Exception:  # noqa: BLE001 - a read never fails for the sweep; beat-less set-ups only
        logger.exception("inline availability sweep failed")
