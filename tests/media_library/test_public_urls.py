"""R6: published items have a stable public URL; drafts answer 404 to the public."""

import pytest

from media_library.selectors import media_public_urls
from media_library.services import media_item_publish, media_item_update

pytestmark = pytest.mark.django_db


def _path(url: str) -> str:
    return url.replace("http://testserver", "")


def test_draft_is_404_published_serves_bytes(client_for, publisher, image_item, client):
    # R6
    url = _path(media_public_urls(image_item).url)
    assert client.get(url).status_code == 404

    response = client_for(publisher).post(f"/api/v1/tenants/acme/media/{image_item.pk}/publish/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "published" and body["published_at"]
    assert _path(body["public_url"]) == url

    public = client.get(url)
    assert public.status_code == 200
    assert public["Content-Type"] == "image/jpeg"
    assert "public" in public["Cache-Control"] and "max-age" in public["Cache-Control"]
    assert public["X-Content-Type-Options"] == "nosniff"
    assert b"".join(public.streaming_content) == image_item.file.open("rb").read()


def test_renditions_are_served_once_published(client, editor, image_item):
    urls = media_public_urls(image_item).renditions
    assert client.get(urls["thumb"]).status_code == 404
    media_item_publish(item=image_item, user=None)
    response = client.get(urls["thumb"])
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert client.get(urls["thumb"].replace("thumb.jpg", "thumb.png")).status_code == 404
    assert client.get(urls["thumb"].replace("thumb.jpg", "nope.jpg")).status_code == 404


def test_url_is_stable_across_metadata_edits(editor, image_item, client):
    # R6
    media_item_publish(item=image_item, user=None)
    before = media_public_urls(image_item).url
    edited = media_item_update(
        item=image_item, user=editor, display_name="Renamed", title="New title"
    )
    assert media_public_urls(edited).url == before
    assert client.get(before).status_code == 200


def test_unpublish_hides_it_again(client_for, publisher, image_item, client):
    media_item_publish(item=image_item, user=None)
    url = media_public_urls(image_item).url
    response = client_for(publisher).post(f"/api/v1/tenants/acme/media/{image_item.pk}/unpublish/")
    assert response.json()["status"] == "draft" and response.json()["published_at"] is None
    assert client.get(url).status_code == 404


def test_members_preview_drafts_outsiders_do_not(client, editor, image_item, other_tenant, member):
    url = media_public_urls(image_item).url
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    client.force_login(member("editor", username="olga", in_tenant=other_tenant))
    assert client.get(url).status_code == 404


def test_conditional_get_answers_304(client, editor, image_item):
    media_item_publish(item=image_item, user=None)
    url = media_public_urls(image_item).url
    etag = client.get(url)["ETag"]
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_urls_without_a_request(image_item, settings):
    relative = media_public_urls(image_item)
    assert relative.url == f"/p/{image_item.public_id}/shirt.jpg"
    assert relative.renditions["thumb"].startswith(f"/p/{image_item.public_id}/r/thumb.jpg?v=")
    settings.MEDIA_PUBLIC_BASE_URL = "https://media.example.com/"
    assert (
        media_public_urls(image_item).url
        == f"https://media.example.com/p/{image_item.public_id}/shirt.jpg"
    )


def test_publish_makes_missing_renditions(editor, image_item):
    image_item.renditions.all().delete()
    media_item_publish(item=image_item, user=None)
    assert image_item.renditions.count() == 3


def test_documents_download_rather_than_display(client, api_upload, editor):
    response = api_upload(editor, "notes.txt", b"hello\n")
    from media_library.models import MediaItem

    item = MediaItem.objects.get(pk=response.json()["id"])
    media_item_publish(item=item, user=None)
    public = client.get(media_public_urls(item).url)
    assert public.status_code == 200
    assert public["Content-Disposition"].startswith("attachment")
