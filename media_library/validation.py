"""Upload checks (R5): the bytes decide what a file is, never its name or the client's header.

`upload_inspect` reads the upload once (size limit, SHA-256, magic number) and, for images,
lets Pillow prove the file decodes, so a bad upload is refused before anything is stored.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import unicodedata
import warnings
from dataclasses import dataclass
from typing import IO

import filetype
from django.conf import settings
from PIL import Image, ImageFile, UnidentifiedImageError

from tenants.exceptions import DomainError

from .formats import EXECUTABLE_MIME_TYPES, FORMATS, TEXT_BY_EXTENSION, MediaFormat
from .models import MediaKind

CHUNK_SIZE = 1024 * 1024
HEAD_SIZE = 8192
# Text is sniffed on its first bytes; a NUL or stray control character means binary.
_TEXT_CONTROL_OK = {"\t", "\n", "\r", "\f"}
# EXIF orientations 5-8 rotate by 90°, so the displayed width is the stored height.
_ROTATED_ORIENTATIONS = {5, 6, 7, 8}
_EXIF_ORIENTATION = 0x0112


class UploadRejected(DomainError):
    """A file the library refuses (400), always naming the form field that carried it."""

    def __init__(self, message: str, *, field: str = "file"):
        super().__init__(message, field=field)


@dataclass
class UploadInspection:
    """What the bytes proved: the stored row is built from this, not from client claims."""

    filename: str
    fileobj: IO[bytes]
    size: int
    checksum: str
    mime_type: str
    kind: str
    width: int | None = None
    height: int | None = None
    has_alpha: bool = False


def filename_validate(name: str, *, field: str = "file") -> str:
    """A bare file name: no folders, no traversal, no control characters (R5).

    Names come from clients and manifests; one that smuggles a path or a terminal escape
    is refused rather than silently rewritten, so the caller learns their input was wrong.
    """
    name = (name or "").strip()
    if not name:
        raise UploadRejected("The file has no name.", field=field)
    if "/" in name or "\\" in name or name in {".", ".."}:
        raise UploadRejected(
            f"The file name '{name}' contains path components; give a bare file name.", field=field
        )
    if any(unicodedata.category(ch) in {"Cc", "Cf"} for ch in name):
        raise UploadRejected("The file name contains control characters.", field=field)
    if len(name) > 200:
        raise UploadRejected("The file name is longer than 200 characters.", field=field)
    return unicodedata.normalize("NFC", name)


def file_extension(name: str) -> str:
    """Lower-case extension without the dot ('' when none)."""
    return os.path.splitext(name)[1].lstrip(".").lower()


def _seekable_copy(file: IO[bytes]) -> IO[bytes]:
    """Uploads are seekable already; streams (URLs in imports) are spooled once to disk."""
    try:
        file.seek(0)
        return file
    except (AttributeError, OSError, ValueError):
        # Returned to the caller, who owns it from here (closed when garbage-collected).
        spool = tempfile.SpooledTemporaryFile(max_size=settings.FILE_UPLOAD_MAX_MEMORY_SIZE)  # noqa: SIM115
        for chunk in iter(lambda: file.read(CHUNK_SIZE), b""):
            spool.write(chunk)
        spool.seek(0)
        return spool


def upload_digest(file: IO[bytes], *, max_bytes: int) -> tuple[int, str, bytes]:
    """Size, SHA-256 and the first bytes, in one streaming pass, stopping past the limit."""
    declared = getattr(file, "size", None)
    if declared is not None and declared > max_bytes:
        raise UploadRejected(_too_large(max_bytes))
    digest = hashlib.sha256()
    size = 0
    head = b""
    for chunk in iter(lambda: file.read(CHUNK_SIZE), b""):
        if len(head) < HEAD_SIZE:
            head += chunk[: HEAD_SIZE - len(head)]
        size += len(chunk)
        if size > max_bytes:
            raise UploadRejected(_too_large(max_bytes))
        digest.update(chunk)
    file.seek(0)
    if size == 0:
        raise UploadRejected("The file is empty.")
    return size, digest.hexdigest(), head


def _too_large(max_bytes: int) -> str:
    return f"The file is larger than the {max_bytes // (1024 * 1024)} MB limit ({max_bytes} bytes)."


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A multi-byte character cut by the head's end is still text.
        if exc.start < len(head) - 4:
            return False
        text = head[: exc.start].decode("utf-8")
    return not any(unicodedata.category(ch) == "Cc" and ch not in _TEXT_CONTROL_OK for ch in text)


def content_sniff(head: bytes, filename: str) -> MediaFormat:
    """The accepted format proven by the magic number (or clean text), or a 400 saying why."""
    if head.startswith(b"glTF"):
        return FORMATS["model/gltf-binary"]
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime in EXECUTABLE_MIME_TYPES:
            raise UploadRejected("Executable files are not accepted.")
        fmt = FORMATS.get(kind.mime)
        if fmt is None:
            raise UploadRejected(f"Files of type {kind.mime} are not accepted.")
        return fmt
    ext = file_extension(filename)
    if _looks_like_text(head):
        mime = TEXT_BY_EXTENSION.get(ext)
        if mime is None and ext in _all_binary_extensions():
            raise UploadRejected(
                f"The file is named .{ext} but its content is text, not {ext.upper()}."
            )
        if mime is None:
            raise UploadRejected(f"Text files named .{ext} are not accepted.")
        return FORMATS[mime]
    raise UploadRejected("The file type could not be recognised from its content; not accepted.")


def _all_binary_extensions() -> set[str]:
    return {
        e
        for f in FORMATS.values()
        if f.mime_type not in TEXT_BY_EXTENSION.values()
        for e in f.extensions
    }


def extension_check(filename: str, fmt: MediaFormat) -> None:
    """Refuse a name whose extension claims another type than the bytes (PNG named .pdf)."""
    ext = file_extension(filename)
    if ext and ext not in fmt.extensions:
        raise UploadRejected(
            f"The file is named .{ext} but its content is {fmt.mime_type}; "
            f"rename it to .{sorted(fmt.extensions - {''})[0]}."
        )


def pillow_pixel_limit_apply(max_pixels: int) -> None:
    """Make Pillow's own decompression-bomb limit follow MEDIA_MAX_IMAGE_PIXELS.

    Pillow refuses anything above its built-in `Image.MAX_IMAGE_PIXELS` (89.5 Mpx) by
    itself, which silently overrode a larger setting (issue 12). It is raised to the
    setting, never lowered: the setting is enforced by `image_inspect`'s own header check,
    and a process-wide limit below Pillow's default would also bite code that opens
    other, already accepted images (a lowered setting in one place must not leak).
    Pillow stays the backstop above the setting.
    """
    current = Image.MAX_IMAGE_PIXELS
    if current is not None and current < max_pixels:
        Image.MAX_IMAGE_PIXELS = max_pixels


def image_inspect(file: IO[bytes], *, max_pixels: int) -> tuple[int, int, bool]:
    """Width and height as displayed (after EXIF orientation) and whether it has alpha.

    Pillow decodes the whole image (at reduced scale for JPEG) so truncated or corrupt files
    fail here; the pixel limit (`max_pixels`, the setting) is checked from the header first,
    before any decoding, so a decompression bomb never allocates its bitmap. Formats with
    a check of their own (PNG's checksums: `verify`) are opened a second time to decode,
    as `verify` spends the image; the others (JPEG) are decoded from the first opening,
    the half of an import's image check that opening cost.
    """
    pillow_pixel_limit_apply(max_pixels)
    try:
        with warnings.catch_warnings():
            # Opening reads the header only: our own check below decides, naming the size.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            img = Image.open(file)
        checks_itself = type(img).verify is not ImageFile.ImageFile.verify
        with img:
            width, height = img.size
            if width * height > max_pixels:
                raise UploadRejected(_bomb(width, height, max_pixels))
            if checks_itself:
                img.verify()
            else:
                orientation, has_alpha = _image_decode(img)
        if checks_itself:
            file.seek(0)
            with Image.open(file) as again:
                orientation, has_alpha = _image_decode(again)
    except UploadRejected:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadRejected(_bomb(None, None, max_pixels)) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise UploadRejected(f"The image is truncated or corrupt ({exc}).") from None
    finally:
        file.seek(0)
    if orientation in _ROTATED_ORIENTATIONS:
        width, height = height, width
    return width, height, has_alpha


def _image_decode(img: Image.Image) -> tuple[int, bool]:
    """Decode an opened image (JPEG at 1/8 scale): (EXIF orientation, has alpha)."""
    with warnings.catch_warnings():
        # Decoding: Pillow's limit (never below the setting) is the backstop, e.g. for an
        # animation frame larger than the image.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        orientation = img.getexif().get(_EXIF_ORIENTATION, 1)
        has_alpha = img.mode in {"RGBA", "LA", "PA"} or "transparency" in img.info
        if img.format == "JPEG":
            width, height = img.size
            img.draft("RGB", (max(1, width // 8), max(1, height // 8)))
        img.load()
    return orientation, has_alpha


def _bomb(width: int | None, height: int | None, max_pixels: int) -> str:
    size = f" ({width}x{height})" if width else ""
    return f"The image{size} has more than {max_pixels} pixels (decompression-bomb guard)."


def upload_inspect(
    file: IO[bytes], *, filename: str | None = None, known: UploadInspection | None = None
) -> UploadInspection:
    """Everything R5 checks, in order, before a single byte is stored.

    `known`: an earlier inspection of the same file (a manifest's validation pass, which
    refuses bad files before anything is written). When the bytes still have its size
    and SHA-256 they are the bytes it proved, so an image is not decoded a second time;
    the name, size, checksum and format are checked again all the same."""
    if filename is not None:
        name = filename_validate(filename, field="filename")
    else:
        name = filename_validate(getattr(file, "name", "") or "")
    fileobj = _seekable_copy(file)
    size, checksum, head = upload_digest(fileobj, max_bytes=settings.MEDIA_MAX_UPLOAD_BYTES)
    fmt = content_sniff(head, name)
    extension_check(name, fmt)
    if (
        known is not None
        and known.checksum == checksum
        and known.size == size
        and known.mime_type == fmt.mime_type
    ):
        return UploadInspection(
            filename=name,
            fileobj=fileobj,
            size=size,
            checksum=checksum,
            mime_type=fmt.mime_type,
            kind=fmt.kind,
            width=known.width,
            height=known.height,
            has_alpha=known.has_alpha,
        )
    inspection = UploadInspection(
        filename=name,
        fileobj=fileobj,
        size=size,
        checksum=checksum,
        mime_type=fmt.mime_type,
        kind=fmt.kind,
    )
    if fmt.kind == MediaKind.IMAGE:
        inspection.width, inspection.height, inspection.has_alpha = image_inspect(
            fileobj, max_pixels=settings.MEDIA_MAX_IMAGE_PIXELS
        )
    return inspection


# A video's companion files: the form field (and model field) each goes under, the MIME
# family it must be, and how a refusal names it.
COMPANIONS = {
    "video_thumbnail": ("image/", "an image"),
    "video_captions": ("text/", "a WebVTT or text file"),
}


def companion_inspect(
    file: IO[bytes] | None, *, field: str, filename: str | None = None
) -> UploadInspection | None:
    """A video's thumbnail or captions file (`field`, a key of COMPANIONS), checked like any
    upload and refused under its own field: what an upload and a manifest's validation both
    ask, so a dry run refuses what the import would."""
    if file is None:
        return None
    mime_prefix, what = COMPANIONS[field]
    try:
        inspection = upload_inspect(file, filename=filename)
    except UploadRejected as exc:
        raise UploadRejected(exc.message, field=field) from None
    if not inspection.mime_type.startswith(mime_prefix):
        raise UploadRejected(
            f"The {field} must be {what}, not {inspection.mime_type}.", field=field
        )
    return inspection
