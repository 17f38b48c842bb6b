"""Assignment documents (one per product x channel x locale), their content and history.

Content is relational on purpose: every entry points at its MediaItem, so "where is this
media used" is one query; media used by current content cannot be deleted (R5, R26), while
old versions keep ids of deleted items and report them missing when restored. A document
never edits published or checked-in content in place: each state (working, draft,
published, every version) is a ContentSet, and states share sets where they are equal
(check-in turns the working set into the draft and a version; publish points at the draft).
"""

from django.conf import settings
from django.db import models

from tenants.models import TenantOwned


class Scope(models.TextChoices):
    """The entity an entry belongs to inside a product document (R8)."""

    MASTER = "master", "Master"
    DIMENSION = "dimension", "Dimension combination"
    VARIANT = "variant", "Variant"


class Slot(models.TextChoices):
    """The three slots of an entity (R7)."""

    PRIMARY = "primary", "Primary media"
    ADDITIONAL = "additional", "Additional media"
    SWATCH = "swatch", "Swatch"


class Purpose(TenantOwned):
    """What an additional media entry is for (manual, specification sheet, ...); per tenant (R7)."""

    code = models.SlugField(max_length=63)
    name = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="purpose_unique_code"),
        ]
        ordering = ["position", "code"]

    def __str__(self) -> str:
        return self.code


class AssignmentDocument(TenantOwned):
    """The media assignments of one product in one channel + locale (R7-R13).

    `working` exists only while checked out (held by `checked_out_by` since `checked_out_at`);
    `draft` is the last checked-in content, `published` what was last published.
    """

    product = models.ForeignKey(
        "catalog.Product", on_delete=models.CASCADE, related_name="assignment_documents"
    )
    channel = models.ForeignKey("tenants.Channel", on_delete=models.CASCADE, related_name="+")
    locale = models.ForeignKey("tenants.Locale", on_delete=models.CASCADE, related_name="+")
    working = models.ForeignKey(
        "ContentSet", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    draft = models.ForeignKey(
        "ContentSet", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published = models.ForeignKey(
        "ContentSet", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    checked_out_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    checked_out_at = models.DateTimeField(null=True, blank=True)
    saved_at = models.DateTimeField(
        null=True, blank=True, help_text="Last explicit save of the working copy by its holder."
    )
    version = models.PositiveIntegerField(default=0, help_text="Number of the last check-in.")
    published_version = models.PositiveIntegerField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "product", "channel", "locale"],
                name="assignment_document_unique_context",
            ),
        ]
        ordering = ["product", "channel", "locale"]

    def __str__(self) -> str:
        return f"{self.product.number} ({self.channel.code}/{self.locale.code})"


class ContentSet(TenantOwned):
    """One immutable-once-checked-in CONTENT: the assignment matrix plus its entries."""

    document = models.ForeignKey(
        AssignmentDocument, on_delete=models.CASCADE, related_name="content_sets"
    )
    matrix = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["document", "pk"]

    def __str__(self) -> str:
        return f"content #{self.pk} of {self.document_id}"


class EntryManager(models.Manager):
    def bulk_create(self, objs, *args, **kwargs):
        """Every writer gives the variant id; the number it had is filled in here, once."""
        objs = list(objs)

        def unfilled(obj) -> bool:  # a new instance holds the database default expression
            return bool(obj.variant_id) and not (
                isinstance(obj.variant_number, str) and obj.variant_number
            )

        missing = {o.variant_id for o in objs if unfilled(o)}
        if missing:
            from catalog.models import Variant

            numbers = dict(Variant.objects.filter(pk__in=missing).values_list("pk", "number"))
            for obj in objs:
                if unfilled(obj):
                    obj.variant_number = numbers.get(obj.variant_id, "")
        return super().bulk_create(objs, *args, **kwargs)


