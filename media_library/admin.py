"""Admin for the media library; uploads and edits go through the services (forms.py)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from tenants.admin_base import TenantScopedAdmin, TenantScopedInline, roles
from tenants.exceptions import DomainError

from . import services
from .forms import CHANGE_FIELDS, MediaItemChangeForm, MediaItemUploadForm
from .models import MediaItem, MediaTag, Rendition
from .selectors import media_file_versions, media_item_usage, media_public_urls


def media_thumbnail(item: MediaItem | None, request=None, *, size: int = 64) -> str:
    """A thumbnail for admin lists and pages (other apps' admins show media with it too);
    items without a thumb rendition (documents, videos) show their kind instead."""
    if item is None:
        return "—"
    url = media_public_urls(item, request).renditions.get("thumb")
    if not url:
        return format_html('<span title="{}">{}</span>', item.display_name, item.get_kind_display())
    return format_html(
        '<img src="{}" alt="{}" width="{}" height="{}" style="object-fit:cover">',
        url,
        item.alt_text or item.title or item.display_name,
        size,
        size,
    )


_thumbnail = media_thumbnail


class RenditionInline(TenantScopedInline, admin.TabularInline):
    model = Rendition
    extra = 0
    can_delete = False
    fields = ["name", "width", "height", "focal_x", "focal_y", "file"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(MediaItem)
class MediaItemAdmin(TenantScopedAdmin):
    """Editors upload, edit, publish and delete media, as in the API (R1a, R5, R6)."""

    list_display = [
        "thumbnail",
        "display_name",
        "title",
        "kind",
        "status",
        "availability",
        "mime_type",
        "file_size",
        "tenant",
        "updated_at",
    ]
    list_display_links = ["thumbnail", "display_name"]
    list_filter = ["kind", "status", "tenant"]
    search_fields = ["display_name", "title", "alt_text", "caption", "tags__name", "checksum"]
    readonly_fields = [
        "preview",
        "status",
        "kind",
        "mime_type",
        "file_size",
        "checksum",
        "width",
        "height",
        "original_filename",
        "public_link",
        "published_at",
        "created_by",
        "file_version",
        "availability",
        "file_versions",
        "where_used",
    ]
    inlines = [RenditionInline]
    actions = ["publish_selected", "unpublish_selected", "unpublish_selected_force"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("renditions", "tags")

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = MediaItemChangeForm if obj is not None else MediaItemUploadForm
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user
        return form

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "tenant",
                "upload",
                "title",
                "alt_text",
                "caption",
                "description",
                "display_name",
                "tag_names",
            ]
        return [
            "preview",
            *CHANGE_FIELDS,
            "tag_names",
            "replace_file",
            *[f for f in self.readonly_fields if f != "preview"],
        ]

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj is not None else []

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []

    def save_model(self, request, obj, form, change):
        """The form's save() already called the service."""
        if not change and getattr(form, "duplicate", False):
            messages.info(request, "The same file was already in the library; showing that item.")

    def service_delete(self, request, obj):
        services.media_item_delete(item=obj, user=request.user)

    @admin.display(description="Availability")
    def availability(self, obj: MediaItem) -> str:
        """R27: available, scheduled (not yet) or expired."""
        return obj.availability()

    @admin.display(description="File versions")
    def file_versions(self, obj: MediaItem) -> str:
        """R25: every file the item has had, newest first; the current one marked."""
        rows = media_file_versions(item=obj)
        return format_html_join(
            mark_safe("<br>"),
            "v{} {} {} · {} · {} bytes · sha256 {}… · {} {}",
            (
                (
                    r["number"],
                    "(current)" if r["current"] else "",
                    r["action"],
                    r["original_filename"],
                    r["size"],
                    r["checksum"][:12],
                    r["created_by"] or "—",
                    r["created_at"].strftime("%Y-%m-%d %H:%M") if r["created_at"] else "",
                )
                for r in rows
            ),
        )

    @admin.display(description="Where used")
    def where_used(self, obj: MediaItem) -> str:
        """R26: current uses (which block a delete), then how many old versions refer to it."""
        usage = media_item_usage(item=obj)
        if not usage["current"] and not usage["history"]:
            return "Not used."
        lines = [u["description"] for u in usage["current"][:50]]
        if len(usage["current"]) > 50:
            lines.append(f"... and {len(usage['current']) - 50} more")
        if usage["history"]:
            lines.append(f"History: {len(usage['history'])} old version(s) (never block a delete)")
        return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines))

    @admin.display(description="Thumbnail")
    def thumbnail(self, obj: MediaItem) -> str:
        return _thumbnail(obj)

    @admin.display(description="Size", ordering="size")
    def file_size(self, obj: MediaItem) -> str:
        """Human sizes ("2.4 MB"), the exact bytes on hover."""
        return format_html(
            '<span title="{} bytes">{}</span>', f"{obj.size:,}", filesizeformat(obj.size)
        )

    @admin.display(description="Preview")
    def preview(self, obj: MediaItem) -> str:
        return _thumbnail(obj)

    @admin.display(description="Public URL")
    def public_link(self, obj: MediaItem) -> str:
        url = media_public_urls(obj).url
        return format_html('<a href="{}">{}</a>', url, url)

    @admin.action(description="Publish selected media items")
    def publish_selected(self, request, queryset):
        self._run(request, queryset, services.media_item_publish, "published")

    @admin.action(description="Unpublish selected media items")
    def unpublish_selected(self, request, queryset):
        self._run(request, queryset, services.media_item_unpublish, "unpublished")

    @admin.action(
        description="Unpublish selected media items, dropping them from published content"
    )
    def unpublish_selected_force(self, request, queryset):
        # R22: shops stop showing them in the same step (their answers are re-projected).
        def force(*, item, user):
            return services.media_item_unpublish(item=item, user=user, force=True)

        self._run(request, queryset, force, "unpublished")

    def _run(self, request, queryset, service, verb: str) -> None:
        done = 0
        for item in queryset:
            try:
                service(item=item, user=request.user)
                done += 1
            except DomainError as exc:
                self.message_user(request, f"{item}: {exc.message}", messages.ERROR)
        self.message_user(request, f"{done} media item(s) {verb}.")


@admin.register(Rendition)
class RenditionAdmin(TenantScopedAdmin):
    # Renditions are made by renditions_ensure, never by hand; deleting one would break
    # the published URLs that name it.
    required_role = roles(add=None, change=None, delete=None)
    list_display = ["media", "name", "width", "height", "focal_x", "focal_y", "created_at"]
    list_filter = ["name", "tenant"]
    search_fields = ["media__display_name"]
    readonly_fields = ["tenant", "media", "name", "file", "width", "height", "focal_x", "focal_y"]


@admin.register(MediaTag)
class MediaTagAdmin(TenantScopedAdmin):
    list_display = ["name", "tenant"]
    list_filter = ["tenant"]
    search_fields = ["name"]
