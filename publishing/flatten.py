"""Flattening (R15): resolve every sellable entity × channel × locale once, store the result.

All of a batch's documents are loaded in a fixed number of queries, resolution runs in
memory (assignments.resolution is pure), identical results are rendered once, and the rows
are replaced with one DELETE and bulk INSERTs inside the caller's transaction, so a reader
sees the old rows or the new ones, never a mix.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime

from django.db import transaction

from assignments import selectors as assignment_selectors
from assignments.resolution import (
    PUBLISHED,
    ResolvedMedia,
    VariantRef,
    context_chain,
    media_resolve,
)
from catalog.models import Product, Variant
from media_library.models import MediaItem
from media_library.selectors import media_item_prefetch, media_public_urls
from tenants.models import Channel, Tenant

from . import read_cache
from .models import PublishedCategoryMedia, PublishedMedia

BATCH_PRODUCTS = 200
INSERT_BATCH = 2000


def media_payloads(*, tenant: Tenant, media_ids: Iterable[int]) -> dict[int, dict]:
    """The MEDIA objects of the shop API (SPEC §3), one query for items and their renditions."""
    items = media_item_prefetch(MediaItem.objects.filter(tenant=tenant, pk__in=set(media_ids)))
    payloads = {}
    for item in items:
        urls = media_public_urls(item)
        payloads[item.pk] = {
            "id": item.pk,
            "kind": item.kind,
            "url": urls.url,
            "mime_type": item.mime_type,
            "title": item.title,
            "alt_text": item.alt_text,
            "width": item.width,
            "height": item.height,
            "renditions": urls.renditions,
        }
    return payloads


def _payload(
    number: str,
    channel: str,
    locale: str,
    resolved: ResolvedMedia,
    media: dict[int, dict],
    stamp: str,
) -> dict:
    def one(media_id):
        return media.get(media_id)

    swatches = []
    for swatch in resolved.swatches:
        entry = swatch.as_dict()
        if swatch.media is not None:
            entry["media"] = one(swatch.media)
        swatches.append(entry)
    return {
        "product": number,
        "channel": channel,
        "locale": locale,
        "default_image": one(resolved.default_image)
        if resolved.default_image is not None
        else None,
        "primary": [m for m in map(one, resolved.primary) if m is not None],
        "additional": {
            purpose: [m for m in map(one, ids) if m is not None]
            for purpose, ids in resolved.additional.items()
        },
        "swatches": swatches,
        "provenance": dict(resolved.provenance),
        "published_at": stamp,
    }


def _media_ids(resolved: ResolvedMedia) -> set[int]:
    ids = set(resolved.primary)
    for group in resolved.additional.values():
        ids.update(group)
    ids.update(s.media for s in resolved.swatches if s.media is not None)
    return ids


def products_flatten(
    *,
    tenant: Tenant,
    product_ids: Sequence[int],
    published_at: datetime,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rewrite the read-model rows of these products in every context; returns rows written.

    Must run inside a transaction (the publish service's); the cache generation is bumped
    on commit so no reader keeps an older answer.
    """
    locale_languages = assignment_selectors.locale_languages_load(tenant=tenant)
    channels = list(Channel.objects.filter(tenant=tenant).values_list("code", flat=True))
    contexts = [(channel, locale) for channel in channels for locale in locale_languages]
    chains = {
        ctx: context_chain(channel=ctx[0], locale=ctx[1], locale_languages=locale_languages)
        for ctx in contexts
    }
    stamp = published_at.isoformat()
    written = 0
    for start in range(0, len(product_ids), BATCH_PRODUCTS):
        batch = list(product_ids[start : start + BATCH_PRODUCTS])
        written += _flatten_batch(tenant, batch, contexts, chains, published_at, stamp)
        if progress is not None:
            progress(len(batch))
    transaction.on_commit(lambda: read_cache.generation_bump(tenant.slug))
    return written


def _flatten_batch(tenant, product_ids, contexts, chains, published_at, stamp) -> int:
    documents_by_product = assignment_selectors.document_contents_load(
        tenant=tenant, product_ids=product_ids
    )
    products = list(
        Product.objects.filter(tenant=tenant, pk__in=product_ids).values_list("pk", "number")
    )
    variants: dict[int, list[tuple[int, str, dict]]] = {}
    for pk, product_id, number, values in Variant.objects.filter(
        product_id__in=product_ids
    ).values_list("pk", "product_id", "number", "values"):
        variants.setdefault(product_id, []).append((pk, number, values))

    resolved_rows = []
    media_ids: set[int] = set()
    for product_id, product_number in products:
        documents = documents_by_product.get(product_id, {})
        entities = [(product_number, None, None)] + [
            (number, variant_id, VariantRef(number, values))
            for variant_id, number, values in variants.get(product_id, [])
        ]
        for channel, locale in contexts:
            chain = chains[(channel, locale)]
            for number, variant_id, ref in entities:
                resolved = media_resolve(
                    documents=documents, chain=chain, source=PUBLISHED, variant=ref
                )
                media_ids |= _media_ids(resolved)
                resolved_rows.append((product_id, variant_id, number, channel, locale, resolved))

    media = media_payloads(tenant=tenant, media_ids=media_ids)
    rows = []
    for product_id, variant_id, number, channel, locale, resolved in resolved_rows:
        payload = _payload(number, channel, locale, resolved, media, stamp)
        etag = hashlib.sha1(
            json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()
        ).hexdigest()
        rows.append(
            PublishedMedia(
                tenant=tenant,
                channel_code=channel,
                locale_code=locale,
                number=number,
                product_id=product_id,
                variant_id=variant_id,
                payload=payload,
                etag=etag,
                published_at=published_at,
            )
        )
    PublishedMedia.objects.filter(tenant=tenant, product_id__in=product_ids).delete()
    PublishedMedia.objects.bulk_create(rows, batch_size=INSERT_BATCH)
    return len(rows)


def category_flatten(
    *, tenant: Tenant, category, media_id: int | None, published_at: datetime
) -> None:
    """The category's default image in its channel (R10: no omnichannel level, no fallback)."""
    media = media_payloads(tenant=tenant, media_ids=[media_id] if media_id else [])
    payload = {
        "category": category.pk,
        "path": category.path,
        "channel": category.channel.code,
        "default_image": media.get(media_id) if media_id else None,
        "published_at": published_at.isoformat(),
    }
    etag = hashlib.sha1(json.dumps(payload, sort_keys=True).encode()).hexdigest()
    PublishedCategoryMedia.objects.update_or_create(
        tenant=tenant,
        channel_code=category.channel.code,
        category=category,
        defaults={"payload": payload, "etag": etag, "published_at": published_at},
    )
    transaction.on_commit(lambda: read_cache.generation_bump(tenant.slug))
