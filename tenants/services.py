"""Tenant configuration writes: tenants, channels, locales and memberships (R1a, R4, R30).

Every write takes the requesting user (`user`; `by` for memberships, whose `user` is the
member): one given must hold the role the API and the admin require, whatever the door;
None is a system action (the demo loader, a test factory) recorded as "system". Each
write records one audit row (tenants.audit) in its own transaction, so a refused or
rolled-back write leaves none.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.module_loading import import_string

from .audit import audit_record, changes
from .exceptions import Conflict, DomainError, NotFound, PermissionDenied
from .models import (
    NEUTRAL,
    OMNICHANNEL,
    Channel,
    Locale,
    Membership,
    OutboxKind,
    Role,
    Tenant,
    UserPreference,
)
from .outbox import outbox_record

_SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_LOCALE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")


def _admin_require(tenant: Tenant, user: AbstractBaseUser | None, action: str) -> None:
    """Channels, locales and the tenant's name are for its admins (R1a); None is a system
    action with no role to check."""
    from .selectors import actor_role_require

    actor_role_require(tenant=tenant, user=user, role=Role.ADMIN, action=action)


def _audit(
    tenant_id: int,
    obj,
    actor: AbstractBaseUser | None,
    action: str,
    /,
    *,
    label: str = "",
    **detail,
) -> None:
    """The configuration row of the audit log, in the calling service's transaction."""
    audit_record(tenant=tenant_id, user=actor, action=action, obj=obj, label=label, detail=detail)


@transaction.atomic
def tenant_create(*, slug: str, name: str, user: AbstractBaseUser | None = None) -> Tenant:
    """A tenant always starts with the Omnichannel channel and the Neutral locale (R4).
    Only operators (superusers) create tenants; one audit row ("tenant.create") covers
    the Omnichannel channel and Neutral locale it starts with."""
    if user is not None and not getattr(user, "is_superuser", False):
        raise PermissionDenied("Only operators create tenants.")
    if not _SLUG.match(slug or ""):
        raise DomainError("Use lower-case letters, digits and hyphens.", field="slug")
    if Tenant.objects.filter(slug=slug).exists():
        raise Conflict(f"Tenant '{slug}' already exists.", field="slug")
    tenant = Tenant.objects.create(slug=slug, name=name or slug)
    Channel.objects.create(tenant=tenant, code=OMNICHANNEL, name="Omnichannel", is_omnichannel=True)
    Locale.objects.create(tenant=tenant, code=NEUTRAL, name="Neutral", language="", is_neutral=True)
    for initializer in settings.TENANT_INITIALIZERS:
        import_string(initializer)(tenant=tenant)
    _audit(tenant.pk, tenant, user, "tenant.create", slug=tenant.slug, name=tenant.name)
    return tenant


@transaction.atomic
def tenant_update(*, tenant: Tenant, name: str, user: AbstractBaseUser | None = None) -> Tenant:
    """Rename a tenant (its slug is fixed: URLs and tokens name it); tenant admins only."""
    _admin_require(tenant, user, "rename the tenant")
    before = Tenant.objects.filter(pk=tenant.pk).values("name").first() or {}
    tenant.name = name
    tenant.save(update_fields=["name"])
    _audit(tenant.pk, tenant, user, "tenant.update", **changes(before, {"name": name}))
    return tenant


def _context_changed(tenant_id: int, **detail) -> None:
    """Shops must learn of it at once (R21): every process forgets the tenant's contexts;
    a removed one takes its stored answers with it. Adding writes nothing per product."""
    outbox_record(tenant=tenant_id, kind=OutboxKind.CONTEXT, detail=detail)


def context_usages_list(*, tenant: Tenant, **context) -> list[str]:
    """Where a channel or locale is used (documents, categories...), from the apps above
    through CONTEXT_USAGE_HOOKS: what deleting it would take with it."""
    return [
        usage
        for hook in settings.CONTEXT_USAGE_HOOKS
        for usage in import_string(hook)(tenant=tenant, **context)
    ]


