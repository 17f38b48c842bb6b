from django.contrib import admin

from tenants.admin_base import SUPERUSER, TenantScopedAdmin, roles
from tenants.jobs.admin import scheduler_warning_show
from tenants.models import Role

from .groups import group_delete
from .models import PublishGroup


@admin.register(PublishGroup)
class PublishGroupAdmin(TenantScopedAdmin):
    """Publish groups, read-only here (they are made, scheduled and published in the API,
    which validates each step, R16); the list warns when no scheduler runs, since scheduled
    groups would then never start."""

    required_role = roles(view=Role.PUBLISHER, add=None, change=None, delete=SUPERUSER)
    list_display = ["name", "tenant", "status", "scheduled_at", "channel", "locale", "last_job"]
    list_filter = ["status", "tenant"]
    search_fields = ["name"]
    readonly_fields = [f.name for f in PublishGroup._meta.fields] + ["products"]

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            scheduler_warning_show(self, request)
        return super().changelist_view(request, extra_context)

    def service_delete(self, request, obj) -> None:
        # The service's own role check decides (R30), as for the API; a running group is
        # refused too, with the reason.
        group_delete(group=obj, user=request.user)
