"""An export zip given where a manifest is expected (R18's round trip, as a user does it).

`export_manifest OUT.zip`, the API's `include_files=true` and the admin's export action all
write one zip: `manifest.tsv` at its root and the files it names beside it. Handing that zip
back to the import command, the API or the admin form imports it as it is: its manifest is
read from inside it and its files come from it (unless a separate files zip is given).
Before, the zip was read as TSV and refused as "not UTF-8 text", leaving a user to unpack
it and upload two parts of what they were given as one.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import PurePath
from typing import IO

from .export import MANIFEST_NAME
from .importer import ImportRefused

ZIP_MAGIC = b"PK\x03\x04"


def zip_given(handle: IO[bytes]) -> bool:
    """Whether an opened upload or file starts as a zip does; the position is kept."""
    start = handle.tell()
    try:
        return handle.read(len(ZIP_MAGIC)) == ZIP_MAGIC
    finally:
        handle.seek(start)


def zip_manifest_name(archive: zipfile.ZipFile) -> str:
    """`manifest.tsv` at the zip's root, else its only .tsv there; ImportRefused naming
    what was found otherwise."""
    roots = [
        info.filename
        for info in archive.infolist()
        if "/" not in info.filename and info.filename.lower().endswith(".tsv")
    ]
    if MANIFEST_NAME in roots:
        return MANIFEST_NAME
    if len(roots) == 1:
        return roots[0]
    if roots:
        found = f"it has {len(roots)} .tsv files at its root"
    else:
        nested = next((n for n in archive.namelist() if n.lower().endswith(".tsv")), None)
        found = (  # zipped with its folder: the usual slip
            f"'{nested}' is in a folder: zip the folder's contents, not the folder"
            if nested
            else "it has none"
        )
    raise ImportRefused(
        f"The zip holds no {MANIFEST_NAME} at its root ({found}). Give the zip that "
        "export_manifest made, or the .tsv manifest with this zip as its files."
    )


def zip_check(handle: IO[bytes]) -> bool:
    """Whether the upload is a zip; one that is no manifest bundle is refused
    (ImportRefused) here, before anything is stored or queued, and so is a file named
    .zip that is none (renamed or cut short), rather than read as a manifest. The position
    is kept."""
    if not zip_given(handle):
        name = str(getattr(handle, "name", "") or "")
        if name.lower().endswith(".zip"):
            raise ImportRefused(
                f"'{PurePath(name).name}' is named .zip but is not a zip file (renamed, or cut "
                "short?): give the zip export_manifest made, or the .tsv manifest."
            )
        return False
    start = handle.tell()
    try:
        with _zip_open(handle) as archive:
            zip_manifest_name(archive)
    finally:
        handle.seek(start)
    return True


@contextmanager
def zip_manifest(handle: IO[bytes]) -> Iterator[IO[bytes]]:
    """The manifest inside an export zip, as a binary file object (seekable: the reader
    counts the lines first, then reads them)."""
    with _zip_open(handle) as archive, archive.open(zip_manifest_name(archive)) as manifest:
        yield manifest


def _zip_open(handle: IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRefused(f"The manifest is a damaged zip ({exc}).") from None
