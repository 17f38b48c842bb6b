"""Reads of the media library: lists with search, lookups by id, and public URLs (R5, R6)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string

from tenants.exceptions import NotFound
from tenants.models import Tenant

from .availability import servable_q
from .models import MediaFileVersion, MediaItem, MediaStatus, MediaTag, Rendition
from .storage import public_storage


def media_item_get(*, tenant: Tenant, media_id: int | str) -> MediaItem:
    """The tenant's item, or the same 404 for a missing id and another tenant's (R1)."""
    try:
        pk = int(media_id)
    except (TypeError, ValueError):
        pk = None
    item = MediaItem.objects.filter(tenant=tenant, pk=pk).first() if pk is not None else None
    if item is None:
        raise NotFound(f"Media item {media_id} not found.", field="media")
    return item


def media_item_get_by_checksum(*, tenant: Tenant, checksum: str) -> MediaItem | None:
    """The same bytes are the same item (R5)."""
    return MediaItem.objects.filter(tenant=tenant, checksum=checksum).first()


def media_item_get_public(*, public_id) -> MediaItem | None:
    return MediaItem.objects.filter(public_id=public_id).select_related("tenant").first()


def _tag_match(lookup: str, value: str) -> Exists:
    through = MediaItem.tags.through.objects.filter(
        mediaitem_id=OuterRef("pk"), **{f"mediatag__name__{lookup}": value}
    )
    return Exists(through)


def media_item_list(
    *,
    tenant: Tenant,
    kind: str | None = None,
    tag: str | None = None,
    status: str | None = None,
    q: str | None = None,
    availability: str | None = None,
) -> QuerySet[MediaItem]:
    """Filter by kind, tag (exact, any case), status; `q` words must each match somewhere.

    Tags are matched with EXISTS rather than a join so an item never appears twice.
    """
    items = MediaItem.objects.filter(tenant=tenant)
    if kind:
        items = items.filter(kind=kind)
    if status:
        items = items.filter(status=status)
    if tag:
        items = items.filter(_tag_match("iexact", tag.strip()))
    if availability:
        now = timezone.now()
        items = items.filter(
            {
                "available": servable_q(now),
                "scheduled": Q(available_from__gt=now),
                "expired": Q(expires_at__lte=now),
            }[availability]
        )
    for word in (q or "").split():
        items = items.filter(
            Q(display_name__icontains=word)
            | Q(title__icontains=word)
            | Q(alt_text__icontains=word)
            | Q(caption__icontains=word)
            | _tag_match("icontains", word)
        )
    return media_item_prefetch(items)


def media_item_prefetch(items: QuerySet[MediaItem]) -> QuerySet[MediaItem]:
    """What serialising an item needs, in two queries for any page size."""
    return items.prefetch_related(
        Prefetch("tags", queryset=MediaTag.objects.order_by("name")),
        Prefetch("renditions", queryset=Rendition.objects.order_by("name")),
    )


@dataclass(frozen=True)
class MediaUrls:
    url: str
    renditions: dict[str, str] = field(default_factory=dict)


def _absolute(path: str, request: HttpRequest | None) -> str:
    """A site-relative path made absolute (by the request, else MEDIA_PUBLIC_BASE_URL);
    a URL that is already absolute (a bucket, a CDN) is returned as it is."""
    if "://" in path:
        return path
    if request is not None:
        return request.build_absolute_uri(path)
    base = getattr(settings, "MEDIA_PUBLIC_BASE_URL", "")
    return f"{base.rstrip('/')}{path}" if base else path


def media_file_path(item: MediaItem) -> str:
    """`/p/<public_id>/<original file name>`: stable for the item's life (R6).

    Built from the public id and the original name, never from editable metadata, so
    renaming or retitling an item does not break links already handed out. A published
    item's link redirects to its content-hashed public file; members preview drafts here.
    """
    return reverse(
        "media-public-file",
        kwargs={"public_id": item.public_id, "filename": item.original_filename},
    )


def rendition_path(item: MediaItem, rendition: Rendition) -> str:
    """`/p/<public_id>/r/<name>.<ext>?v=...`; the version changes when a crop is re-made."""
    ext = rendition.file.name.rsplit(".", 1)[-1]
    path = reverse(
        "media-public-rendition",
        kwargs={"public_id": item.public_id, "name": rendition.name, "ext": ext},
    )
    return f"{path}?v={int(rendition.created_at.timestamp())}"


def media_public_urls(item: MediaItem, request: HttpRequest | None = None) -> MediaUrls:
    """The item's URL and its renditions' (absolute with a request, or with
    settings.MEDIA_PUBLIC_BASE_URL; else site-relative).

    A published item's are its public storage files: content-hashed names, cacheable
    forever, what shop answers carry. A draft's (and a published item's file not yet
    copied to public storage, e.g. before `media_public_sync` ran after an upgrade) are
    the stable `/p/` links: 404 to the public, a preview for the tenant's members.
    Uses prefetched renditions when present (see media_item_prefetch).
    """
    published = item.status == MediaStatus.PUBLISHED
    storage = public_storage() if published else None

    def url(public_name: str, fallback) -> str:
        if published and public_name:
            return _absolute(storage.url(public_name), request)
        return _absolute(fallback(), request)

    renditions = {
        r.name: url(r.public_name, lambda r=r: rendition_path(item, r))
        for r in item.renditions.all()
    }
    return MediaUrls(
        url=url(item.public_name, lambda: media_file_path(item)), renditions=renditions
    )


def media_is_public(item: MediaItem) -> bool:
    return item.status == MediaStatus.PUBLISHED


def media_public_sync_candidates(
    *, tenant: Tenant | None = None, verify: bool = False
) -> QuerySet[MediaItem]:
    """Items whose public copies are out of line with their state (SPEC §4 "Files"): a
    published item lacking a copy of its file, a companion or a rendition (every published
    item with `verify`, to check its copies exist), a draft still naming copies. In pk order.
    """
    renditions = Rendition.objects.filter(media_id=OuterRef("pk"))
    unpublished_rendition = Exists(renditions.filter(public_name=""))
    named_rendition = Exists(renditions.exclude(public_name=""))
    lacking = (
        Q(public_name="")
        | (~Q(video_thumbnail="") & Q(public_thumbnail_name=""))
        | (~Q(video_captions="") & Q(public_captions_name=""))
        | unpublished_rendition
    )
    named = (
        ~Q(public_name="")
        | ~Q(public_thumbnail_name="")
        | ~Q(public_captions_name="")
        | named_rendition
    )
    published = Q(status=MediaStatus.PUBLISHED)
    items = MediaItem.objects.filter(
        (published & lacking) | (published if verify else Q(pk__in=[])) | (~published & named)
    )
    if tenant is not None:
        items = items.filter(tenant=tenant)
    return items.order_by("pk")


def media_item_usage(*, item: MediaItem, history: bool = True) -> dict[str, list[dict]]:
    """Where-used (R26): `{"current": [...], "history": [...]}` from every app above that
    registered in `settings.MEDIA_USAGE_HOOKS` (the library imports none of them).

    Current uses (working copies, drafts, published content, category images, swatches of
    dimension values) block a delete; history (old versions) is listed apart and never
    does. Each entry carries `type`, `model`, `id`, `label` and `description` (what a 409
    shows) plus the structured fields of its kind (product, scope, slot, channel, locale,
    state...). `history=False` skips the history queries (the delete check).
    """
    current: list[dict] = []
    past: list[dict] = []
    for hook in settings.MEDIA_USAGE_HOOKS:
        found = import_string(hook)(item=item, history=history)
        current += found.get("current", [])
        past += found.get("history", [])
    return {"current": current, "history": past}


def media_file_versions(*, item: MediaItem) -> list[dict]:
    """The item's file versions, newest first (R25); an item stored before versions were
    recorded shows its one file as version 1."""
    versions = list(
        MediaFileVersion.objects.filter(tenant_id=item.tenant_id, media=item)
        .select_related("created_by")
        .order_by("-number")
    )
    rows = [
        {
            "number": v.number,
            "current": v.number == item.file_version,
            "action": v.action,
            "restored_from": v.restored_from,
            "original_filename": v.original_filename,
            "mime_type": v.mime_type,
            "size": v.size,
            "checksum": v.checksum,
            "width": v.width,
            "height": v.height,
            "created_by": v.created_by.get_username() if v.created_by else None,
            "created_at": v.created_at,
        }
        for v in versions
    ]
    if not rows:
        rows.append(
            {
                "number": item.file_version,
                "current": True,
                "action": "upload",
                "restored_from": None,
                "original_filename": item.original_filename,
                "mime_type": item.mime_type,
                "size": item.size,
                "checksum": item.checksum,
                "width": item.width,
                "height": item.height,
                "created_by": item.created_by.get_username() if item.created_by else None,
                "created_at": item.created_at,
            }
        )
    return rows
