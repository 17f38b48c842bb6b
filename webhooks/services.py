"""Every write to webhooks goes through these functions: the API, the admin and the tasks
call them, so the role check (R1a: admins only), the URL guard (R29) and the event list are
checked the same way whatever the door."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from tenants.audit import audit_record, changes, snapshot
from tenants.exceptions import Conflict, DomainError, ValidationFailed
from tenants.models import Role, Tenant
from tenants.outbound import AddressNotAllowed, OutboundFetchError, url_vet
from tenants.selectors import actor_role_require

from .follow import cursors_start_for
from .messages import deliveries_send_after_commit
from .models import DeliveryStatus, WebhookDelivery, WebhookEndpoint, WebhookEventType
from .signing import secret_generate

URL_MAX_LENGTH = 2000
DESCRIPTION_MAX_LENGTH = 500


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint and its secret in clear: returned only where it is shown once."""

    endpoint: WebhookEndpoint
    secret: str


AUDITED_FIELDS = ("url", "events", "active", "description")


def _admin_require(tenant: Tenant, user: AbstractBaseUser | None, action: str) -> None:
    actor_role_require(tenant=tenant, user=user, role=Role.ADMIN, action=action)


def webhook_url_check(url: str) -> str:
    """A URL deliveries may be sent to: http(s), and (R29) every address its host resolves
    to public or allowlisted (OUTBOUND_FETCH_ALLOWLIST). Checked again at each delivery."""
    url = (url or "").strip()
    if not url:
        raise DomainError("Give the URL deliveries are sent to.", field="url")
    if len(url) > URL_MAX_LENGTH:
        raise DomainError(f"The URL is longer than {URL_MAX_LENGTH} characters.", field="url")
    if not url.lower().startswith(("http://", "https://")):
        raise DomainError("Use an http:// or https:// URL.", field="url")
    try:
        url_vet(url)
    except AddressNotAllowed:
        raise DomainError(
            "This URL points to an internal address (loopback, private, link-local or "
            "cloud metadata): webhooks are only sent to public addresses unless the "
            "deployment allowlists the host (OUTBOUND_FETCH_ALLOWLIST).",
            field="url",
        ) from None
    except OutboundFetchError as exc:
        if exc.detail.startswith(("cannot resolve", "no address")):
            host = urlsplit(url).hostname or ""
            raise DomainError(
                f"This URL cannot be used: its host '{host}' does not resolve from this "
                "server (check the name, or the server's DNS).",
                field="url",
            ) from None
        raise DomainError(
            "This URL cannot be used: check that it is well formed and has no user or "
            "password in it.",
            field="url",
        ) from None
    return url


def webhook_events_check(events: Sequence[str] | None) -> list[str]:
    """A non-empty list of known event names, each once, in the order given."""
    if not isinstance(events, list | tuple) or not events:
        raise DomainError(
            f"Choose at least one event among {', '.join(WebhookEventType.values)}.",
            field="events",
        )
    errors = [
        (f"events[{i}]", f"Unknown event '{e}'; use one of {', '.join(WebhookEventType.values)}.")
        for i, e in enumerate(events)
        if e not in WebhookEventType.values
    ]
    if errors:
        raise ValidationFailed(errors, message=errors[0][1])
    return list(dict.fromkeys(events))


def _description_check(description: str | None) -> str:
    description = (description or "").strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise DomainError(
            f"The description is longer than {DESCRIPTION_MAX_LENGTH} characters.",
            field="description",
        )
    return description


@transaction.atomic
def webhook_create(
    *,
    tenant: Tenant,
    user: AbstractBaseUser | None,
    url: str,
    events: Sequence[str],
    active: bool = True,
    description: str = "",
) -> EndpointWithSecret:
    """Register an endpoint (R28); its secret is generated here and returned once.

    Feeds it is the first to follow start from now: it is sent what happens from here on.
    `user` None is the operator (shell); a user must be the tenant's admin.
    """
    _admin_require(tenant, user, "manage webhooks")
    url = webhook_url_check(url)
    events = webhook_events_check(events)
    description = _description_check(description)
    if active:
        cursors_start_for(tenant_id=tenant.pk, events=set(events))
    secret = secret_generate()
    endpoint = WebhookEndpoint.objects.create(
        tenant=tenant,
        url=url,
        events=events,
        active=bool(active),
        description=description,
        secret=secret,
        created_by=user if user is not None and user.is_authenticated else None,
    )
    audit_record(
        user=user,
        action="webhook.create",
        obj=endpoint,
        detail=snapshot(endpoint, AUDITED_FIELDS),  # never the secret
    )
    return EndpointWithSecret(endpoint=endpoint, secret=secret)


