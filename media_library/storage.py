"""The two media storages (SPEC §4 "Files", R6, R30), configured in settings.STORAGES.

- **private** (`default`): every original, companion and rendition as uploaded or made,
  drafts included, manifest uploads, job files. Served only to the tenant's members: by
  the permission-checked `/media/` and `/p/` views, which on S3 redirect to a signed URL
  that expires after MEDIA_PRIVATE_URL_SECONDS. Never public-read.
- **public** (`public`): a copy of each *published* item's files and renditions under
  content-hashed names (`media/<public id>/<sha-256 prefix>/<file name>`), written when the
  item is published and removed when it is unpublished. A name never holds other bytes, so
  the files carry `Cache-Control: public, max-age=31536000, immutable` and a CDN may keep
  them forever. Locally served at MEDIA_PUBLIC_URL from MEDIA_PUBLIC_ROOT (by default a
  `-public` folder beside MEDIA_ROOT); on S3, a separate bucket or prefix read directly.
"""

from __future__ import annotations

import hashlib
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import FileSystemStorage, Storage, storages
from django.utils.functional import cached_property
from django.utils.text import get_valid_filename

from .formats import FORMATS

PUBLIC_ALIAS = "public"
# A year, the longest caches honour; `immutable` spares revalidation on reload.
PUBLIC_CACHE_CONTROL = "public, max-age=31536000, immutable"
PUBLIC_PREFIX = "media"
HASH_LENGTH = 16  # hex digits of the SHA-256 in a public name (64 bits)
# Formats we make renditions in but do not accept as uploads (not in FORMATS).
RENDITION_ONLY_TYPES = {"avif": "image/avif"}


def private_storage() -> Storage:
    """Where every media file lives first, and where drafts stay (Django's default storage)."""
    return storages["default"]


def public_storage() -> Storage:
    """Where published files are copied for anyone (and any CDN) to read."""
    return storages[PUBLIC_ALIAS]


def _safe_filename(filename: str) -> str:
    try:
        return get_valid_filename(PurePosixPath(filename.replace("\\", "/")).name)
    except SuspiciousFileOperation:  # nothing usable left ("..", only symbols)
        return "file"


def public_file_name(*, public_id, content_hash: str, filename: str) -> str:
    """The public name of one file of an item: changes whenever its bytes do, never
    shared between items (unpublishing one never removes another's file)."""
    return (
        f"{PUBLIC_PREFIX}/{public_id.hex}/{content_hash[:HASH_LENGTH]}/{_safe_filename(filename)}"
    )


def public_file_hash(name: str) -> str:
    """The content-hash segment of a public name ('' when it has none)."""
    parts = name.split("/")
    return parts[2] if len(parts) == 4 and parts[0] == PUBLIC_PREFIX else ""


def stored_sha256(storage: Storage, name: str) -> str:
    """SHA-256 of a stored file, read in chunks (rows made before checksums were kept)."""
    digest = hashlib.sha256()
    with storage.open(name, "rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def public_content_type(name: str) -> tuple[str, bool]:
    """(MIME type, shown inline?) of a public file, from its extension: images, video and
    PDF display, anything else downloads (a crafted text file never renders as a page)."""
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    if ext in RENDITION_ONLY_TYPES:
        return RENDITION_ONLY_TYPES[ext], True
    for fmt in FORMATS.values():
        if ext in fmt.extensions and ext:
            return fmt.mime_type, fmt.inline
    return "application/octet-stream", False


class PublicFileSystemStorage(FileSystemStorage):
    """Local public storage: MEDIA_PUBLIC_ROOT (default `<MEDIA_ROOT>-public`) served at
    MEDIA_PUBLIC_URL. Content-hashed names make overwriting harmless (same name, same
    bytes), so a re-publish writes the same file again rather than a suffixed copy."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_overwrite", True)
        super().__init__(**kwargs)

    @cached_property
    def base_location(self):
        if self._location:
            return self._location
        configured = getattr(settings, "MEDIA_PUBLIC_ROOT", "")
        if configured:
            return configured
        root = Path(settings.MEDIA_ROOT)
        return str(root.with_name(f"{root.name}-public"))

    @cached_property
    def base_url(self):
        url = self._base_url or getattr(settings, "MEDIA_PUBLIC_URL", "/media-public/")
        return url if url.endswith("/") else f"{url}/"

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting in ("MEDIA_ROOT", "MEDIA_PUBLIC_ROOT", "MEDIA_PUBLIC_URL"):
            for name in ("base_location", "location", "base_url"):
                self.__dict__.pop(name, None)


try:
    from storages.backends.s3 import S3Storage
    from storages.utils import clean_name
except ImportError:  # pragma: no cover - django-storages[s3] is a dependency
    S3Storage = None


if S3Storage is not None:

    class PrivateS3Storage(S3Storage):
        """Private S3 storage: objects written `private`, URLs always signed and short-lived
        whatever AWS_* settings say, so nothing private is ever readable without a
        signature (R30)."""

        def __init__(self, **settings_):
            settings_["default_acl"] = "private"
            settings_["querystring_auth"] = True
            super().__init__(**settings_)

    class PublicS3Storage(S3Storage):
        """Public S3 storage: unsigned URLs (stable, cacheable), `Cache-Control` immutable,
        overwriting allowed (content-hashed names), downloads for non-displayable types."""

        def __init__(self, **settings_):
            settings_["querystring_auth"] = False
            settings_["file_overwrite"] = True
            parameters = dict(settings_.get("object_parameters") or {})
            parameters.setdefault("CacheControl", PUBLIC_CACHE_CONTROL)
            settings_["object_parameters"] = parameters
            super().__init__(**settings_)

        _URL_PROBE = "mediahub-url-probe"

        @cached_property
        def _url_prefix(self) -> str:
            """What every unsigned URL of this storage starts with, before the quoted key."""
            key = self._normalize_name(self._URL_PROBE)
            url = super().url(self._URL_PROBE)
            return url[: url.rindex(key)]

        def url(self, name, parameters=None, expire=None, http_method=None) -> str:
            """Unsigned URLs are the prefix and the key: built once, not by botocore each
            time (~200 µs a URL; shop answers hold several per item)."""
            if parameters or http_method or self.custom_domain:  # custom domain: no botocore
                return super().url(name, parameters, expire, http_method)
            key = self._normalize_name(clean_name(name))
            return self._url_prefix + quote(key, safe="/~")

        def get_object_parameters(self, name: str) -> dict:
            params = super().get_object_parameters(name)
            content_type, inline = public_content_type(name)
            params.setdefault("ContentType", content_type)
            if not inline:
                params.setdefault(
                    "ContentDisposition", f'attachment; filename="{PurePosixPath(name).name}"'
                )
            return params
