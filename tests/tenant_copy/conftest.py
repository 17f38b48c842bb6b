"""A source tenant (acme) with a realistic library and published/draft/checked-out documents,
and a destination (globex) holding the same catalog, as a tenant copy meets them (R19)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from PIL import Image

from assignments import services as assignment_services
from assignments.models import (
    AssignmentDocument,
    AssignmentEntry,
    CategoryMedia,
    ContentSet,
    DocumentVersion,
    Purpose,
)
from catalog.models import Category
from catalog.services import category_create
from media_library.models import MediaItem, MediaTag, Rendition
from media_library.services import media_item_upload
from publishing.models import CategoryAnswer, ShopAnswer
from publishing.services import category_publish, products_publish
from tenants.models import Channel, Locale, Role
from tests.factories import make_member
from tests.publishing import builders as b


def jpeg(n: int) -> bytes:
    """A small JPEG whose bytes (and so checksum) depend only on n: the same n in two
    tenants is the same media item (R5)."""
    buffer = io.BytesIO()
    Image.new("RGB", (64, 48), ((n * 37) % 256, (n * 91) % 256, (n * 53) % 256)).save(
        buffer, "JPEG"
    )
    return buffer.getvalue()


def upload(tenant, user, n: int, name: str, **metadata) -> MediaItem:
    item, _ = media_item_upload(
        tenant=tenant,
        file=ContentFile(jpeg(n), name=f"{name}.jpg"),
        user=user,
        title=metadata.pop("title", name),
        alt_text=metadata.pop("alt_text", name),
        **metadata,
    )
    return item


def snapshot(tenant) -> dict[str, int]:
    """Row counts of everything a copy writes into a tenant."""
    models = {
        "media": MediaItem,
        "renditions": Rendition,
        "tags": MediaTag,
        "purposes": Purpose,
        "documents": AssignmentDocument,
        "content_sets": ContentSet,
        "entries": AssignmentEntry,
        "versions": DocumentVersion,
        "category_media": CategoryMedia,
        "read_model": ShopAnswer,
        "category_read_model": CategoryAnswer,
    }
    counts = {name: model.objects.filter(tenant=tenant).count() for name, model in models.items()}
    # Every product has an (empty) answer; count those that show published content.
    counts["read_model"] = (
        ShopAnswer.objects.filter(tenant=tenant)
        .filter(body__body__contains='"published_at":"')
        .count()
    )
    return counts


@dataclass
class Source:
    """Handles on what the source holds, by role in the scenario."""

    front: MediaItem  # published, master primary
    back: MediaItem  # published, master primary and the Blue combination
    blue: MediaItem  # published, a variant's primary and a swatch image
    manual: MediaItem  # published, additional media (manual)
    draft_only: MediaItem  # draft media, only used by the newer draft
    held: MediaItem  # draft media, only in a checked-out working copy
    shirt: object
    mug: object
    category: Category


@pytest.fixture
def root(tenant, other_tenant):
    """An admin of both tenants: allowed to copy either way (R1a)."""
    user = make_member(tenant, Role.ADMIN, "root")
    make_member(other_tenant, Role.ADMIN, "root")
    return user


@pytest.fixture
def source(tenant, other_tenant, publisher, editor) -> Source:
    """acme: SHIRT-001 published in omnichannel/neutral and web/en-us, a newer checked-in
    draft, a checked-out working copy, a published category image; MUG-001 exists only
    in the source catalog. globex has SHIRT-001 and the Shirts category, nothing else."""
    front = upload(tenant, editor, 1, "front", tags=["Summer", "hero"], caption="Front view")
    back = upload(tenant, editor, 2, "back")
    blue = upload(tenant, editor, 3, "blue")
    manual = upload(tenant, editor, 4, "manual")
    draft_only = upload(tenant, editor, 5, "draft-only")
    held = upload(tenant, editor, 6, "held")
    shirt = b.shirt(tenant)
    mug = b.mug(tenant)
    b.shirt(other_tenant)
    assignment_services.purpose_create(
        tenant=tenant, user=make_member(tenant, Role.ADMIN, "acme-admin"), code="care-label"
    )
    b.checkin(
        tenant,
        shirt,
        editor,
        {
            "matrix": ["color"],
            "master": b.slots([front, back], additional=[(manual, "care-label")]),
            "dimensions": [{"values": {"color": "Blue"}, **b.slots([back])}],
            "variants": [
                {
                    "variant": "SHIRT-001-BLUE-S-SLIM",
                    **b.slots(
                        [blue],
                        swatches=[
                            {
                                "dimension": "color",
                                "value": "Blue",
                                "media": blue.pk,
                                "crop": {"x": 0, "y": 0, "width": 10, "height": 10},
                            }
                        ],
                    ),
                }
            ],
        },
    )
    b.checkin(tenant, shirt, editor, {"master": b.slots([back])}, channel="web", locale="en-us")
    b.checkin(tenant, mug, editor, {"master": b.slots([front])})
    products_publish(
        tenant=tenant, product_ids=[shirt.pk, mug.pk], user=publisher, publish_dependencies=True
    )
    # A newer checked-in draft of the default document, not published.
    b.checkin(
        tenant,
        shirt,
        editor,
        {"matrix": ["color"], "master": b.slots([back, front, draft_only])},
    )
    # A working copy held by the editor: never copied.
    document = assignment_services.document_checkout(
        tenant=tenant,
        product=shirt,
        channel=Channel.objects.get(tenant=tenant, code="web"),
        locale=Locale.objects.get(tenant=tenant, code="en-us"),
        user=editor,
    )
    assignment_services.document_working_replace(
        document=document,
        user=editor,
        content={"matrix": [], "master": b.slots([held]), "dimensions": [], "variants": []},
    )
    web = Channel.objects.get(tenant=tenant, code="web")
    category = category_create(tenant=tenant, channel=web, name="Shirts")
    category_create(
        tenant=other_tenant,
        channel=Channel.objects.get(tenant=other_tenant, code="web"),
        name="Shirts",
    )
    category_create(tenant=tenant, channel=web, name="Hats")  # no media: nothing to copy
    assignment_services.category_media_set(
        tenant=tenant, category=category, media_id=front.pk, user=editor
    )
    category_publish(tenant=tenant, category=category, user=publisher)
    return Source(front, back, blue, manual, draft_only, held, shirt, mug, category)


@pytest.fixture
def copy_command(django_capture_on_commit_callbacks):
    """copy_command(*args) -> stdout of `manage.py copy_tenant_content --from acme --to globex`."""

    def _run(*args: str, source: str = "acme", destination: str = "globex") -> str:
        out = StringIO()
        with django_capture_on_commit_callbacks(execute=True):
            call_command(
                "copy_tenant_content", "--from", source, "--to", destination, *args, stdout=out
            )
        return out.getvalue()

    return _run


def dest_item(tenant, item: MediaItem) -> MediaItem:
    return MediaItem.objects.get(tenant=tenant, checksum=item.checksum)
