from django.conf import settings
from django.db import models

# The Job row moved to the ground floor (tenants.models, issue 13): Job, JobKind, JobStatus and
# job_file_upload_to stay importable here for the migrations history (0001 names the upload
# function) and old imports only; code imports them from tenants.
from tenants.models import Job, JobKind, JobStatus, TenantOwned, job_file_upload_to  # noqa: F401


class AnswerBody(TenantOwned):
    """One distinct shop answer body of a product (R23): stored once, shared by every entity
    and context of the product whose answer is the same (variants inheriting the master...).

    `body` is the JSON object text without the request's own fields (number, channel,
    locale), which the read path puts in front; `digest` is its SHA-1.
    """

    product_id = models.BigIntegerField()
    digest = models.CharField(max_length=40)
    body = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "product_id", "digest"], name="answer_body_unique_digest"
            ),
        ]


class ShopAnswer(TenantOwned):
    """The read model (R15, R21-R23): the answer of one sellable entity in one *governing*
    context, i.e. a context where the product has published content of its own, plus
    Omnichannel + Neutral for every entity (so a missing row means an unknown number).

    A shop read looks up the few candidate keys of its context chain in one indexed query
    and takes the first; contexts that only inherit store nothing, and adding a channel or
    a locale writes nothing. `product_id` is a plain column, not a foreign key: a deleted
    product's rows stay until the projection removes them and reports them gone.
    """

    number = models.CharField(max_length=100)
    channel_code = models.CharField(max_length=63)
    locale_code = models.CharField(max_length=35)
    product_id = models.BigIntegerField()
    variant_id = models.BigIntegerField(null=True, blank=True)
    body = models.ForeignKey(AnswerBody, on_delete=models.PROTECT, related_name="+")
    etag = models.CharField(max_length=40)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "number", "channel_code", "locale_code"],
                name="shop_answer_unique_key",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "product_id"], name="shop_answer_product")]

    def __str__(self) -> str:
        return f"{self.number} @ {self.channel_code}/{self.locale_code}"


class ChangeEvent(models.TextChoices):
    ANSWER = "answer", "A product answer changed or is gone"
    CATEGORY = "category", "A category answer changed or is gone"
    CHANNEL_ADDED = "channel_added", "Channel added"
    CHANNEL_REMOVED = "channel_removed", "Channel removed"
    LOCALE_ADDED = "locale_added", "Locale added"
    LOCALE_REMOVED = "locale_removed", "Locale removed"


class AnswerChange(models.Model):
    """The change feed (R24): one row per stored answer that changed, in commit order.

    Its id is the cursor. Rows are written last in the projection's transaction under a
    lock, so ids appear in commit order and a follower reading `id > cursor` misses nothing.
    Server processes follow it too, to drop their local copies within a poll interval.
    """

    id = models.BigAutoField(primary_key=True)
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=16, choices=ChangeEvent.choices)
    number = models.CharField(max_length=100, blank=True)
    channel_code = models.CharField(max_length=63, blank=True)
    locale_code = models.CharField(max_length=35, blank=True)
    category_id = models.BigIntegerField(null=True, blank=True)
    etag = models.CharField(max_length=40, null=True, blank=True)  # noqa: DJ001 (null: gone)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["tenant", "id"], name="answer_change_tenant_cursor")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event} {self.number or self.category_id or ''}"


class CategoryAnswer(TenantOwned):
    """A category's published default image in one channel (R10: channel-specific only).

    `category_id` is a plain column so a deleted category's row stays until the projection
    removes it and reports it gone.
    """

    channel_code = models.CharField(max_length=63)
    category_id = models.BigIntegerField()
    payload = models.JSONField()
    etag = models.CharField(max_length=40)
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "channel_code", "category_id"], name="category_answer_unique"
            ),
        ]
        verbose_name_plural = "category answers"


class PublishGroupStatus(models.TextChoices):
    OPEN = "open", "Open (collecting products)"
    SCHEDULED = "scheduled", "Scheduled"
    RUNNING = "running", "Publishing"
    PUBLISHED = "published", "Published"
    FAILED = "failed", "Failed"


class PublishGroup(TenantOwned):
    """A named set of up to 2,000 products published together as one job (R16).

    Its context (channel + locale; empty = every context) decides which drafts it publishes.
    Membership is explicit: a product is in the group only when someone added it (checking
    in never adds one, issue 15).
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
    # The scheduled run publishes as this user, re-checking their role then (R30).
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Their username, kept when the account is deleted: a run whose scheduler no longer
    # exists must fail with the reason, never become an unchecked system action.
    scheduled_by_name = models.CharField(max_length=150, blank=True, default="")
    last_job = models.ForeignKey(
        "tenants.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
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
