from django.contrib import admin

from .admin_base import TenantScopedAdmin, admin_tenant_ids
from .models import Channel, Locale, Membership, Tenant


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "created_at"]
    search_fields = ["slug", "name"]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = admin_tenant_ids(request)
        return queryset if ids is None else queryset.filter(pk__in=ids)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        from .services import tenant_create

        created = tenant_create(slug=obj.slug, name=obj.name)
        obj.pk = created.pk
        obj.created_at = created.created_at

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    list_display = ["user", "tenant", "role", "created_at"]
    list_filter = ["role", ("tenant", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "tenant__slug"]


@admin.register(Channel)
class ChannelAdmin(TenantScopedAdmin):
    list_display = ["code", "name", "tenant", "is_omnichannel"]
    list_filter = [("tenant", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]


@admin.register(Locale)
class LocaleAdmin(TenantScopedAdmin):
    list_display = ["code", "name", "language", "tenant", "is_neutral"]
    list_filter = [("tenant", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
