"""Issue 15 item 8: the media admin reads like the workspace: a title column, human file
sizes (exact bytes on hover), and category media shown as thumbnails."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def root_client(client, db):
    client.force_login(get_user_model().objects.create_superuser("root", "r@example.com", "pw"))
    return client


def test_media_list_has_title_and_human_sizes(root_client, image_item):
    image_item.size = 2_456_789
    image_item.save(update_fields=["size"])

    listing = root_client.get("/admin/media_library/mediaitem/").content.decode()
    page = root_client.get(f"/admin/media_library/mediaitem/{image_item.pk}/change/")

    assert "column-title" in listing and ">Shirt<" in listing
    assert "2.3\xa0MB" in listing and 'title="2,456,789 bytes"' in listing
    assert "2456789" not in listing
    assert "2.3\xa0MB" in page.content.decode()


def test_category_media_list_shows_thumbnails(root_client, tenant, image_item, editor):
    from assignments.services import category_media_set
    from catalog.services import category_create
    from tenants.models import Channel

    web = Channel.objects.get(tenant=tenant, code="web")
    category = category_create(tenant=tenant, channel=web, name="Shirts")
    category_media_set(tenant=tenant, category=category, media_id=image_item.pk, user=editor)

    listing = root_client.get("/admin/assignments/categorymedia/").content.decode()

    assert "column-draft_thumbnail" in listing
    assert "/r/thumb.jpg" in listing and 'alt="A blue shirt"' in listing
