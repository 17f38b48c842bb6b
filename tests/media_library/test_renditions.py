"""R6: renditions made after upload by the task, EXIF orientation, focal-point crops."""

import io

import pytest
from PIL import Image

from media_library.models import MediaItem, Rendition
from media_library.renditions import focal_crop_box
from media_library.selectors import media_public_urls
from media_library.services import media_item_upload, renditions_ensure
from tests.media_library.samples import (
    BLUE,
    RED,
    image_bytes,
    rendition_names,
    two_colour_png,
    upload_file,
)

pytestmark = pytest.mark.django_db


def _pixels(rendition: Rendition) -> Image.Image:
    with rendition.file.open("rb") as handle:
        return Image.open(io.BytesIO(handle.read())).convert("RGB")


def _close(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_renditions_are_made_after_upload_with_the_right_sizes(api_upload, editor, client_for):
    # R6: thumb 200x200 crop, gallery fits 1200x1200, swatch 64x64 crop.
    response = api_upload(editor, "wide.jpg", image_bytes(2400, 1600), title="T", alt_text="A")
    item = MediaItem.objects.get(pk=response.json()["id"])
    sizes = {r.name: (r.width, r.height) for r in item.renditions.all() if r.role == "named"}
    assert sizes == {
        "thumb": (200, 200),
        "gallery": (1200, 800),
        "portrait": (800, 1000),
        "swatch": (64, 64),
    }
    for rendition in item.renditions.all():
        assert _pixels(rendition).size == (rendition.width, rendition.height)
    # (tests run inside a transaction, so the response predates the on-commit task)
    again = client_for(editor).get(f"/api/v1/tenants/acme/media/{item.pk}/").json()
    assert set(again["renditions"]) == {"thumb", "gallery", "portrait", "swatch"}


def test_small_images_are_not_upscaled(image_item):
    # image_item is 300x200: the gallery keeps its size, the thumb crops 200x200.
    sizes = {r.name: (r.width, r.height) for r in image_item.renditions.all()}
    assert sizes["gallery"] == (300, 200)
    assert sizes["thumb"] == (200, 200)


def test_exif_orientation_gives_portrait_dimensions_and_renditions(api_upload, editor):
    # R5, R6: 300x100 stored, orientation 6 (rotate 90°) -> displayed 100x300.
    content = image_bytes(300, 100, "JPEG", orientation=6)
    response = api_upload(editor, "rotated.jpg", content, title="T", alt_text="A")
    body = response.json()
    assert (body["width"], body["height"]) == (100, 300)
    gallery = MediaItem.objects.get(pk=body["id"]).renditions.get(name="gallery")
    assert gallery.height > gallery.width
    assert _pixels(gallery).size == (100, 300)


def test_focal_point_shifts_the_crop(tenant, editor, django_capture_on_commit_callbacks):
    # R6: a red|blue image; the thumb follows the focal point.
    with django_capture_on_commit_callbacks(execute=True):
        item, _ = media_item_upload(
            tenant=tenant,
            file=upload_file("rb.png", two_colour_png()),
            user=editor,
            title="T",
            alt_text="A",
        )
    centre = _pixels(item.renditions.get(name="thumb"))
    assert _close(centre.getpixel((10, 100)), RED) and _close(centre.getpixel((190, 100)), BLUE)

    from media_library.services import media_item_update

    with django_capture_on_commit_callbacks(execute=True):
        media_item_update(item=item, user=editor, focal_x=0.1)
    left = _pixels(item.renditions.get(name="thumb"))
    assert _close(left.getpixel((10, 100)), RED) and _close(left.getpixel((190, 100)), RED)

    with django_capture_on_commit_callbacks(execute=True):
        media_item_update(item=item, user=editor, focal_x=0.9)
    right = item.renditions.get(name="thumb")
    assert (right.focal_x, right.focal_y) == (0.9, 0.5)
    assert _close(_pixels(right).getpixel((10, 100)), BLUE)


def test_patch_focal_point_through_the_api_recrops(
    client_for, editor, image_item, django_capture_on_commit_callbacks
):
    before = image_item.renditions.get(name="thumb").pk
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(editor).patch(
            f"/api/v1/tenants/acme/media/{image_item.pk}/",
            {"focal_x": 0.2, "focal_y": 0.7},
            format="json",
        )
    assert response.status_code == 200
    thumb = image_item.renditions.get(name="thumb")
    assert thumb.pk != before and (thumb.focal_x, thumb.focal_y) == (0.2, 0.7)
    # the fit rendition does not depend on the focal point and is kept
    assert image_item.renditions.get(name="gallery").focal_x == 0.5


@pytest.mark.parametrize("value", [-0.1, 1.5])
def test_focal_point_out_of_range_is_400(client_for, editor, image_item, value):
    response = client_for(editor).patch(
        f"/api/v1/tenants/acme/media/{image_item.pk}/", {"focal_x": value}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "focal_x"


def test_renditions_ensure_is_idempotent_and_fills_gaps(image_item):
    ids = set(image_item.renditions.values_list("pk", flat=True))
    assert set(r.pk for r in renditions_ensure(item=image_item)) == ids
    image_item.renditions.filter(name="swatch").delete()
    made = renditions_ensure(item=image_item, names=["swatch"])
    assert {r.name for r in made} == rendition_names(300)


def test_transparent_png_keeps_alpha_in_png_renditions(api_upload, editor):
    content = image_bytes(300, 300, "PNG", mode="RGBA", color=(0, 0, 0, 0))
    response = api_upload(editor, "cutout.png", content, title="T", alt_text="A")
    item = MediaItem.objects.get(pk=response.json()["id"])
    assert media_public_urls(item).renditions["thumb"].split("?")[0].endswith("/r/thumb.png")
    assert _pixels(item.renditions.get(name="thumb")).size == (200, 200)


def test_documents_get_no_renditions(api_upload, editor):
    from tests.media_library.samples import tiny_pdf

    response = api_upload(editor, "a.pdf", tiny_pdf())
    assert response.json()["renditions"] == {}


@pytest.mark.parametrize(
    ("focal", "expected"),
    [((0.5, 0.5), (200, 0)), ((0.0, 0.0), (0, 0)), ((1.0, 1.0), (400, 0)), ((0.3, 0.5), (80, 0))],
)
def test_focal_crop_box_is_centred_and_clamped(focal, expected):
    assert focal_crop_box(600, 200, 200, 200, *focal) == expected
