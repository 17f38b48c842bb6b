"""Webhooks in the admin: tenant admins register endpoints, read the delivery log with every
attempt, and redeliver (R1a, R28). Writes go through `webhooks.services`, as in the API."""

from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from tenants.admin_base import SUPERUSER, TenantScopedAdmin, TenantScopedInline, roles
from tenants.exceptions import DomainError
from tenants.models import Role

from . import services
from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEventType

ADMIN_ONLY = roles(view=Role.ADMIN, add=Role.ADMIN, change=Role.ADMIN, delete=Role.ADMIN)


class WebhookEndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        choices=WebhookEventType.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["tenant", "url", "description", "events", "active"]
        widgets = {"url": forms.URLInput(attrs={"size": 80})}


def _secret_shown(modeladmin, request, endpoint, secret: str) -> None:
    modeladmin.message_user(
        request,
        f"Signing secret of {endpoint.url}, shown only now; copy it to the receiver: {secret}",
        messages.WARNING,
    )


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(TenantScopedAdmin):
    required_role = ADMIN_ONLY
    form = WebhookEndpointForm
    list_display = ["url", "tenant", "event_list", "active", "deliveries_link", "created_at"]
    list_filter = ["active", "tenant"]
    search_fields = ["url", "description"]
    actions = ["rotate_secret"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += ["created_by", "created_at", "updated_at"]
        return fields

    def get_fields(self, request, obj=None):
        fields = ["tenant", "url", "description", "events", "active"]
        return fields + (["created_by", "created_at", "updated_at"] if obj is not None else [])

    @admin.display(description="Events")
    def event_list(self, obj: WebhookEndpoint) -> str:
        return ", ".join(obj.events)

    @admin.display(description="Deliveries")
    def deliveries_link(self, obj: WebhookEndpoint) -> str:
        url = (
            reverse("admin:webhooks_webhookdelivery_changelist") + f"?endpoint__id__exact={obj.pk}"
        )
        return format_html('<a href="{}">log</a>', url)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.webhook_update(
                endpoint=obj,
                user=request.user,
                url=data["url"],
                events=data["events"],
                active=data["active"],
                description=data.get("description", ""),
            )
            return
        created = services.webhook_create(
            tenant=data["tenant"],
            user=request.user,
            url=data["url"],
            events=data["events"],
            active=data["active"],
            description=data.get("description", ""),
        )
        obj.pk, obj.secret = created.endpoint.pk, created.secret
        obj.created_at = created.endpoint.created_at
        _secret_shown(self, request, created.endpoint, created.secret)

    def service_delete(self, request, obj):
        services.webhook_delete(endpoint=obj, user=request.user)

    @admin.action(description="Rotate the signing secret (shown once)")
    def rotate_secret(self, request, queryset):
        for endpoint in queryset:
            try:
                rotated = services.webhook_secret_rotate(endpoint=endpoint, user=request.user)
            except DomainError as exc:
                self.message_user(request, f"{endpoint}: {exc.message}", messages.ERROR)
            else:
                _secret_shown(self, request, rotated.endpoint, rotated.secret)


class WebhookAttemptInline(TenantScopedInline, admin.TabularInline):
    model = WebhookAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "status_code", "duration_ms", "error", "response_excerpt"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(TenantScopedAdmin):
    """The delivery log: read-only; admins redeliver finished deliveries."""

    required_role = roles(view=Role.ADMIN, add=None, change=Role.ADMIN, delete=SUPERUSER)
    list_display = [
        "id",
        "endpoint",
        "event",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["status", "message__event", "tenant"]
    search_fields = ["endpoint__url", "last_error"]
    list_select_related = ["endpoint", "message"]
    inlines = [WebhookAttemptInline]
    actions = ["redeliver"]
    fields = [
        "tenant",
        "endpoint",
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
        "payload",
    ]
    readonly_fields = fields

    @admin.display(description="Event")
    def event(self, obj: WebhookDelivery) -> str:
        return obj.message.event

    @admin.display(description="webhook-id")
    def webhook_id(self, obj: WebhookDelivery) -> str:
        return obj.message.webhook_id

    @admin.display(description="Body sent")
    def payload(self, obj: WebhookDelivery) -> str:
        pretty = json.dumps(json.loads(obj.message.body), indent=2, ensure_ascii=False)
        return format_html("<pre>{}</pre>", pretty)

    @admin.action(description="Redeliver the selected deliveries")
    def redeliver(self, request, queryset):
        done = 0
        for delivery in queryset.select_related("endpoint", "tenant"):
            try:
                services.webhook_redeliver(delivery=delivery, user=request.user)
            except DomainError as exc:
                self.message_user(request, f"#{delivery.pk}: {exc.message}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(
                request, f"{done} {'delivery' if done == 1 else 'deliveries'} queued again."
            )
