import uuid

from django.conf import settings
from django.db import models

from tenants.models import TenantOwned


class MediaKind(models.TextChoices):
    IMAGE = "image", "Image"
    VIDEO = "video", "Video"
    DOCUMENT = "document", "Document"
    OTHER = "other", "Other"


class MediaStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


def media_folder(tenant_id: int, public_id: uuid.UUID | str, area: str = "media") -> str:
    """An item's folder: `tenants/<t>/<area>/<first two hex digits>/<public id>`.

    The two-digit level keeps a million-item library from putting a million folders in one
    (file systems slow down, and creating them from several threads at once queues on the
    one parent's lock). Files stored before it have their names in their rows and stay put.
    """
    return f"tenants/{tenant_id}/{area}/{str(public_id)[:2]}/{public_id}"


def media_upload_to(instance: "MediaItem", filename: str) -> str:
    return f"{media_folder(instance.tenant_id, instance.public_id)}/{filename}"


def companion_upload_to(instance: "MediaItem", filename: str) -> str:
    return f"{media_folder(instance.tenant_id, instance.public_id)}/companions/{filename}"


def rendition_upload_to(instance: "Rendition", filename: str) -> str:
    folder = media_folder(instance.tenant_id, instance.media.public_id, "renditions")
    return f"{folder}/{filename}"


