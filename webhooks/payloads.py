"""What each event's `data` holds: a snapshot taken when the event is recorded, so a
retry tomorrow still says what was true then (receivers re-read the API for the present)."""

from __future__ import annotations

from collections.abc import Iterable

from media_library.models import MediaItem
from media_library.selectors import media_item_prefetch, media_public_urls
from tenants.models import Job


def media_data(*, tenant_id: int, ids: Iterable[int]) -> dict[int, dict]:
    """`{"media": {...}}` per media item id, with its public URL (served only while it is
    published) and its renditions'."""
    items = media_item_prefetch(MediaItem.objects.filter(tenant_id=tenant_id, pk__in=list(ids)))
    out: dict[int, dict] = {}
    for item in items:
        urls = media_public_urls(item)
        out[item.pk] = {
            "media": {
                "id": item.pk,
                "kind": item.kind,
                "status": item.status,
                "display_name": item.display_name,
                "title": item.title,
                "alt_text": item.alt_text,
                "mime_type": item.mime_type,
                "checksum": item.checksum,
                "width": item.width,
                "height": item.height,
                "version": item.version,
                "file_version": item.file_version,
                "available_from": item.available_from,
                "expires_at": item.expires_at,
                "url": urls.url,
                "renditions": urls.renditions,
                "published_at": item.published_at,
                "updated_at": item.updated_at,
            }
        }
    return out


def job_data(job: Job) -> dict:
    """`{"job": {...}}`: what finished, how, and the first errors."""
    return {
        "job": {
            "id": job.pk,
            "kind": job.kind,
            "status": job.status,
            "description": job.description,
            "attempts": job.attempts,
            "progress": {"done": job.progress_done, "total": job.progress_total},
            "counts": job.counts,
            "errors": list(job.errors)[:20],
            "created_by": job.created_by.get_username() if job.created_by else None,
            "created_at": job.created_at,
            "started_at": job.started_at,
            "finished_at": job.finished_at,
        }
    }
