"""Where a legacy library lives: a folder, a .zip, or an S3 prefix (`s3://bucket/prefix`).

Every source lists relative POSIX paths and opens one of them as a binary file, so the
rest of the migration never cares where the bytes come from. None ever reads outside
itself (R29, tenants.paths): a folder's links may not resolve outside the folder, and zip
entries whose names climb out of the archive (absolute, `..`) are not listed. S3 objects are downloaded
once into a temporary folder because the migration reads a file twice (inspect, upload).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.conf import settings

from tenants.paths import PathRefused, archive_entry_inside, folder_file_open

S3_SCHEME = "s3://"


class SourceError(Exception):
    """The SOURCE argument cannot be read; the message says why (the command exits non-zero)."""


class SourceFileRefused(Exception):
    """One listed file cannot be read from its source (a link out of the folder, gone since
    it was listed); that file is reported as not migrated, the others go on."""


def is_system_file(path: str) -> bool:
    """Finder/Explorer droppings (`.DS_Store`, `__MACOSX/`) are not part of the library."""
    return any(part.startswith(".") or part == "__MACOSX" for part in path.split("/"))


class FolderSource:
    def __init__(self, root: Path):
        self.root = root
        self.description = f"folder {root}"

    def paths(self) -> Iterator[str]:
        for current, folders, files in os.walk(self.root):
            folders.sort()
            for name in sorted(files):
                yield Path(current, name).relative_to(self.root).as_posix()

    def open(self, path: str) -> IO[bytes]:
        try:
            return folder_file_open(self.root, path)
        except PathRefused as exc:
            if exc.reason == PathRefused.OUTSIDE:
                raise SourceFileRefused("a link that points outside the source folder") from None
            raise SourceFileRefused(f"cannot be read ({exc.reason})") from None

    def close(self) -> None:
        return None


class ZipSource:
    def __init__(self, archive: Path):
        try:
            self.zip = zipfile.ZipFile(archive)
        except (zipfile.BadZipFile, OSError) as exc:
            raise SourceError(f"{archive} is not a readable zip ({exc}).") from None
        self.description = f"zip {archive}"

    def paths(self) -> Iterator[str]:
        names = (
            info.filename
            for info in self.zip.infolist()
            if not info.is_dir() and archive_entry_inside(info.filename)
        )
        yield from sorted(names)

    def open(self, path: str) -> IO[bytes]:
        return self.zip.open(path)

    def close(self) -> None:
        self.zip.close()


def s3_setting(name: str) -> str | None:
    """An S3_* value from the settings, else the environment (the command runs in either)."""
    return getattr(settings, name, None) or os.environ.get(name) or None


class S3Source:
    def __init__(self, url: str):
        bucket, _, prefix = url[len(S3_SCHEME) :].partition("/")
        if not bucket:
            raise SourceError(f"'{url}' names no bucket; use s3://bucket/prefix.")
        self.bucket = bucket
        self.prefix = f"{prefix.rstrip('/')}/" if prefix.strip("/") else ""
        self.description = f"S3 {url}"
        self.client = self._client()
        self._tmp = tempfile.mkdtemp(prefix="legacy-s3-")
        self._downloaded: dict[str, str] = {}

    @staticmethod
    def _client():
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=s3_setting("S3_ENDPOINT_URL"),
            aws_access_key_id=s3_setting("S3_ACCESS_KEY_ID"),
            aws_secret_access_key=s3_setting("S3_SECRET_ACCESS_KEY"),
            region_name=s3_setting("S3_REGION") or "us-east-1",
        )

    def paths(self) -> Iterator[str]:
        from botocore.exceptions import BotoCoreError, ClientError

        keys: list[str] = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            for page in pages:
                keys.extend(o["Key"] for o in page.get("Contents", ()))
        except (BotoCoreError, ClientError) as exc:
            raise SourceError(f"Cannot list {self.description}: {exc}") from None
        yield from sorted(k[len(self.prefix) :] for k in keys if not k.endswith("/"))

    def open(self, path: str) -> IO[bytes]:
        from botocore.exceptions import BotoCoreError, ClientError

        local = self._downloaded.get(path)
        if local is None:
            local = os.path.join(self._tmp, str(len(self._downloaded)))
            try:
                self.client.download_file(self.bucket, self.prefix + path, local)
            except (BotoCoreError, ClientError) as exc:
                raise SourceError(f"Cannot read {path} from {self.description}: {exc}") from None
            self._downloaded[path] = local
        return open(local, "rb")  # noqa: SIM115 - the caller closes it

    def close(self) -> None:
        shutil.rmtree(self._tmp, ignore_errors=True)


LegacySource = FolderSource | ZipSource | S3Source


def legacy_source_open(*, spec: str) -> LegacySource:
    """The source a SOURCE argument names; SourceError when it does not exist or is unreadable."""
    if spec.lower().startswith(S3_SCHEME):
        return S3Source(spec)
    path = Path(spec)
    if path.is_dir():
        return FolderSource(path)
    if path.is_file() and path.suffix.lower() == ".zip":
        return ZipSource(path)
    if path.exists():
        raise SourceError(f"{spec} is neither a folder, a .zip nor an s3:// prefix.")
    raise SourceError(f"{spec} does not exist.")
