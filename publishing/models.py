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
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last sign of life from the worker running it (start and progress).",
    )

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


class PublishedMedia(TenantOwned):
    """The read model (R15): the flattened, effective media of one sellable entity in one context.

    One row per (channel, locale, number) where number is a simple product's, a master's or a
    variant's. Codes are stored as text so a shop read is one indexed lookup, no joins.
    """

    channel_code = models.CharField(max_length=63)
    locale_code = models.CharField(max_length=35)
    number = models.CharField(max_length=100)
    product = models.ForeignKey("catalog.Product", on_delete=models.CASCADE, related_name="+")
    variant = models.ForeignKey(
        "catalog.Variant", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    payload = models.JSONField()
    etag = models.CharField(max_length=40)
    published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "channel_code", "locale_code", "number"],
                name="published_media_unique_entity",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "product"])]
        verbose_name_plural = "published media"

    def __str__(self) -> str:
        return f"{self.number} @ {self.channel_code}/{self.locale_code}"


class PublishedCategoryMedia(TenantOwned):
    """A category's published default image in one channel (R10: channel-specific only)."""

    channel_code = models.CharField(max_length=63)
    category = models.ForeignKey("catalog.Category", on_delete=models.CASCADE, related_name="+")
    payload = models.JSONField()
    etag = models.CharField(max_length=40)
    published_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "channel_code", "category"], name="published_category_unique"
            ),
        ]
        verbose_name_plural = "published category media"


class PublishGroupStatus(models.TextChoices):
    OPEN = "open", "Open (collecting products)"
    SCHEDULED = "scheduled", "Scheduled"
    RUNNING = "running", "Publishing"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class PublishGroup(TenantOwned):
    """A named set of up to 2,000 products published together as one job (R16).

    Its context (channel + locale; empty = every context) decides which drafts it publishes;
    while open or scheduled, checking in a product's document in that context adds the product.
    """

    MAX_PRODUCTS = 2000

    name = models.CharField(max_length=200)
    channel = models.ForeignKey(
        "tenants.Channel", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    locale = models.ForeignKey(
        "tenants.Locale", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    products = models.ManyToManyField("catalog.Product", blank=True, related_name="publish_groups")
    publish_dependencies = models.BooleanField(default=False)
    status = models.CharField(
        max_length=16, choices=PublishGroupStatus.choices, default=PublishGroupStatus.OPEN
    )
    scheduled_at = models.DateTimeField(null=True, blank=True)
    last_job = models.ForeignKey(
        Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="publish_group_unique_name")
        ]
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.name
