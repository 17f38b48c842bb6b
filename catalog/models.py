from django.db import models

from tenants.models import Channel, TenantOwned


class ProductKind(models.TextChoices):
    SIMPLE = "simple", "Simple product"
    MASTER = "master", "Product master"


class Dimension(models.TextChoices):
    """The four product dimensions (R2); their order is the canonical order of combinations."""

    COLOR = "color", "Color"
    SIZE = "size", "Size"
    STYLE = "style", "Style"
    CONFIGURATION = "configuration", "Configuration"


DIMENSION_ORDER = [d.value for d in Dimension]


def combination_key(values: dict[str, str]) -> str:
    """A stable text key for a set of dimension values: `color=Blue|size=M` in canonical order."""
    return "|".join(f"{d}={values[d]}" for d in DIMENSION_ORDER if d in values)


class Product(TenantOwned):
    number = models.CharField(max_length=100)
    name = models.CharField(max_length=300)
    kind = models.CharField(max_length=10, choices=ProductKind.choices, default=ProductKind.SIMPLE)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="product_unique_number")
        ]
        ordering = ["number"]
        indexes = [models.Index(fields=["tenant", "name"])]

    def __str__(self) -> str:
        return self.number

    @property
    def is_master(self) -> bool:
        return self.kind == ProductKind.MASTER


class DimensionValue(TenantOwned):
    """A dimension value central to the tenant (Blue is Blue on every product).

    It carries the central swatch used by refiners and lists; products may override it
    with product-specific swatches in their assignments (R7).
    """

    dimension = models.CharField(max_length=16, choices=Dimension.choices)
    value = models.CharField(max_length=100)
    swatch_hex = models.CharField(max_length=7, blank=True)
    swatch_media = models.ForeignKey(
        "media_library.MediaItem", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "dimension", "value"], name="dimension_value_unique"
            ),
        ]
        ordering = ["dimension", "value"]

    def __str__(self) -> str:
        return f"{self.dimension}:{self.value}"


class ProductDimensionValue(TenantOwned):
    """A value a master offers in one of its dimensions, in display order (R2)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="dimension_values")
    dimension_value = models.ForeignKey(DimensionValue, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["product", "dimension_value"], name="product_dimension_value_unique"
            ),
        ]
        ordering = ["product", "position", "pk"]

    def __str__(self) -> str:
        # Readable inline titles in the admin ("Color: Blue", not "… object (7)").
        value = self.dimension_value
        return f"{value.get_dimension_display()}: {value.value}"


class Variant(TenantOwned):
    """A combination of a master's dimension values, with its own number (R2)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    number = models.CharField(max_length=100)
    values = models.JSONField(default=dict)
    combination_key = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="variant_unique_number"),
            models.UniqueConstraint(
                fields=["product", "combination_key"], name="variant_unique_combination"
            ),
        ]
        ordering = ["product", "number"]

    def __str__(self) -> str:
        return self.number


class Category(TenantOwned):
    """A node of a channel's category tree (R3); `path` is the names from the root, `/`-joined."""

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="categories")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(max_length=200)
    path = models.CharField(max_length=1000, editable=False)
    position = models.PositiveIntegerField(default=0)
    products = models.ManyToManyField(Product, blank=True, related_name="categories")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "channel", "path"], name="category_unique_path"
            ),
        ]
        ordering = ["channel", "path"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return f"{self.channel.code}:{self.path}"
