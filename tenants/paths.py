"""Files named by a relative path inside a root that may never be left (R29).

Shared by every reader of operator-supplied folders and archives (manifest `--files`,
legacy migration sources): a folder's symbolic links may point anywhere inside the folder,
never outside it, and an archive entry name may never climb out of the archive's root.
"""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import IO


class PathRefused(Exception):
    """A file under a root cannot be opened; `reason` is one of the constants below."""

    MISSING = "missing"
    OUTSIDE = "outside"
    UNREADABLE = "unreadable"

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def folder_file_open(folder: Path, relative: str) -> IO[bytes]:
    """Open `relative` under `folder`, refusing any symbolic link that resolves outside it.

    Links inside the folder are fine. The resolved path is opened with O_NOFOLLOW, so the
    last component cannot be swapped for a link between the check and the open.
    """
    root = Path(folder).resolve()
    try:
        real = (root / relative).resolve(strict=True)
    except (FileNotFoundError, NotADirectoryError):
        raise PathRefused(PathRefused.MISSING) from None
    except (OSError, RuntimeError):  # a link loop
        raise PathRefused(PathRefused.UNREADABLE) from None
    if not real.is_relative_to(root):
        raise PathRefused(PathRefused.OUTSIDE)
    if not real.is_file():
        raise PathRefused(PathRefused.MISSING)
    try:
        descriptor = os.open(real, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        raise PathRefused(PathRefused.UNREADABLE) from None
    return os.fdopen(descriptor, "rb")


def archive_entry_inside(name: str) -> bool:
    """A zip entry name that stays inside the archive's root (no absolute path, drive, `..`)."""
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("/") or (cleaned[:1].isalpha() and cleaned[1:2] == ":"):
        return False
    normalized = posixpath.normpath(cleaned)
    return not (normalized == ".." or normalized.startswith("../"))