class MediaTag(TenantOwned):
    name = models.CharField(max_length=100)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="media_tag_unique_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MediaItem(TenantOwned):
    """One file, reused by any number of assignments (R5); draft until published (R6)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=MediaKind.choices)
    status = models.CharField(max_length=10, choices=MediaStatus.choices, default=MediaStatus.DRAFT)
    file = models.FileField(upload_to=media_upload_to, max_length=500)
    original_filename = models.CharField(max_length=255)
    display_name = models.CharField(max_length=255)
    title = models.CharField(max_length=300, blank=True)
    alt_text = models.CharField(max_length=500, blank=True)
    caption = models.CharField(max_length=1000, blank=True)
    description = models.TextField(blank=True)
    tags = models.ManyToManyField(MediaTag, blank=True, related_name="media_items")
    mime_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    checksum = models.CharField(max_length=64, help_text="SHA-256 of the bytes")
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    focal_x = models.FloatField(default=0.5, help_text="0 = left edge, 1 = right edge")
    focal_y = models.FloatField(default=0.5, help_text="0 = top edge, 1 = bottom edge")
    # What shops paint before an image loads (issue 14): {"blurhash": ..., "color": "#rrggbb"},
    # computed with the renditions (media_library.renditions.placeholder_compute).
    placeholder = models.JSONField(default=dict, blank=True)
    # Video companions (R6); a thumbnail is generated when none is given.
    duration_seconds = models.FloatField(null=True, blank=True)
    video_thumbnail = models.FileField(upload_to=companion_upload_to, max_length=500, blank=True)
    video_captions = models.FileField(upload_to=companion_upload_to, max_length=500, blank=True)
    video_thumbnail_checksum = models.CharField(max_length=64, blank=True)
    # True when the thumbnail is a frame we cut from the video (so a new video gets a new
    # one, R25); False for a thumbnail someone uploaded, which a replacement keeps.
    video_thumbnail_generated = models.BooleanField(default=False)
    video_captions_checksum = models.CharField(max_length=64, blank=True)
    transcript = models.TextField(blank=True)
    # While published, copies of the files in public storage under content-hashed names
    # (media_library/storage.py); empty for drafts. The `file`s above stay private.
    public_name = models.CharField(max_length=500, blank=True)
    public_thumbnail_name = models.CharField(max_length=500, blank=True)
    public_captions_name = models.CharField(max_length=500, blank=True)
    # Bulk manifests (R18): an external system's id decides whether a row updates an import.
    source_provider = models.CharField(max_length=100, blank=True)
    source_id = models.CharField(max_length=200, blank=True)
    version = models.PositiveIntegerField(default=1)
    # R25: the number of the file version the item shows now (MediaFileVersion.number).
    file_version = models.PositiveIntegerField(default=1)
    # R27: outside [available_from, expires_at) the item is in no shop answer. `served` is
    # what the read model was last told (the beat task flips it when a date passes).
    available_from = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    usage_rights = models.TextField(blank=True, help_text="Licence, credit, restrictions.")
    served = models.BooleanField(
        default=True, help_text="Inside its availability window when last checked (R27)."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "checksum"], name="media_unique_checksum"),
            models.UniqueConstraint(
                fields=["tenant", "display_name"], name="media_unique_display_name"
            ),
            models.CheckConstraint(
                condition=models.Q(available_from__isnull=True)
                | models.Q(expires_at__isnull=True)
                | models.Q(available_from__lt=models.F("expires_at")),
                name="media_availability_window_order",
            ),
        ]
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["tenant", "kind"]),
            models.Index(fields=["tenant", "status"]),
            models.Index(fields=["tenant", "source_provider", "source_id"]),
            models.Index(fields=["served", "expires_at"], name="media_served_expires"),
            models.Index(fields=["served", "available_from"], name="media_served_from"),
            # The library's sorts page by these without sorting the whole library (newest is
            # the default; the same index serves oldest backwards).
            models.Index(fields=["tenant", "-created_at", "-id"], name="media_tenant_newest"),
            models.Index(fields=["tenant", "-size", "-id"], name="media_tenant_largest"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def is_published(self) -> bool:
        return self.status == MediaStatus.PUBLISHED

    def availability(self, now=None) -> str:
        """`available`, `scheduled` (window not open yet) or `expired` (R27)."""
        from django.utils import timezone

        now = now or timezone.now()
        if self.available_from is not None and self.available_from > now:
            return "scheduled"
        if self.expires_at is not None and self.expires_at <= now:
            return "expired"
        return "available"


def version_upload_to(instance: "MediaFileVersion", filename: str) -> str:
    return f"{media_folder(instance.tenant_id, instance.media.public_id)}/{filename}"


class FileVersionAction(models.TextChoices):
    UPLOAD = "upload", "Uploaded"
    REPLACE = "replace", "Replaced"
    RESTORE = "restore", "Restored"


class MediaFileVersion(TenantOwned):
    """One file an item has had (R25): who put it there, when, and its checksum. The item's
    `file` names the current one; a restore appends a version naming an older file."""

    media = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="file_versions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=10, choices=FileVersionAction.choices)
    restored_from = models.PositiveIntegerField(null=True, blank=True)
    file = models.FileField(upload_to=version_upload_to, max_length=500)
    original_filename = models.CharField(max_length=255)
    mime_type = models.CharField(max_length=100)
    size = models.BigIntegerField()
    checksum = models.CharField(max_length=64)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    duration_seconds = models.FloatField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["media", "number"], name="media_file_version_unique")
        ]
        ordering = ["media", "-number"]

    def __str__(self) -> str:
        return f"{self.media_id} v{self.number}"


class Rendition(TenantOwned):
    """A derived image (R6, issue 14), public with its item: a named size (`thumb`, `gallery`,
    ... cut around the focal point), a rung of the width ladder in one format (`w640-webp`),
    or a swatch's crop rectangle really cut out (`crop-x-y-w-h`); see
    media_library.renditions. The format is the file's extension."""

    media = models.ForeignKey(MediaItem, on_delete=models.CASCADE, related_name="renditions")
    name = models.CharField(max_length=64)
    file = models.FileField(upload_to=rendition_upload_to, max_length=500)
    checksum = models.CharField(max_length=64, blank=True, help_text="SHA-256 of the bytes")
    # Its copy in public storage while the item is published (content-hashed name).
    public_name = models.CharField(max_length=500, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    focal_x = models.FloatField()
    focal_y = models.FloatField()
    # SHA-256 of the bytes it was made from: new bytes for the item (R25) make it stale.
    # Empty on rows made before it was kept (taken as current).
    source_checksum = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["media", "name"], name="rendition_unique_name")
        ]

    @property
    def format(self) -> str:
        from .renditions import format_of_filename

        return format_of_filename(self.file.name)

    @property
    def role(self) -> str:
        from .renditions import rendition_role

        return rendition_role(self.name)

    def __str__(self) -> str:
        return f"{self.media_id}:{self.name}"
