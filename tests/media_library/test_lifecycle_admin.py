"""R25-R27 in the admin: the change form replaces the file, sets the availability window
and shows where-used and file versions, all through the same services as the API."""

import pytest
from django.contrib.auth import get_user_model

from media_library.models import MediaFileVersion, MediaItem
from tests.media_library.samples import image_bytes, tiny_pdf, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "pass12345")


def _form(item: MediaItem, **extra) -> dict:
    data = {
        "display_name": item.display_name,
        "title": item.title,
        "alt_text": item.alt_text,
        "caption": "",
        "description": "",
        "transcript": "",
        "focal_x": "0.5",
        "focal_y": "0.5",
        "available_from_0": "",
        "available_from_1": "",
        "expires_at_0": "",
        "expires_at_1": "",
        "usage_rights": "",
        "tag_names": "",
        "renditions-TOTAL_FORMS": "3",
        "renditions-INITIAL_FORMS": "3",
        "renditions-MIN_NUM_FORMS": "0",
        "renditions-MAX_NUM_FORMS": "1000",
        **{f"renditions-{i}-id": r.pk for i, r in enumerate(item.renditions.order_by("pk"))},
        **{f"renditions-{i}-media": item.pk for i in range(3)},
    }
    data.update(extra)
    return data


def test_admin_replaces_the_file_and_sets_an_expiry(
    client, staff, image_item, django_capture_on_commit_callbacks
):  # R25, R27
    client.force_login(staff)
    url = f"/admin/media_library/mediaitem/{image_item.pk}/change/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url,
            _form(
                image_item,
                replace_file=upload_file("shirt-v2.png", image_bytes(64, 64, "PNG")),
                expires_at_0="2020-01-01",
                expires_at_1="00:00:00",
                usage_rights="Licensed until 2020",
            ),
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    item = MediaItem.objects.get(pk=image_item.pk)
    assert (item.file_version, item.mime_type, item.availability()) == (2, "image/png", "expired")
    assert item.usage_rights == "Licensed until 2020" and item.served is False
    page = client.get(url).content.decode()
    assert "File versions" in page and "v2 (current) replace" in page
    assert "Where used" in page and "Not used." in page


def test_admin_refuses_bad_input_and_changes_nothing(client, staff, image_item):  # R25, R27
    client.force_login(staff)
    url = f"/admin/media_library/mediaitem/{image_item.pk}/change/"
    wrong_order = _form(
        image_item,
        available_from_0="2030-01-02",
        available_from_1="00:00:00",
        expires_at_0="2030-01-01",
        expires_at_1="00:00:00",
    )
    response = client.post(url, wrong_order)
    assert response.status_code == 200
    assert "The expiry must be later than the" in response.content.decode()
    response = client.post(url, _form(image_item, replace_file=upload_file("a.pdf", tiny_pdf())))
    assert response.status_code == 200
    assert "An image can only be replaced by another image" in response.content.decode()
    item = MediaItem.objects.get(pk=image_item.pk)
    assert (item.available_from, item.expires_at, item.checksum) == (
        None,
        None,
        image_item.checksum,
    )
    assert not MediaFileVersion.objects.filter(media=item).exists()


def test_an_editor_saving_a_title_leaves_a_published_items_window_alone(
    client, editor, publisher, image_item, django_capture_on_commit_callbacks
):  # R27, R1a: only what the form changed is sent to the service
    from datetime import UTC, datetime

    from media_library.services import media_item_publish

    with django_capture_on_commit_callbacks(execute=True):
        media_item_publish(item=image_item, user=publisher)
    window = datetime(2030, 1, 2, 3, 4, 5, 678901, tzinfo=UTC)
    MediaItem.objects.filter(pk=image_item.pk).update(expires_at=window)
    image_item.refresh_from_db()
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    client.force_login(editor)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/admin/media_library/mediaitem/{image_item.pk}/change/",
            _form(
                image_item,
                title="Shirt, blue",
                expires_at_0="2030-01-02",  # the widget shows seconds, not microseconds
                expires_at_1="03:04:05",
                tag_names="Summer, shirts",
            ),
        )
    assert response.status_code == 302, response.content.decode()[:3000]
    image_item.refresh_from_db()
    assert image_item.title == "Shirt, blue" and image_item.expires_at == window
