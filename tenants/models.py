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
