"""The general audit log: who did what, written by each owning service (one write path).

`audit_record` is called inside the service's own transaction, after its checks and with
the change, so a refused call (wrong role, bad input) and a rolled-back one leave no row.
Services pass the object changed (its type, id and label are taken from it) and a small
`detail`: the fields changed with their old and new values (`changes` builds it), counts
for bulk writes; never file bytes. A user None is a system action, recorded as "system".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.db import models

from .models import AuditEvent, Tenant

SYSTEM = "system"
LABEL_MAX = 255
VALUE_MAX = 200
PRUNE_BATCH = 5000  # longer text values are cut (a description, a transcript), never bytes


def _actor(user: AbstractBaseUser | None) -> tuple[AbstractBaseUser | None, str]:
    if user is None or not getattr(user, "is_authenticated", False):
        return None, SYSTEM
    return user, user.get_username()


def audit_value(value):
    """A value as the detail keeps it: JSON-safe, short."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, Mapping):
        return {str(k): audit_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [audit_value(v) for v in value]
    text = str(value)
    return text if len(text) <= VALUE_MAX else text[: VALUE_MAX - 1] + "…"


def changes(before: Mapping, after: Mapping) -> dict:
    """{field: {"old": ..., "new": ...}} for the fields whose value differs."""
    return {
        name: {"old": audit_value(before.get(name)), "new": audit_value(value)}
        for name, value in after.items()
        if before.get(name) != value
    }


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict:
    return {name: getattr(obj, name) for name in fields}


def audit_record(
    *,
    tenant: Tenant | int | None = None,
    user: AbstractBaseUser | None,
    action: str,
    obj: models.Model | None = None,
    label: str = "",
    detail: Mapping | None = None,
    object_type: str = "",
    object_id: str | int = "",
) -> AuditEvent:
    """Write one audit row; call it inside the service's transaction (after its checks).

    With `obj`, its tenant, type, id and label (str(obj)) are taken from it unless given;
    without one (a batch), `tenant` is required."""
    actor, username = _actor(user)
    if obj is not None:
        tenant = obj.tenant_id if tenant is None else tenant
        object_type = object_type or obj._meta.model_name
        object_id = obj.pk if object_id == "" else object_id
        label = label or str(obj)
    if tenant is None:
        raise ValueError("audit_record needs the tenant, or an object that carries one.")
    return AuditEvent.objects.create(
        tenant_id=tenant if isinstance(tenant, int) else tenant.pk,
        user=actor,
        username=username,
        action=action,
        object_type=object_type,
        object_id="" if object_id is None else str(object_id),
        object_label=(label or "")[:LABEL_MAX],
        detail=audit_value(dict(detail or {})),
    )


def audit_prune(*, days: int | None = None) -> int:
    """Drop rows older than AUDIT_RETENTION_DAYS (beat, hourly); returns how many went."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    days = settings.AUDIT_RETENTION_DAYS if days is None else days
    horizon = timezone.now() - timedelta(days=days)
    total = 0
    while True:  # in batches: a first prune after an upgrade may find many rows
        ids = list(
            AuditEvent.objects.filter(at__lt=horizon)
            .order_by("pk")
            .values_list("pk", flat=True)[:PRUNE_BATCH]
        )
        if not ids:
            return total
        deleted, _ = AuditEvent.objects.filter(pk__in=ids).delete()
        total += deleted
