"""File storage helpers every app shares: copies between storages, and clean-up of files a
rolled-back transaction leaves behind (SPEC §4 "Files", R19).

- `storage_copy` copies one stored file to another storage (or another name in the same
  one). Between two S3 storages on the same service it asks S3 to copy (CopyObject, or a
  multipart UploadPartCopy for large objects) so the bytes never pass through this process;
  between different backends it streams through Django's storage API.
- `files_save_many` writes many files at once (a bulk import's files): on Django's own
  file system storage straight to the disk, elsewhere through `save()`, from
  MEDIA_STORE_THREADS threads.
- `files_delete_on_rollback` removes files written inside a transaction when that
  transaction (or the savepoint they were written in) rolls back: rows and files stay in
  step whatever enclosing block fails, not only the one that wrote them.
"""

from __future__ import annotations

import logging
import mimetypes
import os
import weakref
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass, field

from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.core.files.utils import validate_file_name
from django.db import transaction
from django.utils._os import safe_makedirs
from django.utils.functional import LazyObject, empty

logger = logging.getLogger(__name__)


# --- S3 --------------------------------------------------------------------------------


def storage_is_s3(storage: Storage) -> bool:
    """django-storages' S3 backend (any S3-compatible service)."""
    try:
        from storages.backends.s3 import S3Storage
    except ImportError:  # pragma: no cover - django-storages[s3] is a dependency
        return False
    return isinstance(storage, S3Storage)


def storages_share_s3_service(source: Storage, target: Storage) -> bool:
    """True when `target`'s client can copy from `source`'s bucket server-side: both are S3
    storages on the same endpoint with the same credentials (buckets may differ)."""
    if not (storage_is_s3(source) and storage_is_s3(target)):
        return False
    return (
        (source.endpoint_url or None) == (target.endpoint_url or None)
        and (source.access_key or None) == (target.access_key or None)
        and (source.session_profile or None) == (target.session_profile or None)
    )


def s3_key(storage: Storage, name: str) -> str:
    """The object key of a stored name (the storage's `location` prefix included)."""
    from storages.utils import clean_name

    return storage._normalize_name(clean_name(name))


def s3_write_params(storage: Storage, name: str, *, content_type: str | None = None) -> dict:
    """What a `save()` of `name` into this S3 storage would send (object parameters,
    content type, ACL), so a server-side copy lands exactly like an upload."""
    params = storage.get_object_parameters(name)
    if content_type:
        params["ContentType"] = content_type
    if "ContentType" not in params:
        guessed, _ = mimetypes.guess_type(name)
        params["ContentType"] = guessed or storage.default_content_type
    if "ACL" not in params and storage.default_acl:
        params["ACL"] = storage.default_acl
    return params


def _s3_copy(
    *, source: Storage, source_name: str, target: Storage, target_name: str, content_type: str
) -> None:
    from botocore.exceptions import ClientError

    params = s3_write_params(target, target_name, content_type=content_type)
    # REPLACE: the copy gets the target storage's metadata (Cache-Control, ACL, type), not
    # the source object's. boto3's managed copy switches to UploadPartCopy above its
    # multipart threshold (objects over 5 GB cannot be copied in one request).
    try:
        target.connection.meta.client.copy(
            {"Bucket": source.bucket_name, "Key": s3_key(source, source_name)},
            target.bucket_name,
            s3_key(target, target_name),
            ExtraArgs={**params, "MetadataDirective": "REPLACE"},
            Config=target.transfer_config,
        )
    except ClientError as error:
        if error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") == 404:
            # As a local storage says it: callers handle one "missing" error.
            raise FileNotFoundError(f"File does not exist: {source_name}") from error
        raise


# --- copies ------------------------------------------------------------------------------


def storage_copy(
    *,
    source: Storage,
    source_name: str,
    target: Storage,
    target_name: str,
    content_type: str | None = None,
) -> str:
    """Copy a stored file; returns the name it got in `target`.

    `target_name` is used as given when the target storage overwrites (content-hashed
    names); otherwise the storage picks a free name from it, as `save()` does. Server-side
    between S3 storages of one service; streamed otherwise (local disk, another service).
    """
    if storages_share_s3_service(source, target):
        name = target.get_available_name(target_name)
        _s3_copy(
            source=source,
            source_name=source_name,
            target=target,
            target_name=name,
            content_type=content_type or "",
        )
        return name
    from django.core.files import File

    with source.open(source_name, "rb") as handle:
        content = File(handle, name=target_name)
        if content_type:
            content.content_type = content_type
        return target.save(target_name, content)


# --- many files at once ------------------------------------------------------------------


def files_save_many(
    storage: Storage,
    files: Sequence[tuple[str, File]],
    *,
    threads: int,
    max_length: int | None = None,
) -> list[str]:
    """Save every (name, content) and return the stored names, in order.

    `threads` > 1 writes from that many threads, for storages where a file is mostly
    waiting (on S3 every object is a round trip); Django's file system storage creates
    files with O_EXCL and both it and django-storages' S3 backend are safe to share
    between threads. (On this project's development disk more threads measured slower:
    bench/store_threads.py.) On any failure the files already written are deleted and
    the first error is raised: all or nothing."""
    storage = storage_unwrapped(storage)
    save = _disk_save if _plain_file_system(storage) else _storage_save
    if threads <= 1 or len(files) <= 1:
        stored: list[str] = []
        try:
            for name, content in files:
                stored.append(save(storage, name, content, max_length))
        except BaseException:
            files_delete(storage, stored)
            raise
        return stored
    with ThreadPoolExecutor(max_workers=min(threads, len(files))) as pool:
        futures = [pool.submit(save, storage, name, content, max_length) for name, content in files]
        wait(futures)
    errors = [f.exception() for f in futures]
    if any(errors):
        files_delete(
            storage, [f.result() for f, e in zip(futures, errors, strict=True) if e is None]
        )
        raise next(e for e in errors if e is not None)
    return [f.result() for f in futures]


