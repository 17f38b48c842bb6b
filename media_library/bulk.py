"""Bulk actions on a selection of library items: the bulk forms of the item services.

Every item goes through the same service a single edit would (media_item_update, _publish,
_unpublish, _delete), so its checks, audit and side effects are the same. All or nothing:
the selection is changed in one transaction; if any item is refused, the whole transaction
rolls back (files written are removed, deletes of files only happen on commit) and the
answer lists every refused item with its reason, so the user can fix or deselect them.
"""

from __future__ import annotations

import os
import string
from collections.abc import Callable, Iterable, Sequence

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction

from tenants.audit import audit_record
from tenants.exceptions import DomainError
from tenants.models import Role, Tenant
from tenants.selectors import actor_role_require

from . import services
from .models import MediaItem

BULK_MAX_ITEMS = 500
ACTION_ROLES = {
    "tags_add": Role.EDITOR,
    "tags_remove": Role.EDITOR,
    "alt_text": Role.EDITOR,
    "title": Role.EDITOR,
    "delete": Role.EDITOR,
    "publish": Role.PUBLISHER,
    "unpublish": Role.PUBLISHER,
}
TITLE_FIELDS = {"title", "name", "n"}


class BulkRefused(DomainError):
    """Some items were refused; nothing was changed. `extra["items"]` says which and why."""

    code = "bulk_refused"

    def __init__(self, message: str, *, items: list[dict], status_code: int):
        super().__init__(message, field="ids", extra={"items": items})
        self.status_code = status_code


def title_pattern_check(pattern: str) -> str:
    """A title pattern may use {title} (the current title), {name} (the file name without
    its extension) and {n} (1, 2, ... in the selection's order); anything else is refused."""
    pattern = pattern.strip()
    if not pattern:
        raise DomainError("The title pattern cannot be empty.", field="title_pattern")
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise DomainError(
            f"The title pattern is not valid ({exc}); write braces as {{{{ and }}}}.",
            field="title_pattern",
        ) from None
    fields = {name for _, name, _, _ in parsed if name is not None}
    for _, name, spec, conversion in parsed:
        if name is not None and (spec or conversion):
            # {title:>99999} would build a string as long as asked, {n!z} fails late: a
            # pattern only names placeholders.
            raise DomainError(
                f"Write placeholders plainly, as {{{name}}}, without a format or conversion.",
                field="title_pattern",
            )
    unknown = sorted(fields - TITLE_FIELDS)
    if unknown:
        raise DomainError(
            f"Unknown placeholder {{{unknown[0]}}} in the title pattern; "
            "use {title}, {name} or {n}.",
            field="title_pattern",
        )
    return pattern


def title_from_pattern(pattern: str, *, item: MediaItem, n: int) -> str:
    name = os.path.splitext(item.original_filename)[0]
    return pattern.format(title=item.title, name=name, n=n).strip()


def _item_action(
    action: str, *, user: AbstractBaseUser | None, params: dict
) -> Callable[[MediaItem, int], None]:
    if action == "tags_add":
        wanted = services.tag_names_normalize(params.get("tags") or [])

        def run(item, n):
            current = [t.name for t in item.tags.all()]
            services.media_item_update(item=item, user=user, tags=[*current, *wanted])

        return run
    if action == "tags_remove":
        drop = {t.lower() for t in services.tag_names_normalize(params.get("tags") or [])}

        def run(item, n):
            kept = [t.name for t in item.tags.all() if t.name.lower() not in drop]
            services.media_item_update(item=item, user=user, tags=kept)

        return run
    if action == "alt_text":
        alt_text = params.get("alt_text", "")
        return lambda item, n: services.media_item_update(item=item, user=user, alt_text=alt_text)
    if action == "title":
        pattern = title_pattern_check(params.get("title_pattern", ""))
        return lambda item, n: services.media_item_update(
            item=item, user=user, title=title_from_pattern(pattern, item=item, n=n)
        )
    if action == "publish":
        return lambda item, n: services.media_item_publish(item=item, user=user)
    if action == "unpublish":
        force = bool(params.get("force"))
        return lambda item, n: services.media_item_unpublish(item=item, user=user, force=force)
    if action == "delete":
        return lambda item, n: services.media_item_delete(item=item, user=user)
    raise DomainError(f"Unknown bulk action '{action}'.", field="action")


