"""R5 (issue 12): MEDIA_MAX_IMAGE_PIXELS is the pixel limit applied to uploads, not
Pillow's built-in 89.5 Mpx one; above the setting an image is still refused with a 400
(the decompression-bomb guard), before its bitmap is allocated."""

from __future__ import annotations

import io

import pytest
from django.conf import settings
from PIL import Image

from media_library.models import MediaItem
from tests.media_library.samples import png_bomb_header, stored_files

pytestmark = pytest.mark.django_db

META = {"title": "Poster", "alt_text": "A huge poster"}
PILLOW_DEFAULT = int(1024 * 1024 * 1024 // 4 // 3)  # 89,478,485 pixels


@pytest.fixture(autouse=True)
def pillow_default_limit(monkeypatch):
    """Every test starts from Pillow's own default, whatever ran before, and restores it."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", PILLOW_DEFAULT)


@pytest.fixture(scope="module")
def jpeg_90mpx() -> bytes:
    """A real 10000x9000 JPEG: one grey, so it encodes to about 1 MB in a third of a second."""
    buffer = io.BytesIO()
    Image.new("L", (10_000, 9_000), 128).save(buffer, "JPEG", quality=10)
    return buffer.getvalue()


def test_a_90_mpx_jpeg_under_a_100_mpx_setting_is_accepted(api_upload, editor, jpeg_90mpx):
    # R5: the setting (100 Mpx by default) decides, not Pillow's 89.5 Mpx.
    assert settings.MEDIA_MAX_IMAGE_PIXELS == 100_000_000
    response = api_upload(editor, "poster.jpg", jpeg_90mpx, **META)
    assert response.status_code == 201, response.json()
    item = MediaItem.objects.get()
    assert (item.width, item.height) == (10_000, 9_000)


def test_the_same_jpeg_above_a_lower_setting_is_refused(api_upload, editor, settings, jpeg_90mpx):
    # R5: above the setting it is the decompression-bomb guard's clear 400.
    settings.MEDIA_MAX_IMAGE_PIXELS = 80_000_000
    response = api_upload(editor, "poster.jpg", jpeg_90mpx, **META)
    assert response.status_code == 400
    body = response.json()
    assert "10000x9000" in body["detail"] and "80000000 pixels" in body["detail"]
    assert body["errors"][0]["field"] == "file"
    assert not MediaItem.objects.exists() and stored_files(settings.MEDIA_ROOT) == []


def test_a_setting_above_twice_pillows_default_is_honoured(api_upload, editor, settings):
    # R5: Pillow would refuse any 180+ Mpx header outright as a bomb. A 200 Mpx header
    # under a 250 Mpx setting gets past the pixel check; its missing data then fails
    # decoding as corrupt (no 200 Mpx bitmap is ever made here).
    settings.MEDIA_MAX_IMAGE_PIXELS = 250_000_000
    response = api_upload(editor, "wide.png", png_bomb_header(20_000, 10_000), **META)
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "decompression-bomb" not in detail and "truncated or corrupt" in detail


def test_a_header_above_the_setting_is_refused_before_decoding(api_upload, editor):
    # R5: 11000x10000 is 110 Mpx, above the default 100 Mpx setting.
    response = api_upload(editor, "wide.png", png_bomb_header(11_000, 10_000), **META)
    assert response.status_code == 400
    assert "11000x10000" in response.json()["detail"]
    assert "decompression-bomb" in response.json()["detail"]
