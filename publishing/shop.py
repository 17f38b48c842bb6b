"""Reads for shops and POS (R15): from the read model through the cache, never a fallback walk."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from catalog.models import Category, Product, Variant
from tenants.exceptions import NotFound
from tenants.models import NEUTRAL, Channel, Locale, Tenant

from . import read_cache
from .models import PublishedCategoryMedia, PublishedMedia


@dataclass(frozen=True)
class RenderedMedia:
    body: bytes
    etag: str


def _render(payload: dict, etag: str | None = None) -> RenderedMedia:
    body = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return RenderedMedia(body=body, etag=etag or hashlib.sha1(body).hexdigest())


def shop_product_media(
    *, tenant_slug: str, channel: str, locale: str | None, number: str
) -> RenderedMedia:
    """The flattened media of a product, master or variant number in a channel and locale."""
    locale = (locale or NEUTRAL).lower()
    gen = read_cache.generation(tenant_slug)
    key = read_cache.entry_key(tenant_slug, gen, "p", channel, locale, number)
    hit = read_cache.entry_get(key)
    if hit is not None:
        return hit
    row = (
        PublishedMedia.objects.filter(
            tenant__slug=tenant_slug, channel_code=channel, locale_code=locale, number=number
        )
        .values_list("payload", "etag")
        .first()
    )
    if row is not None:
        rendered = _render(row[0], row[1])
    else:
        tenant = _context_check(tenant_slug, channel, locale)
        rendered = _render(_empty_product_payload(tenant, channel, locale, number))
    read_cache.entry_set(key, rendered)
    return rendered


def shop_product_default_images(
    *, tenant_slug: str, channel: str, locale: str | None, numbers: list[str]
) -> list[dict]:
    """Default images of many products at once, for lists and search results (R11)."""
    locale = (locale or NEUTRAL).lower()
    tenant = _context_check(tenant_slug, channel, locale)
    rows = dict(
        PublishedMedia.objects.filter(
            tenant=tenant, channel_code=channel, locale_code=locale, number__in=numbers
        ).values_list("number", "payload")
    )
    known = _known_numbers(tenant, numbers)
    results = []
    for number in numbers:
        if number in rows:
            results.append({"product": number, "default_image": rows[number].get("default_image")})
        elif number in known:
            results.append({"product": number, "default_image": None})
        else:
            results.append({"product": number, "default_image": None, "error": "unknown product"})
    return results


def shop_category_media(*, tenant_slug: str, channel: str, category_id: int) -> RenderedMedia:
    gen = read_cache.generation(tenant_slug)
    key = read_cache.entry_key(tenant_slug, gen, "c", channel, str(category_id))
    hit = read_cache.entry_get(key)
    if hit is not None:
        return hit
    row = (
        PublishedCategoryMedia.objects.filter(
            tenant__slug=tenant_slug, channel_code=channel, category_id=category_id
        )
        .values_list("payload", "etag")
        .first()
    )
    if row is not None:
        rendered = _render(row[0], row[1])
    else:
        tenant = _context_check(tenant_slug, channel, None)
        category = Category.objects.filter(
            tenant=tenant, channel__code=channel, pk=category_id
        ).first()
        if category is None:
            raise NotFound(f"No category {category_id} in channel '{channel}'.", field="category")
        rendered = _render(
            {
                "category": category.pk,
                "path": category.path,
                "channel": channel,
                "default_image": None,
                "published_at": None,
            }
        )
    read_cache.entry_set(key, rendered)
    return rendered


def _context_check(tenant_slug: str, channel: str, locale: str | None) -> Tenant:
    """Say precisely which part of the address is unknown (only on the cold path)."""
    tenant = Tenant.objects.filter(slug=tenant_slug).first()
    if tenant is None:
        raise NotFound(f"Tenant '{tenant_slug}' not found.", field="tenant")
    if not Channel.objects.filter(tenant=tenant, code=channel).exists():
        raise NotFound(f"Unknown channel '{channel}'.", field="channel")
    if locale is not None and not Locale.objects.filter(tenant=tenant, code=locale).exists():
        raise NotFound(f"Unknown locale '{locale}'.", field="locale")
    return tenant


def _known_numbers(tenant: Tenant, numbers: list[str]) -> set[str]:
    products = Product.objects.filter(tenant=tenant, number__in=numbers).values_list(
        "number", flat=True
    )
    variants = Variant.objects.filter(tenant=tenant, number__in=numbers).values_list(
        "number", flat=True
    )
    return set(products) | set(variants)


def _empty_product_payload(tenant: Tenant, channel: str, locale: str, number: str) -> dict:
    if number not in _known_numbers(tenant, [number]):
        raise NotFound(f"No product or variant '{number}'.", field="product")
    return empty_payload(number, channel, locale)


def empty_payload(number: str, channel: str, locale: str) -> dict:
    """What a known entity with nothing published answers: empty slots, not an error."""
    return {
        "product": number,
        "channel": channel,
        "locale": locale,
        "default_image": None,
        "primary": [],
        "additional": {},
        "swatches": [],
        "provenance": {"primary": None, "additional": None, "swatches": None},
        "published_at": None,
    }
