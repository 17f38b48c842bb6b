"""Public file URLs (R6): `/p/<public_id>/<filename>` and `/p/<public_id>/r/<name>.<ext>`.

Published items are served to anyone; drafts only to members of their tenant (previews in
the admin and workspace), everyone else gets the same 404 as for a missing id. Local files
stream from disk; files on S3 redirect to the bucket so bytes never pass through Django.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views.decorators.http import require_safe

from tenants.models import Membership

from .formats import FORMATS
from .models import MediaItem, MediaStatus
from .selectors import media_item_get_public


def member_may_preview(request: HttpRequest, tenant_id: int) -> bool:
    """Drafts and other private files: an authenticated member of the tenant, any role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(tenant_id=tenant_id, user=user).exists()


def _can_see(request: HttpRequest, item: MediaItem) -> bool:
    if item.status == MediaStatus.PUBLISHED:
        return True
    return member_may_preview(request, item.tenant_id)


def _visible_item(request: HttpRequest, public_id) -> MediaItem:
    item = media_item_get_public(public_id=public_id)
    if item is None or not _can_see(request, item):
        raise Http404("No such media.")
    return item


def media_file_response(
    request: HttpRequest,
    item: MediaItem,
    field: FieldFile,
    *,
    content_type: str,
    etag: str,
    download_name: str,
    inline: bool,
    public: bool | None = None,
) -> HttpResponse:
    if public is None:
        public = item.status == MediaStatus.PUBLISHED
    cached = get_conditional_response(request, etag=f'"{etag}"')
    if cached is not None:
        response = cached
    else:
        response = _file_response(field, content_type, download_name, inline)
    response["ETag"] = f'"{etag}"'
    return file_headers_set(response, public=public)


def file_headers_set(response: HttpResponse, *, public: bool) -> HttpResponse:
    """Public files may be cached by anyone; private ones by no one. Never sniffed."""
    if public:
        patch_cache_control(
            response, public=True, max_age=getattr(settings, "MEDIA_PUBLIC_MAX_AGE", 300)
        )
    else:
        patch_cache_control(response, private=True, no_store=True)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _file_response(
    field: FieldFile, content_type: str, download_name: str, inline: bool
) -> HttpResponse:
    storage = field.storage
    try:
        storage.path(field.name)
    except NotImplementedError:  # remote storage (S3): let the bucket serve the bytes
        return HttpResponseRedirect(storage.url(field.name))
    try:
        handle = storage.open(field.name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    return FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=download_name
    )


@require_safe
def media_public_file(request: HttpRequest, public_id, filename: str) -> HttpResponse:
    """The original bytes. The file name is cosmetic: the public id alone finds the item."""
    item = _visible_item(request, public_id)
    fmt = FORMATS.get(item.mime_type)
    return media_file_response(
        request,
        item,
        item.file,
        content_type=item.mime_type,
        etag=item.checksum,
        download_name=item.original_filename,
        inline=fmt.inline if fmt else False,
    )


@require_safe
def media_public_rendition(request: HttpRequest, public_id, name: str, ext: str) -> HttpResponse:
    item = _visible_item(request, public_id)
    rendition = item.renditions.filter(name=name).first()
    if rendition is None or not rendition.file.name.endswith(f".{ext}"):
        raise Http404("No such rendition.")
    return media_file_response(
        request,
        item,
        rendition.file,
        content_type="image/png" if ext == "png" else "image/jpeg",
        etag=f"{item.checksum[:16]}-{name}-{int(rendition.created_at.timestamp())}",
        download_name=f"{name}.{ext}",
        inline=True,
    )
