"""Jobs in the admin: the list (read-only: jobs are started by their pages, the API and
commands), a retry action through the one retry service (the role each kind needs, R1a,
R30), and a warning on the list when no scheduler has been seen lately."""

from __future__ import annotations

from django.contrib import admin, messages

from tenants.admin_base import SUPERUSER, SuperuserOnlyAdminMixin, TenantScopedAdmin, roles
from tenants.exceptions import DomainError
from tenants.models import Job, SchedulerBeat

from .scheduler import scheduler_status
from .services import job_retry


def scheduler_warning_show(modeladmin: admin.ModelAdmin, request) -> None:
    """The scheduler warning as a message on an admin page (jobs, publish groups)."""
    status = scheduler_status()
    if not status.ok:
        modeladmin.message_user(request, status.warning, messages.WARNING)


@admin.register(Job)
class JobAdmin(TenantScopedAdmin):
    required_role = roles(add=None, change=None, delete=SUPERUSER)
    list_display = [
        "id",
        "kind",
        "status",
        "tenant",
        "description",
        "percent",
        "attempts",
        "worker",
        "created_by",
        "created_at",
        "heartbeat_at",
        "finished_at",
    ]
    list_filter = ["kind", "status", "tenant"]
    search_fields = ["description"]
    readonly_fields = [f.name for f in Job._meta.fields] + ["percent"]
    actions = ["retry_selected"]

    @admin.action(description="Retry the selected failed jobs", permissions=["view"])
    def retry_selected(self, request, queryset) -> None:
        """Each job through `job_retry`: refused ones (role, state) say why, one by one."""
        retried = 0
        for job in queryset.select_related("tenant"):
            try:
                job_retry(job=job, user=request.user)
            except DomainError as exc:
                self.message_user(request, f"Job #{job.pk}: {exc.message}", messages.ERROR)
            else:
                retried += 1
        if retried:
            self.message_user(request, f"Queued {retried} job(s) again.", messages.SUCCESS)

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            scheduler_warning_show(self, request)
        return super().changelist_view(request, extra_context)


@admin.register(SchedulerBeat)
class SchedulerBeatAdmin(SuperuserOnlyAdminMixin, admin.ModelAdmin):
    """When beat was last seen (operators only; written by beat itself)."""

    list_display = ["name", "last_seen_at", "holder"]
    readonly_fields = ["name", "last_seen_at", "holder"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False
