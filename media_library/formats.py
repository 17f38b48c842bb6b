"""The file types the library accepts, keyed by the MIME type sniffed from the bytes (R5).

Anything not listed is refused: an upload is trusted only for what its bytes prove it is.
"""

from __future__ import annotations

from dataclasses import dataclass

from .models import MediaKind


@dataclass(frozen=True)
class MediaFormat:
    mime_type: str
    kind: str
    extensions: frozenset[str]
    # Served inline (browsers display it) or as a download; text and archives download so a
    # crafted file can never run as a page on our origin.
    inline: bool = True


def _fmt(mime: str, kind: str, *exts: str, inline: bool = True) -> MediaFormat:
    return MediaFormat(mime, kind, frozenset(exts), inline)


FORMATS: dict[str, MediaFormat] = {
    f.mime_type: f
    for f in (
        _fmt("image/jpeg", MediaKind.IMAGE, "jpg", "jpeg", "jpe", "jfif"),
        _fmt("image/png", MediaKind.IMAGE, "png"),
        _fmt("image/gif", MediaKind.IMAGE, "gif"),
        _fmt("image/webp", MediaKind.IMAGE, "webp"),
        _fmt("image/tiff", MediaKind.IMAGE, "tif", "tiff"),
        _fmt("video/mp4", MediaKind.VIDEO, "mp4", "m4v"),
        _fmt("video/x-m4v", MediaKind.VIDEO, "m4v", "mp4"),
        _fmt("video/webm", MediaKind.VIDEO, "webm"),
        _fmt("video/quicktime", MediaKind.VIDEO, "mov", "qt"),
        _fmt("application/pdf", MediaKind.DOCUMENT, "pdf"),
        _fmt(
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            MediaKind.DOCUMENT,
            "docx",
            inline=False,
        ),
        _fmt(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            MediaKind.DOCUMENT,
            "xlsx",
            inline=False,
        ),
        _fmt(
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
            MediaKind.DOCUMENT,
            "pptx",
            inline=False,
        ),
        _fmt("application/zip", MediaKind.OTHER, "zip", inline=False),
        _fmt("model/gltf-binary", MediaKind.OTHER, "glb", inline=False),
        _fmt("text/plain", MediaKind.OTHER, "txt", "text", "md", "", inline=False),
        _fmt("text/csv", MediaKind.OTHER, "csv", inline=False),
        _fmt("text/tab-separated-values", MediaKind.OTHER, "tsv", inline=False),
        _fmt("text/vtt", MediaKind.OTHER, "vtt", inline=False),
        _fmt("application/json", MediaKind.OTHER, "json", inline=False),
        _fmt("model/gltf+json", MediaKind.OTHER, "gltf", inline=False),
    )
}

# Text has no magic number: once the bytes are known to be clean text, the extension picks
# which text type it is among these (and nothing else: `.svg`, `.html` stay refused).
TEXT_BY_EXTENSION: dict[str, str] = {
    ext: f.mime_type
    for f in FORMATS.values()
    if f.mime_type.startswith(("text/", "application/json", "model/gltf+json"))
    for ext in f.extensions
}

# Sniffed types refused with a specific reason rather than "unsupported".
EXECUTABLE_MIME_TYPES = frozenset(
    {
        "application/x-executable",
        "application/x-msdownload",
        "application/x-sharedlib",
        "application/x-mach-binary",
        "application/wasm",
        "application/x-deb",
        "application/x-rpm",
    }
)

# Preferred extension when a rendition or stored name needs one.
IMAGE_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
