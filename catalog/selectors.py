"""Catalog reads: products, variants, dimension values and category trees, always per tenant (R1)."""

from __future__ import annotations

from django.db.models import Case as SqlCase
from django.db.models import (
    CharField,
    Exists,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)

from tenants.exceptions import NotFound
from tenants.models import Channel, Tenant

from .models import (
    DIMENSION_ORDER,
    Category,
    DimensionValue,
    Product,
    ProductDimensionValue,
    Variant,
)


def product_list(
    *,
    tenant: Tenant,
    kind: str | None = None,
    q: str | None = None,
    category_id: int | None = None,
) -> QuerySet[Product]:
    """Products of the tenant, with what the API shows prefetched so a page costs a few queries."""
    queryset = Product.objects.filter(tenant=tenant).prefetch_related(
        Prefetch(
            "dimension_values",
            queryset=ProductDimensionValue.objects.select_related("dimension_value"),
        ),
        "variants",
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if q:
        # A variant number finds its product too (the workspace search); `matched_variant`
        # names the first variant that matched, None when number or name did.
        variants = Variant.objects.filter(
            tenant=tenant, product=OuterRef("pk"), number__icontains=q
        ).order_by("number")
        own = Q(number__icontains=q) | Q(name__icontains=q)
        queryset = queryset.annotate(
            matched_variant=SqlCase(
                When(own, then=Value(None, output_field=CharField())),
                default=Subquery(variants.values("number")[:1]),
                output_field=CharField(),
            )
        ).filter(own | Exists(variants))
    if category_id is not None:
        queryset = queryset.filter(categories__id=category_id, categories__tenant=tenant)
    return queryset.distinct() if category_id is not None else queryset


def product_get(*, tenant: Tenant, number: str) -> Product:
    """One product by number; a missing one and another tenant's answer the same (R1)."""
    product = product_list(tenant=tenant).filter(number=number).first()
    if product is None:
        raise NotFound(f"Product '{number}' not found.", field="number")
    return product


def sellable_get(*, tenant: Tenant, number: str) -> tuple[Product, Variant | None]:
    """What a shop asks for: a product number or a variant number, as (product, variant or None).

    Product and variant numbers never collide within a tenant (the services refuse it), so
    the answer is unambiguous.
    """
    product = Product.objects.filter(tenant=tenant, number=number).first()
    if product is not None:
        return product, None
    variant = Variant.objects.select_related("product").filter(tenant=tenant, number=number).first()
    if variant is None:
        raise NotFound(f"No product or variant '{number}'.", field="number")
    return variant.product, variant


def product_dimensions(*, product: Product) -> dict[str, list[str]]:
    """A master's dimensions in canonical order, each with its values in display order.

    Reads `product.dimension_values`, so a prefetched list costs no query.
    """
    by_dimension: dict[str, list[str]] = {}
    for offered in product.dimension_values.all():
        value = offered.dimension_value
        by_dimension.setdefault(value.dimension, []).append(value.value)
    return {d: by_dimension[d] for d in DIMENSION_ORDER if d in by_dimension}


def variant_list(*, product: Product) -> QuerySet[Variant]:
    return Variant.objects.filter(tenant_id=product.tenant_id, product=product)


def variant_get(*, product: Product, number: str) -> Variant:
    variant = variant_list(product=product).filter(number=number).first()
    if variant is None:
        raise NotFound(
            f"Variant '{number}' not found in product '{product.number}'.", field="variant_number"
        )
    return variant


def variant_numbers_using(*, product: Product, dimension: str, value: str) -> list[str]:
    """Numbers of the master's variants that use a dimension value; they block its removal."""
    return list(
        variant_list(product=product)
        .filter(**{f"values__{dimension}": value})
        .values_list("number", flat=True)
    )


def dimension_value_list(*, tenant: Tenant, dimension: str | None = None) -> QuerySet:
    queryset = DimensionValue.objects.filter(tenant=tenant).select_related("swatch_media")
    return queryset.filter(dimension=dimension) if dimension else queryset


def dimension_value_get(*, tenant: Tenant, dimension_value_id: int) -> DimensionValue:
    found = dimension_value_list(tenant=tenant).filter(pk=dimension_value_id).first()
    if found is None:
        raise NotFound("Dimension value not found.", field="id")
    return found


def category_list(*, tenant: Tenant, channel: Channel | None = None) -> QuerySet[Category]:
    """Categories in path order (parents before children), with channel and products loaded."""
    queryset = (
        Category.objects.filter(tenant=tenant)
        .select_related("channel")
        .prefetch_related(Prefetch("products", queryset=Product.objects.only("id", "number")))
    )
    return queryset.filter(channel=channel) if channel is not None else queryset


def category_get(*, tenant: Tenant, category_id: int) -> Category:
    category = category_list(tenant=tenant).filter(pk=category_id).first()
    if category is None:
        raise NotFound("Category not found.", field="id")
    return category


def category_tree(*, tenant: Tenant, channel: Channel) -> list[dict]:
    """A channel's category tree (R3) as nested dicts, siblings by position then name.

    Built from one flat query: each node is attached to its parent's `children` list.
    """
    nodes: dict[int, dict] = {}
    categories = sorted(
        category_list(tenant=tenant, channel=channel), key=lambda c: (c.position, c.name)
    )
    for category in categories:
        nodes[category.pk] = {
            "id": category.pk,
            "name": category.name,
            "path": category.path,
            "position": category.position,
            "products": sorted(p.number for p in category.products.all()),
            "children": [],
        }
    roots: list[dict] = []
    for category in categories:
        parent = nodes.get(category.parent_id)
        (parent["children"] if parent else roots).append(nodes[category.pk])
    return roots


def channel_category_usages(*, tenant: Tenant, channel=None, locale=None) -> list[str]:
    """A channel's category tree, which goes with it (R3, R22): a CONTEXT_USAGE_HOOKS entry."""
    if channel is None:
        return []
    return [
        f"category {path}"
        for path in Category.objects.filter(tenant=tenant, channel=channel)
        .order_by("path")
        .values_list("path", flat=True)
    ]
