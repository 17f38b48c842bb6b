"""Sample files made in memory (no downloads): images with Pillow, the rest by hand."""

from __future__ import annotations

import io
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

RED = (255, 0, 0)
BLUE = (0, 0, 255)


def image_bytes(
    width: int = 120,
    height: int = 80,
    fmt: str = "JPEG",
    *,
    color=(200, 120, 40),
    mode: str = "RGB",
    orientation: int | None = None,
) -> bytes:
    img = Image.new(mode, (width, height), color)
    out = io.BytesIO()
    kwargs = {}
    if orientation is not None:
        exif = Image.Exif()
        exif[0x0112] = orientation
        kwargs["exif"] = exif
    img.save(out, fmt, **kwargs)
    return out.getvalue()


def two_colour_png(width: int = 1200, height: int = 400) -> bytes:
    """Left half red, right half blue: where a crop lands shows in its pixels."""
    img = Image.new("RGB", (width, height), RED)
    img.paste(BLUE, (width // 2, 0, width, height))
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def tiny_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj <</Type /Catalog /Pages 2 0 R>> endobj\n"
        b"2 0 obj <</Type /Pages /Kids [] /Count 0>> endobj\n"
        b"trailer <</Root 1 0 R>>\n%%EOF\n"
    )


def fake_mp4() -> bytes:
    """Just an ISO-BMFF `ftyp` box: enough for sniffing, not for decoding."""
    return b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64


def zip_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("readme.txt", "hello")
    return out.getvalue()


def glb_bytes() -> bytes:
    body = b'{"asset":{"version":"2.0"}}  '
    chunk = struct.pack("<I4s", len(body), b"JSON") + body
    return b"glTF" + struct.pack("<II", 2, 12 + len(chunk)) + chunk


def png_bomb_header(width: int = 100_000, height: int = 100_000) -> bytes:
    """A PNG whose header claims a huge size, with a few bytes of data: a bomb's shape."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\0" * 64))
        + chunk(b"IEND", b"")
    )


def elf_bytes() -> bytes:
    return b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120


def ffmpeg_video(path: Path, *, seconds: int = 3, size: str = "160x120") -> bytes:
    """A real short clip made by the ffmpeg that imageio-ffmpeg ships (no network)."""
    import imageio_ffmpeg

    subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-y", "-loglevel", "error", "-f", "lavfi",
         "-i", f"testsrc=size={size}:rate=10", "-t", str(seconds), "-pix_fmt", "yuv420p", str(path)],
        check=True,
    )  # fmt: skip
    return path.read_bytes()


def upload_file(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def stored_files(root: str | Path) -> list[Path]:
    """Every file under the storage folder (MEDIA_ROOT)."""
    root = Path(root)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def rendition_names(width: int) -> set[str]:
    """Every rendition an image `width` px wide gets (R6, issue 14): the named sizes and
    each rung of the width ladder in every format."""
    from django.conf import settings

    from media_library.renditions import ladder_name, ladder_widths

    return set(settings.MEDIA_RENDITIONS) | {
        ladder_name(w, fmt)
        for w in ladder_widths(width)
        for fmt in settings.MEDIA_RENDITION_FORMATS
    }
