"""R6: a video gets a generated thumbnail and its duration unless a thumbnail is given."""

import pytest
from django.conf import settings

from media_library.models import MediaItem
from tests.media_library.samples import ffmpeg_video, image_bytes, upload_file

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("name", ["clip.mp4", "clip.webm", "clip.mov"])
def test_real_video_gets_thumbnail_duration_and_renditions(api_upload, editor, tmp_path, name):
    content = ffmpeg_video(tmp_path / name, seconds=3)
    response = api_upload(editor, name, content, title="Runway")
    assert response.status_code == 201
    assert response.json()["kind"] == "video"
    item = MediaItem.objects.get(pk=response.json()["id"])
    assert item.duration_seconds == pytest.approx(3.0, abs=0.2)
    assert item.video_thumbnail.name.endswith("-thumbnail.jpg")
    assert {r.name for r in item.renditions.all()} == set(settings.MEDIA_RENDITIONS)
    assert item.renditions.get(name="gallery").width == 160


def test_given_thumbnail_is_kept(api_upload, editor, tmp_path):
    content = ffmpeg_video(tmp_path / "clip.mp4")
    response = api_upload(
        editor, "clip.mp4", content, title="Runway",
        video_thumbnail=upload_file("poster.png", image_bytes(400, 300, "PNG")),
        video_captions=upload_file("clip.vtt", b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"),
        transcript="Hello",
    )  # fmt: skip
    assert response.status_code == 201, response.json()
    item = MediaItem.objects.get(pk=response.json()["id"])
    assert item.video_thumbnail.name.endswith("poster.png")
    assert item.video_captions.read().startswith(b"WEBVTT")
    assert item.renditions.get(name="gallery").width == 400


def test_bad_thumbnail_is_400_on_its_field(api_upload, editor, tmp_path):
    content = ffmpeg_video(tmp_path / "clip.mp4")
    response = api_upload(
        editor, "clip.mp4", content, title="Runway",
        video_thumbnail=upload_file("poster.png", b"not an image"),
    )  # fmt: skip
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "video_thumbnail"
    assert not MediaItem.objects.exists()


def test_undecodable_video_is_still_accepted_without_thumbnail(api_upload, editor):
    from tests.media_library.samples import fake_mp4

    response = api_upload(editor, "header-only.mp4", fake_mp4(), title="Teaser")
    assert response.status_code == 201
    item = MediaItem.objects.get(pk=response.json()["id"])
    assert not item.video_thumbnail and item.duration_seconds is None
    assert not item.renditions.exists()


def test_a_published_video_and_its_companions_are_public(api_upload, editor, tmp_path, client):
    # R6, issue 13: thumbnail and captions are copied with the video, under content hashes
    import hashlib

    from media_library.services import media_item_publish
    from media_library.storage import public_storage

    captions = b"WEBVTT\n\n00:00.000 --> 00:01.000\nHello\n"
    response = api_upload(
        editor, "clip.mp4", ffmpeg_video(tmp_path / "clip.mp4"), title="Runway",
        video_thumbnail=upload_file("poster.png", image_bytes(400, 300, "PNG")),
        video_captions=upload_file("clip.vtt", captions),
    )  # fmt: skip
    item = MediaItem.objects.get(pk=response.json()["id"])
    assert item.video_captions_checksum == hashlib.sha256(captions).hexdigest()
    media_item_publish(item=item, user=None)
    item.refresh_from_db()
    assert item.public_thumbnail_name.endswith("/poster.png")
    assert item.public_captions_name.endswith(f"/{item.video_captions_checksum[:16]}/clip.vtt")
    with public_storage().open(item.public_captions_name, "rb") as handle:
        assert handle.read() == captions
    # the private paths of a published video's companions point at their public copies
    redirect = client.get(item.video_captions.url)
    assert redirect.status_code == 302 and redirect["Location"].endswith(item.public_captions_name)
    public = client.get(redirect["Location"])
    assert public.status_code == 200 and public["Content-Type"] == "text/vtt"
