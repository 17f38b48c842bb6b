"""The demo tenants: everything goes through the same services a user's actions go through.

Idempotent: each step looks for what it would create first, and media de-duplicate by
checksum, so a second run changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.db import transaction

from catalog import services as catalog_services
from catalog.models import Category, Product
from media_library.models import MediaItem
from media_library.services import media_item_upload
from tenants.models import Channel, Locale, Role, Tenant
from tenants.services import channel_create, locale_create, membership_set, tenant_create

from . import assets

DEMO_PASSWORD = "mediahub-demo"
STAFF_APPS = ("tenants", "catalog", "media_library", "assignments", "publishing", "authtoken")


@dataclass
class DemoReport:
    created: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)

    def note(self, what: str) -> None:
        self.created.append(what)


def demo_load(*, progress: Callable[[str], None] = lambda message: None) -> DemoReport:
    report = DemoReport()
    with transaction.atomic():
        demo = _tenant(report, "demo", "Demo Outfitters", channels={"web": "Web store", "pos": "Point of sale"},
                       locales=("en-us", "fr-fr", "de-de"))  # fmt: skip
        progress("tenant demo")
        _user(report, demo, "demo", Role.ADMIN)
        _user(report, demo, "demo-editor", Role.EDITOR)
        _user(report, demo, "demo-viewer", Role.VIEWER)
        media = _demo_media(report, demo)
        progress(f"{len(media)} media items")
        _demo_catalog(report, demo)
        progress("catalog")
        _demo_categories(report, demo)
        progress("categories")
        _demo_assignments(report, demo, media)
        progress("published assignments")

        acme = _tenant(
            report, "acme", "Acme Retail", channels={"web": "Acme web"}, locales=("en-us",)
        )
        _user(report, acme, "acme", Role.ADMIN)
        user = get_user_model().objects.get(username="acme")
        _upload(report, acme, user, "acme-tote.jpg", assets.simple_product("Acme tote", "Green"),
                title="Acme tote", alt_text="A green tote bag")  # fmt: skip
        _product(report, acme, "ACME-TOTE", "Acme tote bag")
        progress("tenant acme")
    return report


def _tenant(report, slug, name, *, channels: dict[str, str], locales) -> Tenant:
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        tenant = tenant_create(slug=slug, name=name)
        report.note(f"tenant {slug}")
    for code, channel_name in channels.items():
        if not Channel.objects.filter(tenant=tenant, code=code).exists():
            channel_create(tenant=tenant, code=code, name=channel_name)
            report.note(f"channel {slug}/{code}")
    for code in locales:
        if not Locale.objects.filter(tenant=tenant, code=code).exists():
            locale_create(tenant=tenant, code=code)
            report.note(f"locale {slug}/{code}")
    return tenant


def _user(report, tenant, username: str, role: str) -> None:
    """Staff users who see only their own tenant in the admin (not superusers)."""
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User.objects.create_user(
            username=username, password=DEMO_PASSWORD, is_staff=role != Role.VIEWER
        )
        user.user_permissions.set(Permission.objects.filter(content_type__app_label__in=STAFF_APPS))
        report.note(f"user {username}")
    membership_set(tenant=tenant, user=user, role=role)
    report.logins.append((tenant.slug, username, role))


def _upload(
    report, tenant, user, filename: str, data: bytes | None, **metadata
) -> MediaItem | None:
    if data is None:
        return None
    item, created = media_item_upload(
        tenant=tenant, file=ContentFile(data, name=filename), user=user, **metadata
    )
    if created:
        report.note(f"media {tenant.slug}/{filename}")
    return item


def _demo_media(report, tenant) -> dict[str, MediaItem]:
    user = get_user_model().objects.get(username="demo")
    items: dict[str, MediaItem] = {}
    for color in ("Blue", "Red", "White"):
        for style in ("Slim", "Regular"):
            for view in ("front", "back", "detail"):
                key = f"shirt-{color}-{style}-{view}".lower()
                items[key] = _upload(
                    report, tenant, user, f"{key}.jpg", assets.shirt(color, view, style),
                    title=f"Oxford shirt, {color.lower()}, {style.lower()} fit ({view})",
                    alt_text=f"{color} {style.lower()}-fit Oxford shirt, {view} view",
                    tags=["shirt", color.lower(), style.lower()],
                )  # fmt: skip
        items[f"swatch-{color}".lower()] = _upload(
            report, tenant, user, f"swatch-{color.lower()}.png", assets.swatch(color),
            title=f"{color} swatch", alt_text=f"{color} colour swatch", tags=["swatch"],
        )  # fmt: skip
    for color in ("Khaki", "Navy"):
        items[f"chinos-{color}".lower()] = _upload(
            report, tenant, user, f"chinos-{color.lower()}.jpg", assets.trousers(color),
            title=f"Chinos, {color.lower()}", alt_text=f"{color} chinos", tags=["chinos", color.lower()],
        )  # fmt: skip
    for finish in ("Brass", "Chrome"):
        items[f"lamp-{finish}".lower()] = _upload(
            report, tenant, user, f"lamp-{finish.lower()}.jpg", assets.lamp(finish),
            title=f"Desk lamp, {finish.lower()}", alt_text=f"Desk lamp with a {finish.lower()} finish",
            tags=["lamp"],
        )  # fmt: skip
    for number, label, color in SIMPLE_PRODUCTS:
        items[number] = _upload(
            report, tenant, user, f"{number.lower()}.jpg", assets.simple_product(label, color),
            title=label, alt_text=f"{label} in {color.lower()}", tags=["accessory"],
        )  # fmt: skip
    for name, color in (("Apparel", "Navy"), ("Accessories", "Green"), ("Home", "Brass")):
        items[f"category-{name}".lower()] = _upload(
            report, tenant, user, f"category-{name.lower()}.jpg", assets.category_banner(name, color),
            title=f"{name} banner", alt_text=f"{name} category banner", tags=["category"],
        )  # fmt: skip
    items["spec-sheet"] = _upload(
        report, tenant, user, "oxford-shirt-spec-sheet.pdf", assets.spec_sheet_pdf("Oxford shirt"),
        title="Oxford shirt specification sheet", tags=["spec sheet"],
    )  # fmt: skip
    video = _upload(
        report, tenant, user, "oxford-shirt-360.mp4", assets.short_video("Blue"),
        title="Oxford shirt 360 view", tags=["video"],
    )  # fmt: skip
    if video is not None:
        items["video"] = video
    return items


SIMPLE_PRODUCTS = [
    ("BAG-001", "Canvas tote bag", "Khaki"),
    ("CAP-001", "Baseball cap", "Navy"),
    ("MUG-001", "Enamel mug", "White"),
]


def _product(
    report, tenant, number, name, kind="simple", dimensions=None, variants=None
) -> Product:
    existing = Product.objects.filter(tenant=tenant, number=number).first()
    if existing is not None:
        return existing
    product = catalog_services.product_create(
        tenant=tenant, number=number, name=name, kind=kind, dimensions=dimensions, variants=variants
    )
    report.note(f"product {tenant.slug}/{number}")
    return product


def _variants(number: str, dimensions: dict[str, list[str]]) -> list[dict]:
    """Every combination of the master's values, numbered like SHIRT-001-BLUE-M-SLIM."""
    combos: list[dict[str, str]] = [{}]
    for dimension, values in dimensions.items():
        combos = [{**combo, dimension: value} for combo in combos for value in values]
    return [
        {
            "number": "-".join([number, *(value.upper() for value in combo.values())]),
            "values": combo,
        }
        for combo in combos
    ]


