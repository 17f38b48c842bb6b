"""Where an import's files come from: a folder, a .zip, or http(s) URLs in MediaImportPath.

A manifest path is relative to the manifest (or the zip's root) and may never climb out of
it (R29): not with `..` or an absolute path, and in a folder not through a symbolic link
that resolves outside the folder. URLs go through the outbound-fetch guard
(tenants.outbound: no internal addresses, bounded size and time) once per import into a
temporary folder, so validation (which reads the bytes to check MediaType) and the apply
step share one download.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import shutil
import stat
import tempfile
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import IO, NamedTuple

from django.conf import settings

from tenants.outbound import OutboundFetchError, outbound_fetch
from tenants.paths import PathRefused, archive_entry_inside, folder_file_open

URL_SCHEMES = ("http://", "https://")
_PLAIN_PATH = re.compile(
    r"(?:[^/.][^/]*/|\.[^/.][^/]*/|\.\.[^/]+/)*(?:[^/.][^/]*|\.[^/.][^/]*|\.\.[^/]+)"
)
HEAD_SIZE = 8192  # what content sniffing looks at (media_library.validation)
READ_SIZE = 1024 * 1024
DIRECTORIES_KEPT = 256  # open directory descriptors a folder source reuses


class FileDigest(NamedTuple):
    """What one read of a file proves: its size, SHA-256 and first bytes; and, when the
    file came in one read (the usual case, under READ_SIZE), the bytes themselves, so that
    a check of new bytes can inspect the very bytes that were hashed instead of opening
    and reading the file a second time."""

    size: int
    checksum: str
    head: bytes
    data: bytes | None = None


class FileMissing(Exception):
    """The manifest names a file the import cannot read; the message says why."""


class FileTooLarge(FileMissing):
    """The file is larger than MEDIA_MAX_UPLOAD_BYTES (the upload limit, R5)."""


class FilesUnreadable(Exception):
    """`--files` (or an uploaded archive) is neither a folder nor a readable zip."""


def is_url(path: str) -> bool:
    return path.lower().startswith(URL_SCHEMES)


def path_normalize(path: str) -> str:
    """A relative POSIX path inside the import root, or FileMissing for anything escaping it."""
    cleaned = path.strip().replace("\\", "/")
    if not cleaned:
        raise FileMissing("No file path given.")
    if _PLAIN_PATH.fullmatch(cleaned):
        return cleaned  # already normal: no `.`, `..` or empty parts, not absolute
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
            self.zip = archive if isinstance(archive, zipfile.ZipFile) else _zip_open(archive)
            # Entries are only ever looked up by a normalized relative path, so a crafted
            # entry name (absolute, `..`) can never be reached, let alone extracted.
            self.zip_names = {name for name in self.zip.namelist() if archive_entry_inside(name)}
        self._downloads: dict[str, str | FileMissing] = {}
        self._tmp: str | None = None
        self._root_fd: int | None = None
        self._directories: OrderedDict[str, int] = OrderedDict()

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
        for descriptor in self._directories.values():
            os.close(descriptor)
        self._directories.clear()
        if self._root_fd is not None:
            os.close(self._root_fd)
            self._root_fd = None
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
        if self.folder is not None and self.zip is None:
            opened = self._open_plain(relative)  # see `digest`
            if opened is not None:
                return os.fdopen(opened[0], "rb")
        if self.zip is not None:
            if relative not in self.zip_names:
                raise FileMissing(f"'{path}' is not in the zip.")
            return self.zip.open(relative)
        if self.folder is None:
            raise FileMissing(f"'{path}': no folder or zip was given for the files.")
        return _open_inside(self.folder, relative, path)

    def digest(self, path: str) -> FileDigest:
        """Read the named file once: size, SHA-256 and head, or FileMissing / FileTooLarge.

        A million-row import reads a million files, so a folder's files are opened
        without resolving every path (see `_open_plain`); anything unusual on the way (a
        symbolic link, a missing file) takes `open`'s careful path and its messages."""
        opened = None
        if self.folder is not None and self.zip is None and not is_url(path):
            opened = self._open_plain(path_normalize(path))
        if opened is None:
            with self.open(path) as handle:
                return _digest(handle.read)
        descriptor, size = opened
        try:
            if size < READ_SIZE:  # the usual case: the whole file in one read
                data = os.read(descriptor, READ_SIZE)
                if len(data) == size and size <= settings.MEDIA_MAX_UPLOAD_BYTES:
                    return FileDigest(
                        size=size,
                        checksum=hashlib.sha256(data).hexdigest(),
                        head=data[:HEAD_SIZE],
                        data=data,
                    )
                os.lseek(descriptor, 0, os.SEEK_SET)
            return _digest(lambda length: os.read(descriptor, length))
        finally:
            os.close(descriptor)

    def _open_plain(self, relative: str) -> tuple[int, int] | None:
        """A descriptor of `relative` reached through real directories only: every
        directory from the folder down is opened with O_NOFOLLOW relative to its parent
        (descriptors kept for the next files) and the file with O_NOFOLLOW, so no link is
        ever followed and nothing outside the folder can be reached. (descriptor, size), or
        None when that fails (a link, which the careful path may allow inside the folder,
        or a missing file)."""
        parent, _, name = relative.rpartition("/")
        directory = self._directory(parent)
        if directory is None:
            return None
        try:
            descriptor = os.open(name, os.O_RDONLY | os.O_NOFOLLOW, dir_fd=directory)
        except OSError:
            return None
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode):
            os.close(descriptor)
            return None
        return descriptor, status.st_size

    def _directory(self, relative: str) -> int | None:
        if self._root_fd is None:
            try:
                self._root_fd = os.open(self.folder.resolve(), os.O_RDONLY | os.O_DIRECTORY)
            except OSError:
                return None
        if not relative:
            return self._root_fd
        cached = self._directories.get(relative)
        if cached is not None:
            self._directories.move_to_end(relative)
            return cached
        parent, _, name = relative.rpartition("/")
        above = self._directory(parent)
        if above is None:
            return None
        try:
            descriptor = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=above)
        except OSError:
            return None
        self._directories[relative] = descriptor
        if len(self._directories) > DIRECTORIES_KEPT:
            # The oldest is never an ancestor still needed: ancestors are touched on the way.
            _, oldest = self._directories.popitem(last=False)
            os.close(oldest)
        return descriptor

    def _download(self, url: str) -> str:
        cached = self._downloads.get(url)
        if isinstance(cached, FileMissing):
            raise cached
        if cached is not None:
            return cached
        if self._tmp is None:
            self._tmp = tempfile.mkdtemp(prefix="manifest-downloads-")
        target = os.path.join(self._tmp, str(len(self._downloads)))
        try:
            with open(target, "wb") as out:
                outbound_fetch(url, out=out)
        except OutboundFetchError as exc:
            # The guard's text is generic on purpose (R29): which internal port is open,
            # closed or slow must not show in a result manifest. The detail is in the log.
            error = FileMissing(f"'{url}': {exc}.")
            self._downloads[url] = error
            os.unlink(target)
            raise error from None
        self._downloads[url] = target
        return target


