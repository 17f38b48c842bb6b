"""Files stored inside a transaction that may never commit (issue 12).

A bulk writer (a manifest import) stores media files inside one long transaction. If that
transaction rolls back, or the process is killed before it commits, the rows are gone but
the files would stay: orphans that no row points at and no re-run would ever remove.

While a `media_staging(journal)` block is active, `_media_item_store` first notes each new
item's public id under the journal folder (a tiny file, written before any media byte and
outside the transaction, so it survives a kill); the bulk upload (`media_items_upload`) notes
its whole batch in one note, a public id a line. `media_staging_sweep(journal)` then removes
the folders of every noted item that has no MediaItem row (its files and renditions in
private storage, its copies in public storage when it was published), and the notes. The writer sweeps
when it ends (commit or rollback) and before a re-run; beat sweeps journals whose writer
died. A sweep must never run while the journal's writer is still working: its rows are not
committed yet, so they are invisible and its files would look orphaned.
"""

from __future__ import annotations

import logging
import posixpath
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage

from .models import MediaItem, Rendition, media_upload_to, rendition_upload_to
from .storage import PUBLIC_PREFIX, public_storage

logger = logging.getLogger(__name__)

BATCH_NOTE = "batch-"  # a note listing several items, one public id a line
SWEEP_CHUNK = 1000  # items whose rows a sweep looks up at once

_JOURNAL: ContextVar[str | None] = ContextVar("media_staging_journal", default=None)


def media_staging_journal(*, tenant_id: int, key: str) -> str:
    """The journal folder of one bulk write (`key`: e.g. `import-job-12`)."""
    return f"tenants/{tenant_id}/staging/{key}"


@contextmanager
def media_staging(journal: str) -> Iterator[str]:
    """Note every media item stored inside this block in `journal`."""
    token = _JOURNAL.set(journal)
    try:
        yield journal
    finally:
        _JOURNAL.reset(token)


def media_staging_note(item: MediaItem) -> None:
    """Called before an item's first file is written: noted if a journal is active."""
    journal = _JOURNAL.get()
    if journal is not None:
        default_storage.save(f"{journal}/{item.public_id.hex}", ContentFile(b""))


def media_staging_active() -> bool:
    """Whether a journal notes what is stored now (its sweep then removes a rollback's files)."""
    return _JOURNAL.get() is not None


def media_staging_note_many(items: list[MediaItem]) -> None:
    """`media_staging_note` for a bulk upload's batch: one note listing every item's public
    id, one per line (a million-item import writes two thousand notes, not a million)."""
    journal = _JOURNAL.get()
    if journal is not None and items:
        ids = "\n".join(item.public_id.hex for item in items)
        default_storage.save(f"{journal}/{BATCH_NOTE}{items[0].public_id.hex}", ContentFile(ids))


def media_item_files_discard(item: MediaItem) -> None:
    """Delete the files of an item whose row was just rolled back (the caller knows)."""
    for field_file in (item.file, item.video_thumbnail, item.video_captions):
        if field_file and field_file.name:
            default_storage.delete(field_file.name)


def _folder_delete(folder: str, storage: Storage | None = None) -> int:
    """Delete every file under `folder` (storages have no recursive delete)."""
    storage = storage or default_storage
    try:
        folders, files = storage.listdir(folder)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    removed = 0
    for name in files:
        storage.delete(posixpath.join(folder, name))
        removed += 1
    for sub in folders:
        removed += _folder_delete(posixpath.join(folder, sub), storage)
    return removed


def _item_folders_delete(tenant_id: int, public_id: uuid.UUID) -> int:
    """Every file of an item whose row never committed, in both storages."""
    item = MediaItem(tenant_id=tenant_id, public_id=public_id)
    removed = _folder_delete(posixpath.dirname(media_upload_to(item, "x")))
    rendition = Rendition(tenant_id=tenant_id, media=item)
    removed += _folder_delete(posixpath.dirname(rendition_upload_to(rendition, "x")))
    removed += _folder_delete(f"{PUBLIC_PREFIX}/{public_id.hex}", public_storage())
    return removed


def media_staging_sweep(journal: str) -> int:
    """Remove the files of the journal's items that have no row, then the journal's notes.
    Returns how many files were removed. Never call it while the journal's writer runs.
    Notes are read a chunk at a time (a million-item import's journal stays out of memory)."""
    try:
        _, notes = default_storage.listdir(journal)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    tenant_id = int(journal.split("/")[1])
    removed = 0
    single = [n for n in notes if not n.startswith(BATCH_NOTE)]
    for start in range(0, len(single), SWEEP_CHUNK):
        chunk = single[start : start + SWEEP_CHUNK]
        removed += _noted_sweep(tenant_id, _note_ids(chunk), journal, chunk)
    for note in notes:
        if note.startswith(BATCH_NOTE):
            with default_storage.open(f"{journal}/{note}", "rb") as handle:
                lines = handle.read().decode("ascii", errors="replace").split()
            removed += _noted_sweep(tenant_id, _note_ids(lines), journal, [note])
    if removed:
        logger.info("removed %d orphan media file(s) noted in %s", removed, journal)
    return removed


def _note_ids(names: list[str]) -> set[uuid.UUID]:
    ids = set()
    for name in names:
        try:
            ids.add(uuid.UUID(hex=name.split("_", 1)[0]))
        except ValueError:
            continue
    return ids


def _noted_sweep(tenant_id: int, noted: set[uuid.UUID], journal: str, notes: list[str]) -> int:
    kept = set(
        MediaItem.objects.filter(public_id__in=list(noted)).values_list("public_id", flat=True)
    )
    removed = 0
    for public_id in noted - kept:
        removed += _item_folders_delete(tenant_id, public_id)
    for note in notes:
        default_storage.delete(f"{journal}/{note}")
    return removed
