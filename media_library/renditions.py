"""Rendition pixels with libvips (R6, SPEC §5): no database, no storage, just bytes in and out.

Three families, all made before any shop request (at upload by the renditions queue, at
publish for what is missing, never on a read):

- **named** renditions (settings.MEDIA_RENDITIONS: `thumb`, `gallery`, `portrait`, `swatch`):
  one file each, a fit or a focal-point crop to a fixed aspect ratio; the MEDIA payload's
  `renditions` map (existing clients).
- the **ladder** (settings.MEDIA_RENDITION_WIDTHS x MEDIA_RENDITION_FORMATS): the whole
  image at each width up to its own (never upscaled) in JPEG (PNG when it has alpha), WebP
  and AVIF; the MEDIA payload's `sources` for `srcset`. Rows are named `w640-webp`.
- **swatch crops**: the rectangle a swatch names, really cut out (`crop-x-y-w-h`).

Every output is upright (EXIF orientation applied), sRGB (embedded ICC profiles and CMYK
converted), the first frame of an animation, and carries no metadata (EXIF, XMP, ICC are
stripped). `thumbnail_buffer` shrinks on load (a 4000x3000 JPEG is decoded at 1/2, 1/4 or
1/8 scale when that is enough); each size is decoded once into memory and then encoded in
every format, so three formats cost one decode.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pyvips
from django.conf import settings

# Larger than any real image: "no limit on this axis" for vips thumbnail.
_UNBOUNDED = 10_000_000
# Default encoder settings (settings.MEDIA_RENDITION_ENCODERS overrides them per format).
ENCODERS: dict[str, dict] = {
    "jpeg": {"Q": 82, "interlace": True, "optimize_coding": True},
    "webp": {"Q": 80, "effort": 4},
    # effort 2 (aom cpu-used 7): ~10x faster than the default 4 for a few % more bytes.
    "avif": {"Q": 55, "effort": 2},
    "png": {"compression": 6},
}
EXTENSIONS = {"jpeg": "jpg", "webp": "webp", "avif": "avif", "png": "png"}
FORMAT_OF_EXTENSION = {ext: fmt for fmt, ext in EXTENSIONS.items()}
_SAVERS = {
    "jpeg": ("jpegsave_buffer", {}),
    "webp": ("webpsave_buffer", {}),
    "avif": ("heifsave_buffer", {"compression": "av1"}),
    "png": ("pngsave_buffer", {}),
}
_LADDER_NAME = re.compile(r"^w(\d+)-(jpeg|webp|avif|png)$")
_CROP_NAME = re.compile(r"^crop-(\d+)-(\d+)-(\d+)-(\d+)$")
# Strip every piece of metadata (EXIF, XMP, IPTC, ICC) from public renditions.
_KEEP_NONE = 0

JPEG_QUALITY = ENCODERS["jpeg"]["Q"]


@dataclass(frozen=True)
class RenditionSpec:
    """One thing to make: a box (`width` x `height`; crop = cover it around the focal point,
    else fit inside it), or a `rect` of the source to cut out, in `formats` ('auto' = JPEG,
    PNG when the source has alpha)."""

    name: str
    width: int
    height: int
    crop: bool
    formats: tuple[str, ...] = ("auto",)
    rect: tuple[int, int, int, int] | None = None  # x, y, width, height (display pixels)


@dataclass(frozen=True)
class RenditionOutput:
    content: bytes
    width: int
    height: int
    extension: str
    name: str = ""  # the row's name (a ladder spec makes one output per format)
    format: str = "jpeg"


def encoder_options(fmt: str) -> dict:
    """The encoder settings in force for a format (defaults merged with the settings')."""
    configured = getattr(settings, "MEDIA_RENDITION_ENCODERS", {}) or {}
    return {**ENCODERS[fmt], **configured.get(fmt, {})}


def encode(image: pyvips.Image, fmt: str) -> bytes:
    """Encode with no metadata at all; JPEG has no alpha, so it is flattened on white."""
    saver, fixed = _SAVERS[fmt]
    if fmt == "jpeg" and image.hasalpha():
        image = image.flatten(background=[255, 255, 255])
    return getattr(image, saver)(**fixed, **encoder_options(fmt), keep=_KEEP_NONE)


def rendition_specs(names: list[str] | tuple[str, ...] | None = None) -> list[RenditionSpec]:
    """The configured named sizes (settings.MEDIA_RENDITIONS), optionally only those named."""
    configured = settings.MEDIA_RENDITIONS
    wanted = configured if names is None else [n for n in names if n in configured]
    return [
        RenditionSpec(
            name=name,
            width=configured[name]["width"],
            height=configured[name]["height"],
            crop=bool(configured[name].get("crop")),
            formats=tuple(configured[name].get("formats", ("auto",))),
        )
        for name in wanted
    ]


def ladder_widths(source_width: int) -> list[int]:
    """The configured widths this image can give without upscaling, plus its own width when
    it falls between two rungs (a 1200 px image gets ..., 1024, 1200): the sharpest
    version in the modern formats. An image narrower than every rung gets its own width."""
    widths = sorted(set(settings.MEDIA_RENDITION_WIDTHS))
    kept = [w for w in widths if w <= source_width]
    if source_width not in kept and (not kept or source_width < widths[-1]):
        kept.append(source_width)
    return kept


def ladder_formats(*, has_alpha: bool) -> tuple[str, ...]:
    """settings.MEDIA_RENDITION_FORMATS, JPEG swapped for PNG when transparency matters."""
    return tuple(
        "png" if fmt == "jpeg" and has_alpha else fmt for fmt in settings.MEDIA_RENDITION_FORMATS
    )


def ladder_spec(width: int) -> RenditionSpec:
    """One rung of the ladder: the whole image at `width`, made in every ladder format."""
    return RenditionSpec(
        name=f"w{width}", width=width, height=_UNBOUNDED, crop=False, formats=("ladder",)
    )


def ladder_specs(source_size: tuple[int, int]) -> list[RenditionSpec]:
    """Every rung this image can give (never upscaled)."""
    return [ladder_spec(w) for w in ladder_widths(source_size[0])]


def ladder_name(width: int, fmt: str) -> str:
    return f"w{width}-{fmt}"


def crop_name(rect: tuple[int, int, int, int]) -> str:
    return "crop-{}-{}-{}-{}".format(*rect)


def crop_spec(rect: tuple[int, int, int, int]) -> RenditionSpec:
    """The swatch crop of `rect`, no larger than MEDIA_SWATCH_CROP_SIZE on its long side."""
    size = settings.MEDIA_SWATCH_CROP_SIZE
    return RenditionSpec(name=crop_name(rect), width=size, height=size, crop=False, rect=rect)


def rendition_role(name: str) -> str:
    """'ladder', 'crop' or 'named', from a rendition row's name."""
    if _LADDER_NAME.match(name):
        return "ladder"
    if _CROP_NAME.match(name):
        return "crop"
    return "named"


def crop_rect_of(name: str) -> tuple[int, int, int, int] | None:
    match = _CROP_NAME.match(name)
    return tuple(int(g) for g in match.groups()) if match else None  # type: ignore[return-value]


def format_of_filename(filename: str) -> str:
    return FORMAT_OF_EXTENSION.get(filename.rsplit(".", 1)[-1].lower(), "jpeg")


def focal_crop_box(
    width: int, height: int, box_w: int, box_h: int, focal_x: float, focal_y: float
) -> tuple[int, int]:
    """Top-left corner of a box_w x box_h window centred on the focal point, kept inside."""
    left = round(focal_x * width - box_w / 2)
    top = round(focal_y * height - box_h / 2)
    return min(max(left, 0), width - box_w), min(max(top, 0), height - box_h)


def crop_box_size(width: int, height: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The crop box on an image too small to fill it (never upscaled): scaled down with
    its aspect ratio kept, so a 4:5 crop stays 4:5 however small the original."""
    factor = min(1.0, width / box_w, height / box_h)
    return max(1, min(width, round(box_w * factor))), max(1, min(height, round(box_h * factor)))


def cover_bounds(src_w: int, src_h: int, box_w: int, box_h: int) -> tuple[int, int]:
    """The thumbnail bounds that make the image cover the box on both axes."""
    if src_w * box_h >= src_h * box_w:  # wider than the box: height decides
        return _UNBOUNDED, box_h
    return box_w, _UNBOUNDED


@dataclass(frozen=True)
class SourceInfo:
    size: tuple[int, int]  # displayed: EXIF-rotated, first frame
    has_alpha: bool
    has_profile: bool  # an embedded ICC profile (Adobe RGB, Display P3, CMYK...)


def _thumbnail(source: bytes, width: int, height: int, info: SourceInfo) -> pyvips.Image:
    """Shrink-on-load, EXIF-rotated, first page only, decoded into memory once so that every
    format encodes from the same pixels. An embedded ICC profile is converted to sRGB
    (asking for it otherwise costs an identity transform: 3-6x the whole thumbnail); CMYK
    without one goes through libvips' default CMYK profile."""
    options = {"export_profile": "srgb"} if info.has_profile else {}
    image = pyvips.Image.thumbnail_buffer(source, width, height=height, size="down", **options)
    return _to_srgb(image).copy_memory()


def _to_srgb(image: pyvips.Image) -> pyvips.Image:
    """16-bit, Lab or other non-sRGB pixels left by a profile-less file become 8-bit sRGB."""
    if image.interpretation not in ("srgb", "b-w") or image.format != "uchar":
        image = image.colourspace("srgb")
        if image.format != "uchar":
            image = image.cast("uchar")
    return image


def _render_pixels(
    source: bytes, spec: RenditionSpec, info: SourceInfo, focal: tuple[float, float]
) -> pyvips.Image:
    if spec.rect is not None:
        return _render_rect(source, spec, info)
    if spec.crop:
        bound_w, bound_h = cover_bounds(*info.size, spec.width, spec.height)
        image = _thumbnail(source, bound_w, bound_h, info)
        box_w, box_h = crop_box_size(image.width, image.height, spec.width, spec.height)
        left, top = focal_crop_box(image.width, image.height, box_w, box_h, *focal)
        return image.extract_area(left, top, box_w, box_h)
    return _thumbnail(source, spec.width, spec.height, info)


def _render_rect(source: bytes, spec: RenditionSpec, info: SourceInfo) -> pyvips.Image:
    """Cut `spec.rect` (display pixels of the original, clamped to it) out of the image
    scaled so the cut is no larger than the spec's box: a 4000 px original is decoded
    shrunk when the swatch needs only a corner of it at 256 px."""
    src_w, src_h = info.size
    x, y, w, h = spec.rect  # type: ignore[misc]
    x, y = min(max(x, 0), src_w - 1), min(max(y, 0), src_h - 1)
    w, h = max(1, min(w, src_w - x)), max(1, min(h, src_h - y))
    scale = min(1.0, spec.width / w, spec.height / h)
    image = _thumbnail(source, max(1, round(src_w * scale)), _UNBOUNDED, info)
    sx, sy = image.width / src_w, image.height / src_h
    left, top = min(int(x * sx), image.width - 1), min(int(y * sy), image.height - 1)
    width = max(1, min(round(w * sx), image.width - left))
    height = max(1, min(round(h * sy), image.height - top))
    return image.extract_area(left, top, width, height)


def rendition_render(
    source: bytes,
    spec: RenditionSpec,
    *,
    info: SourceInfo,
    focal: tuple[float, float] = (0.5, 0.5),
) -> list[RenditionOutput]:
    """The outputs of one spec from the original's bytes: one per format.

    `info.size` is the displayed (EXIF-rotated) size, so the cover scale is known before
    decoding and a crop needs a single shrink-on-load pass.
    """
    image = _render_pixels(source, spec, info, focal)
    outputs = []
    for fmt in _spec_formats(spec, has_alpha=info.has_alpha):
        # A rung is named by its configured width (what the plan looks for), whatever the
        # decoder's rounding gave.
        name = ladder_name(spec.width, fmt) if spec.formats == ("ladder",) else spec.name
        outputs.append(
            RenditionOutput(
                encode(image, fmt), image.width, image.height, EXTENSIONS[fmt], name, fmt
            )
        )
    return outputs


def _spec_formats(spec: RenditionSpec, *, has_alpha: bool) -> tuple[str, ...]:
    if spec.formats == ("ladder",):
        return ladder_formats(has_alpha=has_alpha)
    auto = "png" if has_alpha else "jpeg"
    return tuple(auto if f == "auto" else f for f in spec.formats)


def source_header(source: bytes) -> SourceInfo:
    """Displayed size (EXIF-rotated, first frame), alpha and ICC profile, from the header
    only (no pixel decoding)."""
    header = pyvips.Image.new_from_buffer(source, "")
    height = header.get("page-height") if header.get_typeof("page-height") else header.height
    size = (header.width, height)
    if header.get_typeof("orientation") and header.get("orientation") in (5, 6, 7, 8):
        size = (size[1], size[0])
    return SourceInfo(
        size=size,
        has_alpha=header.hasalpha(),
        has_profile=bool(header.get_typeof("icc-profile-data")),
    )


def renditions_render(
    source: bytes,
    specs: list[RenditionSpec],
    *,
    focal: tuple[float, float] = (0.5, 0.5),
    ladder: bool = False,
) -> list[tuple[RenditionSpec, RenditionOutput]]:
    """All the asked renditions of one source (and, with `ladder`, the whole width ladder in
    every format): what the renditions task runs and the bench times. The header is read
    once; each size then shrinks on load from the bytes."""
    info = source_header(source)
    specs = list(specs) + (ladder_specs(info.size) if ladder else [])
    return [
        (spec, output)
        for spec in specs
        for output in rendition_render(source, spec, info=info, focal=focal)
    ]


def placeholder_compute(source: bytes) -> dict:
    """The MEDIA payload's `placeholder`: a BlurHash (4x3 components, from a 32 px
    thumbnail) for a blurred preview, and the dominant (mean) colour as `#rrggbb` for
    clients that paint a flat box. ~10 ms: the thumbnail shrinks on load."""
    import blurhash

    tiny = _thumbnail(source, 32, 32, source_header(source))
    if tiny.hasalpha():
        tiny = tiny.flatten(background=[255, 255, 255])
    if tiny.bands < 3:
        tiny = tiny.colourspace("srgb")
    tiny = tiny[:3]
    colour = "#" + "".join(f"{round(tiny[band].avg()):02x}" for band in range(3))
    data = tiny.write_to_memory()
    rows = [
        [
            list(data[(y * tiny.width + x) * 3 : (y * tiny.width + x) * 3 + 3])
            for x in range(tiny.width)
        ]
        for y in range(tiny.height)
    ]
    return {"blurhash": blurhash.encode(rows, components_x=4, components_y=3), "color": colour}