def storage_unwrapped(storage: Storage) -> Storage:
    """The storage itself: `default_storage` is a lazy proxy, whose class says nothing of
    how the storage behind it names or writes files."""
    if isinstance(storage, LazyObject):
        if storage._wrapped is empty:
            storage._setup()
        return storage._wrapped
    return storage


def _storage_save(storage: Storage, name: str, content: File, max_length: int | None) -> str:
    return storage.save(name, content, max_length=max_length)


_EXCLUSIVE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _plain_file_system(storage: Storage) -> bool:
    """Django's file system storage with its naming and writing as Django ships them (a
    subclass may change where or how files are written: it keeps its own `save`)."""
    kind = type(storage)
    return (
        isinstance(storage, FileSystemStorage)
        and kind.save is Storage.save
        and kind.get_available_name is Storage.get_available_name
        and kind._save is FileSystemStorage._save
        and kind.path is FileSystemStorage.path
        and getattr(storage, "OS_OPEN_FLAGS", _EXCLUSIVE) == _EXCLUSIVE
        and not getattr(storage, "_allow_overwrite", False)
    )


def _disk_save(storage: FileSystemStorage, name: str, content: File, max_length: int | None) -> str:
    """`storage.save(name, content)` for a name nobody holds yet, without what that costs
    per call on top of the disk: the name validated three times over, an `exists()` and a
    lock on a file that O_EXCL has just made ours. A bulk import writes a file per row.
    (cProfile put these at a third of its file step; py-spy, which distorts Python calls
    less, found the disk itself dominant and no whole-import gain beyond the noise: see
    bench/README.md.) The result is the same file,
    permissions included; a name already taken, a name over `max_length` or a file Django
    would move instead of copy go through `save()`, which picks a free name."""
    if (max_length is not None and len(name) > max_length) or hasattr(
        content, "temporary_file_path"
    ):
        return storage.save(name, content, max_length=max_length)
    validate_file_name(name, allow_relative_path=True)
    full_path = storage.path(name)
    directory = os.path.dirname(full_path)
    try:
        if storage.directory_permissions_mode is not None:
            safe_makedirs(directory, storage.directory_permissions_mode, exist_ok=True)
        else:
            os.makedirs(directory, exist_ok=True)
    except FileExistsError:
        raise FileExistsError(f"{directory} exists and is not a directory.") from None
    try:
        fd = os.open(full_path, _EXCLUSIVE, 0o666)
    except FileExistsError:
        return storage.save(name, content, max_length=max_length)
    try:
        with os.fdopen(fd, "wb") as handle:
            for chunk in content.chunks():
                handle.write(chunk.encode() if isinstance(chunk, str) else chunk)
        if storage.file_permissions_mode is not None:
            os.chmod(full_path, storage.file_permissions_mode)
    except BaseException:
        os.unlink(full_path)
        raise
    return name.replace("\\", "/")


# --- clean-up on rollback ----------------------------------------------------------------


@dataclass
class _Written:
    storage: Storage
    names: list[str]
    committed: bool = False


@dataclass
class _CommitMark:
    """Registered with `transaction.on_commit`: called when the transaction commits.

    Django drops the callbacks of a transaction (or savepoint) that rolls back without
    calling them; the `weakref.finalize` watching this object then sees it go uncalled and
    deletes the files. Nothing else may hold a reference to it, so that happens at once.
    """

    written: _Written = field(repr=False)

    def __call__(self) -> None:
        self.written.committed = True


def _rolled_back_files_delete(written: _Written) -> None:
    if written.committed:
        return
    files_delete(written.storage, written.names)


def files_delete(storage: Storage, names: Iterable[str]) -> None:
    """Best effort: a file left behind is a leak, not a reason to fail the caller."""
    for name in names:
        if not name:
            continue
        try:
            storage.delete(name)
        except Exception:  # noqa: BLE001 - storage backends raise anything
            logger.warning("could not delete stored file %s", name, exc_info=True)


def files_delete_on_rollback(storage: Storage, names: Iterable[str], *, using=None) -> None:
    """Delete these just-written files if the current transaction rolls back.

    Outside a transaction (autocommit) there is nothing to roll back: the call does nothing.
    Inside one, a rollback of the transaction, or of the savepoint the files were written in,
    removes them; a commit keeps them. Files written one after another in the same savepoint
    share one registration (a bulk import writes many).
    """
    names = [n for n in names if n]
    connection = transaction.get_connection(using)
    if not names or not connection.in_atomic_block:
        return
    if connection.run_on_commit:
        savepoints, last, _ = connection.run_on_commit[-1]
        if (
            isinstance(last, _CommitMark)
            and last.written.storage is storage
            and savepoints == set(connection.savepoint_ids)
        ):
            last.written.names.extend(names)
            return
    written = _Written(storage=storage, names=names)
    mark = _CommitMark(written)
    weakref.finalize(mark, _rolled_back_files_delete, written).atexit = False
    transaction.on_commit(mark, using=using)
