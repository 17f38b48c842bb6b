"""Tenants, members, channels and locales in the admin: the API's roles (R1a), written
through the services; plus the admins of rows no tenant owns (accounts, API tokens)."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.admin import TokenAdmin
from rest_framework.authtoken.models import TokenProxy

from . import services
from .admin_base import (
    SUPERUSER,
    OwnTokenAdminMixin,
    SuperuserOnlyAdminMixin,
    TenantScopedAdmin,
    roles,
)
from .jobs import admin as jobs_admin  # noqa: F401 - registers the jobs admin
from .models import AuditEvent, Channel, Locale, Membership, Role, Tenant

ADMIN_ONLY = roles(view=Role.ADMIN, add=Role.ADMIN, change=Role.ADMIN, delete=Role.ADMIN)
# Members see their channels and locales; only tenant admins manage them (R1a, R4).
CONTEXT_ROLES = roles(view=Role.EDITOR, add=Role.ADMIN, change=Role.ADMIN, delete=Role.ADMIN)


@admin.register(Tenant)
class TenantAdmin(TenantScopedAdmin):
    tenant_field = "pk"
    required_role = roles(view=Role.EDITOR, add=SUPERUSER, change=Role.ADMIN, delete=SUPERUSER)
    list_display = ["slug", "name", "created_at"]
    search_fields = ["slug", "name"]

    def get_readonly_fields(self, request, obj=None):
        return ["slug"] if obj is not None else []  # URLs and tokens name the slug

    def save_model(self, request, obj, form, change):
        if change:
            services.tenant_update(tenant=obj, name=obj.name, user=request.user)
            return
        created = services.tenant_create(slug=obj.slug, name=obj.name, user=request.user)
        obj.pk = created.pk
        obj.created_at = created.created_at


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    """Only tenant admins manage members; a tenant always keeps an admin (R1a, R30)."""

    required_role = ADMIN_ONLY
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", "tenant"]
    search_fields = ["user__username", "tenant__slug"]

    def get_readonly_fields(self, request, obj=None):
        return ["tenant", "user"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        membership = services.membership_set(
            tenant=obj.tenant, user=obj.user, role=obj.role, by=request.user
        )
        obj.pk, obj.created_at = membership.pk, membership.created_at

    def service_delete(self, request, obj):
        services.membership_remove(tenant=obj.tenant, user=obj.user, by=request.user)


class ContextAdminBase(TenantScopedAdmin):
    """Channels and locales: codes are fixed once created (documents and URLs name them).

    Deleting one that content uses (R22) lists that content on the confirmation page and
    asks for an explicit tick to delete it all; without the tick the service refuses, as
    the API does without `?confirm=true`."""

    required_role = CONTEXT_ROLES
    fields = ["tenant", "code", "name"]
    search_fields = ["code", "name"]
    list_filter = ["tenant"]
    delete_confirmation_template = "admin/tenants/context_delete_confirmation.html"
    usage_kwarg = ""

    def get_readonly_fields(self, request, obj=None):
        return ["tenant", "code"] if obj is not None else []

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra_context = dict(extra_context or {})
        if obj is not None and self.has_delete_permission(request, obj):
            usages = services.context_usages_list(tenant=obj.tenant, **{self.usage_kwarg: obj})
            extra_context.update(context_usages=usages[:200], context_usage_count=len(usages))
        return super().delete_view(request, object_id, extra_context)

    def get_deleted_objects(self, objs, request):
        """What goes with it is listed as usual; whether the caller may delete it is the
        role this admin requires (R1a), not a Django permission per cascaded model."""
        deleted, counts, _, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    def content_loss_confirmed(self, request) -> bool:
        return request.POST.get("confirm_content_loss") == "on"


@admin.register(Channel)
class ChannelAdmin(ContextAdminBase):
    list_display = ["code", "name", "tenant", "is_omnichannel"]

    def save_model(self, request, obj, form, change):
        if change:
            services.channel_update(channel=obj, name=obj.name, user=request.user)
            return
        created = services.channel_create(
            tenant=obj.tenant, code=obj.code, name=obj.name, user=request.user
        )
        obj.pk, obj.code = created.pk, created.code

    usage_kwarg = "channel"

    def service_delete(self, request, obj):
        # Django's own "Yes, I'm sure" does not confirm the loss of documents and
        # categories: only the tick on the confirmation page does (bulk deletes never).
        services.channel_delete(
            channel=obj, confirm=self.content_loss_confirmed(request), user=request.user
        )


@admin.register(Locale)
class LocaleAdmin(ContextAdminBase):
    list_display = ["code", "name", "language", "tenant", "is_neutral"]

    def save_model(self, request, obj, form, change):
        if change:
            services.locale_update(locale=obj, name=obj.name, user=request.user)
            return
        created = services.locale_create(
            tenant=obj.tenant, code=obj.code, name=obj.name, user=request.user
        )
        obj.pk, obj.code, obj.language = created.pk, created.code, created.language

    usage_kwarg = "locale"

    def service_delete(self, request, obj):
        services.locale_delete(
            locale=obj, confirm=self.content_loss_confirmed(request), user=request.user
        )


# --- rows no tenant owns -------------------------------------------------------------------

if admin.site.is_registered(TokenProxy):
    admin.site.unregister(TokenProxy)


@admin.register(TokenProxy)
class OwnTokenAdmin(OwnTokenAdminMixin, TokenAdmin):
    """DRF's token admin, limited to the user's own token (superusers see all)."""


# Accounts span tenants: a staff user of one tenant must not edit another's (or themself
# into a superuser). Tenant admins manage people through memberships.
for account_model in (get_user_model(), Group):
    if admin.site.is_registered(account_model):
        original = type(admin.site.get_model_admin(account_model))
        admin.site.unregister(account_model)
        admin.site.register(
            account_model,
            type(f"SuperuserOnly{original.__name__}", (SuperuserOnlyAdminMixin, original), {}),
        )


@admin.register(AuditEvent)
class AuditEventAdmin(TenantScopedAdmin):
    """The audit log, read-only: tenant admins see their tenants' rows (R1, R1a); nobody adds,
    changes or deletes one here (rows are written by the services, pruned by beat)."""

    required_role = roles(view=Role.ADMIN, add=None, change=None, delete=None)
    list_display = [
        "at",
        "tenant",
        "username",
        "action",
        "object_type",
        "object_id",
        "object_label",
    ]
    list_filter = ["action", "user", "tenant"]
    search_fields = ["object_label"]
    date_hierarchy = None
    list_select_related = ["tenant"]
    readonly_fields = [
        "tenant", "at", "user", "username", "action", "object_type", "object_id", "object_label",
        "detail",
    ]  # fmt: skip

    def get_actions(self, request):
        return {}
