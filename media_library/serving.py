"""Stored files served by path, and signed preview links (R6, R30).

`/media/<path>` (MEDIA_URL) serves private storage and replaces Django's unchecked
development route: a published item's own files (original, companions, renditions)
redirect anyone to their public, content-hashed copies (served from private storage as
before while no copy exists yet, e.g. before `media_public_sync` ran after an upgrade);
everything else under a tenant's folder (a draft's bytes, old file versions, job results,
uploaded manifests) only to an authenticated member of that tenant (any role): streamed
locally, a redirect to a short-lived signed URL on S3. Anything else, and every refusal,
is the same 404 as a missing file.

`MEDIA_PUBLIC_URL` (`/media-public/<name>`, local public storage only) serves the public
copies to anyone with `Cache-Control: public, max-age=31536000, immutable`: the names are
content-hashed, so a name never holds other bytes. An unpublished item's copies are gone,
so their URLs answer 404.

`/p/s/<token>/<filename>` is the export's MediaPreviewURL: the item's bytes, draft or not,
for whoever holds a link signed with SECRET_KEY that has not expired
(MEDIA_PREVIEW_URL_SECONDS).
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
import uuid

from django.conf import settings
from django.core import signing
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseGone
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.views.decorators.http import require_safe

from .formats import FORMATS
from .models import MediaItem, MediaStatus
from .selectors import media_item_get_public
from .storage import PUBLIC_CACHE_CONTROL, public_content_type, public_file_hash, public_storage
from .views import (
    file_headers_set,
    media_file_response,
    member_may_preview,
    public_redirect,
    signed_redirect,
    storage_is_remote,
)

PREVIEW_SALT = "mediahub.media-preview"
_TENANT_PATH = re.compile(r"tenants/(?P<tenant>\d+)/")
# An item's folder (models.media_folder), with or without the two-digit level older
# files were stored without.
_ITEM_PATH = re.compile(
    r"tenants/(?P<tenant>\d+)/(?:media|renditions)/(?:[0-9a-fA-F]{2}/)?"
    r"(?P<public_id>[0-9a-fA-F-]{32,36})/"
)


def _owner_item(name: str, tenant_id: int) -> MediaItem | None:
    match = _ITEM_PATH.match(name)
    if match is None:
        return None
    try:
        public_id = uuid.UUID(match["public_id"])
    except ValueError:
        return None
    item = media_item_get_public(public_id=public_id)
    return item if item is not None and item.tenant_id == tenant_id else None


def _item_file_kind(item: MediaItem, name: str) -> tuple[str | None, str]:
    """Which of the item's current files `name` is ("original", "image", "text", or None,
    e.g. an older version of its bytes), and the name of its public copy ('' if none)."""
    if item.file and item.file.name == name:
        return "original", item.public_name
    if item.video_thumbnail and item.video_thumbnail.name == name:
        return "image", item.public_thumbnail_name
    if item.video_captions and item.video_captions.name == name:
        return "text", item.public_captions_name
    for rendition in item.renditions.all():
        if rendition.file.name == name:
            return "image", rendition.public_name
    return None, ""


@require_safe
def media_storage_file(request: HttpRequest, name: str) -> HttpResponse:
    name = posixpath.normpath(name.replace("\\", "/"))
    tenant_match = _TENANT_PATH.match(name)
    if tenant_match is None or name.startswith(("/", "..")):
        raise Http404("No such file.")
    tenant_id = int(tenant_match["tenant"])
    item = _owner_item(name, tenant_id)
    kind, public_name = _item_file_kind(item, name) if item is not None else (None, "")
    public = kind is not None and item.status == MediaStatus.PUBLISHED
    if public and public_name:
        return public_redirect(request, public_name)
    if not public and not member_may_preview(request, tenant_id):
        raise Http404("No such file.")

    if kind == "original":
        content_type = item.mime_type
        fmt = FORMATS.get(item.mime_type)
        inline = fmt.inline if fmt else False
    else:
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        # Only an item's images and captions display in the browser; job files, manifests
        # and anything unknown download, so nothing stored can run as a page on our origin.
        inline = kind in ("image", "text")
    if storage_is_remote(default_storage):
        if not default_storage.exists(name):
            raise Http404("No such file.")
        response = signed_redirect(
            default_storage, name, download_name=posixpath.basename(name), inline=inline
        )
        return file_headers_set(response, public=False)
    response = _stored_file_response(default_storage, name, content_type, inline=inline)
    return file_headers_set(response, public=public)


def _stored_file_response(storage, name: str, content_type: str, *, inline: bool) -> HttpResponse:
    """The file's bytes streamed from a local storage; a missing file is a 404."""
    try:
        handle = storage.open(name, "rb")
    except (FileNotFoundError, IsADirectoryError, SuspiciousFileOperation):
        raise Http404("No such file.") from None
    return FileResponse(
        handle,
        content_type=content_type,
        as_attachment=not inline,
        filename=posixpath.basename(name),
    )


