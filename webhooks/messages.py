"""Turning an event into a message and its deliveries, one per subscribed endpoint.

Called inside the transaction that found or caused the event; the first attempt of each
delivery is sent by a worker once that transaction commits (never before: a rolled-back
change announces nothing), and never by the writing request itself when a broker is set.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Sequence

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from tenants.models import Tenant

from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookMessage

logger = logging.getLogger(__name__)


def endpoints_subscribed(*, tenant_id: int, event: str) -> list[WebhookEndpoint]:
    """The tenant's active endpoints that asked for `event` (a few rows: filtered here,
    since SQLite cannot look inside a JSON list)."""
    return [
        endpoint
        for endpoint in WebhookEndpoint.objects.filter(tenant_id=tenant_id, active=True).only(
            "pk", "events"
        )
        if event in endpoint.events
    ]


def message_body(*, message: WebhookMessage, tenant_slug: str, data: dict) -> str:
    """The JSON every attempt sends: Standard Webhooks' `type`, `timestamp`, `data`,
    plus the message id and the tenant, so a receiver serving several knows which."""
    return json.dumps(
        {
            "id": message.webhook_id,
            "type": message.event,
            "timestamp": message.created_at.isoformat().replace("+00:00", "Z"),
            "tenant": tenant_slug,
            "data": data,
        },
        cls=DjangoJSONEncoder,
        separators=(",", ":"),
        ensure_ascii=False,
    )


def message_create(
    *,
    tenant_id: int,
    event: str,
    data: dict,
    endpoints: Sequence[WebhookEndpoint],
    source_key: str = "",
) -> WebhookMessage:
    """Record one event for these endpoints; their first attempts go out after commit."""
    message = WebhookMessage(tenant_id=tenant_id, event=event, source_key=source_key[:200])
    message.created_at = timezone.now()
    slug = Tenant.objects.filter(pk=tenant_id).values_list("slug", flat=True).first() or ""
    message.body = message_body(message=message, tenant_slug=slug, data=data)
    message.save()
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            tenant_id=tenant_id,
            endpoint_id=endpoint.pk,
            message=message,
            status=DeliveryStatus.PENDING,
            next_attempt_at=message.created_at,
        )
        for endpoint in endpoints
    )
    deliveries_send_after_commit([d.pk for d in deliveries])
    return message


def deliveries_send_after_commit(ids: Iterable[int]) -> None:
    """Queue the first attempt of each delivery once the current transaction commits."""
    wanted = [pk for pk in ids if pk is not None]
    if wanted:
        transaction.on_commit(lambda: deliveries_enqueue(wanted))


def deliveries_enqueue(ids: Iterable[int]) -> int:
    """Send each delivery's attempt to a worker. A broker that is down loses nothing: the
    delivery stays due and beat's `webhooks_tick` sends it again (logged here)."""
    from .tasks import webhook_delivery_send

    sent = 0
    for pk in ids:
        try:
            webhook_delivery_send.apply_async((pk,), retry=False)
        except Exception:  # noqa: BLE001 - degrade, don't fail: the tick retries
            logger.warning(
                "could not queue webhook delivery %s; beat sends it later", pk, exc_info=True
            )
        else:
            sent += 1
    return sent
