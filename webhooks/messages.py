"""Turning an event into a message and its deliveries, one per subscribed endpoint.

Called inside the transaction that found or caused the event; the first attempt of each
delivery is sent by a worker once that transaction commits (never before: a rolled-back
change announces nothing), and never by the writing request itself: with a broker by a
Celery worker, without one (jobs run inline) by a few background threads of the process
that made the change, so a slow or hanging receiver never holds up the write's response.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable, Sequence
from concurrent import futures
from concurrent.futures import Future, ThreadPoolExecutor

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import OperationalError, connections, transaction
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
    delivery stays due and beat's `webhooks_tick` sends it again (logged here). Without a
    broker, the attempts go to this process's background threads instead of running in
    the caller (`WEBHOOK_INLINE_THREADS`; 0 runs them in the caller, as the tests do)."""
    from .tasks import webhook_delivery_send

    ids = list(ids)
    if webhook_delivery_send.app.conf.task_always_eager and settings.WEBHOOK_INLINE_THREADS > 0:
        executor = _inline_executor()
        for pk in ids:
            future = executor.submit(_send_in_thread, pk)
            _in_flight.add(future)
            future.add_done_callback(_in_flight.discard)
        return len(ids)
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


_executor: ThreadPoolExecutor | None = None
_executor_lock = threading.Lock()
_in_flight: set[Future] = set()


def _inline_executor() -> ThreadPoolExecutor:
    """Made on first use, in the process that sends (after a server's fork). Its threads
    are waited for when the interpreter exits, so a command's deliveries are still sent."""
    global _executor
    with _executor_lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(
                max_workers=settings.WEBHOOK_INLINE_THREADS, thread_name_prefix="webhooks"
            )
        return _executor


THREAD_DB_RETRIES = 5


def _send_in_thread(delivery_id: int) -> None:
    """One delivery's attempt from a background thread. Its database may be busy with the
    write that caused it (SQLite allows one writer at a time): such an error is retried
    with backoff, as there may be no beat to send it later in this set-up."""
    from .delivery import delivery_attempt

    for retry in range(THREAD_DB_RETRIES + 1):
        try:
            delivery_attempt(delivery_id=delivery_id)
            return
        except OperationalError:
            if retry == THREAD_DB_RETRIES:
                logger.exception("webhook delivery %s: database busy; beat sends it", delivery_id)
                return
            time.sleep(0.1 * 2**retry)
        except Exception:  # noqa: BLE001 - a thread has nobody to raise to: beat retries
            logger.exception("webhook delivery %s failed to send; beat sends it", delivery_id)
            return
        finally:
            connections.close_all()  # this thread's own connections


def inline_deliveries_wait(timeout: float | None = None) -> None:
    """Wait until the background threads have sent what they were given (tests, and a
    process that wants its deliveries out before it goes on)."""
    futures.wait(list(_in_flight), timeout=timeout)
