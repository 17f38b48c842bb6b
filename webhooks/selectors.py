"""Reads: always by tenant, and another tenant's ids answer the same 404 as missing ones."""

from __future__ import annotations

from django.db.models import QuerySet

from tenants.exceptions import NotFound
from tenants.models import Tenant

from .models import WebhookDelivery, WebhookEndpoint


def webhook_list(*, tenant: Tenant) -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.filter(tenant=tenant)


def webhook_get(*, tenant: Tenant, webhook_id) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(tenant=tenant, pk=_as_id(webhook_id)).first()
    if endpoint is None:
        raise NotFound(f"No webhook {webhook_id} in this tenant.", field="id")
    return endpoint


def delivery_list(*, endpoint: WebhookEndpoint, status: str | None = None) -> QuerySet:
    deliveries = WebhookDelivery.objects.filter(
        tenant_id=endpoint.tenant_id, endpoint=endpoint
    ).select_related("message", "requested_by")
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-created_at", "-pk")


def delivery_get(*, endpoint: WebhookEndpoint, delivery_id) -> WebhookDelivery:
    delivery = (
        delivery_list(endpoint=endpoint)
        .prefetch_related("log")
        .filter(pk=_as_id(delivery_id))
        .first()
    )
    if delivery is None:
        raise NotFound(f"No delivery {delivery_id} of this webhook.", field="delivery")
    return delivery


def _as_id(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1
