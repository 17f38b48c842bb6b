from django.contrib import admin

from tenants.admin_base import TenantScopedAdmin

from .models import Job


@admin.register(Job)
class JobAdmin(TenantScopedAdmin):
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
    list_filter = ["kind", "status", ("tenant", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["description"]
    readonly_fields = [f.name for f in Job._meta.fields] + ["percent"]

    def has_add_permission(self, request):
        return False  # jobs are started by actions, never typed in
