"""A published item's files in public storage (R6, SPEC §4 "Files"): called by the services
that publish, unpublish, delete and re-crop items, and by tenant copy; never by views.

Publishing copies the item's original, its video companions and its renditions from
private storage into public storage under content-hashed names (media_library/storage.py)
and records the names on the rows, in the caller's transaction: if it rolls back, the
copies are deleted again. Unpublishing clears the names in the transaction and deletes the
files after commit, under the item's row lock and only if no row names them by then (a
publish racing in between keeps its files). The private originals are never touched.
"""

from __future__ import annotations

import posixpath
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta

from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from tenants.exceptions import Conflict
from tenants.storage import files_delete, files_delete_on_rollback, storage_copy

from .models import MediaItem, Rendition
from .storage import PUBLIC_PREFIX, public_file_name, public_storage, stored_sha256

# (public-name field, private file field, checksum field) of the item's own files
ITEM_FILES = (
    ("public_name", "file", "checksum"),
    ("public_thumbnail_name", "video_thumbnail", "video_thumbnail_checksum"),
    ("public_captions_name", "video_captions", "video_captions_checksum"),
)


class PrivateFileMissing(Conflict):
    """A published item's file is not in private storage (lost or deleted outside the app):
    it cannot be made public; a 409 naming it rather than a 500."""

    code = "media_file_missing"


def _missing(field_file: FieldFile) -> PrivateFileMissing:
    return PrivateFileMissing(
        f"The file {field_file.name} is missing from storage: it cannot be published. "
        "Upload the item again.",
        field="file",
        extra={"path": field_file.name},
    )


def _checksum(obj, field_file: FieldFile, checksum_field: str, updates: dict) -> str:
    """The stored checksum, or (rows older than checksums) the bytes' SHA-256, kept."""
    value = getattr(obj, checksum_field)
    if not value:
        try:
            value = stored_sha256(field_file.storage, field_file.name)
        except FileNotFoundError:
            raise _missing(field_file) from None
        setattr(obj, checksum_field, value)
        updates[checksum_field] = value
    return value


def _copy(
    field_file: FieldFile, *, public_id, content_hash: str, filename: str, content_type=None
) -> str:
    name = public_file_name(public_id=public_id, content_hash=content_hash, filename=filename)
    try:
        stored = storage_copy(
            source=field_file.storage,
            source_name=field_file.name,
            target=public_storage(),
            target_name=name,
            content_type=content_type,
        )
    except FileNotFoundError:
        raise _missing(field_file) from None
    files_delete_on_rollback(public_storage(), [stored])
    return stored


def rendition_public_filename(rendition: Rendition) -> str:
    """`thumb.jpg`: the rendition's name and format, whatever suffix private storage added."""
    ext = posixpath.splitext(rendition.file.name)[1] or ".jpg"
    return f"{rendition.name}{ext}"


@transaction.atomic
def media_public_files_put(
    *, item: MediaItem, renditions: Sequence[Rendition] | None = None
) -> list[str]:
    """Copy into public storage every file of the published `item` that has no public copy
    yet (all its renditions, or the given ones); returns the names written.

    Call it with the item's row locked. Idempotent: files already copied are skipped, and
    a name is the same for the same bytes, so a repeat overwrites nothing else. An item
    outside its availability window (R27: embargoed or expired) gets none: its copies are
    made when the window opens (`availability.served_flag_apply`).
    """
    if not item.served:
        return []
    written: list[str] = []
    updates: dict[str, str] = {}
    for public_field, file_field, checksum_field in ITEM_FILES:
        field_file = getattr(item, file_field)
        if not field_file or getattr(item, public_field):
            continue
        name = _copy(
            field_file,
            public_id=item.public_id,
            content_hash=_checksum(item, field_file, checksum_field, updates),
            filename=(
                item.original_filename
                if file_field == "file"
                else posixpath.basename(field_file.name)
            ),
            content_type=item.mime_type if file_field == "file" else None,
        )
        setattr(item, public_field, name)
        updates[public_field] = name
        written.append(name)
    if updates:
        MediaItem.objects.filter(pk=item.pk).update(**updates)
    if renditions is None:
        renditions = list(Rendition.objects.filter(media_id=item.pk))
    for rendition in renditions:
        if rendition.public_name or not rendition.file:
            continue
        changes: dict[str, str] = {}
        rendition.public_name = _copy(
            rendition.file,
            public_id=item.public_id,
            content_hash=_checksum(rendition, rendition.file, "checksum", changes),
            filename=rendition_public_filename(rendition),
        )
        changes["public_name"] = rendition.public_name
        Rendition.objects.filter(pk=rendition.pk).update(**changes)
        written.append(rendition.public_name)
    return written


