"""A PDF's first page as an image, for the library's item page and list tiles.

PDFium (pypdfium2's wheel ships it, no system library) renders page 1; the result is small
(bounded width) and made on request: documents are few next to images, and a member's
browser caches the answer. Anything PDFium cannot read is a plain 4xx, never a 500.
"""

from __future__ import annotations

import io

from tenants.exceptions import DomainError

from .models import MediaItem

PREVIEW_MAX_WIDTH = 1200
PDF_MIME_TYPES = {"application/pdf"}


def document_preview_supported(item: MediaItem) -> bool:
    return item.mime_type in PDF_MIME_TYPES


def document_first_page_png(item: MediaItem, *, max_width: int = PREVIEW_MAX_WIDTH) -> bytes:
    """PNG bytes of page 1, at most `max_width` pixels wide."""
    import pypdfium2 as pdfium

    if not document_preview_supported(item):
        raise DomainError("Only PDF documents have a page preview.", field="media")
    with item.file.open("rb") as handle:
        data = handle.read()
    try:
        pdf = pdfium.PdfDocument(data)
    except pdfium.PdfiumError:
        raise DomainError("This PDF cannot be read, so it has no preview.", field="media") from None
    try:
        if len(pdf) == 0:
            raise DomainError("This PDF has no pages.", field="media")
        page = pdf[0]
        width, _ = page.get_size()  # in points (1/72 inch)
        scale = min(2.0, max_width / width) if width else 1.0
        image = page.render(scale=scale).to_pil()
        out = io.BytesIO()
        image.save(out, format="PNG", optimize=True)
        return out.getvalue()
    finally:
        pdf.close()