def _params_check(action: str, params: dict) -> None:
    if action in ("tags_add", "tags_remove") and not services.tag_names_normalize(
        params.get("tags") or []
    ):
        raise DomainError("Give at least one tag.", field="tags")
    if action == "alt_text" and "alt_text" not in params:
        raise DomainError("Give the alt text to set.", field="alt_text")


def media_items_bulk_apply(
    *,
    tenant: Tenant,
    user: AbstractBaseUser | None,
    action: str,
    ids: Sequence[int],
    params: dict | None = None,
) -> list[MediaItem]:
    """Apply one action to every selected item, in the order given, all or nothing.

    `user` must hold the action's role (R1a); each item's service checks again what it
    checks for a single item. Unknown ids (or another tenant's) are refused like any item.
    Returns the items as changed (empty for delete).
    """
    params = params or {}
    if action not in ACTION_ROLES:
        raise DomainError(
            f"Unknown bulk action '{action}'; use one of {', '.join(sorted(ACTION_ROLES))}.",
            field="action",
        )
    ordered = list(dict.fromkeys(int(i) for i in ids))
    if not ordered:
        raise DomainError("Select at least one item.", field="ids")
    if len(ordered) > BULK_MAX_ITEMS:
        raise DomainError(f"Select at most {BULK_MAX_ITEMS} items at once.", field="ids")
    actor_role_require(
        tenant=tenant, user=user, role=ACTION_ROLES[action], action=f"{action} media"
    )
    _params_check(action, params)
    run = _item_action(action, user=user, params=params)
    refused: list[dict] = []
    statuses: set[int] = set()
    changed: list[MediaItem] = []
    with transaction.atomic():
        # Locked in pk order (as every writer locks), so two bulk edits cannot deadlock.
        found = {
            item.pk: item
            for item in MediaItem.objects.select_for_update()
            .filter(tenant=tenant, pk__in=ordered)
            .order_by("pk")
        }
        for n, pk in enumerate(ordered, start=1):
            item = found.get(pk)
            if item is None:
                refused.append({"id": pk, "field": "ids", "reason": "No such media item."})
                statuses.add(404)
                continue
            try:
                with transaction.atomic():
                    run(item, n)
            except DomainError as exc:
                refused.append(
                    {
                        "id": pk,
                        "name": item.display_name,
                        "field": exc.field,
                        "reason": exc.message,
                        **({"used_by": exc.extra["used_by"]} if "used_by" in exc.extra else {}),
                    }
                )
                statuses.add(exc.status_code)
                continue
            changed.append(item)
        if refused:
            raise BulkRefused(
                f"{len(refused)} of {len(ordered)} item(s) could not be changed, so none "
                "was changed.",
                items=refused,
                status_code=statuses.pop() if len(statuses) == 1 else 400,
            )
        # Each item's own service wrote its row; this one says it was one bulk action.
        audit_record(
            tenant=tenant,
            user=user,
            action="media.bulk",
            object_type="mediaitem",
            label=f"{action} on {len(changed)} media item(s)",
            detail={
                "action": action,
                "count": len(changed),
                "ids": [item.pk for item in changed],
                **{
                    k: params[k]
                    for k in ("tags", "alt_text", "title_pattern", "force")
                    if k in params
                },
            },
        )
    if action == "delete":
        return []
    return list(MediaItem.objects.filter(pk__in=[i.pk for i in changed]))


MAX_ID = 2**63 - 1  # the largest primary key; a larger number overflows the lookup


def bulk_ids_parse(values: Iterable) -> list[int]:
    """Ids from a JSON body: positive integers only (400 naming `ids` otherwise)."""
    out = []
    for value in values:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise DomainError("Ids must be whole numbers.", field="ids")
        try:
            number = int(value)
        except ValueError:
            raise DomainError(f"'{value}' is not a media id.", field="ids") from None
        if not 0 < number <= MAX_ID:
            raise DomainError(f"'{value}' is not a media id.", field="ids")
        out.append(number)
    return out
