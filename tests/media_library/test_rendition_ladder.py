"""R6, issue 14 item 5: the responsive ladder (widths x JPEG/WebP/AVIF, never upscaled),
focal-point crops to fixed aspect ratios, upright sRGB pixels with no metadata, the first
frame of animations, and the placeholder."""

import io

import pytest
import pyvips
from django.conf import settings
from PIL import Image

from media_library.models import MediaItem, Rendition
from media_library.renditions import crop_spec, ladder_widths, renditions_render
from media_library.selectors import media_public_urls
from media_library.services import media_item_update, renditions_ensure
from tests.media_library.samples import BLUE, RED, image_bytes

pytestmark = pytest.mark.django_db

MAGIC = {
    "jpeg": lambda b: b[:3] == b"\xff\xd8\xff",
    "webp": lambda b: b[:4] == b"RIFF" and b[8:12] == b"WEBP",
    "avif": lambda b: b[4:12] == b"ftypavif",
    "png": lambda b: b[:8] == b"\x89PNG\r\n\x1a\n",
}


def _read(rendition: Rendition) -> bytes:
    with rendition.file.open("rb") as handle:
        return handle.read()


def _rgb(content: bytes) -> pyvips.Image:
    """Decoded with libvips (Pillow may lack an AVIF decoder on some builds)."""
    return pyvips.Image.new_from_buffer(content, "")


def _pixel(image: pyvips.Image, x: int, y: int) -> tuple[int, ...]:
    return tuple(round(v) for v in image.getpoint(x, y)[:3])


