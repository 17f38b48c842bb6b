"""R6 with real components: the renditions are made by a live Celery worker (PostgreSQL run)."""

import time

import pytest

from media_library.models import Rendition
from tests.media_library.samples import image_bytes, rendition_names, upload_file

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
    wanted = rendition_names(1600)  # the named sizes and the ladder (issue 14)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if Rendition.objects.filter(media=item).count() == len(wanted):
            break
        time.sleep(0.2)
    sizes = {r.name: (r.width, r.height) for r in Rendition.objects.filter(media=item)}
    assert set(sizes) == wanted
    assert (sizes["thumb"], sizes["gallery"], sizes["swatch"]) == (
        (200, 200),
        (1200, 900),
        (64, 64),
    )
    assert sizes["w1600-avif"] == (1600, 1200) and sizes["w160-jpeg"] == (160, 120)
