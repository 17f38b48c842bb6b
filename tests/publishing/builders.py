"""Builders for publishing tests: real uploads, real catalog rows, real check-ins."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from PIL import Image

from assignments import services as assignment_services
from catalog.services import product_create
from media_library.models import MediaItem, MediaKind
from media_library.services import media_item_upload
from tenants.models import Channel, Locale

_colours = iter(range(1, 10_000))


def image(tenant, user, name: str) -> MediaItem:
    """A distinct small JPEG (each call a different colour, so a different checksum)."""
    n = next(_colours)
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256)).save(
        buffer, "JPEG"
    )
    item, _ = media_item_upload(
        tenant=tenant,
        file=ContentFile(buffer.getvalue(), name=f"{name}.jpg"),
        user=user,
        title=name,
        alt_text=name,
    )
    return item


def video(tenant, name: str) -> MediaItem:
    """A video row (the kind is what matters to R11; its bytes are never decoded here)."""
    n = next(_colours)
    return MediaItem.objects.create(
        tenant=tenant,
        kind=MediaKind.VIDEO,
        file=ContentFile(b"\x00\x00\x00\x18ftypmp42" + bytes([n % 256]) * 32, name=f"{name}.mp4"),
        original_filename=f"{name}.mp4",
        display_name=name,
        title=name,
        mime_type="video/mp4",
        size=44,
        checksum=f"{n:064x}",
    )


def shirt(tenant):
    """SHIRT-001: color Blue/Red x size S/M x style Slim (4 variants)."""
    dimensions = {"color": ["Blue", "Red"], "size": ["S", "M"], "style": ["Slim"]}
    variants = [
        {
            "number": f"SHIRT-001-{c.upper()}-{s}-SLIM",
            "values": {"color": c, "size": s, "style": "Slim"},
        }
        for c in dimensions["color"]
        for s in dimensions["size"]
    ]
    return product_create(
        tenant=tenant,
        number="SHIRT-001",
        name="Oxford shirt",
        kind="master",
        dimensions=dimensions,
        variants=variants,
    )


def mug(tenant):
    return product_create(tenant=tenant, number="MUG-001", name="Mug", kind="simple")


def slots(primary=(), additional=(), swatches=()) -> dict:
    return {
        "primary": [m.pk for m in primary],
        "additional": [{"media": m.pk, "purpose": p} for m, p in additional],
        "swatches": list(swatches),
    }


def checkin(
    tenant, product, user, content: dict, channel: str = "omnichannel", locale: str = "neutral"
):
    """Edit -> replace working copy -> finish editing: a staged draft (R12)."""
    channel_row = Channel.objects.get(tenant=tenant, code=channel)
    locale_row = Locale.objects.get(tenant=tenant, code=locale)
    document = assignment_services.document_checkout(
        tenant=tenant, product=product, channel=channel_row, locale=locale_row, user=user
    )
    content = {"matrix": [], "master": slots(), "dimensions": [], "variants": [], **content}
    assignment_services.document_working_replace(
        document=document, user=user, content=content, confirm_matrix_change=True
    )
    return assignment_services.document_checkin(document=document, user=user)
