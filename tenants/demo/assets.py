"""Demo media drawn on the spot (no downloads): product photos, a spec sheet PDF, a short video.

Every drawing is deterministic, so loading the demo twice produces the same bytes and the
library's checksum de-duplication makes the second load a no-op.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
import time

from PIL import Image, ImageDraw

COLORS = {
    "Blue": (40, 80, 170),
    "Red": (180, 40, 50),
    "White": (235, 235, 230),
    "Khaki": (190, 170, 120),
    "Navy": (25, 35, 80),
    "Brass": (180, 140, 60),
    "Chrome": (170, 175, 185),
    "Black": (30, 30, 30),
    "Green": (40, 130, 70),
}


def _canvas(
    background=(245, 243, 238), size=(1200, 900)
) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    image = Image.new("RGB", size, background)
    return image, ImageDraw.Draw(image)


def _jpeg(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "JPEG", quality=88)
    return out.getvalue()


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def shirt(color: str, view: str = "front", style: str = "Slim") -> bytes:
    """A shirt silhouette in the colour; `view` shifts details so each photo differs."""
    image, draw = _canvas()
    fill = COLORS[color]
    waist = 300 if style == "Slim" else 360
    body = [(600 - 250, 250), (600 + 250, 250), (600 + waist, 820), (600 - waist, 820)]
    draw.polygon(body, fill=fill, outline=(20, 20, 20))
    draw.polygon([(350, 250), (150, 480), (240, 540), (380, 400)], fill=fill, outline=(20, 20, 20))
    draw.polygon([(850, 250), (1050, 480), (960, 540), (820, 400)], fill=fill, outline=(20, 20, 20))
    draw.polygon([(520, 250), (600, 340), (680, 250)], fill=(250, 250, 250), outline=(20, 20, 20))
    if view == "front":
        for y in range(380, 800, 70):
            draw.ellipse([592, y, 608, y + 16], fill=(240, 240, 240), outline=(60, 60, 60))
    elif view == "back":
        draw.line([(600, 300), (600, 810)], fill=(20, 20, 20), width=3)
    else:
        draw.rectangle([420, 420, 540, 520], outline=(20, 20, 20), width=4)
    draw.text((40, 40), f"Oxford shirt - {color} - {style} - {view}", fill=(60, 60, 60))
    return _jpeg(image)


def trousers(color: str) -> bytes:
    image, draw = _canvas()
    fill = COLORS[color]
    draw.polygon(
        [(420, 150), (780, 150), (820, 850), (640, 850), (600, 400), (560, 850), (380, 850)],
        fill=fill,
    )
    draw.rectangle([420, 150, 780, 200], fill=tuple(max(c - 30, 0) for c in fill))
    draw.text((40, 40), f"Chinos - {color}", fill=(60, 60, 60))
    return _jpeg(image)


def lamp(finish: str) -> bytes:
    image, draw = _canvas(background=(250, 250, 250))
    fill = COLORS[finish]
    draw.polygon(
        [(450, 200), (750, 200), (850, 450), (350, 450)], fill=(245, 230, 190), outline=(80, 80, 80)
    )
    draw.rectangle([585, 450, 615, 780], fill=fill)
    draw.ellipse([450, 760, 750, 840], fill=fill)
    draw.text((40, 40), f"Desk lamp - {finish}", fill=(60, 60, 60))
    return _jpeg(image)


def simple_product(label: str, color: str) -> bytes:
    image, draw = _canvas()
    draw.rounded_rectangle(
        [350, 250, 850, 750], radius=60, fill=COLORS[color], outline=(20, 20, 20), width=4
    )
    draw.text((40, 40), label, fill=(60, 60, 60))
    return _jpeg(image)


def category_banner(name: str, color: str) -> bytes:
    image, draw = _canvas(background=COLORS[color], size=(1600, 600))
    draw.rectangle([60, 60, 1540, 540], outline=(255, 255, 255), width=6)
    draw.text((100, 100), name, fill=(255, 255, 255))
    return _jpeg(image)


def swatch(color: str) -> bytes:
    return _png(Image.new("RGB", (256, 256), COLORS[color]))


def spec_sheet_pdf(title: str) -> bytes:
    """A one-page PDF written by Pillow."""
    image, draw = _canvas(background=(255, 255, 255), size=(850, 1100))
    draw.text((60, 60), f"{title} - specification sheet", fill=(0, 0, 0))
    for index, line in enumerate(["Material: 100% cotton", "Care: machine wash 30C", "Origin: PT"]):
        draw.text((60, 140 + index * 30), line, fill=(0, 0, 0))
    out = io.BytesIO()
    fixed = time.gmtime(1767225600)  # fixed dates keep the bytes, and so the checksum, stable
    image.save(out, "PDF", resolution=100.0, creationDate=fixed, modDate=fixed)
    return out.getvalue()


def short_video(color: str = "Blue") -> bytes | None:
    """A two-second MP4 of a turning shirt, encoded with the ffmpeg that imageio-ffmpeg ships.

    Returns None when no ffmpeg is available; the demo then goes without a video.
    """
    ffmpeg = _ffmpeg()
    if ffmpeg is None:
        return None
    with tempfile.TemporaryDirectory() as folder:
        for frame in range(24):
            image, draw = _canvas(size=(320, 240))
            x = 40 + frame * 10
            draw.rectangle([x, 60, x + 80, 200], fill=COLORS[color])
            image.save(os.path.join(folder, f"f{frame:03d}.png"))
        target = os.path.join(folder, "out.mp4")
        command = [
            ffmpeg, "-loglevel", "error", "-y", "-framerate", "12", "-i",
            os.path.join(folder, "f%03d.png"), "-pix_fmt", "yuv420p", "-c:v", "libx264",
            "-fflags", "+bitexact", "-flags:v", "+bitexact", "-map_metadata", "-1", target,
        ]  # fmt: skip
        if subprocess.run(command, check=False, capture_output=True).returncode != 0:
            return None
        with open(target, "rb") as handle:
            return handle.read()


def _ffmpeg() -> str | None:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:
        return shutil.which("ffmpeg")
