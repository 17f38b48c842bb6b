"""Catalog test data, made through the services so it obeys the same rules as real data."""

from catalog.models import Product
from catalog.services import product_create

SHIRT_DIMENSIONS = {"color": ["Blue", "Red"], "size": ["S", "M"], "style": ["Slim"]}


def shirt_body(number: str = "SHIRT-001") -> dict:
    """The SPEC §3 example: a master with three dimensions and two variants."""
    return {
        "number": number,
        "name": "Oxford shirt",
        "kind": "master",
        "dimensions": {d: list(v) for d, v in SHIRT_DIMENSIONS.items()},
        "variants": [
            {
                "number": f"{number}-BLUE-S-SLIM",
                "values": {"color": "Blue", "size": "S", "style": "Slim"},
            },
            {
                "number": f"{number}-RED-M-SLIM",
                "values": {"color": "Red", "size": "M", "style": "Slim"},
            },
        ],
    }


def make_shirt(tenant, number: str = "SHIRT-001") -> Product:
    return product_create(tenant=tenant, **shirt_body(number))


def make_simple(tenant, number: str = "MUG.01", name: str = "Coffee mug") -> Product:
    return product_create(tenant=tenant, number=number, name=name, kind="simple")


def catalog_snapshot() -> dict:
    """Every catalog row, to assert that a refused write changed nothing."""
    from catalog.models import Category, DimensionValue, ProductDimensionValue, Variant

    return {
        "products": sorted(Product.objects.values_list("tenant_id", "number", "name", "kind")),
        "variants": sorted(Variant.objects.values_list("number", "combination_key")),
        "offered": ProductDimensionValue.objects.count(),
        "central": sorted(
            DimensionValue.objects.values_list("dimension", "value", "swatch_hex", "swatch_media")
        ),
        "categories": sorted(Category.objects.values_list("channel_id", "path", "position")),
        "category_products": sorted(Category.products.through.objects.values_list("pk")),
    }
