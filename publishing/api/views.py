from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from assignments.selectors import category_get, product_get
from publishing import groups, services
from publishing.models import PublishGroup
from tenants.api.jobs import JobOutput, SchedulerPagination
from tenants.api.mixins import TenantScopedMixin
from tenants.exceptions import NotFound
from tenants.models import Role
from tenants.selectors import channel_get, locale_get

from .serializers import (
    CategoryPublishInput,
    GroupProductsInput,
    GroupValidationOutput,
    PublishGroupCreateInput,
    PublishGroupOutput,
    PublishGroupUpdateInput,
    PublishInput,
    ScheduleInput,
)

CONTEXT_PARAMS = [
    OpenApiParameter("channel", str, description="Channel code (default: omnichannel)"),
    OpenApiParameter("locale", str, description="Locale code (default: neutral)"),
]


class ProductPublishApi(TenantScopedMixin, APIView):
    """Publish a product's checked-in drafts in a context, or all contexts, as a job (R14, R16).

    Unpublished media used by the drafts answer 409 with the list, unless publish_dependencies.
    """

    write_role = Role.PUBLISHER
    resource_name = "product media"

    @extend_schema(request=PublishInput, parameters=CONTEXT_PARAMS, responses={202: JobOutput})
    def post(self, request, tenant: str, number: str):
        data = PublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        product = product_get(tenant=self.tenant, number=number)
        channel = locale = None
        if not data.validated_data["all_contexts"]:
            channel = channel_get(tenant=self.tenant, code=request.query_params.get("channel", ""))
            locale = locale_get(tenant=self.tenant, code=request.query_params.get("locale", ""))
        job = services.publish_job_start(
            tenant=self.tenant,
            user=request.user,
            product_ids=[product.pk],
            channel=channel,
            locale=locale,
            publish_dependencies=data.validated_data["publish_dependencies"],
            description=f"Publish {product.number}"
            + (f" ({channel.code}/{locale.code})" if channel else " (all contexts)"),
        )
        job.refresh_from_db()
        return Response(
            JobOutput(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )


class CategoryPublishApi(TenantScopedMixin, APIView):
    """Publish a category's default image in its channel (R10, R14)."""

    write_role = Role.PUBLISHER
    resource_name = "category media"

    @extend_schema(
        request=CategoryPublishInput,
        parameters=[OpenApiParameter("channel", str, required=True)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def post(self, request, tenant: str, category_id: int):
        data = CategoryPublishInput(data=request.data)
        data.is_valid(raise_exception=True)
        channel = channel_get(tenant=self.tenant, code=request.query_params.get("channel", ""))
        category = category_get(tenant=self.tenant, category_id=category_id, channel=channel)
        result = services.category_publish(
            tenant=self.tenant,
            category=category,
            user=request.user,
            publish_dependencies=data.validated_data["publish_dependencies"],
        )
        return Response(result)


class PublishGroupViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Publish groups (R16): up to 2,000 products, validated, scheduled, published as one job."""

    queryset = PublishGroup.objects.select_related(
        "channel", "locale", "last_job"
    ).prefetch_related("products")
    serializer_class = PublishGroupOutput
    write_role = Role.PUBLISHER
    resource_name = "publish groups"
    pagination_class = SchedulerPagination  # scheduled groups need a running scheduler
    filterset_fields = ["status"]

    def get_queryset(self):
        queryset = super().get_queryset()
        number = self.request.query_params.get("product") if self.action == "list" else None
        if number:  # the groups a product is in (the product page's "publish groups")
            queryset = queryset.filter(products__number=number).distinct()
        return queryset

    @extend_schema(
        parameters=[
            OpenApiParameter("status", str, description="open, scheduled, running, ..."),
            OpenApiParameter("product", str, description="Only the groups holding this product"),
        ]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def _out(self, group, code=status.HTTP_200_OK):
        group = self.get_queryset().filter(pk=group.pk).first()
        if group is None:  # deleted by another request right after this one's write
            raise NotFound("This publish group no longer exists.", field="id")
        return Response(
            PublishGroupOutput(group, context={"request": self.request}).data, status=code
        )

    @extend_schema(request=PublishGroupCreateInput, responses={201: PublishGroupOutput})
    def create(self, request, *args, **kwargs):
        data = PublishGroupCreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        group = groups.group_create(
            tenant=self.tenant,
            user=request.user,
            name=values["name"],
            channel=channel_get(tenant=self.tenant, code=values["channel"])
            if values["channel"]
            else None,
            locale=locale_get(tenant=self.tenant, code=values["locale"])
            if values["locale"]
            else None,
            products=values["products"],
            publish_dependencies=values["publish_dependencies"],
        )
        return self._out(group, status.HTTP_201_CREATED)

    @extend_schema(request=PublishGroupUpdateInput, responses={200: PublishGroupOutput})
    def partial_update(self, request, *args, **kwargs):
        group = self.get_object()  # another tenant's group is a 404 before any 400
        data = PublishGroupUpdateInput(data=request.data)
        data.is_valid(raise_exception=True)
        group = groups.group_update(group=group, user=request.user, **data.validated_data)
        return self._out(group)

    def _products_change(self, request, change):
        """Add or remove products: the body is the same, the service decides (R30)."""
        group = self.get_object()
        data = GroupProductsInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            change(group=group, user=request.user, products=data.validated_data["products"])
        )

    @extend_schema(request=GroupProductsInput, responses={200: PublishGroupOutput})
    @action(detail=True, methods=["post"])
    def add(self, request, *args, **kwargs):
        """Add products (numbers; a variant number adds its product): the only way in."""
        return self._products_change(request, groups.group_products_add)

    @extend_schema(request=GroupProductsInput, responses={200: PublishGroupOutput})
    @action(detail=True, methods=["post"])
    def remove(self, request, *args, **kwargs):
        return self._products_change(request, groups.group_products_remove)

    @extend_schema(request=None, responses={200: GroupValidationOutput})
    @action(detail=True, methods=["post"])
    def validate(self, request, *args, **kwargs):
        """Say whether the group can be published now, and every reason it can't."""
        return Response(groups.group_validate(group=self.get_object()))

    @extend_schema(request=ScheduleInput, responses={200: PublishGroupOutput})
    @action(detail=True, methods=["post"])
    def schedule(self, request, *args, **kwargs):
        group = self.get_object()  # another tenant's group is a 404 before any 400
        data = ScheduleInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self._out(
            groups.group_schedule(
                group=group, user=request.user, when=data.validated_data["scheduled_at"]
            )
        )

    @extend_schema(request=None, responses={200: PublishGroupOutput})
    @action(detail=True, methods=["post"])
    def unschedule(self, request, *args, **kwargs):
        return self._out(groups.group_unschedule(group=self.get_object(), user=request.user))

    @extend_schema(request=None, responses={202: JobOutput})
    @action(detail=True, methods=["post"])
    def publish(self, request, *args, **kwargs):
        """Validate and publish the group now, as one job."""
        job = groups.group_publish(group=self.get_object(), user=request.user)
        job.refresh_from_db()
        return Response(
            JobOutput(job, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )

    def perform_destroy(self, instance):
        groups.group_delete(group=instance, user=self.request.user)
