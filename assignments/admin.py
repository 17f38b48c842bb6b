"""Admin: documents are read-only here (their writes carry locks, validation and audit, so
they go through the services via the API/workspace); purposes are managed by tenant admins
(R1a), created through purpose_create."""

from django.contrib import admin
from django.utils.html import format_html, format_html_join

from media_library.admin import media_thumbnail
from tenants.admin_base import TenantScopedAdmin, TenantScopedInline, roles
from tenants.models import Role

from . import services
from .manifests.admin import manifest_admin_actions_install
from .models import (
    AssignmentDocument,
    AssignmentEntry,
    CategoryMedia,
    ContentSet,
    DocumentEvent,
    DocumentVersion,
    Purpose,
)

READ_ONLY = roles(add=None, change=None, delete=None)


class ReadOnlyInline(TenantScopedInline, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DocumentVersionInline(ReadOnlyInline):
    model = DocumentVersion
    fields = ["number", "note", "created_by", "created_at", "content"]
    readonly_fields = fields


class DocumentEventInline(ReadOnlyInline):
    model = DocumentEvent
    fields = ["at", "action", "user", "version", "detail"]
    readonly_fields = fields
    ordering = ["-at", "-pk"]


class AssignmentEntryInline(ReadOnlyInline):
    model = AssignmentEntry
    fields = [
        "scope",
        "combination",
        "variant",
        "slot",
        "position",
        "media",
        "purpose",
        "swatch_dimension",
        "swatch_value",
        "swatch_hex",
        "crop_x",
        "crop_y",
        "crop_width",
        "crop_height",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("variant", "media", "purpose")


ENTRY_ROW = "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>"


def _entries_table(content_set: ContentSet | None):
    if content_set is None:
        return "—"
    entries = content_set.entries.select_related("variant", "media", "purpose").order_by(
        "scope", "combination", "variant__number", "slot", "position"
    )
    rows = format_html_join(
        "",
        ENTRY_ROW,
        (
            (
                entry.entity_description(),
                entry.slot,
                entry.position + 1,
                entry.media or entry.swatch_hex,
                entry.purpose
                or (
                    f"{entry.swatch_dimension}={entry.swatch_value}"
                    if entry.swatch_dimension
                    else ""
                ),
            )
            for entry in entries
        ),
    )
    return format_html(
        "<p>matrix: {}</p><table><tr><th>entity</th><th>slot</th><th>#</th><th>media</th>"
        "<th>purpose / swatch</th></tr>{}</table>",
        ", ".join(content_set.matrix) or "—",
        rows,
    )


@admin.register(AssignmentDocument)
class AssignmentDocumentAdmin(TenantScopedAdmin):
    required_role = READ_ONLY
    list_display = [
        "product",
        "channel",
        "locale",
        "version",
        "published_version",
        "checked_out_by",
        "updated_at",
    ]
    list_filter = ["channel__code", "locale__code"]
    search_fields = ["product__number", "product__name"]
    list_select_related = ["product", "channel", "locale", "checked_out_by"]
    inlines = [DocumentVersionInline, DocumentEventInline]
    readonly_fields = [
        "tenant",
        "product",
        "channel",
        "locale",
        "checked_out_by",
        "checked_out_at",
        "saved_at",
        "version",
        "published_version",
        "published_at",
        "published_by",
        "draft_entries",
        "published_entries",
        "working_entries",
    ]
    exclude = ["working", "draft", "published"]

    @admin.display(description="Draft (checked in)")
    def draft_entries(self, obj):
        return _entries_table(obj.draft)

    @admin.display(description="Published")
    def published_entries(self, obj):
        return _entries_table(obj.published)

    @admin.display(description="Working copy")
    def working_entries(self, obj):
        return _entries_table(obj.working)


@admin.register(ContentSet)
class ContentSetAdmin(TenantScopedAdmin):
    required_role = READ_ONLY
    list_display = ["pk", "document", "created_by", "created_at"]
    list_select_related = ["document__product", "document__channel", "document__locale"]
    search_fields = ["document__product__number"]
    readonly_fields = ["tenant", "document", "matrix", "created_by", "created_at"]
    inlines = [AssignmentEntryInline]


@admin.register(DocumentEvent)
class DocumentEventAdmin(TenantScopedAdmin):
    required_role = READ_ONLY
    list_display = ["at", "document", "action", "user", "version"]
    list_filter = ["action"]
    search_fields = ["document__product__number", "user__username"]
    list_select_related = ["document__product", "document__channel", "document__locale", "user"]
    readonly_fields = ["tenant", "document", "action", "user", "at", "version", "detail"]


@admin.register(Purpose)
class PurposeAdmin(TenantScopedAdmin):
    required_role = roles(add=Role.ADMIN, change=Role.ADMIN, delete=Role.ADMIN)
    list_display = ["code", "name", "position", "tenant"]
    list_filter = ["tenant"]
    search_fields = ["code", "name"]
    ordering = ["tenant", "position", "code"]

    def get_fields(self, request, obj=None):
        # A new purpose goes last; its place is changed afterwards.
        return (
            ["tenant", "code", "name", "position"]
            if obj is not None
            else ["tenant", "code", "name"]
        )

    def get_readonly_fields(self, request, obj=None):
        # A code is referenced by entries and manifests: fixed once created.
        return ["tenant", "code"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            services.purpose_update(
                purpose=obj, user=request.user, name=obj.name, position=obj.position
            )
            return
        created = services.purpose_create(
            tenant=obj.tenant, user=request.user, code=obj.code, name=obj.name
        )
        obj.pk, obj.position, obj.created_at = created.pk, created.position, created.created_at


@admin.register(CategoryMedia)
class CategoryMediaAdmin(TenantScopedAdmin):
    # Set and published through the category-media services (API, workspace), which
    # stage the draft and flatten the shop answer.
    required_role = READ_ONLY
    list_display = [
        "category",
        "draft_thumbnail",
        "draft_media",
        "published_thumbnail",
        "published_media",
        "updated_at",
        "published_at",
    ]
    list_select_related = ["category__channel", "draft_media", "published_media"]
    readonly_fields = [
        "tenant",
        "category",
        "draft_thumbnail",
        "draft_media",
        "published_thumbnail",
        "published_media",
        "updated_by",
        "updated_at",
        "published_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .prefetch_related("draft_media__renditions", "published_media__renditions")
        )

    @admin.display(description="Draft image")
    def draft_thumbnail(self, obj: CategoryMedia) -> str:
        return media_thumbnail(obj.draft_media)

    @admin.display(description="Published image")
    def published_thumbnail(self, obj: CategoryMedia) -> str:
        return media_thumbnail(obj.published_media)


manifest_admin_actions_install()
