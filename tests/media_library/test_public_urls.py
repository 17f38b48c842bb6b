"""R6: a published item's files and renditions are public, under content-hashed names in
public storage (cacheable forever); drafts answer 404 to the public; the stable `/p/` link
redirects to the public file (SPEC §4 "Files")."""

from pathlib import Path

import pytest

from media_library.models import MediaItem
from media_library.selectors import media_public_urls
from media_library.services import (
    media_item_publish,
    media_item_unpublish,
    media_item_update,
    media_item_upload,
)
from media_library.storage import private_storage, public_storage
from tests.media_library.samples import rendition_names, two_colour_png, upload_file

pytestmark = pytest.mark.django_db

IMMUTABLE = "public, max-age=31536000, immutable"


def _path(url: str) -> str:
    return url.replace("http://testserver", "")


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_draft_is_404_published_serves_bytes(client_for, publisher, image_item, client):
    # R6
    stable = _path(media_public_urls(image_item).url)
    assert stable == f"/p/{image_item.public_id}/shirt.jpg"
    assert client.get(stable).status_code == 404

    response = client_for(publisher).post(f"/api/v1/tenants/acme/media/{image_item.pk}/publish/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "published" and body["published_at"]
    url = _path(body["public_url"])
    assert url == (
        f"/media-public/media/{image_item.public_id.hex}/{image_item.checksum[:16]}/shirt.jpg"
    )

    public = client.get(url)
    assert public.status_code == 200
    assert public["Content-Type"] == "image/jpeg"
    assert public["Cache-Control"] == IMMUTABLE
    assert public["X-Content-Type-Options"] == "nosniff"
    assert _body(public) == image_item.file.open("rb").read()

    # the stable link still answers: it redirects to the content-hashed file
    redirect = client.get(stable)
    assert redirect.status_code == 302 and _path(redirect["Location"]) == url
    assert "public" in redirect["Cache-Control"] and "immutable" not in redirect["Cache-Control"]


def test_renditions_are_served_once_published(client, editor, image_item):
    links = media_public_urls(image_item).renditions
    assert client.get(links["thumb"]).status_code == 404
    item = media_item_publish(item=image_item, user=None)
    urls = media_public_urls(MediaItem.objects.get(pk=item.pk)).renditions
    assert set(urls) == {"thumb", "gallery", "portrait", "swatch"}
    for name, url in urls.items():
        rendition = item.renditions.get(name=name)
        assert url == public_storage().url(rendition.public_name)
        assert rendition.public_name.endswith(f"/{rendition.checksum[:16]}/{name}.jpg")
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"] == IMMUTABLE
    # the stable rendition links redirect there; unknown ones stay 404
    assert client.get(links["thumb"])["Location"].endswith(urls["thumb"])
    assert client.get(links["thumb"].replace("thumb.jpg", "thumb.png")).status_code == 404
    assert client.get(links["thumb"].replace("thumb.jpg", "nope.jpg")).status_code == 404


def test_url_is_stable_across_metadata_edits(editor, image_item, client):
    # R6
    media_item_publish(item=image_item, user=None)
    before = media_public_urls(MediaItem.objects.get(pk=image_item.pk)).url
    edited = media_item_update(
        item=image_item, user=editor, display_name="Renamed", title="New title"
    )
    assert media_public_urls(edited).url == before
    assert client.get(before).status_code == 200


def test_unpublish_removes_public_copies_and_keeps_the_private_original(
    client_for, publisher, image_item, client, django_capture_on_commit_callbacks
):
    media_item_publish(item=image_item, user=None)
    item = MediaItem.objects.get(pk=image_item.pk)
    urls = media_public_urls(item)
    public_names = [item.public_name, *item.renditions.values_list("public_name", flat=True)]
    assert all(public_storage().exists(n) for n in public_names)

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(publisher).post(
            f"/api/v1/tenants/acme/media/{image_item.pk}/unpublish/"
        )
    assert response.json()["status"] == "draft" and response.json()["published_at"] is None
    for url in [urls.url, *urls.renditions.values()]:
        assert client.get(url).status_code == 404, url
    assert not any(public_storage().exists(n) for n in public_names)
    item.refresh_from_db()
    assert item.public_name == "" and not item.renditions.exclude(public_name="").exists()
    assert private_storage().exists(item.file.name)  # the original stays, private
    assert client.get(media_public_urls(item).url).status_code == 404


def test_publish_again_answers_at_the_same_content_hashed_url(
    image_item, client, django_capture_on_commit_callbacks
):
    media_item_publish(item=image_item, user=None)
    first = media_public_urls(MediaItem.objects.get(pk=image_item.pk)).url
    with django_capture_on_commit_callbacks(execute=True):
        media_item_unpublish(item=image_item, user=None)
    assert client.get(first).status_code == 404
    media_item_publish(item=image_item, user=None)
    assert media_public_urls(MediaItem.objects.get(pk=image_item.pk)).url == first
    assert client.get(first).status_code == 200


def test_members_preview_drafts_outsiders_do_not(client, editor, image_item, other_tenant, member):
    url = media_public_urls(image_item).url
    client.force_login(editor)
    response = client.get(url)
    assert response.status_code == 200 and "private" in response["Cache-Control"]
    client.force_login(member("editor", username="olga", in_tenant=other_tenant))
    assert client.get(url).status_code == 404


def test_conditional_get_answers_304(client, editor, image_item):
    media_item_publish(item=image_item, user=None)
    url = media_public_urls(MediaItem.objects.get(pk=image_item.pk)).url
    etag = client.get(url)["ETag"]
    assert etag == f'"{image_item.checksum[:16]}"'
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
    media_item_publish(item=image_item, user=None)
    published = media_public_urls(MediaItem.objects.get(pk=image_item.pk))
    assert published.url.startswith(
        f"https://media.example.com/media-public/media/{image_item.public_id.hex}/"
    )
    assert all(
        u.startswith("https://media.example.com/media-public/")
        for u in published.renditions.values()
    )


def test_publish_makes_missing_renditions_public(editor, image_item):
    image_item.renditions.all().delete()
    media_item_publish(item=image_item, user=None)
    assert {r.name for r in image_item.renditions.all()} == rendition_names(300)
    assert not image_item.renditions.filter(public_name="").exists()


def test_a_new_crop_gets_a_new_public_name_and_the_old_one_goes(
    tenant, editor, client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        item, _ = media_item_upload(
            tenant=tenant,
            file=upload_file("halves.png", two_colour_png()),
            user=editor,
            title="Halves",
            alt_text="Red and blue",
        )
    media_item_publish(item=item, user=None)
    old = item.renditions.get(name="thumb").public_name
    with django_capture_on_commit_callbacks(execute=True):
        media_item_update(item=item, user=editor, focal_x=0.95)
    new = item.renditions.get(name="thumb").public_name
    assert new and new != old  # other bytes, other name: nothing for a CDN to purge
    assert public_storage().exists(new) and not public_storage().exists(old)
    assert client.get(public_storage().url(new)).status_code == 200
    assert client.get(public_storage().url(old)).status_code == 404


def test_documents_download_rather_than_display(client, api_upload, editor):
    response = api_upload(editor, "notes.txt", b"hello\n")
    item = MediaItem.objects.get(pk=response.json()["id"])
    media_item_publish(item=item, user=None)
    public = client.get(media_public_urls(MediaItem.objects.get(pk=item.pk)).url)
    assert public.status_code == 200
    assert public["Content-Disposition"].startswith("attachment")


def test_public_storage_serves_nothing_outside_its_names(client, image_item, settings, tmp_path):
    media_item_publish(item=image_item, user=None)
    (tmp_path / "secret.txt").write_text("secret")
    for url in (
        "/media-public/loose.txt",
        "/media-public/media/../../secret.txt",
        "/media-public/media/%2e%2e/%2e%2e/secret.txt",
        f"/media-public/media/{image_item.public_id.hex}/0000000000000000/shirt.jpg",
        f"/media-public/{image_item.file.name}",
    ):
        assert client.get(url).status_code == 404, url


def test_a_late_clean_up_never_removes_a_republished_file(
    image_item, client, django_capture_on_commit_callbacks
):
    # Unpublish commits; before its clean-up runs, the same bytes are published again
    # (same content-hashed names). The late clean-up must leave them: they are named again.
    media_item_publish(item=image_item, user=None)
    url = media_public_urls(MediaItem.objects.get(pk=image_item.pk)).url
    with django_capture_on_commit_callbacks(execute=False) as pending:
        media_item_unpublish(item=image_item, user=None)
    media_item_publish(item=image_item, user=None)
    for callback in pending:
        callback()
    assert client.get(url).status_code == 200
    assert all(public_storage().exists(r.public_name) for r in image_item.renditions.all())


def test_publishing_an_item_whose_file_is_lost_is_a_409(client_for, publisher, image_item):
    private_storage().delete(image_item.file.name)  # lost outside the app
    response = client_for(publisher).post(f"/api/v1/tenants/acme/media/{image_item.pk}/publish/")
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "media_file_missing" and image_item.file.name in body["detail"]
    image_item.refresh_from_db()
    assert image_item.status == "draft" and image_item.public_name == ""
    assert not Path(public_storage().location).exists() or not any(
        p.is_file() for p in Path(public_storage().location).rglob("*")
    )


def test_deleting_a_published_item_removes_its_public_copies(
    client_for, editor, image_item, client, django_capture_on_commit_callbacks
):
    media_item_publish(item=image_item, user=None)
    urls = media_public_urls(MediaItem.objects.get(pk=image_item.pk))
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).delete(f"/api/v1/tenants/acme/media/{image_item.pk}/")
    assert response.status_code == 204
    for url in [urls.url, *urls.renditions.values()]:
        assert client.get(url).status_code == 404, url


def test_outside_its_availability_window_a_published_item_has_no_public_files(
    image_item, publisher, member, client, django_capture_on_commit_callbacks
):  # R27, R30: an embargoed or expired file is not downloadable by anyone holding its URL
    from datetime import timedelta

    from django.test import Client
    from django.utils import timezone

    media_item_publish(item=image_item, user=None)
    item = MediaItem.objects.get(pk=image_item.pk)
    urls = media_public_urls(item)
    public_names = [item.public_name, *item.renditions.values_list("public_name", flat=True)]
    stable = f"/p/{item.public_id}/{item.original_filename}"
    assert client.get(urls.url).status_code == 200 and client.get(stable).status_code == 302

    with django_capture_on_commit_callbacks(execute=True):
        media_item_update(
            item=item, user=publisher, available_from=timezone.now() + timedelta(days=1)
        )
    item.refresh_from_db()
    assert item.status == "published" and not item.served
    for url in [urls.url, stable]:
        assert client.get(url).status_code == 404, url  # the public copy and the stable link
    assert not any(public_storage().exists(n) for n in public_names)
    assert item.public_name == "" and not item.renditions.exclude(public_name="").exists()
    signed_in = Client()
    signed_in.force_login(member("viewer", username="vic"))
    preview = signed_in.get(stable)
    assert preview.status_code == 200 and "private" in preview["Cache-Control"]  # members

    with django_capture_on_commit_callbacks(execute=True):
        media_item_update(item=item, user=publisher, available_from=None)
    item.refresh_from_db()
    assert item.served and item.public_name and public_storage().exists(item.public_name)
    assert client.get(stable).status_code == 302
    assert client.get(media_public_urls(item).url).status_code == 200
