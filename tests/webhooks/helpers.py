"""Shared steps of the webhook tests: API calls whose commits run their on-commit work."""

from __future__ import annotations

import re
from pathlib import Path

from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookMessage

DOCS = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def docs_verify():
    """The receiver example of docs/webhooks.md, run as written."""
    code = re.search(r"```python\n(.*?)```", DOCS.read_text(), re.S).group(1)
    namespace: dict = {}
    exec(compile(code, str(DOCS), "exec"), namespace)  # noqa: S102 - our own documentation
    return namespace["verify"]


def make_due() -> None:
    """Time passes: every pending retry is due now (no clock in tests)."""
    from datetime import timedelta

    from django.utils import timezone

    WebhookDelivery.objects.filter(status="pending").update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def webhook_with_delivery(tenant) -> dict:
    """An endpoint of `tenant` with one failed delivery in its log, written directly (the
    isolation suites only need the rows): {"webhook": id, "delivery": id}."""
    endpoint = WebhookEndpoint.objects.create(
        tenant=tenant,
        url=f"https://hooks.{tenant.slug}.example/in",
        events=["media.published"],
        secret="whsec_" + "A" * 44,
    )
    message = WebhookMessage.objects.create(
        tenant=tenant, event="media.published", body='{"type": "media.published"}'
    )
    delivery = WebhookDelivery.objects.create(
        tenant=tenant, endpoint=endpoint, message=message, status="failed"
    )
    return {"webhook": endpoint.pk, "delivery": delivery.pk}
