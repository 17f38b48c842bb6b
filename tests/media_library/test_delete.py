"""R5: deleting an item removes its files; an item still in use answers 409 listing its uses."""

import pytest
from django.conf import settings

from catalog.models import DimensionValue
from media_library.models import MediaItem, Rendition
from media_library.services import media_usage_describe
from tests.media_library.samples import rendition_names, stored_files

pytestmark = pytest.mark.django_db


def test_delete_unused_item_removes_row_and_files(
    client_for, editor, image_item, django_capture_on_commit_callbacks
):
    # original + 4 named sizes + the ladder (160 and its own 300 px) in 3 formats
    assert len(stored_files(settings.MEDIA_ROOT)) == 1 + len(rendition_names(300))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).delete(f"/api/v1/tenants/acme/media/{image_item.pk}/")
    assert response.status_code == 204
    assert not MediaItem.objects.exists() and not Rendition.objects.exists()
    assert stored_files(settings.MEDIA_ROOT) == []


def test_delete_in_use_is_409_listing_the_uses(client_for, editor, image_item, tenant):
    # R5: one file reused by many; PROTECT references name themselves.
    blue = DimensionValue.objects.create(
        tenant=tenant, dimension="color", value="Blue", swatch_media=image_item
    )
    response = client_for(editor).delete(f"/api/v1/tenants/acme/media/{image_item.pk}/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "conflict"
    assert body["used_by"] == [
        {
            "type": "dimension value",
            "model": "catalog.dimensionvalue",
            "id": blue.pk,
            "label": "color:Blue",
            "description": "dimension value color:Blue",
        }
    ]
    assert MediaItem.objects.filter(pk=image_item.pk).exists()
    assert len(stored_files(settings.MEDIA_ROOT)) == 1 + len(rendition_names(300))


def test_usage_description_is_used_when_a_model_offers_it():
    class Entry:
        pk = 7

        class _meta:  # noqa: N801 - mimics a model's _meta
            verbose_name = "assignment entry"
            label_lower = "assignments.entry"

        def __str__(self):
            return "entry 7"

        def usage_description(self):
            return "Primary media of SHIRT-001 (web, en-us)"

    assert media_usage_describe(Entry())["description"] == "Primary media of SHIRT-001 (web, en-us)"
