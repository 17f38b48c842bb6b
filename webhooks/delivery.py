"""Sending one attempt of a delivery, and the retry schedule (R28, R29).

An attempt is claimed first (one UPDATE moves `next_attempt_at` past a lease), so a task
delivered twice, or the tick racing the first send, sends once. The request goes through
the outbound-fetch guard (`tenants.outbound`: loopback, private and metadata addresses
refused unless allowlisted, checked again now, not only at registration), signed, bounded
in time, redirects not followed. Any 2xx answer is success; anything else (a 3xx
included), a timeout or a refused address is a failure, logged with what is known, and
retried with exponential backoff until `WEBHOOK_MAX_ATTEMPTS`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from tenants.outbound import AddressNotAllowed, OutboundFetchError, outbound_request

from .models import DeliveryStatus, WebhookAttempt, WebhookDelivery
from .signing import signature_headers

logger = logging.getLogger(__name__)

USER_AGENT = "Mediahub-Webhooks/1"
EXCERPT_BYTES = 500
RESPONSE_MAX_BYTES = 1024 * 1024  # read (and drop) at most this much of a receiver's answer
LEASE_MARGIN_SECONDS = 60  # a worker that dies mid-attempt frees the delivery after this


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after the `attempt`-th failure: base × 2^(attempt-1), capped.

    With the defaults (30 s base, 6 h cap, 10 attempts): 30 s, 1, 2, 4, 8, 16, 32 min,
    1 h 4, 2 h 8: the last attempt comes about 4 h 15 after the first."""
    base = float(settings.WEBHOOK_RETRY_BASE_SECONDS)
    seconds = min(base * 2 ** max(attempt - 1, 0), float(settings.WEBHOOK_RETRY_MAX_SECONDS))
    return timedelta(seconds=seconds)


class _Excerpt:
    """A write-only sink keeping the first bytes of a response for the log."""

    def __init__(self) -> None:
        self.kept = bytearray()

    def write(self, chunk: bytes) -> int:
        room = EXCERPT_BYTES - len(self.kept)
        if room > 0:
            self.kept += chunk[:room]
        return len(chunk)

    def text(self) -> str:
        return bytes(self.kept).decode("utf-8", "replace")


@dataclass
class AttemptResult:
    status_code: int | None
    duration_ms: int
    error: str
    excerpt: str

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _claim(delivery_id: int, now: datetime) -> bool:
    lease = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT_SECONDS + LEASE_MARGIN_SECONDS)
    return bool(
        WebhookDelivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=lease)
    )


def _post(delivery: WebhookDelivery, at: datetime) -> AttemptResult:
    """One signed POST through the guard; never raises for anything the network does."""
    message = delivery.message
    body = message.body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "webhook-event": message.event,
        **signature_headers(
            secret=delivery.endpoint.secret, webhook_id=message.webhook_id, body=body, at=at
        ),
    }
    sink = _Excerpt()
    timeout = float(settings.WEBHOOK_TIMEOUT_SECONDS)
    started = time.monotonic()
    try:
        response = outbound_request(
            delivery.endpoint.url,
            method="POST",
            body=body,
            headers=headers,
            out=sink,
            max_bytes=RESPONSE_MAX_BYTES,
            timeout=timeout,
            success=range(100, 600),
            follow_redirects=False,
        )
    except AddressNotAllowed:
        error, status = "address not allowed (the outbound-fetch guard refused it)", None
    except OutboundFetchError:
        elapsed = time.monotonic() - started
        error = (
            f"no answer within {timeout:g} s"
            if elapsed >= timeout * 0.95
            else "could not connect or the connection failed"
        )
        status = None
    else:
        status = response.status
        error = "" if 200 <= status < 300 else f"HTTP {status}"
        if 300 <= status < 400:
            error += " (redirects are not followed)"
    return AttemptResult(
        status_code=status,
        duration_ms=round((time.monotonic() - started) * 1000),
        error=error,
        excerpt=sink.text(),
    )


def delivery_attempt(*, delivery_id: int) -> str:
    """Send the delivery's next attempt if it is due and nobody else is sending it; record
    it. Returns what happened: skipped, succeeded, retrying, failed."""
    now = timezone.now()
    if not _claim(delivery_id, now):
        return "skipped"
    delivery = WebhookDelivery.objects.select_related("endpoint", "message").get(pk=delivery_id)
    if not delivery.endpoint.active:
        WebhookDelivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED,
            finished_at=now,
            next_attempt_at=None,
            last_error="the endpoint was disabled before this was sent",
        )
        return "failed"
    result = _post(delivery, now)
    return _record(delivery, result, started_at=now)


@transaction.atomic
def _record(delivery: WebhookDelivery, result: AttemptResult, *, started_at: datetime) -> str:
    number = delivery.attempts + 1
    WebhookAttempt.objects.create(
        tenant_id=delivery.tenant_id,
        delivery=delivery,
        number=number,
        started_at=started_at,
        status_code=result.status_code,
        duration_ms=result.duration_ms,
        error=result.error[:500],
        response_excerpt=result.excerpt[:500],
    )
    now = timezone.now()
    update = {
        "attempts": number,
        "last_status_code": result.status_code,
        "last_error": result.error[:500],
    }
    if result.ok:
        outcome = DeliveryStatus.SUCCEEDED
        update.update(status=outcome, finished_at=now, next_attempt_at=None)
    elif number >= settings.WEBHOOK_MAX_ATTEMPTS:
        outcome = DeliveryStatus.FAILED
        update.update(status=outcome, finished_at=now, next_attempt_at=None)
    else:
        outcome = "retrying"
        update.update(next_attempt_at=now + retry_delay(number))
    WebhookDelivery.objects.filter(pk=delivery.pk).update(**update)
    if not result.ok:
        logger.info(
            "webhook delivery %s attempt %s to endpoint %s failed: %s",
            delivery.pk,
            number,
            delivery.endpoint_id,
            result.error,
        )
    return str(outcome)


def deliveries_due(*, now: datetime | None = None, limit: int = 1000) -> list[int]:
    """Pending deliveries whose next attempt is due (the tick queues them)."""
    return list(
        WebhookDelivery.objects.filter(
            status=DeliveryStatus.PENDING, next_attempt_at__lte=now or timezone.now()
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