def _usages_refuse(*, tenant: Tenant, what: str, confirm: bool, **context) -> None:
    """R22: deleting a channel or locale that content still uses is refused with a 409
    listing where, unless confirmed (then the content goes with it, in the same step)."""
    if confirm:
        return
    usages = context_usages_list(tenant=tenant, **context)
    if usages:
        shown = "; ".join(usages[:10]) + (
            f" and {len(usages) - 10} more" if len(usages) > 10 else ""
        )
        raise Conflict(
            f"{what} is still used: {shown}. Confirm to delete it with all of that.",
            field="confirm",
            extra={"used_by": usages[:200], "count": len(usages)},
        )


def _content_lost(*, tenant: Tenant, confirm: bool, **context) -> dict:
    """For a confirmed delete, how much content goes with the channel or locale (R22)."""
    if not confirm:
        return {}
    usages = context_usages_list(tenant=tenant, **context)
    return {"confirmed": True, "content_deleted": len(usages)} if usages else {}


@transaction.atomic
def channel_create(
    *, tenant: Tenant, code: str, name: str = "", user: AbstractBaseUser | None = None
) -> Channel:
    _admin_require(tenant, user, "create channels")
    code = (code or "").strip().lower()
    if not _SLUG.match(code):
        raise DomainError("Use lower-case letters, digits and hyphens.", field="code")
    if code == OMNICHANNEL or Channel.objects.filter(tenant=tenant, code=code).exists():
        raise Conflict(f"Channel '{code}' already exists.", field="code")
    channel = Channel.objects.create(tenant=tenant, code=code, name=name or code)
    _context_changed(tenant.pk, channel=code)
    _audit(tenant.pk, channel, user, "channel.create", code=code, name=channel.name)
    return channel


@transaction.atomic
def channel_update(*, channel: Channel, name: str, user: AbstractBaseUser | None = None) -> Channel:
    _admin_require(channel.tenant, user, "change channels")
    # As stored: the admin hands over the instance its form already changed.
    before = Channel.objects.filter(pk=channel.pk).values("name").first() or {}
    channel.name = name
    channel.save(update_fields=["name"])
    _audit(channel.tenant_id, channel, user, "channel.update", **changes(before, {"name": name}))
    return channel


@transaction.atomic
def channel_delete(
    *, channel: Channel, confirm: bool = False, user: AbstractBaseUser | None = None
) -> None:
    """Audited as "channel.delete"; with `confirm`, the detail counts the content that went."""
    _admin_require(channel.tenant, user, "delete channels")
    if channel.is_omnichannel:
        raise DomainError("The Omnichannel channel cannot be deleted.", field="code")
    _usages_refuse(
        tenant=channel.tenant, what=f"Channel '{channel.code}'", confirm=confirm, channel=channel
    )
    _audit(
        channel.tenant_id,
        channel,
        user,
        "channel.delete",
        code=channel.code,
        name=channel.name,
        **_content_lost(tenant=channel.tenant, confirm=confirm, channel=channel),
    )
    _context_changed(channel.tenant_id, channel=channel.code, removed=True)
    channel.delete()


@transaction.atomic
def locale_create(
    *, tenant: Tenant, code: str, name: str = "", user: AbstractBaseUser | None = None
) -> Locale:
    """`en-us` gets language `en`: the middle step of context fallback (R10)."""
    _admin_require(tenant, user, "create locales")
    code = (code or "").strip().lower().replace("_", "-")
    if code == "system_neutral":
        code = NEUTRAL
    if not _LOCALE.match(code):
        raise DomainError("Use a language tag such as 'en' or 'en-us'.", field="code")
    if code == NEUTRAL or Locale.objects.filter(tenant=tenant, code=code).exists():
        raise Conflict(f"Locale '{code}' already exists.", field="code")
    locale = Locale.objects.create(
        tenant=tenant, code=code, name=name or code, language=code.split("-")[0]
    )
    _context_changed(tenant.pk, locale=code)
    _audit(tenant.pk, locale, user, "locale.create", code=code, name=locale.name)
    return locale


@transaction.atomic
def locale_update(*, locale: Locale, name: str, user: AbstractBaseUser | None = None) -> Locale:
    _admin_require(locale.tenant, user, "change locales")
    # As stored: the admin hands over the instance its form already changed.
    before = Locale.objects.filter(pk=locale.pk).values("name").first() or {}
    locale.name = name
    locale.save(update_fields=["name"])
    _audit(locale.tenant_id, locale, user, "locale.update", **changes(before, {"name": name}))
    return locale


