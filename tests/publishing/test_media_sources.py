"""Issue 14 item 5 in shop answers (SPEC §3, R6, R7, R15): MEDIA carries `sources` (the width
ladder in AVIF/WebP/JPEG, public files) and `placeholder`; image swatches with a crop carry
the rectangle really cut out; everything is made at upload or publish, never on a read."""

import io
from unittest import mock

import pytest
import pyvips
from django.core.files.base import ContentFile
from PIL import Image

from media_library.models import Rendition
from media_library.renditions import crop_name
from media_library.services import media_item_upload
from media_library.storage import public_storage
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db

RED, BLUE = (255, 0, 0), (0, 0, 255)
CROP = {"x": 700, "y": 50, "width": 400, "height": 300}


def _split_jpeg(tenant, user):
    """1200x400: red left half, blue right half (a crop of the right shows only blue)."""
    img = Image.new("RGB", (1200, 400), RED)
    img.paste(BLUE, (600, 0, 1200, 400))
    buffer = io.BytesIO()
    img.save(buffer, "PNG")
    item, _ = media_item_upload(
        tenant=tenant,
        file=ContentFile(buffer.getvalue(), name="split.png"),
        user=user,
        title="Split",
        alt_text="Red and blue",
    )
    return item


def _public_bytes(url: str) -> bytes:
    """The bytes behind a public URL (local public storage: its path after the base URL)."""
    storage = public_storage()
    name = url.split(storage.base_url, 1)[1]
    with storage.open(name, "rb") as handle:
        return handle.read()


@pytest.fixture
def shirt(tenant, editor, publish, django_capture_on_commit_callbacks):
    """SHIRT-001: a gallery photo and a Red swatch cut out of the split image, published.
    The uploads' own rendition tasks never ran (their on-commit callbacks are not run
    here): publishing alone must make the ladder and the crop."""
    with django_capture_on_commit_callbacks(execute=True):
        product = b.shirt(tenant)
    photo = _split_jpeg(tenant, editor)
    assert not photo.renditions.exists()
    b.checkin(
        tenant,
        product,
        editor,
        {
            "master": b.slots(
                [photo],
                swatches=[
                    {"dimension": "color", "value": "Blue", "hex": "#0000ff"},
                    {"dimension": "color", "value": "Red", "media": photo.pk, "crop": CROP},
                ],
            )
        },
    )
    assert publish("SHIRT-001", publish_dependencies=True).json()["status"] == "succeeded"
    return product, photo


def test_media_carries_sources_for_srcset(shirt, shop):
    _, photo = shirt
    body = shop("SHIRT-001-BLUE-S-SLIM")
    media = body["primary"][0]
    assert media["id"] == photo.pk and body["default_image"]["sources"] == media["sources"]
    assert set(media["renditions"]) == {"thumb", "gallery", "portrait", "swatch"}  # kept
    sources = media["sources"]
    assert [(s["width"], s["format"]) for s in sources] == [
        (w, f) for w in (160, 320, 640, 1024, 1200) for f in ("avif", "webp", "jpeg")
    ]
    magic = {"jpeg": b"\xff\xd8\xff", "webp": b"RIFF", "avif": b"\x00\x00\x00"}
    for source in sources:
        assert set(source) == {"url", "width", "height", "format"}
        assert source["height"] == round(source["width"] / 3)
        assert source["url"].startswith(public_storage().base_url)  # public, content-hashed
        content = _public_bytes(source["url"])
        assert content.startswith(magic[source["format"]])
        image = pyvips.Image.new_from_buffer(content, "")
        assert (image.width, image.height) == (source["width"], source["height"])


def test_media_carries_a_placeholder(shirt, shop):
    media = shop("SHIRT-001")["primary"][0]
    placeholder = media["placeholder"]
    assert len(placeholder["blurhash"]) == 28
    red, green, blue = (int(placeholder["color"][i : i + 2], 16) for i in (1, 3, 5))
    assert abs(red - 128) < 12 and green < 12 and abs(blue - 128) < 12  # half red, half blue


