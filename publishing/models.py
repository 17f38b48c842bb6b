from django.conf import settings
from django.db import models

from tenants.models import TenantOwned


class JobKind(models.TextChoices):
    PUBLISH = "publish", "Publish"
    IMPORT = "import", "Manifest import"
    EXPORT = "export", "Manifest export"
    COPY = "copy", "Tenant copy"
    SYNC = "sync", "Read-model sync"


class JobStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


def job_file_upload_to(instance: "Job", filename: str) -> str:
    return f"tenants/{instance.tenant_id}/jobs/{instance.pk or 'new'}/{filename}"


class Job(TenantOwned):
    """Long work (publish, import, copy) with who, what, status, progress, counts and errors (R16, R19).

    The task updates it as it goes, so the jobs list shows progress while it runs.
    """

    kind = models.CharField(max_length=16, choices=JobKind.choices)
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    description = models.CharField(max_length=500, blank=True)
    params = models.JSONField(default=dict, blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    result_file = models.FileField(upload_to=job_file_upload_to, max_length=500, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["tenant", "kind", "status"])]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == JobStatus.SUCCEEDED else 0
        return min(100, round(100 * self.progress_done / self.progress_total))