@transaction.atomic
def locale_delete(
    *, locale: Locale, confirm: bool = False, user: AbstractBaseUser | None = None
) -> None:
    """Audited as "locale.delete"; with `confirm`, the detail counts the content that went."""
    _admin_require(locale.tenant, user, "delete locales")
    if locale.is_neutral:
        raise DomainError("The Neutral locale cannot be deleted.", field="code")
    _usages_refuse(
        tenant=locale.tenant, what=f"Locale '{locale.code}'", confirm=confirm, locale=locale
    )
    _audit(
        locale.tenant_id,
        locale,
        user,
        "locale.delete",
        code=locale.code,
        name=locale.name,
        **_content_lost(tenant=locale.tenant, confirm=confirm, locale=locale),
    )
    _context_changed(locale.tenant_id, locale=locale.code, removed=True)
    locale.delete()


@transaction.atomic
def membership_set(
    *, tenant: Tenant, user: AbstractBaseUser, role: str, by: AbstractBaseUser | None = None
) -> Membership:
    """Give `user` this role in the tenant (added when not a member yet).

    `by` is the acting user, who must be the tenant's admin (R1a); None is the operator or
    a caller that checked already. A tenant always keeps an admin (R30): demoting the last
    one is refused. The tenant's admin rows are locked, so two admins demoting each other at
    once cannot both succeed. Audited, with `by` as the actor, as "membership.create" for a
    new member and "membership.update" (role old and new) for a changed one.
    """
    from .selectors import role_require

    if role not in Role.values:
        raise DomainError(f"Role must be one of {', '.join(Role.values)}.", field="role")
    if by is not None:
        role_require(tenant=tenant, user=by, role=Role.ADMIN, action="manage members")
    admins = list(
        Membership.objects.select_for_update()
        .filter(tenant=tenant, role=Role.ADMIN)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    if role != Role.ADMIN and admins == [user.pk]:
        raise Conflict(
            f"'{user}' is the last admin of tenant '{tenant.slug}'; make another member "
            "admin first.",
            field="role",
        )
    old_role = (
        Membership.objects.filter(tenant=tenant, user=user).values_list("role", flat=True).first()
    )
    membership, created = Membership.objects.update_or_create(
        tenant=tenant, user=user, defaults={"role": role}
    )
    _audit(
        tenant.pk,
        membership,
        by,
        "membership.create" if created else "membership.update",
        label=user.get_username(),
        user=user.get_username(),
        **({"role": role} if created else changes({"role": old_role}, {"role": role})),
    )
    return membership


@transaction.atomic
def membership_remove(
    *, tenant: Tenant, user: AbstractBaseUser, by: AbstractBaseUser | None = None
) -> None:
    """Remove `user` from the tenant; `by` as in membership_set. The last admin stays (R30).
    Audited as "membership.delete" with `by` as the actor."""
    from .selectors import role_require

    if by is not None:
        role_require(tenant=tenant, user=by, role=Role.ADMIN, action="manage members")
    admins = list(
        Membership.objects.select_for_update()
        .filter(tenant=tenant, role=Role.ADMIN)
        .order_by("pk")
        .values_list("user_id", flat=True)
    )
    if admins == [user.pk]:
        raise Conflict(
            f"'{user}' is the last admin of tenant '{tenant.slug}'; make another member "
            "admin first.",
            field="user",
        )
    membership = Membership.objects.filter(tenant=tenant, user=user).first()
    if membership is None:
        raise NotFound("That user is not a member of this tenant.", field="user")
    _audit(
        tenant.pk,
        membership,
        by,
        "membership.delete",
        label=user.get_username(),
        user=user.get_username(),
        role=membership.role,
    )
    membership.delete()


PREFERENCE_MAX_BYTES = 10_000


def user_preference_set(*, user: AbstractBaseUser, key: str, value) -> UserPreference:
    import json

    if not re.match(r"^[a-z0-9][a-z0-9-]{0,99}$", key or ""):
        raise DomainError("Use lower-case letters, digits and hyphens (at most 100).", field="key")
    if len(json.dumps(value)) > PREFERENCE_MAX_BYTES:
        raise DomainError(
            f"A preference holds at most {PREFERENCE_MAX_BYTES} bytes of JSON.", field="value"
        )
    preference, _ = UserPreference.objects.update_or_create(
        user=user, key=key, defaults={"value": value}
    )
    return preference