def _demo_catalog(report, tenant) -> None:
    masters = {
        "SHIRT-001": ("Oxford shirt", {"color": ["Blue", "Red", "White"], "size": ["S", "M", "L"], "style": ["Slim", "Regular"]}),
        "CHINO-001": ("Chinos", {"color": ["Khaki", "Navy"], "size": ["30", "32", "34"]}),
        "LAMP-001": ("Desk lamp", {"configuration": ["Brass", "Chrome"]}),
    }  # fmt: skip
    for number, (name, dimensions) in masters.items():
        _product(report, tenant, number, name, "master", dimensions, _variants(number, dimensions))
    for number, label, _color in SIMPLE_PRODUCTS:
        _product(report, tenant, number, label)


CATEGORY_TREES = {
    "web": {
        "Apparel": {"Shirts": ["SHIRT-001"], "Trousers": ["CHINO-001"]},
        "Accessories": {"Bags": ["BAG-001"], "Hats": ["CAP-001"]},
        "Home": {"Lighting": ["LAMP-001"], "Kitchen": ["MUG-001"]},
    },
    "pos": {
        "Clothing": {"Tops": ["SHIRT-001"], "Bottoms": ["CHINO-001"]},
        "Gifts": {"Everyday": ["BAG-001", "CAP-001", "MUG-001"]},
    },
}


def _demo_categories(report, tenant) -> None:
    for channel_code, roots in CATEGORY_TREES.items():
        channel = Channel.objects.get(tenant=tenant, code=channel_code)
        for root_name, children in roots.items():
            root = _category(report, tenant, channel, root_name, None)
            for child_name, numbers in children.items():
                child = _category(report, tenant, channel, child_name, root)
                catalog_services.category_products_set(category=child, product_numbers=numbers)


def _category(report, tenant, channel, name, parent) -> Category:
    path = f"{parent.path}/{name}" if parent else name
    existing = Category.objects.filter(tenant=tenant, channel=channel, path=path).first()
    if existing is not None:
        return existing
    report.note(f"category {channel.code}:{path}")
    return catalog_services.category_create(
        tenant=tenant, channel=channel, name=name, parent=parent
    )