class AssignmentEntry(TenantOwned):
    """One media (or hex swatch) in one slot of one entity of a ContentSet (R7, R8)."""

    objects = EntryManager()

    content_set = models.ForeignKey(ContentSet, on_delete=models.CASCADE, related_name="entries")
    scope = models.CharField(max_length=10, choices=Scope.choices)
    # Dimension scope: the combination's values and their canonical key (catalog.combination_key).
    dimension_values = models.JSONField(default=dict, blank=True)
    combination = models.CharField(max_length=500, blank=True)
    # History is immutable (R22): deleting a variant leaves old versions as they were, so the
    # reference is not enforced by the database and the number is kept beside it.
    variant = models.ForeignKey(
        "catalog.Variant",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    variant_number = models.CharField(max_length=100, blank=True, db_default="")
    slot = models.CharField(max_length=10, choices=Slot.choices)
    position = models.PositiveIntegerField(default=0)
    # History never blocks deleting media (R26): old versions keep the id as they were, so
    # the reference is not enforced by the database; the media library refuses a delete
    # while current content (working, draft, published) uses the item, and writers of
    # current content lock the items they name (`media_rows_share_lock`) so neither races.
    media = models.ForeignKey(
        "media_library.MediaItem",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="assignment_entries",
    )
    purpose = models.ForeignKey(
        Purpose, null=True, blank=True, on_delete=models.PROTECT, related_name="entries"
    )
    swatch_dimension = models.CharField(max_length=16, blank=True)
    swatch_value = models.CharField(max_length=100, blank=True)
    swatch_hex = models.CharField(max_length=7, blank=True)
    crop_x = models.PositiveIntegerField(null=True, blank=True)
    crop_y = models.PositiveIntegerField(null=True, blank=True)
    crop_width = models.PositiveIntegerField(null=True, blank=True)
    crop_height = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(slot="primary") | models.Q(media__isnull=False),
                name="assignment_entry_primary_has_media",
            ),
            models.CheckConstraint(
                condition=~models.Q(slot="additional")
                | models.Q(media__isnull=False, purpose__isnull=False),
                name="assignment_entry_additional_has_media_and_purpose",
            ),
            models.CheckConstraint(
                condition=~models.Q(slot="swatch")
                | models.Q(media__isnull=False)
                | ~models.Q(swatch_hex=""),
                name="assignment_entry_swatch_has_media_or_hex",
            ),
        ]
        indexes = [models.Index(fields=["content_set", "scope", "slot", "position"])]
        ordering = ["content_set", "scope", "combination", "variant", "slot", "position"]
        verbose_name_plural = "assignment entries"

    def __str__(self) -> str:
        return self.usage_description()

    def entity_description(self) -> str:
        if self.scope == Scope.DIMENSION:
            return self.combination or "dimension"
        if self.scope == Scope.VARIANT:
            return f"variant {self.variant_number or '?'}"
        return "master"

    def usage_description(self) -> str:
        """What the media library shows when this entry blocks a delete (409)."""
        document = self.content_set.document
        context = f"{document.channel.code}/{document.locale.code}"
        return (
            f"{document.product.number} ({context}) {self.entity_description()} "
            f"{self.slot} #{self.position + 1}"
        )


class DocumentVersion(TenantOwned):
    """A numbered check-in (R12): history is kept, and any version can be restored."""

    document = models.ForeignKey(
        AssignmentDocument, on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField()
    content = models.ForeignKey(ContentSet, on_delete=models.CASCADE, related_name="versions")
    note = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "document", "number"], name="document_version_unique_number"
            ),
        ]
        ordering = ["document", "-number"]

    def __str__(self) -> str:
        return f"v{self.number} of {self.document_id}"


class DocumentAction(models.TextChoices):
    CHECKOUT = "checkout", "Checked out"
    TAKEOVER = "takeover", "Took over a check-out"
    EDIT = "edit", "Working copy replaced"
    SAVE = "save", "Saved"
    CHECKIN = "checkin", "Checked in"
    DISCARD = "discard", "Discarded edits"
    RESET = "reset", "Reset to default"
    RESTORE = "restore", "Restored a version"
    PUBLISH = "publish", "Published"


class DocumentEvent(TenantOwned):
    """The audit trail: every state change of a document, by whom and when."""

    document = models.ForeignKey(
        AssignmentDocument, on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(max_length=10, choices=DocumentAction.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["document", "at", "pk"]
        indexes = [models.Index(fields=["tenant", "document", "at"])]

    def __str__(self) -> str:
        return f"{self.action} by {self.user_id} at {self.at:%Y-%m-%d %H:%M}"


class CategoryMedia(TenantOwned):
    """The one default image of a category; categories are per channel, so this is too (R10).

    Categories have no omnichannel level and no matrix, so a draft and a published media
    pointer are all the state they need.
    """

    category = models.ForeignKey(
        "catalog.Category", on_delete=models.CASCADE, related_name="media_assignments"
    )
    draft_media = models.ForeignKey(
        "media_library.MediaItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="category_drafts",
    )
    published_media = models.ForeignKey(
        "media_library.MediaItem",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="category_publications",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "category"], name="category_media_unique"),
        ]
        verbose_name_plural = "category media"

    def __str__(self) -> str:
        return self.usage_description()

    def usage_description(self) -> str:
        return f"category {self.category.channel.code}:{self.category.path} default image"
