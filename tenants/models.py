from django.conf import settings
from django.db import models

OMNICHANNEL = "omnichannel"
NEUTRAL = "neutral"


class Role(models.TextChoices):
    VIEWER = "viewer", "Viewer"
    EDITOR = "editor", "Editor"
    PUBLISHER = "publisher", "Publisher"
    ADMIN = "admin", "Admin"


ROLE_RANK = {Role.VIEWER: 0, Role.EDITOR: 1, Role.PUBLISHER: 2, Role.ADMIN: 3}


def role_article(role: str) -> str:
    """ "an editor", "a viewer": how a refusal names the role the user holds."""
    return f"{'an' if role[:1] in 'aeiou' else 'a'} {role}"


class Tenant(models.Model):
    slug = models.SlugField(max_length=63, unique=True)
    name = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class TenantOwned(models.Model):
    """Every tenant-owned row carries its tenant (R1); queries go through it."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")

    class Meta:
        abstract = True


class Membership(TenantOwned):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_user")
        ]
        ordering = ["tenant", "user"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant} ({self.role})"

    def has_role(self, role: str) -> bool:
        return ROLE_RANK[Role(self.role)] >= ROLE_RANK[Role(role)]


class Channel(TenantOwned):
    """A sales channel; the Omnichannel pseudo-channel (code `omnichannel`) always exists (R4)."""

    code = models.SlugField(max_length=63)
    name = models.CharField(max_length=200)
    is_omnichannel = models.BooleanField(default=False, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="channel_unique_code"),
        ]
        ordering = ["-is_omnichannel", "code"]

    def __str__(self) -> str:
        return self.code


class Locale(TenantOwned):
    """A locale such as `en-us` (language `en`); the Neutral pseudo-locale always exists (R4)."""

    code = models.CharField(max_length=35)
    name = models.CharField(max_length=200)
    language = models.CharField(max_length=8, blank=True)
    is_neutral = models.BooleanField(default=False, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="locale_unique_code"),
        ]
        ordering = ["-is_neutral", "code"]

    def __str__(self) -> str:
        return self.code


class UserPreference(models.Model):
    """A small per-user setting the UI remembers across browsers (e.g. a dismissed explanation).

    Belongs to the user, not to a tenant: the same person sees the same choice everywhere.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="preferences"
    )
    key = models.SlugField(max_length=100)
    value = models.JSONField(default=None, null=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="user_preference_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.key}"


class OutboxKind(models.TextChoices):
    """What changed, in the terms of the app that changed it (the projection above maps it)."""

    PRODUCT = "product", "Product (its documents, variants or existence)"
    MEDIA = "media", "Media item (status, metadata, file or renditions)"
    CATEGORY = "category", "Category (its published image or existence)"
    CONTEXT = "context", "Channel or locale (added or removed)"


class ChangeOutbox(TenantOwned):
    """Rows written in the same transaction as a change that can alter a shop answer (R21).

    Lower apps (tenants, media_library, catalog, assignments) record here what they changed,
    never importing the read model above them; after commit the projection drains the rows
    for exactly those objects, and Celery beat drains whatever a crashed process left behind.
    `object_id` is a product, media item or category id; for CONTEXT it is 0 and `detail`
    says which channel or locale code was added or removed.
    """

    kind = models.CharField(max_length=16, choices=OutboxKind.choices)
    object_id = models.BigIntegerField()
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} ({self.tenant_id})"


# --- Jobs (the generic machinery of tenants/jobs/: row, claim, heartbeat, reaper, retry) ---


class JobKind(models.TextChoices):
    """The kinds stored in the column. What a kind does (its body, queue, roles, retries)
    comes from the registry each app fills in its AppConfig.ready() (tenants.jobs.registry)."""

    # The labels are what users read (issue 15 item 7): the jobs API serves them as
    # `kind_label`, so no page keeps its own dictionary of kinds.
    PUBLISH = "publish", "Publishing"
    IMPORT = "import", "Import manifest"
    EXPORT = "export", "Export manifest"
    COPY = "copy", "Copy between tenants"
    SYNC = "sync", "Refresh shop answers"


class JobStatus(models.TextChoices):
    """Served as `status_label` by the jobs API (a failed job reads "Failed — retry?")."""

    QUEUED = "queued", "Waiting to start"
    RUNNING = "running", "Running"
    SUCCEEDED = "succeeded", "Finished"
    FAILED = "failed", "Failed"


def job_file_upload_to(instance: "Job", filename: str) -> str:
    return f"tenants/{instance.tenant_id}/jobs/{instance.pk or 'new'}/{filename}"


class Job(TenantOwned):
    """Long work (publish, import, export, copy) with who, what, status, progress, counts and
    errors (R16, R19). The runner (tenants.jobs.runner) updates it as it goes, so the jobs
    list shows progress, and the reaper can tell a live run from a dead one by its heartbeat.

    The table keeps its first name: the model moved here from publishing (issue 13) so that
    every app can run jobs without importing publishing.
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
    queued_at = models.DateTimeField(
        null=True, blank=True, help_text="Last time it was (re)queued: created, retried or re-sent."
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Last sign of life from the worker running it, saved every few seconds.",
    )
    worker = models.CharField(
        max_length=200, blank=True, help_text="Host and process id running the current attempt."
    )
    history = models.JSONField(
        default=list,
        blank=True,
        help_text="What happened to it, oldest first: queued, started, failed, reaped, retried.",
    )

    class Meta:
        db_table = "publishing_job"
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["tenant", "kind", "status"], name="publishing__tenant__7f685d_idx"
            ),
            models.Index(fields=["status", "heartbeat_at"], name="job_status_heartbeat"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        if not self.progress_total:
            return 100 if self.status == JobStatus.SUCCEEDED else 0
        return min(100, round(100 * self.progress_done / self.progress_total))


class SchedulerBeat(models.Model):
    """When the periodic scheduler (Celery beat) was last seen, written by beat itself every
    few seconds (tenants.jobs.beat): a row, so every web process can tell users when nothing
    schedules anything (scheduled publish groups would wait silently otherwise)."""

    name = models.CharField(max_length=63, unique=True)
    last_seen_at = models.DateTimeField()
    holder = models.CharField(
        max_length=200, blank=True, help_text="Host and process id of the beat holding the lock."
    )

    def __str__(self) -> str:
        return f"{self.name} seen {self.last_seen_at:%Y-%m-%d %H:%M:%S} ({self.holder})"


class AuditEvent(TenantOwned):
    """Who did what to which object, written by the owning service in the same transaction
    as the change (tenants.audit.audit_record): a rolled-back change leaves no row.

    `username` is a copy kept when the account is deleted; "system" for a system action
    (an operator's command without --user, a beat sweep). `detail` says what changed:
    field names with old and new values for small values, counts for bulk writes; never
    file bytes. Kept AUDIT_RETENTION_DAYS (beat prunes older rows).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    username = models.CharField(max_length=150)
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_label = models.CharField(max_length=255, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["tenant", "at"], name="audit_tenant_at"),
            models.Index(fields=["tenant", "object_type", "object_id"], name="audit_tenant_object"),
            models.Index(fields=["at"], name="audit_at"),
        ]

    def __str__(self) -> str:
        return f"{self.username} {self.action} {self.object_type} {self.object_label}".strip()