POLO_COLORS = {"Blue": "#2850aa", "Red": "#b42832", "White": "#ebebe6"}


def _demo_assignments(report, tenant, media: dict[str, MediaItem]) -> None:
    """POLO-001, the simple products and two category images, assigned and published, so the
    shop read API answers out of the box. SHIRT-001 is left unassigned for trying the workspace."""
    from assignments.models import AssignmentDocument

    user = get_user_model().objects.get(username="demo")
    polo_dimensions = {"color": list(POLO_COLORS), "size": ["S", "M", "L"]}
    polo = _product(
        report,
        tenant,
        "POLO-001",
        "Piqué polo",
        "master",
        polo_dimensions,
        _variants("POLO-001", polo_dimensions),
    )
    photos = {
        (color, view): _upload(
            report,
            tenant,
            user,
            f"polo-{color.lower()}-{view}.jpg",
            assets.shirt(color, view, "Polo"),
            title=f"Piqué polo, {color.lower()} ({view})",
            alt_text=f"{color} piqué polo, {view} view",
            tags=["polo", color.lower()],
        )  # fmt: skip
        for color in POLO_COLORS
        for view in ("front", "back")
    }
    leading = [media["video"].pk] if "video" in media else []  # R11: the default image skips it
    default_content = {
        "matrix": ["color"],
        "master": {
            "primary": leading + [photos[("Blue", "front")].pk, photos[("Blue", "back")].pk],
            "additional": [{"media": media["spec-sheet"].pk, "purpose": "specification-sheet"}],
            "swatches": [
                {"dimension": "color", "value": c, "hex": h} for c, h in POLO_COLORS.items()
            ],
        },
        "dimensions": [
            {"values": {"color": c}, "primary": [photos[(c, "front")].pk, photos[(c, "back")].pk]}
            for c in POLO_COLORS
        ],
        "variants": [],
    }
    _assign(report, tenant, polo, user, "omnichannel", "neutral", default_content)
    french_web = {
        "matrix": [],
        "master": {"primary": [photos[("Red", "front")].pk]},
        "dimensions": [],
        "variants": [],
    }
    _assign(report, tenant, polo, user, "web", "fr-fr", french_web)
    for number, _label, _color in SIMPLE_PRODUCTS:
        product = Product.objects.get(tenant=tenant, number=number)
        content = {
            "matrix": [],
            "master": {"primary": [media[number].pk]},
            "dimensions": [],
            "variants": [],
        }
        _assign(report, tenant, product, user, "omnichannel", "neutral", content)

    from publishing.services import category_publish, product_ids_for, products_publish

    numbers = ["POLO-001", *(number for number, _, _ in SIMPLE_PRODUCTS)]
    product_ids = product_ids_for(tenant=tenant, numbers=numbers)
    pending = AssignmentDocument.objects.filter(
        tenant=tenant, product_id__in=product_ids, draft__isnull=False
    )
    if any(d.draft_id != d.published_id for d in pending):
        products_publish(
            tenant=tenant, product_ids=product_ids, user=None, publish_dependencies=True
        )
        report.note("published POLO-001 and the simple products")
    _category_image(
        report, tenant, user, "Accessories", media["category-accessories"], category_publish
    )
    _category_image(report, tenant, user, "Home", media["category-home"], category_publish)


def _assign(
    report, tenant, product, user, channel_code: str, locale_code: str, content: dict
) -> None:
    """Check out, replace, check in: the same flow as the workspace. Skipped once done."""
    from assignments.models import AssignmentDocument
    from assignments.services import document_checkin, document_checkout, document_working_replace

    channel = Channel.objects.get(tenant=tenant, code=channel_code)
    locale = Locale.objects.get(tenant=tenant, code=locale_code)
    if AssignmentDocument.objects.filter(
        tenant=tenant, product=product, channel=channel, locale=locale, draft__isnull=False
    ).exists():
        return
    document = document_checkout(
        tenant=tenant, product=product, channel=channel, locale=locale, user=user
    )
    document_working_replace(
        document=document, user=user, content=content, confirm_matrix_change=True
    )
    document_checkin(document=document, user=user)
    report.note(f"assignments {product.number} ({channel_code}/{locale_code})")


def _category_image(report, tenant, user, path: str, image: MediaItem, publish) -> None:
    from assignments.models import CategoryMedia
    from assignments.services import category_media_set

    category = Category.objects.get(tenant=tenant, channel__code="web", path=path)
    if CategoryMedia.objects.filter(
        tenant=tenant, category=category, published_media=image
    ).exists():
        return
    category_media_set(tenant=tenant, category=category, media_id=image.pk, user=user)
    publish(tenant=tenant, category=category, user=None, publish_dependencies=True)
    report.note(f"category image web:{path}")
