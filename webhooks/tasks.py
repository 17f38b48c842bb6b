"""Thin Celery tasks: they take ids and call the functions that do the work; all are safe
to run twice (claims and cursors make the second run a no-op)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task(acks_late=True)
def webhook_delivery_send(delivery_id: int) -> str:
    """Send one delivery's due attempt (skipped when not due or already being sent)."""
    from .delivery import delivery_attempt

    return delivery_attempt(delivery_id=delivery_id)


@shared_task
def webhooks_follow_tenant(tenant_id: int) -> dict[str, int]:
    """Turn a tenant's new answer changes and finished jobs into messages."""
    from .follow import webhooks_follow

    return webhooks_follow(tenant_id=tenant_id)


@shared_task
def webhooks_tick() -> dict[str, int]:
    """Celery beat, every WEBHOOK_TICK_SECONDS: follow each tenant with active endpoints
    and queue the deliveries whose retry is due (or whose first send was lost)."""
    from .delivery import deliveries_due
    from .follow import tenants_following
    from .messages import deliveries_enqueue

    tenants = tenants_following()
    for tenant_id in tenants:
        webhooks_follow_tenant.delay(tenant_id)
    due = deliveries_due()
    return {"tenants": len(tenants), "queued": deliveries_enqueue(due)}


@shared_task
def webhooks_prune() -> int:
    """Celery beat, hourly: forget messages (with their deliveries and attempts) older
    than WEBHOOK_LOG_RETENTION_DAYS that nothing is still sending."""
    from .models import DeliveryStatus, WebhookMessage

    horizon = timezone.now() - timedelta(days=settings.WEBHOOK_LOG_RETENTION_DAYS)
    old = WebhookMessage.objects.filter(created_at__lt=horizon).exclude(
        deliveries__status=DeliveryStatus.PENDING
    )
    deleted, _ = old.delete()
    return deleted
