"""Webhook endpoints, the messages sent to them and every delivery attempt (R28).

A *message* is one event as the receivers see it (its body is fixed once, its public id
is the `webhook-id` header); a *delivery* is that message on its way to one endpoint, with
its retry schedule; an *attempt* is one HTTP request of a delivery, logged with its status
code, response time and error. Cursors remember how far each tenant's feeds were followed.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from tenants.models import TenantOwned


class WebhookEventType(models.TextChoices):
    ANSWER_CHANGED = "answer.changed", "A shop answer changed (from the change feed)"
    MEDIA_PUBLISHED = "media.published", "A media item was published"
    MEDIA_UNPUBLISHED = "media.unpublished", "A media item was unpublished"
    MEDIA_REPLACED = "media.replaced", "A media item's file was replaced"
    MEDIA_EXPIRED = "media.expired", "A media item's availability ended"
    JOB_FINISHED = "job.finished", "A job succeeded or failed"


class WebhookEndpoint(TenantOwned):
    """Where a tenant's admin wants events sent, and which ones.

    `secret` signs every delivery (Standard Webhooks: `whsec_` + base64); it is shown once,
    when the endpoint is created or its secret rotated, and never listed again.
    """

    url = models.CharField(max_length=2000)
    description = models.CharField(max_length=500, blank=True)
    events = models.JSONField(default=list)
    active = models.BooleanField(default=True)
    secret = models.CharField(max_length=100, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "active"], name="webhook_endpoint_active")]
        verbose_name = "webhook endpoint"

    def __str__(self) -> str:
        return self.url


class WebhookMessage(TenantOwned):
    """One event, as sent: `body` is the exact JSON every attempt signs and sends.

    `source_key` names what the event came from when it was found by following a feed
    (a range of the change feed, a job's finish), so following twice never sends it twice.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    event = models.CharField(max_length=32, choices=WebhookEventType.choices)
    body = models.TextField()
    source_key = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "source_key"],
                condition=~Q(source_key=""),
                name="webhook_message_unique_source",
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="webhook_message_created")]

    def __str__(self) -> str:
        return f"{self.event} {self.webhook_id}"

    @property
    def webhook_id(self) -> str:
        """The `webhook-id` header: the same for every attempt and redelivery."""
        return f"msg_{self.public_id.hex}"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending (sending or waiting to retry)"
    SUCCEEDED = "succeeded", "Delivered (2xx)"
    FAILED = "failed", "Failed (gave up)"


class WebhookDelivery(TenantOwned):
    """A message on its way to one endpoint: attempts, retry schedule, outcome."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    message = models.ForeignKey(WebhookMessage, on_delete=models.CASCADE, related_name="deliveries")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="redeliveries"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="webhook_delivery_due"),
            models.Index(fields=["tenant", "endpoint", "-created_at"], name="webhook_delivery_log"),
        ]
        verbose_name_plural = "webhook deliveries"

    def __str__(self) -> str:
        return f"#{self.pk} {self.message.event} -> {self.endpoint.url} ({self.status})"


class WebhookAttempt(TenantOwned):
    """One HTTP request of a delivery, as the delivery log shows it."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["delivery", "number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="webhook_attempt_unique")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of delivery {self.delivery_id}"


class FeedSource(models.TextChoices):
    ANSWERS = "answers", "The change feed (publishing.AnswerChange)"
    JOBS = "jobs", "Finished jobs"


class WebhookCursor(TenantOwned):
    """How far a tenant's feed has been turned into messages.

    answers: `position` is the last change-feed id handled. jobs: `position_at` is the
    latest finish seen and `floor_at` when following began (nothing older is announced).
    """

    source = models.CharField(max_length=16, choices=FeedSource.choices)
    position = models.BigIntegerField(default=0)
    position_at = models.DateTimeField(null=True, blank=True)
    floor_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "source"], name="webhook_cursor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.tenant_id}:{self.source} @ {self.position or self.position_at}"
