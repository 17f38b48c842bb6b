"""R25 on an S3-compatible store (moto's server on loopback): replacing a published item's
file writes the new bytes to the private bucket, keeps the old version there (restorable),
swaps the public copy, and the shop answer carries the new public URL at once."""

import pytest

from media_library.models import MediaFileVersion, MediaItem
from media_library.selectors import media_public_urls
from media_library.services import media_item_publish
from tests.media_library.samples import image_bytes, rendition_names, upload_file
from tests.s3 import http_get

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


def test_replace_and_restore_a_published_file_on_s3(
    s3_media, api_upload, api_call, editor, publisher, s3_client, django_capture_on_commit_callbacks
):  # R25
    private, public = s3_media()
    first = image_bytes(400, 300)
    response = api_upload(editor, "shirt.jpg", first, title="Shirt", alt_text="A shirt")
    item = MediaItem.objects.get(pk=response.json()["id"])
    with django_capture_on_commit_callbacks(execute=True):
        media_item_publish(item=item, user=None)
    item.refresh_from_db()
    old_public = item.public_name

    second = image_bytes(200, 100, "PNG", color=(1, 2, 3))
    response = api_call(
        publisher,
        "put",
        f"media/{item.pk}/file",
        {"file": upload_file("shirt-v2.png", second)},
        fmt="multipart",
    )

    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert (item.file_version, item.mime_type, item.width) == (2, "image/png", 200)
    assert s3_client.get_object(Bucket=private, Key=item.file.name)["Body"].read() == second
    v1 = MediaFileVersion.objects.get(media=item, number=1)
    assert s3_client.get_object(Bucket=private, Key=v1.file.name)["Body"].read() == first
    # The public copy is the new bytes; the old one left the public bucket.
    url = media_public_urls(item).url
    status, _, body = http_get(url)
    assert (status, body) == (200, second)
    keys = [o["Key"] for o in s3_client.list_objects_v2(Bucket=public).get("Contents", [])]
    assert old_public not in keys and item.public_name in keys
    # remade from the new bytes (named sizes and the ladder), public too
    assert set(item.renditions.values_list("name", flat=True)) == rendition_names(item.width)
    assert all(r.public_name in keys for r in item.renditions.all())

    restored = api_call(publisher, "post", f"media/{item.pk}/versions/1/restore")
    assert restored.status_code == 200, restored.content
    item.refresh_from_db()
    assert item.file.name == v1.file.name
    assert http_get(media_public_urls(item).url)[2] == first
