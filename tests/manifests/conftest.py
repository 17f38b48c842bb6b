"""A tenant with the shirt and mug catalog, three images, a video and a PDF."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from tests.publishing import builders


def jpeg_bytes(colour=(200, 30, 30), size=(64, 48)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, "JPEG")
    return buffer.getvalue()


def png_bytes(colour=(10, 200, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (32, 32), colour).save(buffer, "PNG")
    return buffer.getvalue()


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def catalog(tenant):
    return {"shirt": builders.shirt(tenant), "mug": builders.mug(tenant)}


@pytest.fixture
def images(tenant, admin_user):
    return [builders.image(tenant, admin_user, name) for name in ("front", "back", "detail")]


@pytest.fixture
def files_dir(tmp_path):
    """A folder with a JPEG, a PNG and a PDF a manifest can name."""
    folder = tmp_path / "import"
    (folder / "media").mkdir(parents=True)
    (folder / "media" / "red.jpg").write_bytes(jpeg_bytes())
    (folder / "media" / "green.png").write_bytes(png_bytes())
    (folder / "media" / "manual.pdf").write_bytes(PDF_BYTES)
    return folder
