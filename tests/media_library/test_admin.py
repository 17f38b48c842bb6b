"""The admin uploads through the same validation and service as the API (R5)."""

import pytest
from django.contrib.auth import get_user_model

from media_library.models import MediaItem
from tests.media_library.samples import image_bytes, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pass12345")


def test_admin_upload_goes_through_the_service(
    client, staff, tenant, django_capture_on_commit_callbacks
):
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/media_library/mediaitem/add/",
            {
                "tenant": tenant.pk,
                "upload": upload_file("shirt.jpg", image_bytes(300, 200)),
                "title": "Shirt",
                "alt_text": "A shirt",
                "tag_names": "summer, shirts",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    item = MediaItem.objects.get()
    assert (item.mime_type, item.width, item.created_by) == ("image/jpeg", 300, staff)
    assert sorted(t.name for t in item.tags.all()) == ["shirts", "summer"]
    changelist = client.get("/admin/media_library/mediaitem/")
    assert f"/p/{item.public_id}/r/thumb.jpg" in changelist.content.decode()
    assert client.get(f"/admin/media_library/mediaitem/{item.pk}/change/").status_code == 200


def test_admin_refuses_a_lying_file(client, staff, tenant):
    client.force_login(staff)
    response = client.post(
        "/admin/media_library/mediaitem/add/",
        {
            "tenant": tenant.pk,
            "upload": upload_file("doc.pdf", image_bytes(fmt="PNG")),
            "title": "T",
            "alt_text": "A",
        },
    )
    assert response.status_code == 200
    assert "content is image/png" in response.content.decode()
    assert not MediaItem.objects.exists()


def test_admin_requires_alt_text_for_images(client, staff, tenant):
    client.force_login(staff)
    response = client.post(
        "/admin/media_library/mediaitem/add/",
        {"tenant": tenant.pk, "upload": upload_file("a.jpg", image_bytes()), "title": "T"},
    )
    assert "Alt text is required" in response.content.decode()
    assert not MediaItem.objects.exists()


def test_admin_edit_changes_focal_point_through_the_service(client, staff, image_item):
    client.force_login(staff)
    response = client.post(
        f"/admin/media_library/mediaitem/{image_item.pk}/change/",
        {
            "display_name": "shirt.jpg",
            "title": "Shirt",
            "alt_text": "A blue shirt",
            "caption": "",
            "description": "",
            "transcript": "",
            "focal_x": "0.25",
            "focal_y": "0.5",
            "tag_names": "Summer",
            "renditions-TOTAL_FORMS": "3",
            "renditions-INITIAL_FORMS": "3",
            "renditions-MIN_NUM_FORMS": "0",
            "renditions-MAX_NUM_FORMS": "1000",
            **{
                f"renditions-{i}-id": r.pk
                for i, r in enumerate(image_item.renditions.order_by("pk"))
            },
            **{f"renditions-{i}-media": image_item.pk for i in range(3)},
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    image_item.refresh_from_db()
    assert (image_item.focal_x, image_item.version) == (0.25, 2)
    assert [t.name for t in image_item.tags.all()] == ["Summer"]
