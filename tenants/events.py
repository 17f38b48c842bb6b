"""Domain events for the apps above: what happened, told to whoever registered a hook.

Lower apps (media_library, tenant copy, ...) call `domain_event_emit` inside the
transaction of the change, naming the event and the objects; the hooks listed in
`settings.DOMAIN_EVENT_HOOKS` (webhooks registers itself there) record what they need in the
same transaction, so a rolled-back change announces nothing and a committed one is never
lost. The lower app imports nothing above it, and no signal is involved.

A hook must never fail the write that caused the event: each runs in a savepoint of its
own, and an error is logged and rolled back to that savepoint alone.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

from .models import Tenant

logger = logging.getLogger(__name__)


class DomainEvent:
    """Event names, as webhooks show them to receivers (R28)."""

    MEDIA_PUBLISHED = "media.published"
    MEDIA_UNPUBLISHED = "media.unpublished"
    MEDIA_REPLACED = "media.replaced"  # new bytes for an existing item (R25)
    MEDIA_EXPIRED = "media.expired"  # its availability window ended (R27)


def domain_event_emit(*, tenant: Tenant | int, event: str, ids: Iterable[int]) -> None:
    """Tell every registered hook that `event` happened to these objects of the tenant.

    Call it inside the change's transaction. Hooks get `tenant_id=`, `event=`, `ids=`.
    """
    tenant_id = tenant if isinstance(tenant, int) else tenant.pk
    unique = list(dict.fromkeys(ids))
    if not unique:
        return
    for path in getattr(settings, "DOMAIN_EVENT_HOOKS", ()):
        try:
            with transaction.atomic():
                import_string(path)(tenant_id=tenant_id, event=event, ids=unique)
        except Exception:  # noqa: BLE001 - the write that caused the event goes on regardless
            logger.exception("domain event hook %s failed for %s %s", path, event, unique[:20])
