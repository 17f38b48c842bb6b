"""Stable file URLs (R6): `/p/<public_id>/<filename>` and `/p/<public_id>/r/<name>.<ext>`.

A published item's link redirects to its content-hashed copy in public storage (cached
briefly, MEDIA_PUBLIC_MAX_AGE, since the target changes when the bytes do); drafts are
served only to members of their tenant (previews in the admin and workspace), from private
storage: streamed locally, or on S3 by a redirect to a short-lived signed URL. Everyone
else gets the same 404 as for a missing id.
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
from .storage import public_content_type, public_storage


def member_may_preview(request: HttpRequest, tenant_id: int) -> bool:
    """Drafts and other private files: an authenticated member of the tenant, any role."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    return user.is_superuser or Membership.objects.filter(tenant_id=tenant_id, user=user).exists()


def _can_see(request: HttpRequest, item: MediaItem) -> bool:
    """Anyone: a published item inside its availability window (R27); members: the rest
    (a draft, an embargoed or expired item), as a preview."""
    if item.status == MediaStatus.PUBLISHED and item.served:
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
        public = item.status == MediaStatus.PUBLISHED and item.served
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


def storage_is_remote(storage) -> bool:
    """An object store (S3): files have URLs of their own but no local path."""
    try:
        storage.path("x")
    except NotImplementedError:
        return True
    return False


def signed_redirect(storage, name: str, *, download_name: str, inline: bool) -> HttpResponse:
    """Redirect to the private storage's signed, short-lived URL (S3: querystring auth,
    MEDIA_PRIVATE_URL_SECONDS), asking the store to send it as a download unless inline."""
    disposition = "inline" if inline else "attachment"
    parameters = {"ResponseContentDisposition": f'{disposition}; filename="{download_name}"'}
    try:
        url = storage.url(name, parameters=parameters)
    except TypeError:  # a storage whose url() takes no parameters
        url = storage.url(name)
    return HttpResponseRedirect(url)


def _file_response(
    field: FieldFile, content_type: str, download_name: str, inline: bool
) -> HttpResponse:
    storage = field.storage
    if storage_is_remote(storage):  # S3: the bucket serves the bytes, to a signed URL
        return signed_redirect(storage, field.name, download_name=download_name, inline=inline)
    try:
        handle = storage.open(field.name, "rb")
    except FileNotFoundError:
        raise Http404("The file is missing.") from None
    return FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=download_name
    )


def public_redirect(request: HttpRequest, public_name: str) -> HttpResponse:
    """To the content-hashed public file: anyone may cache this briefly (the name changes
    when the bytes do), the file itself for a year."""
    url = public_storage().url(public_name)
    response = HttpResponseRedirect(url if "://" in url else request.build_absolute_uri(url))
    return file_headers_set(response, public=True)


@require_safe
def media_public_file(request: HttpRequest, public_id, filename: str) -> HttpResponse:
    """The original bytes. The file name is cosmetic: the public id alone finds the item."""
    item = _visible_item(request, public_id)
    if item.status == MediaStatus.PUBLISHED and item.public_name:
        return public_redirect(request, item.public_name)
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
    if item.status == MediaStatus.PUBLISHED and rendition.public_name:
        return public_redirect(request, rendition.public_name)
    return media_file_response(
        request,
        item,
        rendition.file,
        content_type=public_content_type(rendition.file.name)[0],
        etag=f"{item.checksum[:16]}-{name}-{int(rendition.created_at.timestamp())}",
        download_name=f"{name}.{ext}",
        inline=True,
    )