def _signer() -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=PREVIEW_SALT)


def media_preview_url(item: MediaItem) -> str:
    """A signed link to the item's bytes that expires after MEDIA_PREVIEW_URL_SECONDS:
    absolute with MEDIA_PUBLIC_BASE_URL, site-relative otherwise."""
    path = reverse(
        "media-signed-file",
        kwargs={"token": _signer().sign(item.public_id.hex), "filename": item.original_filename},
    )
    base = getattr(settings, "MEDIA_PUBLIC_BASE_URL", "")
    return f"{base.rstrip('/')}{path}" if base else path


@require_safe
def media_signed_file(request: HttpRequest, token: str, filename: str) -> HttpResponse:
    """The file behind a MediaPreviewURL; a bad signature is a 404, an expired one (a link
    really issued, so nothing is revealed) a 410 saying how to get a new one."""
    try:
        value = _signer().unsign(token, max_age=settings.MEDIA_PREVIEW_URL_SECONDS)
        public_id = uuid.UUID(hex=value)
    except signing.SignatureExpired:
        return HttpResponseGone(
            "This preview link has expired (links last MEDIA_PREVIEW_URL_SECONDS, "
            f"{settings.MEDIA_PREVIEW_URL_SECONDS} s): export again for a new one.",
            content_type="text/plain; charset=utf-8",
        )
    except (signing.BadSignature, ValueError):
        raise Http404("No such media.") from None
    item = media_item_get_public(public_id=public_id)
    if item is None or not item.file:
        raise Http404("No such media.")
    fmt = FORMATS.get(item.mime_type)
    return media_file_response(
        request,
        item,
        item.file,
        content_type=item.mime_type,
        etag=item.checksum,
        download_name=item.original_filename,
        inline=fmt.inline if fmt else False,
        public=False,
    )


@require_safe
def media_public_storage_file(request: HttpRequest, name: str) -> HttpResponse:
    """A file of local public storage, to anyone: cached for a year (immutable), revalidated
    by its content hash. Object stores serve their public files themselves (404 here)."""
    name = posixpath.normpath(name.replace("\\", "/"))
    content_hash = public_file_hash(name)
    storage = public_storage()
    if not content_hash or name.startswith(("/", "..")) or storage_is_remote(storage):
        raise Http404("No such file.")
    try:
        if not storage.exists(name):
            raise Http404("No such file.")
    except SuspiciousFileOperation:
        raise Http404("No such file.") from None
    etag = f'"{content_hash}"'
    response = get_conditional_response(request, etag=etag)
    if response is None:
        content_type, inline = public_content_type(name)
        response = _stored_file_response(storage, name, content_type, inline=inline)
    response["ETag"] = etag
    response["Cache-Control"] = PUBLIC_CACHE_CONTROL
    response["X-Content-Type-Options"] = "nosniff"
    return response
