"""`/api/v1/tenants/{t}/webhooks` (SPEC §3, R28): admins only (R1a), tenant-scoped (R1)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from tenants.api.mixins import TenantScopedMixin
from tenants.api.pagination import StandardPagination
from tenants.exceptions import DomainError
from tenants.models import Role
from webhooks import selectors, services
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint

from .serializers import (
    WebhookDeliveryDetailOutput,
    WebhookDeliveryOutput,
    WebhookInput,
    WebhookOutput,
    WebhookSecretOutput,
    WebhookUpdateInput,
)


class WebhookViewSet(
    TenantScopedMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Endpoints that receive signed events. The secret is shown once: in the answer to
    POST and to `rotate-secret`."""

    queryset = WebhookEndpoint.objects.select_related("created_by")
    serializer_class = WebhookOutput
    read_role = Role.ADMIN
    write_role = Role.ADMIN
    resource_name = "webhooks"

    @extend_schema(request=WebhookInput, responses={201: WebhookSecretOutput})
    def create(self, request, *args, **kwargs):
        data = WebhookInput(data=request.data)
        data.is_valid(raise_exception=True)
        created = services.webhook_create(
            tenant=self.tenant, user=request.user, **data.validated_data
        )
        body = WebhookSecretOutput(created.endpoint, context={"secret": created.secret}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=WebhookUpdateInput, responses={200: WebhookOutput})
    def partial_update(self, request, *args, **kwargs):
        data = WebhookUpdateInput(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        endpoint = services.webhook_update(
            endpoint=self.get_object(), user=request.user, **data.validated_data
        )
        return Response(WebhookOutput(endpoint).data)

    def perform_destroy(self, instance):
        services.webhook_delete(endpoint=instance, user=self.request.user)

    @extend_schema(request=None, responses={200: WebhookSecretOutput})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, *args, **kwargs):
        rotated = services.webhook_secret_rotate(endpoint=self.get_object(), user=request.user)
        return Response(
            WebhookSecretOutput(rotated.endpoint, context={"secret": rotated.secret}).data
        )


class _WebhookScoped(TenantScopedMixin, APIView):
    read_role = Role.ADMIN
    write_role = Role.ADMIN
    resource_name = "webhook deliveries"

    def endpoint(self, kwargs) -> WebhookEndpoint:
        return selectors.webhook_get(tenant=self.tenant, webhook_id=kwargs["pk"])


class WebhookDeliveryListApi(TenantScopedMixin, ListAPIView):
    """The delivery log of one endpoint, newest first; `?status=` filters."""

    serializer_class = WebhookDeliveryOutput
    pagination_class = StandardPagination
    read_role = Role.ADMIN
    write_role = Role.ADMIN
    resource_name = "webhook deliveries"
    filter_backends: list = []

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=DeliveryStatus.values)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        wanted = self.request.query_params.get("status") or None
        if wanted is not None and wanted not in DeliveryStatus.values:
            raise DomainError(
                f"Status must be one of {', '.join(DeliveryStatus.values)}.", field="status"
            )
        endpoint = selectors.webhook_get(tenant=self.tenant, webhook_id=self.kwargs["pk"])
        return selectors.delivery_list(endpoint=endpoint, status=wanted)


class WebhookDeliveryDetailApi(_WebhookScoped):
    """One delivery: the body it sends and every attempt (status code, time, error)."""

    @extend_schema(responses={200: WebhookDeliveryDetailOutput})
    def get(self, request, *args, **kwargs):
        delivery = selectors.delivery_get(
            endpoint=self.endpoint(kwargs), delivery_id=kwargs["delivery"]
        )
        return Response(WebhookDeliveryDetailOutput(delivery).data)


class WebhookRedeliverApi(_WebhookScoped):
    """Send a finished delivery's message again, as a new delivery (202: sent by a worker)."""

    @extend_schema(request=None, responses={202: WebhookDeliveryOutput})
    def post(self, request, *args, **kwargs):
        delivery = selectors.delivery_get(
            endpoint=self.endpoint(kwargs), delivery_id=kwargs["delivery"]
        )
        again = services.webhook_redeliver(delivery=delivery, user=request.user)
        again.refresh_from_db()
        return Response(WebhookDeliveryOutput(again).data, status=status.HTTP_202_ACCEPTED)
