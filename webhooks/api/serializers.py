"""Input and output shapes of `.../webhooks` (SPEC §3, R28). Inputs check types only; the
services decide what is valid (URL guard, event names) and name the field."""

from __future__ import annotations

import json

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEventType


class WebhookInput(serializers.Serializer):
    url = serializers.CharField(max_length=2000, trim_whitespace=True)
    events = serializers.ListField(
        child=serializers.CharField(max_length=64),
        allow_empty=True,
        max_length=20,
        help_text=f"Any of: {', '.join(WebhookEventType.values)}.",
    )
    active = serializers.BooleanField(default=True)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)


class WebhookUpdateInput(WebhookInput):
    """PATCH: every field optional."""

    url = serializers.CharField(max_length=2000, required=False)
    events = serializers.ListField(
        child=serializers.CharField(max_length=64), required=False, max_length=20
    )
    active = serializers.BooleanField(required=False)


class WebhookOutput(serializers.ModelSerializer):
    """An endpoint as listed: never its secret."""

    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "events",
            "active",
            "created_by",
            "created_at",
            "updated_at",
        ]


class WebhookSecretOutput(WebhookOutput):
    """On create and on secret rotation only: the secret, shown this once."""

    secret = serializers.SerializerMethodField()

    class Meta(WebhookOutput.Meta):
        fields = [*WebhookOutput.Meta.fields, "secret"]

    def get_secret(self, obj) -> str:
        return self.context["secret"]


class WebhookAttemptOutput(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "started_at", "status_code", "duration_ms", "error", "response_excerpt"]


class WebhookDeliveryOutput(serializers.ModelSerializer):
    event = serializers.CharField(source="message.event", read_only=True)
    webhook_id = serializers.CharField(source="message.webhook_id", read_only=True)
    requested_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "webhook_id",
            "status",
            "attempts",
            "next_attempt_at",
            "last_status_code",
            "last_error",
            "redelivery_of",
            "requested_by",
            "created_at",
            "finished_at",
        ]


class WebhookDeliveryDetailOutput(WebhookDeliveryOutput):
    """One delivery with the body it sends and the log of every attempt."""

    payload = serializers.SerializerMethodField()
    log = WebhookAttemptOutput(many=True, read_only=True)

    class Meta(WebhookDeliveryOutput.Meta):
        fields = [*WebhookDeliveryOutput.Meta.fields, "payload", "log"]

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_payload(self, obj) -> dict:
        return json.loads(obj.message.body)
