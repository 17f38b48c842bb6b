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
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.db.models.fields.files import FieldFile

from tenants.storage import files_delete, files_delete_on_rollback, storage_copy

from .models import MediaItem, Rendition
from .storage import public_file_name, public_storage, stored_sha256

# (public-name field, private file field, checksum field or None for the item's own)
ITEM_FILES = (
    ("public_name", "file", "checksum"),
    ("public_thumbnail_name", "video_thumbnail", "video_thumbnail_checksum"),
    ("public_captions_name", "video_captions", "video_captions_checksum"),
)


def _checksum(obj, field_file: FieldFile, checksum_field: str, updates: dict) -> str:
    """The stored checksum, or (rows older than checksums) the bytes' SHA-256, kept."""
    value = getattr(obj, checksum_field)
    if not value:
        value = stored_sha256(field_file.storage, field_file.name)
        setattr(obj, checksum_field, value)
        updates[checksum_field] = value
    return value


def _copy(
    field_file: FieldFile, *, public_id, content_hash: str, filename: str, content_type=None
) -> str:
    name = public_file_name(public_id=public_id, content_hash=content_hash, filename=filename)
    stored = storage_copy(
        source=field_file.storage,
        source_name=field_file.name,
        target=public_storage(),
        target_name=name,
        content_type=content_type,
    )
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
    a name is the same for the same bytes, so a repeat overwrites nothing else.
    """
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
