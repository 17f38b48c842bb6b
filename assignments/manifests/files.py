"""Where an import's files come from: a folder, a .zip, or http(s) URLs in MediaImportPath.

A manifest path is relative to the manifest (or the zip's root) and may never climb out of
it; URLs are fetched once per import into a temporary folder, so validation (which reads
the bytes to check MediaType) and the apply step share one download.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from typing import IO

from django.conf import settings

URL_TIMEOUT_SECONDS = 30
URL_SCHEMES = ("http://", "https://")


class FileMissing(Exception):
    """The manifest names a file the import cannot read; the message says why."""


def is_url(path: str) -> bool:
    return path.lower().startswith(URL_SCHEMES)


def path_normalize(path: str) -> str:
    """A relative POSIX path inside the import root, or FileMissing for anything escaping it."""
    cleaned = path.strip().replace("\\", "/")
    if not cleaned:
        raise FileMissing("No file path given.")
    normalized = posixpath.normpath(cleaned)
    if cleaned.startswith("/") or normalized == ".." or normalized.startswith("../"):
        raise FileMissing(f"'{path}' points outside the manifest's folder.")
    return normalized


def file_basename(path: str) -> str:
    """The bare file name the media library stores (URLs lose their query string)."""
    if is_url(path):
        path = path.split("?", 1)[0].split("#", 1)[0]
    return posixpath.basename(path.rstrip("/")) or "download"


class FileSource:
    """Opens the files a manifest names. Use as a context manager (it owns temp files)."""

    def __init__(self, *, folder: str | os.PathLike | None = None, archive=None):
        self.folder = Path(folder) if folder is not None else None
        self.zip: zipfile.ZipFile | None = None
        if archive is not None:
            self.zip = archive if isinstance(archive, zipfile.ZipFile) else zipfile.ZipFile(archive)
            self.zip_names = set(self.zip.namelist())
        self._downloads: dict[str, str | FileMissing] = {}
        self._tmp: str | None = None

    @classmethod
    def for_path(cls, files: str | os.PathLike | None, *, manifest: str | os.PathLike | None):
        """`--files DIR|ZIP`, defaulting to the manifest's own folder."""
        if files is None:
            return cls(folder=Path(manifest).parent if manifest is not None else None)
        if Path(files).is_dir():
            return cls(folder=files)
        return cls(archive=str(files))

    def __enter__(self) -> FileSource:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self.zip is not None:
            self.zip.close()
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None

    def open(self, path: str) -> IO[bytes]:
        """A binary file object for the named file; FileMissing with the reason otherwise."""
        if is_url(path):
            return open(self._download(path), "rb")  # noqa: SIM115 - the caller closes it
        relative = path_normalize(path)
        if self.zip is not None:
            if relative not in self.zip_names:
                raise FileMissing(f"'{path}' is not in the zip.")
            return self.zip.open(relative)
        if self.folder is None:
            raise FileMissing(f"'{path}': no folder or zip was given for the files.")
        full = self.folder / relative
        if not full.is_file():
            raise FileMissing(f"'{path}' does not exist in {self.folder}.")
        return open(full, "rb")  # noqa: SIM115 - the caller closes it

    def _download(self, url: str) -> str:
        cached = self._downloads.get(url)
        if isinstance(cached, FileMissing):
            raise cached
        if cached is not None:
            return cached
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="manifest-downloads-")
        target = os.path.join(self._tmp, str(len(self._downloads)))
        limit = settings.MEDIA_MAX_UPLOAD_BYTES
        try:
            # http(s) only: is_url checked the scheme before we got here.
            with (
                urllib.request.urlopen(url, timeout=URL_TIMEOUT_SECONDS) as response,
                open(target, "wb") as out,
            ):
                size = 0
                for chunk in iter(lambda: response.read(1024 * 1024), b""):
                    size += len(chunk)
                    if size > limit:
                        raise FileMissing(f"'{url}' is larger than the upload limit.")
                    out.write(chunk)
        except FileMissing as exc:
            self._downloads[url] = exc
            raise
        except (urllib.error.URLError, OSError, ValueError) as exc:
            error = FileMissing(f"'{url}' could not be downloaded ({exc}).")
            self._downloads[url] = error
            raise error from None
        self._downloads[url] = target
        return target
