"""The periodic consistency sync (R15): find read-model rows that no longer match and rebuild.

A product is stale when its rows are missing or incomplete (a channel, locale or variant was
added since), when a document was published after its rows were written, or when a media
item it shows was edited after that (alt text, focal point, renditions).
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Count, Max, Min
from django.utils import timezone

from assignments.models import AssignmentDocument, AssignmentEntry
from catalog.models import Product
from media_library.models import MediaItem
from tenants.models import Channel, Locale, Tenant

from .flatten import products_flatten
from .models import PublishedMedia


def stale_product_ids(*, tenant: Tenant) -> list[int]:
    published = dict(
        AssignmentDocument.objects.filter(tenant=tenant, published__isnull=False)
        .values("product_id")
        .annotate(latest=Max("published_at"))
        .values_list("product_id", "latest")
    )
    if not published:
        return []
    contexts = (
        Channel.objects.filter(tenant=tenant).count() * Locale.objects.filter(tenant=tenant).count()
    )
    expected = {
        pk: (1 + variants) * contexts
        for pk, variants in Product.objects.filter(pk__in=published)
        .annotate(n=Count("variants"))
        .values_list("pk", "n")
    }
    rows = {
        r["product_id"]: r
        for r in PublishedMedia.objects.filter(tenant=tenant, product_id__in=published)
        .values("product_id")
        .annotate(n=Count("pk"), written=Min("published_at"))
    }
    stale = set()
    for product_id, latest in published.items():
        row = rows.get(product_id)
        if (
            row is None
            or row["n"] != expected.get(product_id)
            or (latest and latest > row["written"])
        ):
            stale.add(product_id)
    stale |= _media_edited_since(tenant, rows)
    return sorted(stale)


def _media_edited_since(tenant: Tenant, rows: dict) -> set[int]:
    sets = AssignmentDocument.objects.filter(
        tenant=tenant, product_id__in=rows, published__isnull=False
    )
    used = (
        AssignmentEntry.objects.filter(
            content_set_id__in=sets.values("published_id"), media__isnull=False
        )
        .values_list("content_set__document__product_id", "media_id")
        .distinct()
    )
    media_updated = dict(
        MediaItem.objects.filter(tenant=tenant, pk__in=[m for _, m in used]).values_list(
            "pk", "updated_at"
        )
    )
    return {
        product_id
        for product_id, media_id in used
        if media_updated.get(media_id) and media_updated[media_id] > rows[product_id]["written"]
    }


def read_model_sync(*, tenant: Tenant) -> int:
    """Rebuild the stale products of a tenant; returns how many were rebuilt."""
    stale = stale_product_ids(tenant=tenant)
    if stale:
        with transaction.atomic():
            products_flatten(tenant=tenant, product_ids=stale, published_at=timezone.now())
    return len(stale)
