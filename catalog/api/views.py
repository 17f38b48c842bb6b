"""Catalog REST API under /api/v1/tenants/{tenant}/ (SPEC §3): thin views over services."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from catalog import selectors, services
from catalog.models import Category, DimensionValue, Product, Variant
from tenants.api.errors import _flatten
from tenants.api.mixins import TenantScopedMixin
from tenants.exceptions import ValidationFailed
from tenants.models import Channel

from .serializers import (
    CategoryCreateInput,
    CategoryListFilters,
    CategoryOutput,
    CategoryTreeFilters,
    CategoryTreeNodeOutput,
    CategoryUpdateInput,
    DimensionValueListFilters,
    DimensionValueOutput,
    DimensionValueSwatchInput,
    ProductCreateInput,
    ProductListFilters,
    ProductOutput,
    ProductUpdateInput,
    VariantCreateInput,
    VariantOutput,
)


def _query(filters_class: type[serializers.Serializer], request) -> dict:
    """Validated query parameters; a bad one answers 400 naming it."""
    filters = filters_class(data=request.query_params)
    filters.is_valid(raise_exception=True)
    return filters.validated_data


class ProductViewSet(TenantScopedMixin, viewsets.ModelViewSet):
    """Products by number: simple ones and masters with dimensions and variants (R2)."""

    serializer_class = ProductOutput
    lookup_field = "number"
    lookup_value_regex = "[^/]+"  # numbers contain dots and dashes
    resource_name = "products"
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Product.objects.none()
        if self.action == "list":
            filters = _query(ProductListFilters, self.request)
            return selectors.product_list(
                tenant=self.tenant,
                kind=filters.get("kind"),
                q=filters.get("q"),
                category_id=filters.get("category"),
            )
        return selectors.product_list(tenant=self.tenant)

    def get_object(self) -> Product:
        return selectors.product_get(tenant=self.tenant, number=self.kwargs["number"])

    def _output(self, number: str, code: int = status.HTTP_200_OK) -> Response:
        product = selectors.product_get(tenant=self.tenant, number=number)
        return Response(ProductOutput(product).data, status=code)

    @extend_schema(parameters=[ProductListFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=ProductCreateInput, responses={201: ProductOutput})
    def create(self, request, *args, **kwargs):
        data = self._create_input(request.data)
        product = services.product_create(tenant=self.tenant, user=request.user, **data)
        return self._output(product.number, status.HTTP_201_CREATED)

    def _create_input(self, raw) -> dict:
        """Type-check the body; when that fails, add the service's dimension/variant errors.

        So a body with a blank name and a bad variant reports both at once.
        """
        serializer = ProductCreateInput(data=raw)
        if serializer.is_valid():
            return serializer.validated_data
        errors = [(e["field"], e["reason"]) for e in _flatten(serializer.errors)]
        if isinstance(raw, dict):
            reported = {field for field, _ in errors}
            deeper, _, _ = services.product_create_errors(
                tenant=self.tenant,
                number=raw.get("number"),
                name=raw.get("name"),
                kind=raw.get("kind"),
                dimensions=raw.get("dimensions"),
                variants=raw.get("variants"),
            )
            errors += [e for e in deeper if e[0] not in reported and e[0].split(".")[0] != "kind"]
        raise ValidationFailed(errors)

    @extend_schema(request=ProductUpdateInput, responses={200: ProductOutput})
    def partial_update(self, request, *args, **kwargs):
        product = self.get_object()
        data = ProductUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        services.product_update(
            product=product,
            name=values.get("name"),
            description=values.get("description"),
            add_dimensions=values.get("dimensions"),
            remove_dimensions=values.get("remove_dimensions"),
            user=request.user,
        )
        return self._output(product.number)

    def perform_destroy(self, instance: Product) -> None:
        services.product_delete(product=instance, user=self.request.user)


class VariantViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """A master's variants, each with its own number (R2)."""

    serializer_class = VariantOutput
    lookup_field = "number"
    lookup_url_kwarg = "variant_number"
    lookup_value_regex = "[^/]+"
    resource_name = "variants"
    filter_backends: list = []

    @property
    def product(self) -> Product:
        if not hasattr(self, "_product"):
            self._product = selectors.product_get(tenant=self.tenant, number=self.kwargs["number"])
        return self._product

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Variant.objects.none()
        return selectors.variant_list(product=self.product)

    def get_object(self) -> Variant:
        return selectors.variant_get(product=self.product, number=self.kwargs["variant_number"])

    @extend_schema(request=VariantCreateInput, responses={201: VariantOutput})
    def create(self, request, *args, **kwargs):
        product = self.product  # an unknown (or another tenant's) product is a 404 before any 400
        data = VariantCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        variant = services.variant_create(product=product, user=request.user, **data.validated_data)
        return Response(VariantOutput(variant).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Variant) -> None:
        services.variant_delete(variant=instance, user=self.request.user)


class DimensionValueViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """The tenant's central dimension values and their swatches (used by refiners and lists)."""

    serializer_class = DimensionValueOutput
    resource_name = "dimension values"
    lookup_value_regex = r"\d+"
    filter_backends: list = []
    http_method_names = ["get", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return DimensionValue.objects.none()
        dimension = _query(DimensionValueListFilters, self.request).get("dimension")
        return selectors.dimension_value_list(tenant=self.tenant, dimension=dimension)

    def get_object(self) -> DimensionValue:
        return selectors.dimension_value_get(
            tenant=self.tenant, dimension_value_id=int(self.kwargs["pk"])
        )

    @extend_schema(parameters=[DimensionValueListFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=DimensionValueSwatchInput, responses={200: DimensionValueOutput})
    def partial_update(self, request, *args, **kwargs):
        dimension_value = self.get_object()
        data = DimensionValueSwatchInput(data=request.data)
        data.is_valid(raise_exception=True)
        services.dimension_value_set_swatch(
            dimension_value=dimension_value,
            swatch_hex=data.validated_data["swatch_hex"],
            swatch_media_id=data.validated_data["swatch_media"],
            user=request.user,
        )
        return Response(DimensionValueOutput(dimension_value).data)


class CategoryViewSet(TenantScopedMixin, viewsets.ModelViewSet):
    """Category trees, one per real channel (R3); products assigned by number."""

    serializer_class = CategoryOutput
    resource_name = "categories"
    lookup_value_regex = r"\d+"
    filter_backends: list = []
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Category.objects.none()
        code = _query(CategoryListFilters, self.request).get("channel")
        channel = self._channel(code) if code else None
        return selectors.category_list(tenant=self.tenant, channel=channel)

    def get_object(self) -> Category:
        return selectors.category_get(tenant=self.tenant, category_id=int(self.kwargs["pk"]))

    def _channel(self, code: str) -> Channel:
        """A channel named in a body or query: unknown answers 400 naming `channel`."""
        channel = Channel.objects.filter(tenant=self.tenant, code=code).first()
        if channel is None:
            raise ValidationFailed([("channel", f"Unknown channel '{code}'.")])
        return channel

    def _parent(self, parent_id: int | None) -> Category | None:
        """Another tenant's category id answers the same as a missing one (R1)."""
        if parent_id is None:
            return None
        parent = Category.objects.filter(tenant=self.tenant, pk=parent_id).first()
        if parent is None:
            raise ValidationFailed([("parent", f"Category {parent_id} not found.")])
        return parent

    def _output(self, category: Category, code: int = status.HTTP_200_OK) -> Response:
        category = selectors.category_get(tenant=self.tenant, category_id=category.pk)
        return Response(CategoryOutput(category).data, status=code)

    @extend_schema(parameters=[CategoryListFilters])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(request=CategoryCreateInput, responses={201: CategoryOutput})
    def create(self, request, *args, **kwargs):
        data = CategoryCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        category = services.category_create(
            tenant=self.tenant,
            channel=self._channel(values["channel"]),
            name=values["name"],
            parent=self._parent(values["parent"]),
            position=values["position"],
            product_numbers=values["products"],
            user=request.user,
        )
        return self._output(category, status.HTTP_201_CREATED)

    @extend_schema(request=CategoryUpdateInput, responses={200: CategoryOutput})
    def partial_update(self, request, *args, **kwargs):
        category = self.get_object()
        data = CategoryUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        changes = {}
        if "parent" in values:
            changes["parent"] = self._parent(values["parent"])
        services.category_update(
            category=category,
            name=values.get("name"),
            position=values.get("position"),
            product_numbers=values.get("products"),
            user=request.user,
            **changes,
        )
        return self._output(category)

    def perform_destroy(self, instance: Category) -> None:
        services.category_delete(category=instance, user=self.request.user)

    @extend_schema(
        parameters=[CategoryTreeFilters], responses={200: CategoryTreeNodeOutput(many=True)}
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def tree(self, request, *args, **kwargs):
        """The channel's category tree, nested, siblings by position then name."""
        code = _query(CategoryTreeFilters, request)["channel"]
        return Response(selectors.category_tree(tenant=self.tenant, channel=self._channel(code)))