def _close(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def _upload(api_upload, editor, name: str, content: bytes) -> MediaItem:
    response = api_upload(editor, name, content, title="T", alt_text="A")
    assert response.status_code == 201, response.content
    return MediaItem.objects.get(pk=response.json()["id"])


def _ladder(item: MediaItem) -> dict[str, Rendition]:
    return {r.name: r for r in item.renditions.all() if r.role == "ladder"}


def test_ladder_widths_are_never_upscaled(api_upload, editor):
    # R6: a 700 px image gets 160, 320, 640 and its own 700, never 1024 and up.
    item = _upload(api_upload, editor, "wide.jpg", image_bytes(700, 350))
    ladder = _ladder(item)
    widths = {r.width for r in ladder.values()}
    assert widths == {160, 320, 640, 700}
    assert set(ladder) == {
        f"w{w}-{fmt}" for w in widths for fmt in settings.MEDIA_RENDITION_FORMATS
    }
    for rendition in ladder.values():
        assert rendition.height == round(rendition.width / 2)  # aspect kept
        image = _rgb(_read(rendition))
        assert (image.width, image.height) == (rendition.width, rendition.height)
    assert ladder_widths(1200) == [160, 320, 640, 1024, 1200]
    assert ladder_widths(2400) == [160, 320, 640, 1024, 1600, 2400]
    assert ladder_widths(5000) == [160, 320, 640, 1024, 1600, 2400]
    assert ladder_widths(100) == [100]


def test_ladder_files_really_are_jpeg_webp_and_avif(api_upload, editor):
    item = _upload(api_upload, editor, "photo.jpg", image_bytes(400, 300))
    for rendition in _ladder(item).values():
        content = _read(rendition)
        assert MAGIC[rendition.format](content), rendition.name
        assert rendition.file.name.endswith({"jpeg": ".jpg"}.get(rendition.format, ""))
    assert {r.format for r in _ladder(item).values()} == {"jpeg", "webp", "avif"}


def test_the_item_api_lists_the_ladder_and_placeholder(api_upload, editor, client_for):
    # The library's item page shows the ladder from the item API, as shops get it.
    item = _upload(api_upload, editor, "photo.jpg", image_bytes(400, 300))
    body = client_for(editor).get(f"/api/v1/tenants/acme/media/{item.pk}/").json()
    got = {(s["width"], s["height"], s["format"]) for s in body["sources"]}
    assert got == {(r.width, r.height, r.format) for r in _ladder(item).values()}
    assert {s["format"] for s in body["sources"]} == {"jpeg", "webp", "avif"}
    assert body["placeholder"] == item.placeholder and body["placeholder"]["blurhash"]


def test_a_drafts_ladder_files_are_served_to_members_with_their_own_type(
    api_upload, editor, client
):  # R6: the /p/ preview of a draft's WebP and AVIF says so (it said JPEG)
    item = _upload(api_upload, editor, "photo.jpg", image_bytes(400, 300))
    client.force_login(editor)
    served = {}
    for source in media_public_urls(item).sources:
        response = client.get(source["url"])
        assert response.status_code == 200, source
        served[source["format"]] = response["Content-Type"]
    assert served == {"jpeg": "image/jpeg", "webp": "image/webp", "avif": "image/avif"}


def test_transparent_images_get_png_instead_of_jpeg_and_keep_alpha(api_upload, editor):
    content = image_bytes(300, 300, "PNG", mode="RGBA", color=(0, 0, 0, 0))
    item = _upload(api_upload, editor, "cutout.png", content)
    formats = {r.format for r in _ladder(item).values()}
    assert formats == {"png", "webp", "avif"}
    for rendition in _ladder(item).values():
        assert _rgb(_read(rendition)).hasalpha(), rendition.name


def _red_square(width=1000, height=500, square=(800, 200, 900, 300)) -> bytes:
    img = Image.new("RGB", (width, height), (255, 255, 255))
    img.paste(RED, square)
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def test_focal_point_crops_keep_the_focal_region(
    api_upload, editor, django_capture_on_commit_callbacks
):
    # R6: white 1000x500 with a red square at x 800-900. The square thumb (200x200 out of
    # 400x200 scaled) and the 4:5 portrait crop hold it only when the focal point is there.
    item = _upload(api_upload, editor, "square.png", _red_square())

    def red_in_middle_row(name: str) -> bool:
        image = _rgb(_read(item.renditions.get(name=name)))
        return any(_close(_pixel(image, x, image.height // 2), RED) for x in range(image.width))

    assert not red_in_middle_row("thumb") and not red_in_middle_row("portrait")
    with django_capture_on_commit_callbacks(execute=True):
        media_item_update(item=item, user=editor, focal_x=0.85, focal_y=0.5)
    assert red_in_middle_row("thumb") and red_in_middle_row("portrait")
    thumb, portrait = item.renditions.get(name="thumb"), item.renditions.get(name="portrait")
    assert (thumb.width, thumb.height) == (200, 200)
    # 4:5 however small the original (500 px high: never upscaled, the box shrinks)
    assert (portrait.width, portrait.height) == (400, 500)


def test_a_swatch_rectangle_is_really_cut_out(image_item):
    # R7: red|blue halves; a crop of the blue half comes out all blue, at most 256 px.
    content = Image.new("RGB", (1200, 400), RED)
    content.paste(BLUE, (600, 0, 1200, 400))
    buffer = io.BytesIO()
    content.save(buffer, "PNG")
    [(_, output)] = renditions_render(buffer.getvalue(), [crop_spec((700, 50, 400, 300))])
    image = _rgb(output.content)
    assert (image.width, image.height) == (256, 192)
    for x, y in ((0, 0), (255, 0), (0, 191), (255, 191), (128, 96)):
        assert _close(_pixel(image, x, y), BLUE), (x, y)
    renditions_ensure(item=image_item, names=(), crops=[(10, 10, 50, 40)])
    crop = image_item.renditions.get(name="crop-10-10-50-40")
    assert (crop.width, crop.height) == (50, 40)
    assert crop.source_checksum == image_item.checksum


def test_exif_rotated_input_comes_out_upright(api_upload, editor):
    # Stored 300x100, red left / blue right, orientation 6: shown 100x300, red on top.
    img = Image.new("RGB", (300, 100), RED)
    img.paste(BLUE, (150, 0, 300, 100))
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    img.save(buffer, "JPEG", exif=exif, quality=95)
    item = _upload(api_upload, editor, "rotated.jpg", buffer.getvalue())
    for rendition in _ladder(item).values():
        image = _rgb(_read(rendition))
        assert image.height > image.width, rendition.name
        assert _close(_pixel(image, image.width // 2, 5), RED), rendition.name
        assert _close(_pixel(image, image.width // 2, image.height - 5), BLUE), rendition.name


def _p3_jpeg(colour=(200, 60, 40)) -> bytes:
    """A colour in Display P3 pixel values with the P3 profile embedded."""
    srgb = pyvips.Image.black(200, 100, bands=3).new_from_image(list(colour)).cast("uchar")
    srgb = srgb.copy(interpretation="srgb")
    p3 = srgb.icc_transform("p3", input_profile="srgb", embedded=False)
    return p3.jpegsave_buffer(Q=95, keep=pyvips.enums.ForeignKeep.ICC)


def test_an_embedded_profile_is_converted_to_srgb(api_upload, editor):
    colour = (200, 60, 40)
    content = _p3_jpeg(colour)
    source = _rgb(content)
    assert source.get_typeof("icc-profile-data")
    assert not _close(_pixel(source, 10, 10), colour, tolerance=8)  # P3 values differ
    item = _upload(api_upload, editor, "p3.jpg", content)
    for rendition in item.renditions.all():
        assert _close(_pixel(_rgb(_read(rendition)), 5, 5), colour, tolerance=8), rendition.name


def test_cmyk_comes_out_srgb(api_upload, editor):
    buffer = io.BytesIO()
    Image.new("CMYK", (300, 200), (0, 255, 255, 0)).save(buffer, "JPEG", quality=95)
    item = _upload(api_upload, editor, "cmyk.jpg", buffer.getvalue())
    for rendition in item.renditions.all():
        image = _rgb(_read(rendition))
        assert image.bands == 3 and image.interpretation == "srgb", rendition.name
        red, green, blue = _pixel(image, 5, 5)
        assert red > 180 and green < 90 and blue < 90, (rendition.name, red, green, blue)


def test_metadata_is_stripped_from_renditions(api_upload, editor):
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0131] = "Editor 1.0"  # Software
    buffer = io.BytesIO()
    Image.new("RGB", (400, 300), (10, 120, 200)).save(buffer, "JPEG", exif=exif)
    content = buffer.getvalue()
    assert b"SecretCam" in content
    item = _upload(api_upload, editor, "exif.jpg", content)
    for rendition in item.renditions.all():
        data = _read(rendition)
        assert b"SecretCam" not in data and b"Exif\x00\x00" not in data, rendition.name
        fields = _rgb(data).get_fields()
        assert not {"exif-data", "xmp-data", "icc-profile-data"} & set(fields), rendition.name


def test_animated_gif_renditions_are_the_first_frame(api_upload, editor):
    frames = [Image.new("RGB", (240, 160), colour) for colour in (RED, BLUE, BLUE)]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    item = _upload(api_upload, editor, "anim.gif", buffer.getvalue())
    assert {r.width for r in _ladder(item).values()} == {160, 240}
    for rendition in item.renditions.all():
        image = _rgb(_read(rendition))
        assert (image.width, image.height) == (rendition.width, rendition.height)
        assert rendition.height <= 160
        assert _close(_pixel(image, image.width // 2, image.height // 2), RED), rendition.name


def test_placeholder_is_a_blurhash_and_the_dominant_colour(api_upload, editor):
    item = _upload(api_upload, editor, "plain.jpg", image_bytes(400, 300, color=(200, 120, 40)))
    placeholder = item.placeholder
    assert set(placeholder) == {"blurhash", "color"}
    assert len(placeholder["blurhash"]) == 28  # 4x3 components
    colour = tuple(int(placeholder["color"][i : i + 2], 16) for i in (1, 3, 5))
    assert _close(colour, (200, 120, 40), tolerance=6)


def test_sources_list_the_ladder_for_srcset(image_item):
    urls = media_public_urls(image_item)
    assert [(s["width"], s["format"]) for s in urls.sources] == [
        (160, "avif"),
        (160, "webp"),
        (160, "jpeg"),
        (300, "avif"),
        (300, "webp"),
        (300, "jpeg"),
    ]
    assert set(urls.renditions) == set(settings.MEDIA_RENDITIONS)  # named sizes only


def test_new_bytes_make_the_renditions_stale(image_item):
    # R25: a rendition made from other bytes is remade (whoever replaced the file).
    before = {r.name: r.pk for r in image_item.renditions.all()}
    Rendition.objects.filter(media=image_item).update(source_checksum="0" * 64)
    made = renditions_ensure(item=image_item)
    assert {r.name for r in made} == set(before)
    assert not {r.pk for r in made} & set(before.values())
    assert all(r.source_checksum == image_item.checksum for r in made)


def test_the_sweep_gives_items_made_before_the_ladder_their_ladder(image_item):
    # An upgrade: items with only the named sizes (and no placeholder) get the rest from beat.
    from media_library.services import derivatives_missing_sweep

    image_item.renditions.exclude(name__in=list(settings.MEDIA_RENDITIONS)).delete()
    MediaItem.objects.filter(pk=image_item.pk).update(placeholder={})
    assert derivatives_missing_sweep(grace_seconds=0) == 1
    image_item.refresh_from_db()
    assert set(_ladder(image_item)) and image_item.placeholder
    assert derivatives_missing_sweep(grace_seconds=0) == 0