def media_public_names(item: MediaItem) -> list[str]:
    """Every public file the item's rows name now (from the database)."""
    row = (
        MediaItem.objects.filter(pk=item.pk)
        .values_list("public_name", "public_thumbnail_name", "public_captions_name")
        .first()
    )
    names = list(row or ())
    names += Rendition.objects.filter(media_id=item.pk).values_list("public_name", flat=True)
    return [n for n in names if n]


def media_public_files_remove(*, item: MediaItem) -> list[str]:
    """Forget the item's public copies in this transaction; delete the files after commit.
    Call it with the item's row locked. Returns the names that will go."""
    names = media_public_names(item)
    if not names:
        return []
    MediaItem.objects.filter(pk=item.pk).update(
        public_name="", public_thumbnail_name="", public_captions_name=""
    )
    Rendition.objects.filter(media_id=item.pk).exclude(public_name="").update(public_name="")
    for field, _, _ in ITEM_FILES:
        setattr(item, field, "")
    public_files_release_on_commit(item_id=item.pk, names=names)
    return names


def public_files_release_on_commit(*, item_id: int, names: Iterable[str]) -> None:
    """After commit, delete these public files of the item unless it names them again."""
    names = [n for n in names if n]
    if names:
        transaction.on_commit(lambda: public_files_release(item_id=item_id, names=names))


def public_files_release(*, item_id: int, names: Iterable[str]) -> list[str]:
    """Delete public files no row of the item names any more, under its row lock so a
    publish of the same bytes (same names) either waits or has already claimed them."""
    with transaction.atomic():
        item = MediaItem.objects.select_for_update().filter(pk=item_id).first()
        current = set(media_public_names(item)) if item is not None else set()
        gone = [n for n in names if n not in current]
        files_delete(public_storage(), gone)
    return gone


def media_public_files_forget_missing(*, item: MediaItem) -> list[str]:
    """Forget the public names whose file is gone from public storage (so a following
    `media_public_files_put` copies them again). Call it with the item's row locked."""
    storage = public_storage()
    missing: list[str] = []
    updates = {}
    for field, _, _ in ITEM_FILES:
        name = getattr(item, field)
        if name and not storage.exists(name):
            missing.append(name)
            updates[field] = ""
            setattr(item, field, "")
    if updates:
        MediaItem.objects.filter(pk=item.pk).update(**updates)
    for rendition in Rendition.objects.filter(media_id=item.pk).exclude(public_name=""):
        if not storage.exists(rendition.public_name):
            missing.append(rendition.public_name)
            Rendition.objects.filter(pk=rendition.pk).update(public_name="")
    return missing


def public_files_prune(*, older_than: timedelta, dry_run: bool = False) -> list[str]:
    """Delete the files in public storage that no published item names (an item deleted or
    unpublished by a process that died before its clean-up ran after commit). Files younger
    than `older_than` are left alone: a publish or copy may be writing them in a
    transaction not committed yet. Returns the names deleted (or, dry, that would be)."""
    storage = public_storage()
    cutoff = timezone.now() - older_than
    pruned: list[str] = []
    for folder, names in _public_folders(storage):
        try:
            public_id = uuid.UUID(hex=folder)
        except ValueError:
            continue
        item = MediaItem.objects.filter(public_id=public_id).only("pk", "status").first()
        current = set(media_public_names(item)) if item is not None else set()
        stale = [n for n in names if n not in current and _modified(storage, n) < cutoff]
        if not stale:
            continue
        if dry_run:
            pruned += stale
        elif item is None:
            files_delete(storage, stale)
            pruned += stale
        else:
            pruned += public_files_release(item_id=item.pk, names=stale)
    return pruned


def _public_folders(storage) -> Iterable[tuple[str, list[str]]]:
    """(public id hex, every name under `media/<it>/`) for each item folder."""
    try:
        folders, _ = storage.listdir(PUBLIC_PREFIX)
    except (FileNotFoundError, NotADirectoryError):
        return
    for folder in folders:
        names: list[str] = []
        hashes, loose = storage.listdir(f"{PUBLIC_PREFIX}/{folder}")
        names += [f"{PUBLIC_PREFIX}/{folder}/{n}" for n in loose]
        for content_hash in hashes:
            _, files = storage.listdir(f"{PUBLIC_PREFIX}/{folder}/{content_hash}")
            names += [f"{PUBLIC_PREFIX}/{folder}/{content_hash}/{n}" for n in files]
        yield folder, names


def _modified(storage, name: str):
    try:
        return storage.get_modified_time(name)
    except (FileNotFoundError, NotImplementedError):
        return timezone.now()
