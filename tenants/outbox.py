"""The change outbox (R21): services record what they changed; the projection drains it.

`outbox_record` is called inside the service's own transaction, so the note commits or rolls
back with the change itself (never a signal, never a second transaction). After commit every
drainer named in `settings.OUTBOX_DRAINERS` runs for the tenant (the read model registers
itself there), so the process that made the change recomputes exactly what it touched; a
crash between commit and drain leaves the rows for the periodic drain (Celery beat).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from .models import ChangeOutbox, OutboxKind, Tenant

logger = logging.getLogger(__name__)


def outbox_record(
    *, tenant: Tenant | int, kind: str, ids: Iterable[int] = (), detail: dict | None = None
) -> int:
    """Note that these objects changed; returns rows written. Must run inside the change's
    transaction (a bare call outside one commits the rows and drains at once)."""
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    if kind == OutboxKind.CONTEXT:
        rows = [ChangeOutbox(tenant_id=tenant_id, kind=kind, object_id=0, detail=detail or {})]
    else:
        rows = [
            ChangeOutbox(tenant_id=tenant_id, kind=kind, object_id=pk, detail=detail or {})
            for pk in dict.fromkeys(ids)
        ]
    if not rows:
        return 0
    ChangeOutbox.objects.bulk_create(rows, batch_size=2000)
    _drain_after_commit(tenant_id)
    return len(rows)


def _drain_after_commit(tenant_id: int) -> None:
    """One drain per tenant for the writes of one atomic block. A hook is reused only when
    it was registered under the same savepoints (so a rolled-back savepoint, whose hooks
    Django drops, never takes a later write's drain with it)."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        current = set(connection.savepoint_ids)
        for sids, hook, *_ in connection.run_on_commit:
            if getattr(hook, "outbox_tenant_id", None) == tenant_id and sids == current:
                return

    def run() -> None:
        outbox_drain_now(tenant_id=tenant_id)

    run.outbox_tenant_id = tenant_id
    transaction.on_commit(run)


def outbox_drain_now(*, tenant_id: int) -> None:
    """Run every registered drainer for the tenant; a failure leaves the rows for beat."""
    for path in settings.OUTBOX_DRAINERS:
        try:
            import_string(path)(tenant_id=tenant_id)
        except Exception:  # the change is committed; the periodic drain will retry
            logger.exception("outbox drain %s failed for tenant %s", path, tenant_id)


def outbox_settle(*, tenant: Tenant | int) -> None:
    """Commands call this before they exit: whatever the tenant's outbox still names (their
    own writes, normally drained at commit already) is projected now, so the shop API shows
    the command's result when it returns."""
    outbox_drain_now(tenant_id=tenant if isinstance(tenant, int) else tenant.pk)