def test_a_swatch_crop_is_served_cut_out(shirt, shop):  # R7
    _, photo = shirt
    swatches = shop("SHIRT-001-RED-M-SLIM")["swatches"]
    red = next(s for s in swatches if s["value"] == "Red")
    assert red["crop"] == CROP and red["media"]["id"] == photo.pk
    image_info = red["image"]
    assert image_info["format"] == "jpeg"  # the source has no alpha
    assert (image_info["width"], image_info["height"]) == (256, 192)
    assert image_info["url"].startswith(public_storage().base_url)
    image = pyvips.Image.new_from_buffer(_public_bytes(image_info["url"]), "")
    assert (image.width, image.height) == (256, 192)
    for x, y in ((0, 0), (255, 0), (0, 191), (255, 191), (128, 96)):
        assert all(abs(a - b) <= 30 for a, b in zip(image.getpoint(x, y)[:3], BLUE, strict=True)), (
            x,
            y,
        )
    rect = (CROP["x"], CROP["y"], CROP["width"], CROP["height"])
    crop = Rendition.objects.get(media=photo, name=crop_name(rect))
    assert crop.public_name and image_info["url"].endswith(crop.public_name)
    blue = next(s for s in swatches if s["value"] == "Blue")
    assert "image" not in blue and blue["hex"] == "#0000ff"


def test_no_rendition_is_made_during_a_shop_read(shirt, client_for, settings):
    # The read serves what publishing made: no pixels, no storage write, no task.
    settings.SHOP_CHANGE_POLL_SECONDS = 0
    before = set(Rendition.objects.values_list("pk", flat=True))
    refuse = mock.Mock(side_effect=AssertionError("made on a shop read"))
    with (
        mock.patch("media_library.renditions.renditions_render", refuse),
        mock.patch("media_library.services.renditions_render", refuse),
        mock.patch("media_library.services.renditions_ensure", refuse),
        mock.patch("media_library.tasks.media_item_derivatives_ensure.apply_async", refuse),
        mock.patch.object(type(public_storage()), "save", refuse),
    ):
        for number in ("SHIRT-001", "SHIRT-001-BLUE-S-SLIM", "SHIRT-001-RED-M-SLIM"):
            response = client_for(None).get(
                f"/api/v1/tenants/acme/channels/web/products/{number}/media?locale=en-us"
            )
            assert response.status_code == 200
            assert response.json()["primary"][0]["sources"]
    refuse.assert_not_called()
    assert set(Rendition.objects.values_list("pk", flat=True)) == before


def test_a_crop_missing_at_projection_is_made_on_the_write_side(shirt, shop):
    # Another path re-projects (here: the crop row lost): the projection makes it again.
    from publishing.projection import products_project

    product, photo = shirt
    Rendition.objects.filter(media=photo, name__startswith="crop-").delete()
    products_project(tenant=product.tenant_id, product_ids=[product.pk])
    red = next(s for s in shop("SHIRT-001")["swatches"] if s["value"] == "Red")
    assert red["image"]["width"] == 256
    assert Rendition.objects.filter(media=photo, name__startswith="crop-").count() == 1


def test_sources_and_swatch_crops_on_s3(
    s3_media, tenant, editor, publish, shop, django_capture_on_commit_callbacks
):
    # SPEC §4 "Files": the ladder and the crop are objects in the public bucket, read
    # anonymously, with their image type (AVIF too) and displayed inline.
    from tests.s3 import http_get

    s3_media()
    with django_capture_on_commit_callbacks(execute=True):
        b.mug(tenant)
    photo = _split_jpeg(tenant, editor)
    from catalog.models import Product

    b.checkin(
        tenant,
        Product.objects.get(tenant=tenant, number="MUG-001"),
        editor,
        {"master": b.slots([photo])},
    )
    assert publish("MUG-001", publish_dependencies=True).json()["status"] == "succeeded"
    media = shop("MUG-001")["primary"][0]
    types = {"jpeg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}
    for source in media["sources"]:
        status, headers, content = http_get(source["url"])
        assert status == 200, source
        assert headers["Content-Type"] == types[source["format"]]
        assert "attachment" not in (headers.get("Content-Disposition") or "")
        image = pyvips.Image.new_from_buffer(content, "")
        assert (image.width, image.height) == (source["width"], source["height"])
    assert len(media["sources"]) == 5 * 3 and media["placeholder"]["color"]
