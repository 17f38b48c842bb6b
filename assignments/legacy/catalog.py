"""What legacy names can refer to, loaded in a few bulk queries and matched in memory.

Dimension values in file names were typed by hand over the years, so they match the
catalog's values ignoring case; the catalog's spelling is what gets assigned.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from catalog.models import DIMENSION_ORDER, Category, Product, ProductKind, Variant
from catalog.selectors import product_dimensions
from tenants.models import Tenant

from .names import ProductFile, Reason, Unmatched

CHUNK = 500


@dataclass(frozen=True)
class ProductEntry:
    pk: int
    number: str
    is_master: bool
    dimensions: dict[str, list[str]]  # offered values, canonical dimension order
    variants: dict[str, dict[str, str]]  # variant number -> values


@dataclass(frozen=True)
class Target:
    """The entity a product file belongs to: the master, or the variants its values select.

    `values` are the dimension values the name gives, in the catalog's spelling and the
    canonical dimension order; `partial` says they fix only some of the master's
    dimensions, so the file names a dimension combination, not one variant (R8, R20).
    """

    product: ProductEntry
    variants: tuple[str, ...] = ()
    values: tuple[tuple[str, str], ...] = ()

    @property
    def partial(self) -> bool:
        return bool(self.values) and len(self.values) < len(self.product.dimensions)


@dataclass
class CatalogIndex:
    products: dict[str, ProductEntry] = field(default_factory=dict)
    variant_products: dict[str, str] = field(default_factory=dict)  # variant -> product number
    categories: dict[str, list[Category]] = field(default_factory=dict)  # by name and by path

    def product_target(self, file: ProductFile) -> Target | Unmatched:
        """The master or variants a file names, or why it names none."""
        product = self.products.get(file.number)
        if product is None and file.number in self.variant_products:
            product = self.products[self.variant_products[file.number]]
            if file.values:
                return Unmatched(
                    file.path,
                    Reason.BAD_NAME,
                    f"'{file.number}' is a variant number; dimension values go with its master",
                )
            return Target(product=product, variants=(file.number,))
        if product is None:
            return Unmatched(file.path, Reason.UNKNOWN_PRODUCT, f"no product '{file.number}'")
        if not file.values:
            return Target(product=product)
        if not product.is_master:
            return Unmatched(
                file.path,
                Reason.UNKNOWN_DIMENSION_VALUE,
                f"'{product.number}' is a simple product without dimensions",
            )
        wanted: dict[str, str] = {}
        for dimension, value in file.values:
            offered = {v.lower(): v for v in product.dimensions.get(dimension, [])}
            if value.lower() not in offered:
                return Unmatched(
                    file.path,
                    Reason.UNKNOWN_DIMENSION_VALUE,
                    f"'{value}' is not a {dimension} of '{product.number}'",
                )
            wanted[dimension] = offered[value.lower()]
        numbers = tuple(
            sorted(
                number
                for number, values in product.variants.items()
                if all(values.get(d) == v for d, v in wanted.items())
            )
        )
        if not numbers:
            named = ", ".join(f"{d} {v}" for d, v in wanted.items())
            return Unmatched(
                file.path,
                Reason.UNKNOWN_DIMENSION_VALUE,
                f"no variant of '{product.number}' has {named}",
            )
        canonical = tuple((d, wanted[d]) for d in DIMENSION_ORDER if d in wanted)
        return Target(product=product, variants=numbers, values=canonical)

    def categories_named(self, name: str) -> list[Category]:
        return self.categories.get(name, [])


def _chunks(values: list[str]) -> Iterable[list[str]]:
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def catalog_index_load(
    *, tenant: Tenant, numbers: Iterable[str], with_categories: bool
) -> CatalogIndex:
    """Products (with dimensions and variants) named by product or variant number, and the
    tenant's categories keyed by name and by path, in a handful of queries."""
    index = CatalogIndex()
    wanted = sorted(set(numbers))
    product_ids: set[int] = set()
    for chunk in _chunks(wanted):
        product_ids.update(
            Product.objects.filter(tenant=tenant, number__in=chunk).values_list("pk", flat=True)
        )
        product_ids.update(
            Variant.objects.filter(tenant=tenant, number__in=chunk).values_list(
                "product_id", flat=True
            )
        )
    products = Product.objects.filter(tenant=tenant, pk__in=product_ids).prefetch_related(
        "dimension_values__dimension_value", "variants"
    )
    for product in products:
        variants = {v.number: dict(v.values) for v in product.variants.all()}
        index.products[product.number] = ProductEntry(
            pk=product.pk,
            number=product.number,
            is_master=product.kind == ProductKind.MASTER,
            dimensions=product_dimensions(product=product),
            variants=variants,
        )
        index.variant_products.update({number: product.number for number in variants})
    if with_categories:
        for category in Category.objects.filter(tenant=tenant).select_related("channel"):
            index.categories.setdefault(category.name, []).append(category)
            if category.path != category.name:
                index.categories.setdefault(category.path, []).append(category)
    return index