def _digest(read) -> FileDigest:
    limit = settings.MEDIA_MAX_UPLOAD_BYTES
    digest = hashlib.sha256()
    size, head = 0, b""
    while chunk := read(READ_SIZE):
        if len(head) < HEAD_SIZE:
            head += chunk[: HEAD_SIZE - len(head)]
        size += len(chunk)
        if size > limit:
            raise FileTooLarge(
                f"The file is larger than the {limit // (1024 * 1024)} MB limit ({limit} bytes)."
            )
        digest.update(chunk)
    return FileDigest(size=size, checksum=digest.hexdigest(), head=head)


def _zip_open(archive) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as exc:
        name = archive if isinstance(archive, str | os.PathLike) else "the archive"
        raise FilesUnreadable(f"{name} is neither a folder nor a readable .zip ({exc}).") from None


def _open_inside(folder: Path, relative: str, path: str) -> IO[bytes]:
    """Open `relative` under `folder` (tenants.paths: no link out of it), or FileMissing."""
    try:
        return folder_file_open(folder, relative)
    except PathRefused as exc:
        if exc.reason == PathRefused.OUTSIDE:
            raise FileMissing(f"'{path}' points outside the manifest's folder.") from None
        if exc.reason == PathRefused.MISSING:
            raise FileMissing(f"'{path}' does not exist in {folder}.") from None
        raise FileMissing(f"'{path}' cannot be read in {folder}.") from None
