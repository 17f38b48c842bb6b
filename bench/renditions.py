"""Renditions bench (SPEC §5, issue 14): the whole ladder ≤ 1.2× bare libvips, in CPU time.

Generates 20 textured 4000x3000 JPEGs, then makes for each of them, from its bytes in memory,
everything an upload makes: the configured named sizes (settings.MEDIA_RENDITIONS: focal-point
crops to fixed aspect ratios and fits) and the whole width ladder
(settings.MEDIA_RENDITION_WIDTHS) in every ladder format (JPEG, WebP, AVIF), three ways:

  (a) ours:   media_library.renditions.renditions_render(..., ladder=True), the function the
              renditions task calls (header read, sRGB conversion, focal-point crops, every
              format); storage writes and Rendition rows are not timed.
  (b) vips:   bare pyvips written by hand making exactly the same outputs: the same
              thumbnail_buffer bounds, the same focal-point extract_area, one decode per
              size into memory, the same encoder settings (checked: byte-identical files).
  (c) pillow: the same work with Pillow (draft-mode decode, exif_transpose, LANCZOS resize,
              the same crop boxes, JPEG/WebP/AVIF at the same quality), for the record.

CPU time (user + system of the process, libvips' worker threads included) through
resource.getrusage; the contenders take turns in every round (the first one rotating), so
a burst of load on the shared machine hits all of them; the median round decides.
Run: .venv/bin/python bench/renditions.py          (BENCH_ROUNDS=3, BENCH_COUNT=20)
"""

from __future__ import annotations

import io
import os
import resource
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

import django  # noqa: E402

django.setup()

import pyvips  # noqa: E402
from django.conf import settings  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from media_library.renditions import (  # noqa: E402
    cover_bounds,
    crop_box_size,
    encoder_options,
    focal_crop_box,
    ladder_widths,
    rendition_specs,
    renditions_render,
)

COUNT = int(os.environ.get("BENCH_COUNT", 20))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", 3))
SIZE = (4000, 3000)
FOCAL = (0.4, 0.6)
UNBOUNDED = 10_000_000


def make_jpegs() -> list[bytes]:
    """Textured photos (noise over gradients) so decoding and encoding do real work."""
    red = Image.linear_gradient("L").resize(SIZE)
    green = Image.radial_gradient("L").resize(SIZE)
    sources = []
    for i in range(COUNT):
        noise = Image.effect_noise(SIZE, 24 + i)
        blue = Image.blend(noise, red.rotate(90, expand=False), 0.5)
        img = Image.merge("RGB", (red, Image.blend(green, noise, 0.3), blue))
        out = io.BytesIO()
        img.save(out, "JPEG", quality=90)
        sources.append(out.getvalue())
    return sources


def jobs(source_size: tuple[int, int]) -> list[tuple[str, int, int, bool, tuple[str, ...]]]:
    """(name, box width, box height, crop?, formats) of everything one image gets."""
    named = [
        (s.name, s.width, s.height, s.crop, ("jpeg",) if s.formats == ("auto",) else s.formats)
        for s in rendition_specs()
    ]
    formats = tuple(settings.MEDIA_RENDITION_FORMATS)
    return named + [(f"w{w}", w, UNBOUNDED, False, formats) for w in ladder_widths(source_size[0])]


# --- the contenders ------------------------------------------------------------------------


def ours(sources: list[bytes]) -> list[bytes]:
    return [
        output.content
        for source in sources
        for _, output in renditions_render(source, rendition_specs(), focal=FOCAL, ladder=True)
    ]


_VIPS_SAVE = {
    "jpeg": lambda im, o: im.jpegsave_buffer(**o, keep=0),
    "webp": lambda im, o: im.webpsave_buffer(**o, keep=0),
    "avif": lambda im, o: im.heifsave_buffer(compression="av1", **o, keep=0),
}


def bare_vips(sources: list[bytes]) -> list[bytes]:
    options = {fmt: encoder_options(fmt) for fmt in _VIPS_SAVE}
    made = []
    for source in sources:
        for _name, width, height, crop, formats in jobs(SIZE):
            if crop:
                bound_w, bound_h = cover_bounds(*SIZE, width, height)
            else:
                bound_w, bound_h = width, height
            # (no export_profile: these JPEGs carry no ICC profile, nothing to convert)
            image = pyvips.Image.thumbnail_buffer(
                source, bound_w, height=bound_h, size="down"
            ).copy_memory()
            if crop:
                box_w, box_h = crop_box_size(image.width, image.height, width, height)
                left, top = focal_crop_box(image.width, image.height, box_w, box_h, *FOCAL)
                image = image.extract_area(left, top, box_w, box_h)
            made += [_VIPS_SAVE[fmt](image, options[fmt]) for fmt in formats]
    return made


