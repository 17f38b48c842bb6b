"""Thin Celery tasks: ids in, a service call, safe to run twice (renditions are idempotent)."""

import logging

from celery import shared_task

from . import availability, services
from .models import MediaItem

logger = logging.getLogger(__name__)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3, acks_late=True)
def media_item_derivatives_ensure(media_id: int) -> None:
    """Make a new or re-cropped item's video thumbnail and renditions (R6)."""
    item = MediaItem.objects.filter(pk=media_id).first()
    if item is None:  # deleted before the worker got to it
        return
    services.media_item_derivatives_ensure(item=item)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=3, acks_late=True)
def media_items_derivatives_ensure(media_ids: list[int]) -> None:
    """The renditions of a bulk upload's batch (one task per batch, R6). Storage errors
    retry the batch (making renditions is idempotent); one undecodable file is logged and
    left to the beat sweep, not allowed to stop the others."""
    for item in MediaItem.objects.filter(pk__in=media_ids).order_by("pk"):
        try:
            services.media_item_derivatives_ensure(item=item)
        except OSError:
            raise
        except Exception:  # noqa: BLE001 - one bad file must not stop the batch
            logger.warning("could not make renditions of media item %s", item.pk, exc_info=True)


@shared_task
def media_derivatives_sweep() -> int:
    """Celery beat: make the renditions that an upload could not queue (broker down)."""
    return services.derivatives_missing_sweep()


@shared_task
def media_availability_sweep() -> int:
    """Celery beat (every 15 s): items whose availability window opened or closed leave or
    join the shop answers (R27); idempotent, a second run finds nothing to do."""
    return availability.media_availability_sweep()
