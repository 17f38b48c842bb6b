from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import QuerySet

from .exceptions import NotFound, PermissionDenied
from .models import (
    NEUTRAL,
    OMNICHANNEL,
    ROLE_RANK,
    Channel,
    Locale,
    Membership,
    Role,
    Tenant,
    role_article,
)


def tenant_get_for_user(*, slug: str, user: AbstractBaseUser | AnonymousUser) -> Tenant:
    """The tenant named in the URL, if the user belongs to it; otherwise the same 404 (R1)."""
    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None or not user.is_authenticated:
        raise NotFound(f"Tenant '{slug}' not found.", field="tenant")
    if user.is_superuser or Membership.objects.filter(tenant=tenant, user=user).exists():
        return tenant
    raise NotFound(f"Tenant '{slug}' not found.", field="tenant")


def user_role(*, tenant: Tenant, user: AbstractBaseUser) -> str | None:
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    membership = Membership.objects.filter(tenant=tenant, user=user).only("role").first()
    return membership.role if membership else None


def role_require(*, tenant: Tenant, user: AbstractBaseUser, role: str, action: str) -> None:
    """Refuse with 403 and the reason unless the user holds at least `role` in the tenant (R1a)."""
    held = user_role(tenant=tenant, user=user)
    if held is None or ROLE_RANK[Role(held)] < ROLE_RANK[Role(role)]:
        raise PermissionDenied(
            f"You need the {role} role in tenant '{tenant.slug}' to {action}; you are "
            f"{'not a member' if held is None else role_article(held)}."
        )


def actor_role_require(
    *, tenant: Tenant, user: AbstractBaseUser | None, role: str, action: str
) -> None:
    """The check a service makes itself, whatever the door (R1a): `role_require` for a user;
    None is a system action (an operator's command, an import, a sweep, the demo loader)
    with no role to check."""
    if user is not None:
        role_require(tenant=tenant, user=user, role=role, action=action)


def tenants_for_user(*, user: AbstractBaseUser) -> QuerySet[Tenant]:
    if user.is_superuser:
        return Tenant.objects.all()
    return Tenant.objects.filter(pk__in=Membership.objects.filter(user=user).values("tenant_id"))


def channel_get(*, tenant: Tenant, code: str, field: str = "channel") -> Channel:
    channel = Channel.objects.filter(tenant=tenant, code=code or OMNICHANNEL).first()
    if channel is None:
        raise NotFound(f"Unknown channel '{code}'.", field=field)
    return channel


def locale_get(*, tenant: Tenant, code: str, field: str = "locale") -> Locale:
    locale = Locale.objects.filter(tenant=tenant, code=(code or NEUTRAL).lower()).first()
    if locale is None:
        raise NotFound(f"Unknown locale '{code}'.", field=field)
    return locale


def channel_list(*, tenant: Tenant) -> QuerySet[Channel]:
    return Channel.objects.filter(tenant=tenant)


def locale_list(*, tenant: Tenant) -> QuerySet[Locale]:
    return Locale.objects.filter(tenant=tenant)


def user_preferences(*, user: AbstractBaseUser) -> dict:
    """All of a user's preferences, for pages that need them without an extra request."""
    from .models import UserPreference

    return dict(UserPreference.objects.filter(user=user).values_list("key", "value"))
