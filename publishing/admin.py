from django.contrib import admin

from tenants.admin_base import SUPERUSER, TenantScopedAdmin, roles

from .models import Job


@admin.register(Job)
class JobAdmin(TenantScopedAdmin):
    """The jobs list, read-only: jobs are started and retried by actions and the API, which
    check the role each kind needs (R1a); only operators clear old rows."""

    required_role = roles(add=None, change=None, delete=SUPERUSER)
    list_display = [
        "id",
        "kind",
        "status",
        "tenant",
        "description",
        "percent",
        "created_by",
        "created_at",
        "finished_at",
    ]
    list_filter = ["kind", "status", "tenant"]
    search_fields = ["description"]
    readonly_fields = [f.name for f in Job._meta.fields] + ["percent"]
