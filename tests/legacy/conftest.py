"""A generated legacy library (R20) and the catalog it refers to.

The tree covers simple products, a master photographed per colour (with a variant that has
no files), a master with an empty dimension and one variant's unique image, a
configuration master, category images, and the odd cases the report must name.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from PIL import Image

from catalog.services import category_create, product_create
from tenants.models import Channel

CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "region_name": "us-east-1",
}


def png(colour: tuple[int, int, int], size=(40, 30), fmt="PNG") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, fmt)
    return buffer.getvalue()


# Distinct images by role; variant files of one colour carry the same bytes.
IMAGES = {
    "mug-1": png((250, 10, 10)),
    "mug-3": png((10, 250, 10)),
    "shirt-master": png((10, 10, 250), fmt="JPEG"),
    "shirt-blue-1": png((0, 0, 200)),
    "shirt-blue-2": png((0, 0, 150)),
    "shirt-red-1": png((200, 0, 0)),
    "pants-black": png((20, 20, 20)),
    "pants-grey": png((128, 128, 128)),
    "pants-grey-34": png((160, 160, 160)),
    "category": png((99, 99, 0)),
}

TREE: dict[str, bytes] = {
    # simple product: a gap in the sequence and an upper-case extension
    "Products/MUG-001_000_001.png": IMAGES["mug-1"],
    "Products/MUG-001_000_003.PNG": IMAGES["mug-3"],
    # master files and per-colour variant files (SHIRT-001-RED-L-SLIM has none)
    "Products/SHIRT-001_000_001.jpg": IMAGES["shirt-master"],
    **{
        f"Products/SHIRT-001 ^ Slim ^ {size} ^ Blue ^_000_00{n}.png": IMAGES[f"shirt-blue-{n}"]
        for size in ("S", "M", "L")
        for n in (1, 2)
    },
    "Products/SHIRT-001 ^ Slim ^ S ^ Red ^_000_001.png": IMAGES["shirt-red-1"],
    "Products/SHIRT-001 ^ Slim ^ M ^ Red ^_000_001.png": IMAGES["shirt-red-1"],
    # no style dimension: two spaces between carets; Grey 34 has a unique image
    **{
        f"Products/PANTS-001 ^  ^ {size} ^ Black ^_000_001.png": IMAGES["pants-black"]
        for size in ("30", "32", "34")
    },
    "Products/PANTS-001 ^  ^ 30 ^ Grey ^_000_001.png": IMAGES["pants-grey"],
    "Products/PANTS-001 ^  ^ 32 ^ Grey ^_000_001.png": IMAGES["pants-grey"],
    "Products/PANTS-001 ^  ^ 34 ^ Grey ^_000_001.png": IMAGES["pants-grey-34"],
    # configurations
    "Products/LAPTOP-1 ^ Pro_000_001.webp": png((1, 2, 3), fmt="WEBP"),
    "Products/LAPTOP-1 ^ Basic_000_002.jpeg": png((3, 2, 1), fmt="JPEG"),
    # categories: "Shirts" exists in web and pos
    "Categories/Shirts.png": IMAGES["category"],
    # odd cases
    "Products/NOPE-404_000_001.png": png((5, 5, 5)),
    "Products/SHIRT-001 ^ Slim ^ S ^ Purple ^_000_001.png": png((6, 6, 6)),
    "Products/MUG-001_000_002.png": b"this is not an image at all\n",
    "Products/MUG-001.png": png((7, 7, 7)),
    "Products/notes.txt": b"hello\n",
    "Categories/Nowhere.png": png((8, 8, 8)),
    "Catalogs/1033/Spring.jpg": png((9, 9, 9), fmt="JPEG"),
    ".DS_Store": b"\x00\x01",
}

UNMATCHED = {
    "Products/NOPE-404_000_001.png": "unknown product",
    "Products/SHIRT-001 ^ Slim ^ S ^ Purple ^_000_001.png": "unknown dimension value",
    "Products/MUG-001_000_002.png": "non-image bytes",
    "Products/MUG-001.png": "bad name",
    "Products/notes.txt": "unsupported extension",
    "Categories/Nowhere.png": "unknown category",
    "Catalogs/1033/Spring.jpg": "catalog (not migrated: there is no catalog entity)",
}


def tree_write(root: Path, files: dict[str, bytes] = TREE) -> Path:
    for relative, data in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def tree_zip(path: Path, files: dict[str, bytes] = TREE, *, wrap: str = "") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for relative, data in files.items():
            archive.writestr(f"{wrap}{relative}", data)
    return path


@pytest.fixture
def catalog(tenant):
    """The products and categories the tree refers to."""
    mug = product_create(tenant=tenant, number="MUG-001", name="Mug", kind="simple")
    shirt = product_create(
        tenant=tenant,
        number="SHIRT-001",
        name="Oxford shirt",
        kind="master",
        dimensions={"color": ["Blue", "Red"], "size": ["S", "M", "L"], "style": ["Slim"]},
        variants=[
            {
                "number": f"SHIRT-001-{c.upper()}-{s}-SLIM",
                "values": {"color": c, "size": s, "style": "Slim"},
            }
            for c in ("Blue", "Red")
            for s in ("S", "M", "L")
        ],
    )
    pants = product_create(
        tenant=tenant,
        number="PANTS-001",
        name="Chinos",
        kind="master",
        dimensions={"color": ["Black", "Grey"], "size": ["30", "32", "34"]},
        variants=[
            {"number": f"PANTS-001-{c.upper()}-{s}", "values": {"color": c, "size": s}}
            for c in ("Black", "Grey")
            for s in ("30", "32", "34")
        ],
    )
    laptop = product_create(
        tenant=tenant,
        number="LAPTOP-1",
        name="Laptop",
        kind="master",
        dimensions={"configuration": ["Basic", "Pro"]},
        variants=[
            {"number": f"LAPTOP-1-{c.upper()}", "values": {"configuration": c}}
            for c in ("Basic", "Pro")
        ],
    )
    categories = {
        code: category_create(
            tenant=tenant, channel=Channel.objects.get(tenant=tenant, code=code), name="Shirts"
        )
        for code in ("web", "pos")
    }
    return {"mug": mug, "shirt": shirt, "pants": pants, "laptop": laptop, **categories}


@pytest.fixture
def legacy_tree(tmp_path) -> Path:
    return tree_write(tmp_path / "legacy")
