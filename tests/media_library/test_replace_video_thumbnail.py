"""R25 with R6: replacing a video's bytes re-cuts a thumbnail that was generated from the
old video, and keeps one the editor uploaded."""

import io

import pytest
from django.core.files.storage import default_storage

from media_library.models import MediaItem
from media_library.services import media_item_file_replace, media_item_publish
from tests.media_library.samples import ffmpeg_video, image_bytes, upload_file

pytestmark = pytest.mark.django_db


def _replace(item, content, capture, name="clip-v2.mp4"):
    with capture(execute=True):
        item, replaced = media_item_file_replace(
            item=item, file=io.BytesIO(content), user=None, filename=name
        )
    assert replaced
    return MediaItem.objects.get(pk=item.pk)


def test_generated_thumbnail_is_cut_again_from_the_new_video(
    api_upload, editor, tmp_path, django_capture_on_commit_callbacks
):  # R25, R6
    response = api_upload(editor, "clip.mp4", ffmpeg_video(tmp_path / "a.mp4"), title="Runway")
    item = MediaItem.objects.get(pk=response.json()["id"])
    assert item.video_thumbnail_generated
    old_name, old_checksum = item.video_thumbnail.name, item.video_thumbnail_checksum
    assert item.renditions.get(name="gallery").width == 160

    new = ffmpeg_video(tmp_path / "b.mp4", seconds=2, size="320x240")
    item = _replace(item, new, django_capture_on_commit_callbacks)

    assert item.video_thumbnail_generated
    assert item.video_thumbnail.name.endswith("-thumbnail.jpg")
    assert item.video_thumbnail_checksum not in ("", old_checksum)
    assert item.duration_seconds == pytest.approx(2.0, abs=0.2)
    assert not default_storage.exists(old_name)  # the stale frame is gone
    # renditions are cut from the new frame (320 px wide now, the gallery box is 400)
    assert item.renditions.get(name="gallery").width == 320


def test_uploaded_thumbnail_is_kept(
    api_upload, editor, tmp_path, django_capture_on_commit_callbacks
):  # R25, R6
    response = api_upload(
        editor, "clip.mp4", ffmpeg_video(tmp_path / "a.mp4"), title="Runway",
        video_thumbnail=upload_file("poster.png", image_bytes(400, 300, "PNG")),
    )  # fmt: skip
    item = MediaItem.objects.get(pk=response.json()["id"])
    assert not item.video_thumbnail_generated
    poster, checksum = item.video_thumbnail.name, item.video_thumbnail_checksum

    item = _replace(
        item, ffmpeg_video(tmp_path / "b.mp4", seconds=2), django_capture_on_commit_callbacks
    )

    assert (item.video_thumbnail.name, item.video_thumbnail_checksum) == (poster, checksum)
    assert not item.video_thumbnail_generated
    assert default_storage.exists(poster)
    assert item.duration_seconds == pytest.approx(2.0, abs=0.2)


def test_published_video_gets_its_new_thumbnail_public_in_the_same_commit(
    api_upload, editor, tmp_path, django_capture_on_commit_callbacks
):  # R25: shops never see the old frame with the new video
    response = api_upload(editor, "clip.mp4", ffmpeg_video(tmp_path / "a.mp4"), title="Runway")
    item = MediaItem.objects.get(pk=response.json()["id"])
    media_item_publish(item=item, user=None)
    item.refresh_from_db()
    old_public = item.public_thumbnail_name
    assert old_public

    new = ffmpeg_video(tmp_path / "b.mp4", seconds=2, size="320x240")
    with django_capture_on_commit_callbacks(execute=False):
        media_item_file_replace(item=item, file=io.BytesIO(new), user=None, filename="v2.mp4")
    item.refresh_from_db()  # before any on-commit work ran
    assert item.video_thumbnail_generated
    assert item.public_thumbnail_name and item.public_thumbnail_name != old_public


def test_a_task_that_read_the_old_video_does_not_give_its_frame_to_the_new_one(
    api_upload, editor, tmp_path, django_capture_on_commit_callbacks
):  # R25, R6: the derivatives task of V1 finishing after V1 was replaced by V2
    from media_library.services import video_thumbnail_ensure

    response = api_upload(editor, "clip.mp4", ffmpeg_video(tmp_path / "a.mp4"), title="Runway")
    item = MediaItem.objects.get(pk=response.json()["id"])
    # What V1's task had read before anything was made: V1, with no frame nor duration.
    stale = MediaItem.objects.get(pk=item.pk)
    stale.video_thumbnail, stale.duration_seconds = "", None
    item = _replace(
        item,
        ffmpeg_video(tmp_path / "b.mp4", seconds=2, size="320x240"),
        django_capture_on_commit_callbacks,
    )
    frame = (item.video_thumbnail.name, item.video_thumbnail_checksum, item.duration_seconds)

    with django_capture_on_commit_callbacks(execute=True):
        assert video_thumbnail_ensure(item=stale) is False

    item.refresh_from_db()
    assert (item.video_thumbnail.name, item.video_thumbnail_checksum) == frame[:2]
    assert item.duration_seconds == frame[2]
    assert not default_storage.exists(stale.video_thumbnail.name)  # its frame was not kept
