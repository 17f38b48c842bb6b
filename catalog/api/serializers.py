"""Catalog API shapes (SPEC §3). Inputs check JSON types; meaning is checked by catalog.services.

`dimensions` and `variants` pass through untouched so the service reports every problem
with one consistent field path (`variants[1].values.color`) instead of DRF's `variants.1`.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from catalog.models import (
    DIMENSION_ORDER,
    Category,
    Dimension,
    DimensionValue,
    Product,
    ProductKind,
    Variant,
)
from catalog.selectors import product_dimensions

DIMENSIONS_SCHEMA = {
    "type": "object",
    "description": "Dimension name (color, size, style, configuration) → values in display order.",
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
    "example": {"color": ["Blue", "Red"], "size": ["S", "M"], "style": ["Slim"]},
}
VALUES_SCHEMA = {
    "type": "object",
    "description": "One value per dimension of the master.",
    "additionalProperties": {"type": "string"},
    "example": {"color": "Blue", "size": "S", "style": "Slim"},
}


@extend_schema_field(DIMENSIONS_SCHEMA)
class DimensionsField(serializers.JSONField):
    """Dimensions as given; catalog.services validates them with per-value field paths."""


class VariantInput(serializers.Serializer):
    number = serializers.CharField(max_length=100)
    values = serializers.DictField(child=serializers.CharField(max_length=100))

    class Meta:
        ref_name = "CatalogVariantInput"


@extend_schema_field(VariantInput(many=True))
class VariantsField(serializers.JSONField):
    """Variants as given; catalog.services validates them with `variants[i]...` field paths."""


@extend_schema_field(
    {"type": "string", "pattern": "^(simple|master)$", "description": "simple | master"}
)
class ProductKindField(serializers.ChoiceField):
    """A product kind. Documented as a pattern, not an enum: an enum named `kind` in several
    components collides with other apps' `kind` enums in the schema's enum naming."""

    def __init__(self, **kwargs):
        super().__init__(choices=ProductKind.choices, **kwargs)


class ProductCreateInput(serializers.Serializer):
    number = serializers.CharField(max_length=100)
    name = serializers.CharField(max_length=300)
    kind = ProductKindField()
    description = serializers.CharField(required=False, allow_blank=True, default="")
    dimensions = DimensionsField(required=False, default=None)
    variants = VariantsField(required=False, default=None)


class ProductUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=300, required=False)
    description = serializers.CharField(required=False, allow_blank=True)
    dimensions = DimensionsField(
        required=False, default=None, help_text="Values to add (after the existing ones)."
    )
    remove_dimensions = DimensionsField(
        required=False,
        default=None,
        help_text="Values to withdraw; refused while variants use them.",
    )


class ProductListFilters(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ProductKind.choices, required=False)
    q = serializers.CharField(
        required=False, help_text="Searches number and name, and the variants' numbers."
    )
    category = serializers.IntegerField(required=False, min_value=1, help_text="Category id.")


class VariantOutput(serializers.ModelSerializer):
    values = serializers.SerializerMethodField()

    class Meta:
        model = Variant
        fields = ["number", "values"]

    @extend_schema_field(VALUES_SCHEMA)
    def get_values(self, variant: Variant) -> dict:
        """In canonical dimension order: PostgreSQL's jsonb does not keep key order."""
        return {d: variant.values[d] for d in DIMENSION_ORDER if d in variant.values}


class ProductOutput(serializers.ModelSerializer):
    dimensions = serializers.SerializerMethodField()
    variants = VariantOutput(many=True, read_only=True)
    matched_variant = serializers.SerializerMethodField(
        help_text="In a search (q): the variant number that matched, if the product was "
        "found by one of its variants; else null."
    )

    class Meta:
        model = Product
        fields = [
            "number",
            "name",
            "kind",
            "description",
            "dimensions",
            "variants",
            "matched_variant",
            "created_at",
            "updated_at",
        ]

    @extend_schema_field(DIMENSIONS_SCHEMA)
    def get_dimensions(self, product: Product) -> dict:
        return product_dimensions(product=product)

    def get_matched_variant(self, product: Product) -> str | None:
        return getattr(product, "matched_variant", None)


class VariantCreateInput(serializers.Serializer):
    number = serializers.CharField(max_length=100)
    values = serializers.DictField(child=serializers.CharField(max_length=100))


class DimensionValueOutput(serializers.ModelSerializer):
    class Meta:
        model = DimensionValue
        fields = ["id", "dimension", "value", "swatch_hex", "swatch_media"]


class DimensionValueListFilters(serializers.Serializer):
    dimension = serializers.ChoiceField(choices=Dimension.choices, required=False)


class DimensionValueSwatchInput(serializers.Serializer):
    """The central swatch as a whole: a colour or an image id; the other one is cleared."""

    swatch_hex = serializers.CharField(
        required=False, allow_blank=True, default="", help_text="#rrggbb"
    )
    swatch_media = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="Id of an image media item."
    )


class CategoryOutput(serializers.ModelSerializer):
    channel = serializers.CharField(source="channel.code")
    products = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "channel", "parent", "name", "path", "position", "products"]

    def get_products(self, category: Category) -> list[str]:
        return sorted(product.number for product in category.products.all())


class CategoryListFilters(serializers.Serializer):
    channel = serializers.CharField(required=False, help_text="Channel code.")


class CategoryTreeFilters(serializers.Serializer):
    channel = serializers.CharField(help_text="Channel code.")


# The column is a PositiveIntegerField: a larger value must be a 400, not a database error.
POSITION_MAX = 2_147_483_647


class CategoryCreateInput(serializers.Serializer):
    channel = serializers.CharField(help_text="Code of a real channel (not omnichannel).")
    name = serializers.CharField(max_length=200)
    parent = serializers.IntegerField(required=False, allow_null=True, default=None)
    position = serializers.IntegerField(
        required=False, min_value=0, max_value=POSITION_MAX, default=0
    )
    products = serializers.ListField(
        child=serializers.CharField(max_length=100), required=False, default=list
    )


class CategoryUpdateInput(serializers.Serializer):
    name = serializers.CharField(max_length=200, required=False)
    parent = serializers.IntegerField(
        required=False, allow_null=True, help_text="Null moves the category to the root."
    )
    position = serializers.IntegerField(required=False, min_value=0, max_value=POSITION_MAX)
    products = serializers.ListField(
        child=serializers.CharField(max_length=100),
        required=False,
        help_text="Replaces the category's products.",
    )


@extend_schema_field({"type": "array", "items": {"type": "object"}})
class CategoryTreeChildrenField(serializers.ListField):
    """Nested nodes of the same shape as the parent."""


class CategoryTreeNodeOutput(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    path = serializers.CharField()
    position = serializers.IntegerField()
    products = serializers.ListField(child=serializers.CharField())
    children = CategoryTreeChildrenField(child=serializers.DictField())