def bare_pillow(sources: list[bytes]) -> list[bytes]:
    jpeg, webp, avif = (encoder_options(f) for f in ("jpeg", "webp", "avif"))
    save = {
        "jpeg": {"format": "JPEG", "quality": jpeg["Q"], "progressive": True, "optimize": True},
        "webp": {"format": "WEBP", "quality": webp["Q"], "method": webp["effort"]},
        # libvips' AVIF effort e is aom's cpu-used 9 - e, which is Pillow's `speed`
        "avif": {"format": "AVIF", "quality": avif["Q"], "speed": 9 - avif["effort"]},
    }
    made = []
    for source in sources:
        for _name, width, height, crop, formats in jobs(SIZE):
            src_w, src_h = SIZE
            if crop:
                scale = max(width / src_w, height / src_h)
            else:
                scale = min(width / src_w, height / src_h, 1.0)
            target = (max(1, round(src_w * scale)), max(1, round(src_h * scale)))
            with Image.open(io.BytesIO(source)) as opened:
                opened.draft("RGB", target)
                img = ImageOps.exif_transpose(opened).resize(target, Image.Resampling.LANCZOS)
            if crop:
                box_w, box_h = crop_box_size(img.width, img.height, width, height)
                left, top = focal_crop_box(img.width, img.height, box_w, box_h, *FOCAL)
                img = img.crop((left, top, left + box_w, top + box_h))
            for fmt in formats:
                out = io.BytesIO()
                img.save(out, **save[fmt])
                made.append(out.getvalue())
    return made


# --- timing ---------------------------------------------------------------------------------


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def interleaved(contenders: dict, sources: list[bytes]) -> dict[str, list[float]]:
    """CPU seconds of each contender in each round; the first to run rotates per round."""
    names = list(contenders)
    times: dict[str, list[float]] = {name: [] for name in names}
    for round_ in range(ROUNDS):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            start = cpu_seconds()
            contenders[name](sources)
            times[name].append(cpu_seconds() - start)
        print(
            f"round {round_ + 1}: "
            + ", ".join(f"{n} {times[n][-1]:.1f} s" for n in names)
            + f"  ours/vips {times['ours'][-1] / times['vips'][-1]:.3f}",
            flush=True,
        )
    return times


def main() -> None:
    sources = make_jpegs()
    per_image = jobs(SIZE)
    outputs = sum(len(j[4]) for j in per_image)
    print(
        f"{COUNT} JPEGs {SIZE[0]}x{SIZE[1]}: per image "
        + ", ".join(f"{n} {'crop ' if c else ''}{w if w < UNBOUNDED else ''}x"
                    f"{h if h < UNBOUNDED else ''} {'/'.join(f)}" for n, w, h, c, f in per_image)
        + f" = {outputs} files; {ROUNDS} interleaved rounds, CPU time"
    )  # fmt: skip
    print(
        f"libvips {pyvips.version(0)}.{pyvips.version(1)}.{pyvips.version(2)}, "
        f"Pillow {Image.__version__}, {os.cpu_count()} CPUs, encoders "
        + ", ".join(f"{f} {encoder_options(f)}" for f in ("jpeg", "webp", "avif")),
        flush=True,
    )
    # Same outputs: ours and the bare libvips script make byte-identical files.
    a, b = ours(sources[:1]), bare_vips(sources[:1])
    identical = sum(x == y for x, y in zip(a, b, strict=True))
    print(f"identical outputs ours vs bare vips (image 1): {identical}/{len(a)}", flush=True)
    times = interleaved({"ours": ours, "vips": bare_vips, "pillow": bare_pillow}, sources)
    median = {name: statistics.median(values) for name, values in times.items()}
    made = COUNT * outputs
    for name, seconds in median.items():
        print(f"{name:>7}: median {seconds:7.1f} CPU s  ({made / seconds:6.1f} files/CPU s)")
    ratio = median["ours"] / median["vips"]
    per_round = [o / v for o, v in zip(times["ours"], times["vips"], strict=True)]
    print(
        f"ours/vips   = {ratio:.3f} (rounds {', '.join(f'{r:.3f}' for r in per_round)})"
        f"  (bar: <= 1.20) {'PASS' if ratio <= 1.2 else 'FAIL'}"
    )
    print(f"pillow/vips = {median['pillow'] / median['vips']:.2f}")


if __name__ == "__main__":
    main()
