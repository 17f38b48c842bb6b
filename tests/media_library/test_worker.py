"""R6 with real components: the renditions are made by a live Celery worker (PostgreSQL run)."""

import time

import pytest

from media_library.models import Rendition
from tests.media_library.samples import image_bytes, upload_file

pytestmark = [pytest.mark.worker, pytest.mark.postgres]


def test_worker_makes_renditions_after_upload(live_worker, tenant, editor):
    from media_library.services import media_item_upload

    # transactional_db: the upload commits, on_commit sends the task to the worker.
    item, created = media_item_upload(
        tenant=tenant,
        file=upload_file("big.jpg", image_bytes(1600, 1200)),
        user=editor,
        title="T",
        alt_text="A",
    )
    assert created
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if Rendition.objects.filter(media=item).count() == 3:
            break
        time.sleep(0.2)
    sizes = {r.name: (r.width, r.height) for r in Rendition.objects.filter(media=item)}
    assert sizes == {"thumb": (200, 200), "gallery": (1200, 900), "swatch": (64, 64)}
