"""Media events, heard through the domain-event hook (`tenants.events`, R28).

`domain_event_record` is listed in `settings.DOMAIN_EVENT_HOOKS`; media_library calls it
inside the transaction that publishes or unpublishes an item, without importing this app.
It writes a message per item only when an active endpoint asked for the event, so a
tenant without webhooks pays one small query.
"""

from __future__ import annotations

from .messages import endpoints_subscribed, message_create
from .models import WebhookEventType
from .payloads import media_data

MEDIA_EVENTS = frozenset(
    {
        WebhookEventType.MEDIA_PUBLISHED,
        WebhookEventType.MEDIA_UNPUBLISHED,
        WebhookEventType.MEDIA_REPLACED,
        WebhookEventType.MEDIA_EXPIRED,
    }
)


def domain_event_record(*, tenant_id: int, event: str, ids: list[int]) -> int:
    """One message per object for the endpoints subscribed to `event`; returns how many."""
    if event not in MEDIA_EVENTS:
        return 0
    endpoints = endpoints_subscribed(tenant_id=tenant_id, event=event)
    if not endpoints:
        return 0
    data = media_data(tenant_id=tenant_id, ids=ids)
    for pk in ids:
        if pk in data:
            message_create(tenant_id=tenant_id, event=event, data=data[pk], endpoints=endpoints)
    return len(data)
