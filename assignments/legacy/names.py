"""The legacy file-name convention (R20), parsed without touching the database.

    Products/{ProductNumber}_000_001.png                         master or simple product
    Products/{ProductNumber} ^ {Style} ^ {Size} ^ {Color} ^_000_001.png   variant(s)
    Products/{ProductNumber} ^ {Configuration}_000_001.png       configuration
    Categories/{CategoryName}.png                                category default image
    Catalogs/{LanguageId}/{CatalogName}.jpg                      no such entity here

Deployments configured the separator and the order of the dimensions differently, so both
are parameters. An empty dimension (two spaces between separators) names no value.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from catalog.models import DIMENSION_ORDER

IMAGE_EXTENSIONS = frozenset({"jpg", "jpeg", "png", "gif", "webp"})
DEFAULT_SEPARATOR = "^"
DEFAULT_DIMENSION_ORDER = ("style", "size", "color")
CONFIGURATION = "configuration"

_SEQUENCED = re.compile(r"^(?P<base>.+)_(?P<group>\d+)_(?P<sequence>\d+)$")
_FOLDERS = {"products": "products", "categories": "categories", "catalogs": "catalogs"}


class Reason:
    """Why a file matches no entity; the report groups files by these."""

    UNKNOWN_PRODUCT = "unknown product"
    UNKNOWN_DIMENSION_VALUE = "unknown dimension value"
    UNKNOWN_CATEGORY = "unknown category"
    BAD_NAME = "bad name"
    UNSUPPORTED_EXTENSION = "unsupported extension"
    NOT_AN_IMAGE = "non-image bytes"
    UNREADABLE = "unreadable file"
    CATALOG = "catalog (not migrated: there is no catalog entity)"


@dataclass(frozen=True)
class Unmatched:
    path: str
    reason: str
    detail: str


@dataclass(frozen=True)
class ProductFile:
    """A product image: `values` empty for the master, else the dimension values named."""

    path: str
    number: str
    values: tuple[tuple[str, str], ...]
    group: int
    sequence: int

    @property
    def title(self) -> str:
        """`SHIRT-001 Blue M Slim (1)`: values in canonical order, then the sequence."""
        named = dict(self.values)
        words = [self.number, *(named[d] for d in DIMENSION_ORDER if d in named)]
        return f"{' '.join(words)} ({self.sequence})"


@dataclass(frozen=True)
class CategoryFile:
    """`name` is the category name, or a `/`-joined path when the file sits in subfolders."""

    path: str
    name: str

    @property
    def title(self) -> str:
        return self.name.rsplit("/", 1)[-1]


LegacyName = ProductFile | CategoryFile | Unmatched


def dimension_order_parse(text: str) -> tuple[str, ...]:
    """`style,size,color` -> a tuple of known, distinct dimensions; ValueError otherwise."""
    order = tuple(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = [d for d in order if d not in DIMENSION_ORDER]
    if not order or unknown or len(set(order)) != len(order):
        raise ValueError(
            f"--dimension-order must list distinct dimensions among {', '.join(DIMENSION_ORDER)}"
            f" (got '{text}')."
        )
    return order


def legacy_name_parse(
    *, path: str, separator: str = DEFAULT_SEPARATOR, dimension_order: Sequence[str]
) -> LegacyName:
    """What one relative path (POSIX separators) names, or why it names nothing."""
    parts = path.split("/")
    folder_at = next((i for i, p in enumerate(parts[:-1]) if p.lower() in _FOLDERS), None)
    if folder_at is None:
        return Unmatched(path, Reason.BAD_NAME, "not under Products/, Categories/ or Catalogs/")
    folder, rest = _FOLDERS[parts[folder_at].lower()], parts[folder_at + 1 :]
    stem, dot, extension = rest[-1].rpartition(".")
    if folder == "catalogs":
        return Unmatched(path, Reason.CATALOG, f"catalog file '{'/'.join(rest)}'")
    if not dot or extension.lower() not in IMAGE_EXTENSIONS:
        shown = f".{extension}" if dot else "no extension"
        return Unmatched(
            path,
            Reason.UNSUPPORTED_EXTENSION,
            f"{shown}; expected one of {', '.join(sorted(IMAGE_EXTENSIONS))}",
        )
    if folder == "categories":
        name = "/".join([*rest[:-1], stem]).strip()
        if not stem.strip():
            return Unmatched(path, Reason.BAD_NAME, "the category name is empty")
        return CategoryFile(path=path, name=name)
    return _product_name_parse(
        path=path, stem=stem, separator=separator, dimension_order=tuple(dimension_order)
    )


def _product_name_parse(
    *, path: str, stem: str, separator: str, dimension_order: tuple[str, ...]
) -> LegacyName:
    match = _SEQUENCED.match(stem)
    if match is None:
        return Unmatched(path, Reason.BAD_NAME, "no _{group}_{sequence} suffix (e.g. _000_001)")
    pieces = match["base"].split(separator)
    if len(pieces) > 1 and not pieces[-1].strip():
        pieces = pieces[:-1]  # the trailing separator of the dimension form
    number, given = pieces[0].strip(), [p.strip() for p in pieces[1:]]
    if not number:
        return Unmatched(path, Reason.BAD_NAME, "the product number is empty")
    if not given:
        values: tuple[tuple[str, str], ...] = ()
    elif len(given) == len(dimension_order):
        values = tuple((d, v) for d, v in zip(dimension_order, given, strict=True) if v)
    elif len(given) == 1 and CONFIGURATION not in dimension_order:
        values = ((CONFIGURATION, given[0]),) if given[0] else ()
    else:
        return Unmatched(
            path,
            Reason.BAD_NAME,
            f"{len(given)} value(s) between '{separator}'; expected "
            f"{len(dimension_order)} ({', '.join(dimension_order)}) or one configuration",
        )
    if given and not values:
        return Unmatched(path, Reason.BAD_NAME, "every dimension value is empty")
    return ProductFile(
        path=path,
        number=number,
        values=values,
        group=int(match["group"]),
        sequence=int(match["sequence"]),
    )


def file_name(path: str) -> str:
    """The bare name the media library stores."""
    return posixpath.basename(path)
