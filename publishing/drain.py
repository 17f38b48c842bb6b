"""What recomputes the read model: draining the change outbox (R21).

Services of every app record what they changed in `tenants.ChangeOutbox` inside their own
transaction. After commit, `outbox_drain` (registered in `settings.OUTBOX_DRAINERS`) maps
the rows to the products and categories whose shop answers may differ and re-projects
exactly those; Celery beat drains what a crashed process left (`outbox_drain_stale`),
fanned out per tenant, never rescanning a tenant's catalog.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from assignments.models import AssignmentDocument, CategoryMedia
from catalog.models import Category
from tenants.models import ChangeOutbox, OutboxKind

from .models import AnswerChange, CategoryAnswer, ChangeEvent, ShopAnswer
from .projection import ProjectionStats, changes_record, media_payloads, products_project

logger = logging.getLogger(__name__)

DRAIN_BATCH = 500


def outbox_drain(*, tenant_id: int, older_than: timedelta | None = None) -> ProjectionStats:
    """Project everything the tenant's outbox names, batch by batch, deleting the rows
    handled. Safe to run twice at once: projections lock their products and are idempotent."""
    stats = ProjectionStats()
    while True:
        rows = ChangeOutbox.objects.filter(tenant_id=tenant_id)
        if older_than is not None:
            rows = rows.filter(created_at__lt=timezone.now() - older_than)
        batch = list(
            rows.order_by("pk").values_list("pk", "kind", "object_id", "detail")[:DRAIN_BATCH]
        )
        if not batch:
            return stats
        stats.add(_drain_batch(tenant_id, batch))
        ChangeOutbox.objects.filter(pk__in=[row[0] for row in batch]).delete()
        if len(batch) < DRAIN_BATCH:
            return stats


def _drain_batch(tenant_id: int, batch: list) -> ProjectionStats:
    products: set[int] = set()
    categories: set[int] = set()
    media: set[int] = set()
    for _, kind, object_id, detail in batch:
        if kind == OutboxKind.CONTEXT:
            context_changed(tenant_id=tenant_id, detail=detail)
        elif kind == OutboxKind.PRODUCT:
            products.add(object_id)
        elif kind == OutboxKind.CATEGORY:
            categories.add(object_id)
        elif kind == OutboxKind.MEDIA:
            media.add(object_id)
    if media:
        products |= set(
            AssignmentDocument.objects.filter(
                tenant_id=tenant_id, published__entries__media_id__in=media
            ).values_list("product_id", flat=True)
        )
        categories |= set(
            CategoryMedia.objects.filter(
                tenant_id=tenant_id, published_media_id__in=media
            ).values_list("category_id", flat=True)
        )
    stats = products_project(tenant=tenant_id, product_ids=sorted(products))
    if categories:
        categories_project(tenant_id=tenant_id, category_ids=sorted(categories))
    return stats


@transaction.atomic
def context_changed(*, tenant_id: int, detail: dict) -> None:
    """A channel or locale was added or removed: removed ones take their stored answers
    with them (reported gone); every process forgets the tenant's contexts."""
    channel, locale, removed = detail.get("channel"), detail.get("locale"), detail.get("removed")
    feed: list[AnswerChange] = []
    if removed:
        answers = ShopAnswer.objects.filter(tenant_id=tenant_id)
        answers = (
            answers.filter(channel_code=channel) if channel else answers.filter(locale_code=locale)
        )
        for number, channel_code, locale_code in answers.values_list(
            "number", "channel_code", "locale_code"
        ):
            feed.append(
                AnswerChange(
                    tenant_id=tenant_id,
                    event=ChangeEvent.ANSWER,
                    number=number,
                    channel_code=channel_code,
                    locale_code=locale_code,
                    etag=None,
                )
            )
        answers.delete()
        if channel:
            CategoryAnswer.objects.filter(tenant_id=tenant_id, channel_code=channel).delete()
    if channel:
        event = ChangeEvent.CHANNEL_REMOVED if removed else ChangeEvent.CHANNEL_ADDED
    else:
        event = ChangeEvent.LOCALE_REMOVED if removed else ChangeEvent.LOCALE_ADDED
    feed.append(
        AnswerChange(
            tenant_id=tenant_id, event=event, channel_code=channel or "", locale_code=locale or ""
        )
    )
    changes_record(feed)


@transaction.atomic
def categories_project(*, tenant_id: int, category_ids: list[int]) -> None:
    """A category's default image in its channel (R10: channel-specific, no fallback);
    media that are not published are not served (R22)."""
    categories = {
        pk: (path, channel)
        for pk, path, channel in Category.objects.filter(
            tenant_id=tenant_id, pk__in=category_ids
        ).values_list("pk", "path", "channel__code")
    }
    assignments = {
        category_id: (media_id, published_at)
        for category_id, media_id, published_at in CategoryMedia.objects.filter(
            tenant_id=tenant_id, category_id__in=category_ids
        ).values_list("category_id", "published_media_id", "published_at")
    }
    media = media_payloads(
        tenant=tenant_id, media_ids=[m for m, _ in assignments.values() if m is not None]
    )
    current = {
        category_id: (pk, etag, channel)
        for pk, category_id, etag, channel in CategoryAnswer.objects.filter(
            tenant_id=tenant_id, category_id__in=category_ids
        ).values_list("pk", "category_id", "etag", "channel_code")
    }
    feed = []
    for category_id in category_ids:
        known = current.get(category_id)
        if category_id not in categories or category_id not in assignments:
            if known is not None:
                CategoryAnswer.objects.filter(pk=known[0]).delete()
                feed.append(_category_change(tenant_id, category_id, known[2], None))
            continue
        path, channel = categories[category_id]
        media_id, published_at = assignments[category_id]
        payload = {
            "category": category_id,
            "path": path,
            "channel": channel,
            "default_image": media.get(media_id) if media_id is not None else None,
            "published_at": published_at.isoformat() if published_at else None,
        }
        etag = hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()
        if known is not None and known[1] == etag and known[2] == channel:
            continue
        CategoryAnswer.objects.update_or_create(
            tenant_id=tenant_id,
            category_id=category_id,
            defaults={
                "channel_code": channel,
                "payload": payload,
                "etag": etag,
                "published_at": published_at,
            },
        )
        feed.append(_category_change(tenant_id, category_id, channel, etag))
    changes_record(feed)


def _category_change(tenant_id, category_id, channel, etag) -> AnswerChange:
    return AnswerChange(
        tenant_id=tenant_id,
        event=ChangeEvent.CATEGORY,
        category_id=category_id,
        channel_code=channel,
        etag=etag,
    )


def outbox_drain_stale(*, seconds: float = 30.0) -> dict[int, int]:
    """Beat's safety net: the tenants whose outbox holds rows older than `seconds` (a
    process died between commit and drain); returns {tenant id: rows waiting}."""
    cutoff = timezone.now() - timedelta(seconds=seconds)
    waiting: dict[int, int] = {}
    for tenant_id in (
        ChangeOutbox.objects.filter(created_at__lt=cutoff)
        .values_list("tenant_id", flat=True)
        .distinct()
    ):
        waiting[tenant_id] = ChangeOutbox.objects.filter(tenant_id=tenant_id).count()
    return waiting