def _locked(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    return WebhookEndpoint.objects.select_for_update().get(
        pk=endpoint.pk, tenant=endpoint.tenant_id
    )


@transaction.atomic
def webhook_update(
    *,
    endpoint: WebhookEndpoint,
    user: AbstractBaseUser | None,
    url: str | None = None,
    events: Sequence[str] | None = None,
    active: bool | None = None,
    description: str | None = None,
) -> WebhookEndpoint:
    """Change what is given (None: unchanged). Events it newly follows (or all of them,
    when it is switched back on) start from now, like a new endpoint."""
    _admin_require(endpoint.tenant, user, "manage webhooks")
    locked = _locked(endpoint)
    before = snapshot(locked, AUDITED_FIELDS)
    fields = []
    if url is not None:
        locked.url = webhook_url_check(url)
        fields.append("url")
    new_events = locked.events
    if events is not None:
        new_events = webhook_events_check(events)
    now_active = locked.active if active is None else bool(active)
    listening_before = set(locked.events) if locked.active else set()
    started = (set(new_events) if now_active else set()) - listening_before
    if started:
        cursors_start_for(tenant_id=locked.tenant_id, events=started)
    if events is not None:
        locked.events = new_events
        fields.append("events")
    if active is not None:
        locked.active = now_active
        fields.append("active")
    if description is not None:
        locked.description = _description_check(description)
        fields.append("description")
    if fields:
        locked.save(update_fields=[*fields, "updated_at"])
    changed = changes(before, snapshot(locked, AUDITED_FIELDS))
    if changed:
        audit_record(user=user, action="webhook.update", obj=locked, detail=changed)
    return locked


@transaction.atomic
def webhook_secret_rotate(
    *, endpoint: WebhookEndpoint, user: AbstractBaseUser | None
) -> EndpointWithSecret:
    """A new secret, shown once; attempts from now on are signed with it."""
    _admin_require(endpoint.tenant, user, "manage webhooks")
    locked = _locked(endpoint)
    locked.secret = secret_generate()
    locked.save(update_fields=["secret", "updated_at"])
    audit_record(user=user, action="webhook.rotate_secret", obj=locked)
    return EndpointWithSecret(endpoint=locked, secret=locked.secret)


@transaction.atomic
def webhook_delete(*, endpoint: WebhookEndpoint, user: AbstractBaseUser | None) -> None:
    """The endpoint goes with its delivery log; nothing more is sent to it."""
    _admin_require(endpoint.tenant, user, "manage webhooks")
    locked = _locked(endpoint)
    audit_record(
        user=user, action="webhook.delete", obj=locked, detail=snapshot(locked, AUDITED_FIELDS)
    )
    locked.delete()


@transaction.atomic
def webhook_redeliver(
    *, delivery: WebhookDelivery, user: AbstractBaseUser | None
) -> WebhookDelivery:
    """Send a delivery's message again, as a new delivery with its own attempts and
    retries (the old log stays); same `webhook-id`, so receivers can tell it is the same
    event. Refused while the original is still pending (it is being retried already)."""
    _admin_require(delivery.tenant, user, "redeliver webhooks")
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=delivery.endpoint_id)
    if not endpoint.active:
        raise Conflict("The endpoint is disabled; enable it first.", field="active")
    if delivery.status == DeliveryStatus.PENDING:
        raise Conflict(
            "This delivery is still pending (being sent or waiting to retry).", field="status"
        )
    again = WebhookDelivery.objects.create(
        tenant_id=delivery.tenant_id,
        endpoint=endpoint,
        message_id=delivery.message_id,
        status=DeliveryStatus.PENDING,
        next_attempt_at=timezone.now(),
        redelivery_of=delivery,
        requested_by=user if user is not None and user.is_authenticated else None,
    )
    audit_record(
        user=user,
        action="webhook.redeliver",
        obj=endpoint,
        detail={"delivery": delivery.pk, "again": again.pk, "message": delivery.message_id},
    )
    deliveries_send_after_commit([again.pk])
    return again
