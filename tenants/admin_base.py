"""Admin scoping: staff who are not superusers see and pick only their tenants' rows (R1)."""

from django.contrib import admin

from .models import Membership, Role, Tenant


def admin_tenant_ids(request) -> list[int] | None:
    """None means 'all tenants' (superuser)."""
    if request.user.is_superuser:
        return None
    return list(
        Membership.objects.filter(user=request.user)
        .exclude(role=Role.VIEWER)
        .values_list("tenant_id", flat=True)
    )


class TenantScopedAdmin(admin.ModelAdmin):
    tenant_field = "tenant"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        ids = admin_tenant_ids(request)
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.tenant_field}__in": ids})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        ids = admin_tenant_ids(request)
        if ids is not None:
            related = db_field.related_model
            if related is Tenant:
                kwargs["queryset"] = Tenant.objects.filter(pk__in=ids)
            elif any(f.name == "tenant" for f in related._meta.get_fields()):
                kwargs["queryset"] = related._default_manager.filter(tenant_id__in=ids)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        ids = admin_tenant_ids(request)
        related = db_field.related_model
        if ids is not None and any(f.name == "tenant" for f in related._meta.get_fields()):
            kwargs["queryset"] = related._default_manager.filter(tenant_id__in=ids)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
