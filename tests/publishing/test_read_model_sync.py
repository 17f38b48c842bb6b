"""R15: the periodic sync finds stale read-model rows and rebuilds them."""

import pytest

from media_library.services import media_item_update
from publishing.models import PublishedMedia
from publishing.sync import read_model_sync, stale_product_ids
from publishing.tasks import read_model_sync_all
from tenants.services import channel_create
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tenant, editor, publish):
    product = b.mug(tenant)
    photo = b.image(tenant, editor, "photo")
    b.checkin(tenant, product, editor, {"master": b.slots([photo])})
    publish("MUG-001", publish_dependencies=True)
    return product, photo


def test_fresh_read_model_is_not_stale(tenant, published):
    assert stale_product_ids(tenant=tenant) == []
    assert read_model_sync(tenant=tenant) == 0


def test_new_channel_makes_rows_missing_and_sync_adds_them(tenant, published, shop):
    product, photo = published
    channel_create(tenant=tenant, code="kiosk")
    assert stale_product_ids(tenant=tenant) == [product.pk]
    assert read_model_sync_all() == {"acme": 1}
    assert PublishedMedia.objects.filter(
        tenant=tenant, channel_code="kiosk", number="MUG-001"
    ).exists()
    assert shop("MUG-001", "kiosk", "neutral")["default_image"]["id"] == photo.pk


def test_media_edited_after_publish_is_resynced(tenant, published, editor, shop):
    product, photo = published
    media_item_update(item=photo, user=editor, alt_text="A blue enamel mug")
    assert stale_product_ids(tenant=tenant) == [product.pk]
    read_model_sync(tenant=tenant)
    assert shop("MUG-001")["default_image"]["alt_text"] == "A blue enamel mug"
    assert stale_product_ids(tenant=tenant) == []
