"""Catalog, media and document rows for the assignment tests.

Catalog and media rows are made with the ORM (their services are written elsewhere);
documents go through the assignment services, the one write path.
"""

from __future__ import annotations

import hashlib
import itertools

from django.core.files.base import ContentFile

from assignments import services
from catalog.models import (
    DIMENSION_ORDER,
    Category,
    DimensionValue,
    Product,
    ProductDimensionValue,
    Variant,
    combination_key,
)
from media_library.models import MediaItem
from tenants.models import Channel, Locale

_media_counter = itertools.count(1)


def make_simple(tenant, number: str = "MUG-001") -> Product:
    return Product.objects.create(tenant=tenant, number=number, name=number, kind="simple")


def make_master(tenant, number: str = "SHIRT-001", dimensions: dict | None = None) -> Product:
    """A master offering `dimensions` with every combination as a variant numbered
    `{number}-{VALUE}-{VALUE}...` in canonical dimension order."""
    dimensions = dimensions or {
        "color": ["Blue", "Red"],
        "size": ["S", "M"],
        "style": ["Slim"],
    }
    product = Product.objects.create(tenant=tenant, number=number, name=number, kind="master")
    ordered = [d for d in DIMENSION_ORDER if d in dimensions]
    for dimension in ordered:
        for position, value in enumerate(dimensions[dimension]):
            dimension_value, _ = DimensionValue.objects.get_or_create(
                tenant=tenant, dimension=dimension, value=value
            )
            ProductDimensionValue.objects.create(
                tenant=tenant, product=product, dimension_value=dimension_value, position=position
            )
    for combo in itertools.product(*(dimensions[d] for d in ordered)):
        values = dict(zip(ordered, combo, strict=True))
        Variant.objects.create(
            tenant=tenant,
            product=product,
            number=variant_number(number, values),
            values=values,
            combination_key=combination_key(values),
        )
    return product


def variant_number(number: str, values: dict) -> str:
    return "-".join([number, *(values[d].upper() for d in DIMENSION_ORDER if d in values)])


def make_media(
    tenant, kind: str = "image", *, width: int | None = 800, height: int | None = 600, name=None
) -> MediaItem:
    n = next(_media_counter)
    data = f"{kind}-{n}-{tenant.slug}".encode()
    name = name or f"{kind}-{n}"
    is_image = kind == "image"
    return MediaItem.objects.create(
        tenant=tenant,
        kind=kind,
        file=ContentFile(data, name=f"{name}.bin"),
        original_filename=f"{name}.bin",
        display_name=name,
        title=name,
        alt_text=name if is_image else "",
        mime_type="image/png" if is_image else "application/octet-stream",
        size=len(data),
        checksum=hashlib.sha256(data).hexdigest(),
        width=width if is_image else None,
        height=height if is_image else None,
    )


def make_category(tenant, channel_code: str = "web", path: str = "Shirts") -> Category:
    channel = Channel.objects.get(tenant=tenant, code=channel_code)
    return Category.objects.create(
        tenant=tenant, channel=channel, name=path.rsplit("/", 1)[-1], path=path
    )


def context(tenant, channel: str = "omnichannel", locale: str = "neutral"):
    return Channel.objects.get(tenant=tenant, code=channel), Locale.objects.get(
        tenant=tenant, code=locale
    )


def slots(primary=(), additional=(), swatches=()) -> dict:
    return {"primary": list(primary), "additional": list(additional), "swatches": list(swatches)}


def content(matrix=(), master=None, dimensions=(), variants=()) -> dict:
    return {
        "matrix": list(matrix),
        "master": master or slots(),
        "dimensions": list(dimensions),
        "variants": list(variants),
    }


def check_in(
    tenant,
    product,
    user,
    body: dict,
    *,
    channel: str = "omnichannel",
    locale: str = "neutral",
    publish_as=None,
):
    """Check out, write `body`, check in (and publish when `publish_as` is given)."""
    channel_row, locale_row = context(tenant, channel, locale)
    document = services.document_checkout(
        tenant=tenant, product=product, channel=channel_row, locale=locale_row, user=user
    )
    services.document_working_replace(
        document=document, user=user, content=body, confirm_matrix_change=True
    )
    document = services.document_checkin(document=document, user=user)
    if publish_as is not None:
        document = services.document_publish_content(document=document, user=publish_as)
    return document
