"""Every write to the media library goes through these functions (R5, R6).

API views, the admin, tasks and importers call them, so validation, duplicate detection,
file clean-up and rendition scheduling behave the same whatever the entry point.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from array import array
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import IO

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile, File
from django.core.files.storage import Storage, default_storage
from django.db import IntegrityError, connection, transaction
from django.db.models import JSONField, ProtectedError, Q, RestrictedError
from django.db.models.fields.files import FileField
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.module_loading import import_string

from tenants.audit import audit_record, changes, snapshot
from tenants.events import DomainEvent, domain_event_emit
from tenants.exceptions import Conflict, DomainError, NotFound, ValidationFailed
from tenants.instances import instances_new
from tenants.models import OutboxKind, Role, Tenant
from tenants.outbox import outbox_record
from tenants.selectors import actor_role_require, role_require
from tenants.storage import (
    files_delete,
    files_delete_on_rollback,
    files_save_many,
    storage_unwrapped,
)

from .availability import availability_window_check, served_flag_apply
from .models import (
    FileVersionAction,
    MediaFileVersion,
    MediaItem,
    MediaKind,
    MediaStatus,
    MediaTag,
    Rendition,
    media_upload_to,
)
from .public_files import (
    media_public_files_forget_missing,
    media_public_files_put,
    media_public_files_remove,
    media_public_names,
    public_files_release_on_commit,
)
from .renditions import (
    RenditionOutput,
    RenditionSpec,
    crop_name,
    crop_rect_of,
    crop_spec,
    ladder_spec,
    ladder_widths,
    placeholder_compute,
    rendition_role,
    rendition_specs,
    renditions_render,
)
from .selectors import media_item_get_by_checksum, media_item_usage
from .staging import media_staging_active, media_staging_note, media_staging_note_many
from .validation import UploadInspection, UploadRejected, companion_inspect, upload_inspect
from .video import video_probe

logger = logging.getLogger(__name__)

TAG_MAX_LENGTH = 100
KEEP = object()  # "leave this field as it is" where None means "clear it"
DISPLAY_NAME_MAX_LENGTH = 255
USED_BY_LIMIT = 100


# --- rules -------------------------------------------------------------------------------


def _media_changed(item: MediaItem) -> None:
    """Shop answers that show it must follow (R21): noted in this transaction, re-projected
    after commit. Drafts appear in no answer, so only published items are noted, plus
    the moment an item leaves or enters the published state."""
    outbox_record(tenant=item.tenant_id, kind=OutboxKind.MEDIA, ids=[item.pk])


def media_published_usages(*, item: MediaItem) -> list[str]:
    """Where published content shows the item (hooks from the apps above, R22)."""
    return [
        usage
        for hook in settings.MEDIA_PUBLISHED_USAGE_HOOKS
        for usage in import_string(hook)(item=item)
    ]


def _editor_require(tenant: Tenant, user: AbstractBaseUser | None, action: str) -> None:
    """The check every library write makes itself, whatever the door (R1a): a user must be
    an editor of the tenant; None is a system action (an operator's command, a sweep)."""
    actor_role_require(tenant=tenant, user=user, role=Role.EDITOR, action=action)


def media_metadata_require(*, kind: str, title: str, alt_text: str) -> None:
    """R6: images need a title and alt text, videos a title; all missing fields at once."""
    errors: list[tuple[str, str]] = []
    if kind in (MediaKind.IMAGE, MediaKind.VIDEO) and not title.strip():
        errors.append(("title", f"A title is required for {kind}s."))
    if kind == MediaKind.IMAGE and not alt_text.strip():
        errors.append(("alt_text", "Alt text is required for images."))
    if errors:
        raise ValidationFailed(errors, message=errors[0][1])


_METADATA_LABELS = {"title": "The title", "alt_text": "The alt text", "caption": "The caption"}


def media_metadata_length_problems(values: Mapping[str, str | None]) -> list[tuple[str, str]]:
    """(field, reason) for each of title, alt text and caption in `values` longer than its
    column: what every door checks before writing (an upload, a manifest's validation, an
    edit), never the database's error or a silent truncation."""
    problems = []
    for name, label in _METADATA_LABELS.items():
        value = values.get(name)
        limit = MediaItem._meta.get_field(name).max_length
        if value is not None and len(value) > limit:
            problems.append((name, f"{label} is longer than {limit} characters."))
    return problems


def _metadata_lengths_check(*, title: str, alt_text: str, caption: str) -> None:
    """Every door's values fit their columns (a bulk title pattern can make long titles):
    a 400 naming the field, never the database's error."""
    problems = media_metadata_length_problems(
        {"title": title, "alt_text": alt_text, "caption": caption}
    )
    if problems:
        raise ValidationFailed(problems, message=problems[0][1])


def focal_point_validate(value: float, *, field: str) -> float:
    if not 0.0 <= value <= 1.0:
        raise DomainError("The focal point must be between 0 and 1.", field=field)
    return float(value)


def _display_name_taken(*, tenant: Tenant, name: str, exclude_pk: int | None = None) -> bool:
    return (
        MediaItem.objects.filter(tenant=tenant, display_name=name).exclude(pk=exclude_pk).exists()
    )


NAME_CANDIDATES = 20  # defaulted display names looked up per query: name, name (2), ...


def display_name_choose(*, tenant: Tenant, explicit: str, filename: str) -> str:
    """An explicit name must be free (409); a defaulted one gets ` (2)`, ` (3)`... (R5)."""
    explicit = explicit.strip()
    if explicit:
        if len(explicit) > DISPLAY_NAME_MAX_LENGTH:
            raise DomainError("The display name is too long.", field="display_name")
        if _display_name_taken(tenant=tenant, name=explicit):
            raise Conflict(f"The display name '{explicit}' is taken.", field="display_name")
        return explicit
    # The candidates are asked for by name, NAME_CANDIDATES at a time, so the unique index
    # answers; a `LIKE 'stem%'` cannot use it and read every item of the tenant per upload.
    stem, ext = os.path.splitext(filename)
    first = 1
    while True:
        candidates = [
            filename if n == 1 else f"{stem} ({n}){ext}"
            for n in range(first, first + NAME_CANDIDATES)
        ]
        taken = set(
            MediaItem.objects.filter(tenant=tenant, display_name__in=candidates)
            .order_by()
            .values_list("display_name", flat=True)
        )
        for candidate in candidates:
            if candidate not in taken:
                return candidate
        first += NAME_CANDIDATES


# --- tags ----------------------------------------------------------------------------------


def tag_names_normalize(names: Iterable[str]) -> list[str]:
    """Trimmed, single-spaced, de-duplicated ignoring case, first spelling kept."""
    seen: dict[str, str] = {}
    for raw in names:
        name = " ".join(str(raw).split())
        if not name:
            continue
        if len(name) > TAG_MAX_LENGTH:
            raise DomainError(f"The tag '{name[:20]}...' is too long.", field="tags")
        seen.setdefault(name.lower(), name)
    return list(seen.values())


def media_tags_resolve(*, tenant: Tenant, names: Iterable[str]) -> list[MediaTag]:
    """The tenant's tags with these names (any case), creating the missing ones in bulk."""
    wanted = tag_names_normalize(names)
    if not wanted:
        return []

    def existing() -> dict[str, MediaTag]:
        tags = MediaTag.objects.annotate(lname=Lower("name")).filter(
            tenant=tenant, lname__in=[n.lower() for n in wanted]
        )
        return {t.name.lower(): t for t in tags}

    found = existing()
    missing = [MediaTag(tenant=tenant, name=n) for n in wanted if n.lower() not in found]
    if missing:
        MediaTag.objects.bulk_create(missing, ignore_conflicts=True)
        found = existing()
    return [found[n.lower()] for n in wanted if n.lower() in found]


# --- files ---------------------------------------------------------------------------------


def _files_delete(names: Iterable[str]) -> None:
    """Best-effort removal from private storage: a file left behind is a leak, not a reason
    to fail a request."""
    files_delete(default_storage, names)


def _files_delete_on_commit(names: Sequence[str]) -> None:
    names = list(names)
    transaction.on_commit(lambda: _files_delete(names))


def _derivatives_enqueue(item: MediaItem) -> None:
    """Queue the renditions after commit. The item is whole without them: if the queue is
    unreachable the write still stands (never a 500 after commit); the failure is logged and
    counted, and the beat task `media_derivatives_sweep` makes what is missing later."""
    item_id = item.pk
    transaction.on_commit(lambda: derivatives_enqueue_now(item_id))


DEGRADED = {"derivatives_enqueue_failed": 0}


def derivatives_enqueue_now(item_id: int) -> bool:
    """Send one derivatives task; False (logged, counted) when the broker refused it."""
    from .tasks import media_item_derivatives_ensure

    return _task_send(media_item_derivatives_ensure, item_id, what=f"media item {item_id}")


def _derivatives_enqueue_many(items: Sequence[MediaItem]) -> None:
    """A bulk upload's renditions: one task for the whole batch, queued after commit (a
    million-item import sends two thousand messages, not a million)."""
    item_ids = array("q", (item.pk for item in items))  # kept until commit: compactly
    if item_ids:
        transaction.on_commit(lambda: derivatives_enqueue_many_now(item_ids.tolist()))


def derivatives_enqueue_many_now(item_ids: list[int]) -> bool:
    """Send one derivatives task for several items; False (logged, counted) when refused."""
    from .tasks import media_items_derivatives_ensure

    what = f"{len(item_ids)} media items from {item_ids[0]}"
    return _task_send(media_items_derivatives_ensure, item_ids, what=what)


def _task_send(task, argument, *, what: str) -> bool:
    if task.app.conf.task_always_eager:  # made here and now: its own errors are not the queue's
        task.apply_async((argument,))
        return True
    try:
        task.apply_async((argument,), retry=False)
    except Exception:  # noqa: BLE001 - any broker/transport error: degrade, don't fail
        DEGRADED["derivatives_enqueue_failed"] += 1
        logger.warning(
            "could not queue renditions of %s (job queue unavailable); "
            "the periodic sweep will make them",
            what,
            exc_info=True,
        )
        return False
    return True


def _item_locked(item: MediaItem) -> MediaItem:
    """The item's row under a lock (inside a transaction): 404 when a concurrent request
    deleted it after the caller loaded it (R5, issue 12), never a DoesNotExist 500."""
    try:
        return MediaItem.objects.select_for_update().get(pk=item.pk)
    except MediaItem.DoesNotExist:
        raise NotFound("This media item no longer exists.", field="id") from None


# --- upload --------------------------------------------------------------------------------


def media_item_upload(
    *,
    tenant: Tenant,
    file: IO[bytes],
    user: AbstractBaseUser | None,
    title: str = "",
    alt_text: str = "",
    caption: str = "",
    description: str = "",
    tags: Iterable[str] = (),
    display_name: str = "",
    filename: str | None = None,
    transcript: str = "",
    video_thumbnail: IO[bytes] | None = None,
    video_captions: IO[bytes] | None = None,
    source_provider: str = "",
    source_id: str = "",
) -> tuple[MediaItem, bool]:
    """Store a new item, or return the tenant's existing item with the same bytes.

    Returns (item, created). Everything is checked before anything is written, and a
    failure while writing removes what was stored, so a refused upload leaves nothing.
    `filename` overrides `file.name` (callers holding a stream, e.g. manifest imports).
    A user must be an editor (R1a), whichever door they came through; None is a system
    action (an operator's command).
    """
    _editor_require(tenant, user, "upload media")
    inspection = upload_inspect(file, filename=filename)
    existing = media_item_get_by_checksum(tenant=tenant, checksum=inspection.checksum)
    if existing is not None:
        return existing, False
    media_metadata_require(kind=inspection.kind, title=title, alt_text=alt_text)
    _metadata_lengths_check(title=title, alt_text=alt_text, caption=caption)
    is_video = inspection.kind == MediaKind.VIDEO
    if not is_video and (video_thumbnail or video_captions or transcript):
        raise DomainError("Thumbnails, captions and transcripts are for videos only.", field="file")
    thumbnail = companion_inspect(video_thumbnail, field="video_thumbnail")
    captions = companion_inspect(video_captions, field="video_captions")
    item = _media_item_new(
        tenant=tenant,
        inspection=inspection,
        user=user,
        display_name=display_name_choose(
            tenant=tenant, explicit=display_name, filename=inspection.filename
        ),
        title=title,
        alt_text=alt_text,
        caption=caption,
        description=description,
        transcript=transcript,
        source_provider=source_provider,
        source_id=source_id,
    )
    try:
        _media_item_store(
            item, inspection, thumbnail=thumbnail, captions=captions, tags=tags, user=user
        )
    except IntegrityError:
        # Lost a race with the same bytes (or name) uploaded at the same moment.
        existing = media_item_get_by_checksum(tenant=tenant, checksum=inspection.checksum)
        if existing is not None:
            return existing, False
        raise Conflict(
            f"The display name '{item.display_name}' is taken.", field="display_name"
        ) from None
    _derivatives_enqueue(item)
    return item, True


def _media_item_new(
    *, tenant: Tenant, inspection: UploadInspection, user: AbstractBaseUser | None, **metadata
) -> MediaItem:
    """The row of a new item: what the bytes proved, and the caller's metadata."""
    (item,) = instances_new(
        MediaItem,
        [_media_item_values(tenant, inspection, user, **metadata)],
        cached=_item_relations(tenant, user),
    )
    return item


def _item_relations(tenant: Tenant, user: AbstractBaseUser | None) -> dict:
    """The related objects a new item holds already, as `MediaItem(tenant=..., ...)` would."""
    relations: dict = {"tenant": tenant}
    if user is not None and user.is_authenticated:
        relations["created_by"] = user
    return relations


def _media_item_values(
    tenant: Tenant,
    inspection: UploadInspection,
    user: AbstractBaseUser | None,
    *,
    display_name: str,
    title: str,
    alt_text: str,
    caption: str,
    description: str,
    transcript: str = "",
    source_provider: str = "",
    source_id: str = "",
) -> dict:
    """A new item's values by attribute name (`instances_new`), one or many at a time."""
    return {
        "tenant_id": tenant.pk,
        "kind": inspection.kind,
        "original_filename": inspection.filename,
        "display_name": display_name,
        "title": title.strip(),
        "alt_text": alt_text.strip(),
        "caption": caption.strip(),
        "description": description,
        "transcript": transcript,
        "mime_type": inspection.mime_type,
        "size": inspection.size,
        "checksum": inspection.checksum,
        "width": inspection.width,
        "height": inspection.height,
        "source_provider": source_provider,
        "source_id": source_id,
        "created_by_id": user.pk if user is not None and user.is_authenticated else None,
    }


def _media_item_store(
    item: MediaItem,
    inspection: UploadInspection,
    *,
    thumbnail: UploadInspection | None,
    captions: UploadInspection | None,
    tags: Iterable[str],
    user: AbstractBaseUser | None = None,
) -> None:
    """Write the files, then the rows; on any failure delete the files already written.

    A rollback of an enclosing transaction removes them too (files_delete_on_rollback).
    Inside a bulk write (`staging.media_staging`) the item is noted first, so its files are
    also removed if the process dies before commit.
    """
    stored: list[str] = []
    media_staging_note(item)
    try:
        with transaction.atomic():
            item.file.save(inspection.filename, File(inspection.fileobj), save=False)
            stored.append(item.file.name)
            if thumbnail is not None:
                item.video_thumbnail.save(thumbnail.filename, File(thumbnail.fileobj), save=False)
                item.video_thumbnail_checksum = thumbnail.checksum
                item.video_thumbnail_generated = False
                stored.append(item.video_thumbnail.name)
            if captions is not None:
                item.video_captions.save(captions.filename, File(captions.fileobj), save=False)
                item.video_captions_checksum = captions.checksum
                stored.append(item.video_captions.name)
            files_delete_on_rollback(default_storage, stored)
            item.save()
            item.tags.set(media_tags_resolve(tenant=item.tenant, names=tags))
            audit_record(
                user=user,
                action="media.upload",
                obj=item,
                detail={
                    "kind": item.kind,
                    "filename": item.original_filename,
                    "mime_type": item.mime_type,
                    "size": item.size,
                    "checksum": item.checksum,
                },
            )
    except BaseException:
        _files_delete(stored)
        raise


# --- bulk upload ---------------------------------------------------------------------------


@dataclass
class MediaUpload:
    """One file of `media_items_upload`, with the metadata `media_item_upload` takes (a
    video's companions excepted: such uploads go one at a time). `inspected`: an earlier
    `upload_inspect` of the same bytes (a manifest's validation), which spares decoding
    the image again when the bytes still match it."""

    file: IO[bytes]
    filename: str
    title: str = ""
    alt_text: str = ""
    caption: str = ""
    description: str = ""
    tags: Sequence[str] = ()
    display_name: str = ""
    source_provider: str = ""
    source_id: str = ""
    inspected: UploadInspection | None = None


@dataclass
class UploadOutcome:
    """What became of one upload: the item (new, or the library's item with the same
    bytes) and whether it was created, or the error that refused it."""

    item: MediaItem | None = None
    created: bool = False
    error: DomainError | None = None


def media_items_upload(
    *, tenant: Tenant, uploads: Sequence[MediaUpload], user: AbstractBaseUser | None
) -> list[UploadOutcome]:
    """The bulk form of `media_item_upload`, for imports: the same checks in the same order
    (bytes, then the same bytes already in the library, then metadata, then the name) and
    the same rows, in a handful of queries for the whole batch instead of several per file.

    A refused upload gets its error in its outcome and the others go on; an upload whose
    bytes are another's in the same batch gets that item, as it would one after the other.
    Files are written first, then every row at once; any failure while writing deletes the
    files already written and raises. Renditions are queued as one task after commit.
    A user must be an editor (R1a); None is a system action."""
    _editor_require(tenant, user, "upload media")
    outcomes = [UploadOutcome() for _ in uploads]
    inspections: dict[int, UploadInspection] = {}
    for i, upload in enumerate(uploads):
        try:
            inspections[i] = upload_inspect(
                upload.file, filename=upload.filename, known=upload.inspected
            )
        except DomainError as exc:
            outcomes[i].error = exc
    checksums = sorted({inspection.checksum for inspection in inspections.values()})
    existing = {
        item.checksum: item
        for item in MediaItem.objects.filter(tenant=tenant, checksum__in=checksums).order_by()
    }
    names = sorted({u.display_name.strip() for u in uploads if u.display_name.strip()})
    taken = set(
        MediaItem.objects.filter(tenant=tenant, display_name__in=names)
        .order_by()
        .values_list("display_name", flat=True)
    )
    chosen: list[tuple[int, dict, UploadInspection]] = []
    twins: list[tuple[int, int]] = []
    first_of: dict[str, int] = {}
    for i, inspection in inspections.items():
        upload, outcome = uploads[i], outcomes[i]
        found = existing.get(inspection.checksum)
        if found is not None:
            outcome.item = found
            continue
        if inspection.checksum in first_of:
            twins.append((i, first_of[inspection.checksum]))
            continue
        try:
            media_metadata_require(
                kind=inspection.kind, title=upload.title, alt_text=upload.alt_text
            )
            _metadata_lengths_check(
                title=upload.title, alt_text=upload.alt_text, caption=upload.caption
            )
            name = _bulk_display_name(tenant, upload.display_name, inspection.filename, taken)
        except DomainError as exc:
            outcome.error = exc
            continue
        taken.add(name)
        first_of[inspection.checksum] = i
        values = _media_item_values(
            tenant,
            inspection,
            user,
            display_name=name,
            title=upload.title,
            alt_text=upload.alt_text,
            caption=upload.caption,
            description=upload.description,
            source_provider=upload.source_provider,
            source_id=upload.source_id,
        )
        chosen.append((i, values, inspection))
    items = instances_new(
        MediaItem, [values for _, values, _ in chosen], cached=_item_relations(tenant, user)
    )
    new = [(i, item, inspection) for (i, _, inspection), item in zip(chosen, items, strict=True)]
    if new:
        _media_items_store(
            tenant, [(item, inspection, uploads[i].tags) for i, item, inspection in new], user=user
        )
        _derivatives_enqueue_many([item for _, item, _ in new])
    for i, item, _ in new:
        outcomes[i].item, outcomes[i].created = item, True
    for i, first in twins:
        outcomes[i].item = outcomes[first].item
    return outcomes


def _bulk_display_name(tenant: Tenant, explicit: str, filename: str, taken: set[str]) -> str:
    """`display_name_choose` against the library and the batch's names (`taken`, which
    holds the explicit names the library already uses and those chosen so far)."""
    explicit = explicit.strip()
    if explicit:
        if len(explicit) > DISPLAY_NAME_MAX_LENGTH:
            raise DomainError("The display name is too long.", field="display_name")
        if explicit in taken:
            raise Conflict(f"The display name '{explicit}' is taken.", field="display_name")
        return explicit
    candidate = display_name_choose(tenant=tenant, explicit="", filename=filename)
    stem, ext = os.path.splitext(filename)
    n = 1
    while candidate in taken or _display_name_taken(tenant=tenant, name=candidate):
        n += 1
        candidate = f"{stem} ({n}){ext}"
    return candidate


def _media_items_insert(items: list[MediaItem]) -> None:
    """Insert new items' rows, setting their ids: on PostgreSQL ids from the sequence and
    one COPY (the ORM's bulk_create spends most of its time building a 30-column INSERT
    with its parameters quoted one by one), elsewhere bulk_create."""
    if connection.vendor != "postgresql":
        MediaItem.objects.bulk_create(items)
        return
    now = timezone.now()
    fields = list(MediaItem._meta.concrete_fields)
    table = MediaItem._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(items)],
        )
        for item, (pk,) in zip(items, cursor.fetchall(), strict=True):
            item.pk = pk
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        stamped = [
            f.attname
            for f in fields
            if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        # The row is read in one call; the few columns COPY cannot take as they are (a
        # file's name, JSON as text) are mended after: per-field checks on every value
        # were a fifth of an import's item step (cProfile, a million rows).
        values = attrgetter(*(f.attname for f in fields))
        files = [i for i, f in enumerate(fields) if isinstance(f, FileField)]
        jsons = [(i, f.encoder) for i, f in enumerate(fields) if isinstance(f, JSONField)]
        with (
            connection.wrap_database_errors,  # a unique name or checksum: IntegrityError
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for item in items:
                for attname in stamped:
                    setattr(item, attname, now)
                row = list(values(item))
                for i in files:
                    row[i] = row[i].name or ""
                for i, encoder in jsons:
                    if row[i] is not None:
                        row[i] = json.dumps(row[i], cls=encoder)  # COPY takes its text
                copy.write_row(row)
    for item in items:
        item._state.adding = False
        item._state.db = connection.alias


AUDIT_BATCH_IDS = 100


def _batch_audit(tenant: Tenant, items: Sequence[MediaItem], user: AbstractBaseUser | None) -> None:
    """One audit row per bulk upload (an import batch), not one per item: an import may
    create a million items, and each item already says who uploaded it (`created_by`);
    the row gives the count and the first ids."""
    ids = [item.pk for item in items]
    audit_record(
        tenant=tenant,
        user=user,
        action="media.upload_batch",
        object_type="mediaitem",
        label=f"{len(ids)} media item(s)",
        detail={
            "count": len(ids),
            "ids": ids[:AUDIT_BATCH_IDS],
            "more": max(0, len(ids) - AUDIT_BATCH_IDS),
        },
    )


def _media_items_store(
    tenant: Tenant,
    new: list[tuple[MediaItem, UploadInspection, Sequence[str]]],
    *,
    user: AbstractBaseUser | None = None,
) -> None:
    """`_media_item_store` for many items: every file (`files_save_many`, from
    MEDIA_STORE_THREADS threads), then every row and tag link at once; on any failure the
    files already written are deleted. Inside a staging journal the batch is noted first
    (one note) and the journal's sweep removes the files of a rollback, so they are not
    also kept in memory for one (a million names)."""
    items = [item for item, _, _ in new]
    stored: list[str] = []
    media_staging_note_many(items)
    try:
        with transaction.atomic():
            field = MediaItem._meta.get_field("file")
            stored = files_save_many(
                default_storage,
                [
                    (_stored_name(field, item, inspection.filename), File(inspection.fileobj))
                    for item, inspection, _ in new
                ],
                threads=settings.MEDIA_STORE_THREADS,
                max_length=field.max_length,
            )
            for item, name in zip(items, stored, strict=True):
                item.file = name
            if not media_staging_active():
                files_delete_on_rollback(default_storage, stored)
            _media_items_insert(items)
            wanted = [name for _, _, tags in new for name in tags]
            if wanted:
                tags = {t.name.lower(): t for t in media_tags_resolve(tenant=tenant, names=wanted)}
                through = MediaItem.tags.through
                through.objects.bulk_create(
                    through(mediaitem_id=item.pk, mediatag_id=tags[name.lower()].pk)
                    for item, _, names in new
                    for name in tag_names_normalize(names)
                )
            _batch_audit(tenant, items, user)
    except BaseException:
        _files_delete(stored)
        raise


def _stored_name(field: FileField, item: MediaItem, filename: str) -> str:
    """`field.generate_filename(item, filename)` for an item's own file, without its
    path parsing (28 µs a file, more than writing a small one). The folder is made of
    the tenant's id and the item's UUID, so only the file's own name needs cleaning, which
    the storage's `get_valid_name` does (it refuses `.` and `..`); a storage that
    names files its own way goes through `generate_filename` as before."""
    storage = storage_unwrapped(field.storage)
    if (
        field.upload_to is not media_upload_to
        or type(storage).generate_filename is not Storage.generate_filename
        or "/" in filename
        or "\\" in filename
    ):
        return field.generate_filename(item, filename)
    return media_upload_to(item, storage.get_valid_name(filename))


# --- metadata ------------------------------------------------------------------------------


def media_item_update(
    *,
    item: MediaItem,
    user: AbstractBaseUser | None,
    title: str | None = None,
    alt_text: str | None = None,
    caption: str | None = None,
    description: str | None = None,
    display_name: str | None = None,
    transcript: str | None = None,
    tags: Iterable[str] | None = None,
    focal_x: float | None = None,
    focal_y: float | None = None,
    available_from: datetime | None | object = KEEP,
    expires_at: datetime | None | object = KEEP,
    usage_rights: str | None = None,
) -> MediaItem:
    """Change metadata; None leaves a field as it is. A new focal point re-makes the crops.

    The availability dates (R27) take `KEEP` to leave them and None to clear them; a window
    already closed (or not open yet) takes the item out of every shop answer in this step.
    The file changes only through `media_item_file_replace` (R25). A user must be an editor
    (R1a), a publisher to move a published item's window; None is a system action.
    """
    _editor_require(item.tenant, user, "change media")
    with transaction.atomic():
        locked = _item_locked(item)
        before = snapshot(locked, AUDITED_FIELDS)
        old_tags = _tag_names(locked) if tags is not None else None
        window = (locked.available_from, locked.expires_at)
        if available_from is not KEEP:
            locked.available_from = available_from
        if expires_at is not KEEP:
            locked.expires_at = expires_at
        availability_window_check(locked.available_from, locked.expires_at)
        if (
            user is not None
            and locked.status == MediaStatus.PUBLISHED
            and (locked.available_from, locked.expires_at) != window
        ):
            # What shops are shown changes with the window: a publisher's call (R1a).
            role_require(
                tenant=locked.tenant,
                user=user,
                role=Role.PUBLISHER,
                action="change the availability of published media",
            )
        if usage_rights is not None:
            locked.usage_rights = usage_rights.strip()
        for name, value in (
            ("title", title),
            ("alt_text", alt_text),
            ("caption", caption),
            ("description", description),
            ("transcript", transcript),
        ):
            if value is not None:
                setattr(
                    locked, name, value if name in ("description", "transcript") else value.strip()
                )
        if transcript and locked.kind != MediaKind.VIDEO:
            raise DomainError("Transcripts are for videos only.", field="transcript")
        _metadata_lengths_check(
            title=locked.title, alt_text=locked.alt_text, caption=locked.caption
        )
        media_metadata_require(kind=locked.kind, title=locked.title, alt_text=locked.alt_text)
        if display_name is not None and display_name.strip() != locked.display_name:
            locked.display_name = display_name_rename_check(item=locked, wanted=display_name)
        old_focal = (locked.focal_x, locked.focal_y)
        if focal_x is not None:
            locked.focal_x = focal_point_validate(focal_x, field="focal_x")
        if focal_y is not None:
            locked.focal_y = focal_point_validate(focal_y, field="focal_y")
        locked.version += 1
        locked.save()
        if served_flag_apply(locked):  # after the save: events read the new dates
            locked.save(update_fields=["served"])
        detail = changes(before, snapshot(locked, AUDITED_FIELDS))
        if tags is not None:
            locked.tags.set(media_tags_resolve(tenant=locked.tenant, names=tags))
            new_tags = _tag_names(locked)
            if new_tags != old_tags:
                detail["tags"] = {"old": old_tags, "new": new_tags}
        audit_record(
            user=user,
            action="media.update",
            obj=locked,
            detail=detail,
        )
        if locked.status == MediaStatus.PUBLISHED:
            _media_changed(locked)
        if (locked.focal_x, locked.focal_y) != old_focal:
            _derivatives_enqueue(locked)
    return locked


def _tag_names(item: MediaItem) -> list[str]:
    return sorted(item.tags.values_list("name", flat=True), key=str.lower)


# What media.update audit rows compare (tags apart); text values are cut short in the row.
AUDITED_FIELDS = (
    "title",
    "alt_text",
    "caption",
    "description",
    "display_name",
    "transcript",
    "focal_x",
    "focal_y",
    "available_from",
    "expires_at",
    "usage_rights",
    "served",
)


def display_name_rename_check(*, item: MediaItem, wanted: str) -> str:
    """The new display name, stripped, if it is valid and free in the tenant (409 if taken)."""
    wanted = wanted.strip()
    if not wanted:
        raise DomainError("The display name cannot be empty.", field="display_name")
    if len(wanted) > DISPLAY_NAME_MAX_LENGTH:
        raise DomainError("The display name is too long.", field="display_name")
    if _display_name_taken(tenant=item.tenant, name=wanted, exclude_pk=item.pk):
        raise Conflict(f"The display name '{wanted}' is taken.", field="display_name")
    return wanted


# --- publishing ----------------------------------------------------------------------------


def media_item_publish(*, item: MediaItem, user: AbstractBaseUser | None) -> MediaItem:
    """Make the item public (R6): its file, companions and renditions are copied into public
    storage under content-hashed names, in the same transaction as the status (a rollback
    deletes the copies), then missing renditions are made (and made public).

    Idempotent: publishing a published item keeps its first published_at, and only copies
    what public storage lacks. `user` None is a system action (operator command); a given
    user must be a publisher (R1a).
    """
    actor_role_require(tenant=item.tenant, user=user, role=Role.PUBLISHER, action="publish media")
    if item.status != MediaStatus.PUBLISHED:
        # The whole ladder exists before the item can appear in any answer (issue 14):
        # usually made at upload already (then this only checks), else made now.
        renditions_ensure(item=item)
    with transaction.atomic():
        locked = _item_locked(item)
        media_metadata_require(kind=locked.kind, title=locked.title, alt_text=locked.alt_text)
        changed = locked.status != MediaStatus.PUBLISHED
        if changed:
            locked.status = MediaStatus.PUBLISHED
            locked.published_at = timezone.now()
            locked.save(update_fields=["status", "published_at", "updated_at"])
            domain_event_emit(
                tenant=locked.tenant_id, event=DomainEvent.MEDIA_PUBLISHED, ids=[locked.pk]
            )
            audit_record(
                user=user,
                action="media.publish",
                obj=locked,
                detail={"status": {"old": MediaStatus.DRAFT, "new": MediaStatus.PUBLISHED}},
            )
        if media_public_files_put(item=locked) or changed:
            _media_changed(locked)  # answers carry the new public URLs
    renditions_ensure(item=locked)
    return locked


def media_item_unpublish(
    *, item: MediaItem, user: AbstractBaseUser | None, force: bool = False
) -> MediaItem:
    """Back to draft: the public URL answers 404 again (assignments keep the reference).

    R22: while published content shows the item this is refused with a 409 listing where;
    with `force` it goes ahead and the same step drops it from every shop answer (the
    answers are re-projected on commit, default images picked again), so no shop is ever
    handed its dead URL. Needs a publisher (R1a); `user` None is a system action.
    """
    actor_role_require(tenant=item.tenant, user=user, role=Role.PUBLISHER, action="unpublish media")
    with transaction.atomic():
        locked = _item_locked(item)
        if locked.status != MediaStatus.DRAFT:
            usages = media_published_usages(item=locked)
            if usages and not force:
                raise Conflict(
                    f"'{locked.display_name}' is shown by published content in "
                    f"{len(usages)} place(s); unpublish with force to drop it from them.",
                    field="force",
                    extra={"used_by": usages[:USED_BY_LIMIT], "count": len(usages)},
                )
            locked.status = MediaStatus.DRAFT
            locked.published_at = None
            locked.save(update_fields=["status", "published_at", "updated_at"])
            _media_changed(locked)
            domain_event_emit(
                tenant=locked.tenant_id, event=DomainEvent.MEDIA_UNPUBLISHED, ids=[locked.pk]
            )
            audit_record(
                user=user,
                action="media.unpublish",
                obj=locked,
                detail={
                    "status": {"old": MediaStatus.PUBLISHED, "new": MediaStatus.DRAFT},
                    "force": force,
                    "used_by_count": len(usages),
                },
            )
        # Its public copies go after commit (public URLs stop answering); the private
        # files stay. Also for a draft that still had copies (an interrupted sync).
        media_public_files_remove(item=locked)
    return locked


def media_item_public_sync(*, item: MediaItem, verify: bool = False) -> list[str]:
    """Bring the item's public copies in line with its state (after an upgrade that added
    public storage, or a crash between a commit and its clean-up): a published item gets
    the copies it lacks, and its renditions; a draft loses any. With `verify`, copies whose
    file is gone from public storage are made again. Returns the public names written or
    removed. Shop answers are re-projected when a published item's URLs change (R21)."""
    with transaction.atomic():
        locked = _item_locked(item)
        if locked.status != MediaStatus.PUBLISHED or not locked.served:
            return media_public_files_remove(item=locked)
        if verify:
            media_public_files_forget_missing(item=locked)
        written = media_public_files_put(item=locked)
        if written:
            _media_changed(locked)
    known = set(media_public_names(locked))
    renditions_ensure(item=locked)  # those never made (made public as they are made)
    return written + sorted(set(media_public_names(locked)) - known)


# --- delete --------------------------------------------------------------------------------


def media_usage_describe(obj) -> dict:
    """One entry of a 409's `used_by`: models may say it best with `usage_description()`."""
    meta = obj._meta
    describe = getattr(obj, "usage_description", None)
    return {
        "type": str(meta.verbose_name),
        "model": meta.label_lower,
        "id": obj.pk,
        "label": str(obj),
        "description": describe() if callable(describe) else f"{meta.verbose_name} {obj}",
    }


def media_item_delete(*, item: MediaItem, user: AbstractBaseUser | None) -> None:
    """Delete the item, its files and file versions, unless current content uses it (409
    listing where).

    R26: only current uses block a delete: working copies, drafts and published content
    (named by the apps above through `MEDIA_USAGE_HOOKS`), and any other reference held
    with PROTECT (Django's collector names those). Old versions of assignment documents
    keep the id; restoring one reports the entry missing (assignments). A user must be an
    editor (R1a); None is a system action.
    """
    _editor_require(item.tenant, user, "delete media")
    try:
        with transaction.atomic():
            # Under the row lock renditions are made under too (renditions_ensure): every
            # rendition committed so far is seen here and its file removed with the item; one
            # being made waits and then finds the item gone (no orphan files). Writers of
            # current content lock the items they name the same way, so a check-in naming
            # this item either committed before (and is listed) or fails after.
            item = _item_locked(item)
            current = media_item_usage(item=item, history=False)["current"]
            if current:
                used_by = [
                    {k: usage[k] for k in ("type", "model", "id", "label", "description")}
                    for usage in current[:USED_BY_LIMIT]
                ]
                raise Conflict(
                    f"'{item.display_name}' is still used in {len(current)} place(s); "
                    "remove those first.",
                    field="media",
                    extra={"used_by": used_by, "count": len(current)},
                )
            item_id = item.pk
            names = [item.file.name, item.video_thumbnail.name, item.video_captions.name]
            names += list(Rendition.objects.filter(media=item).values_list("file", flat=True))
            names += list(
                MediaFileVersion.objects.filter(media=item).values_list("file", flat=True)
            )
            public_names = media_public_names(item)
            audit_record(
                user=user,
                action="media.delete",
                obj=item,
                detail={
                    "kind": item.kind,
                    "status": item.status,
                    "filename": item.original_filename,
                    "checksum": item.checksum,
                },
            )
            item.delete()
    except (ProtectedError, RestrictedError) as exc:
        blocking = getattr(exc, "protected_objects", None) or getattr(exc, "restricted_objects", ())
        used_by = [media_usage_describe(obj) for obj in list(blocking)[:USED_BY_LIMIT]]
        raise Conflict(
            f"'{item.display_name}' is still used in {len(used_by)} place(s); remove those first.",
            field="media",
            extra={"used_by": used_by},
        ) from None
    _files_delete_on_commit(sorted({n for n in names if n}))
    public_files_release_on_commit(item_id=item_id, names=public_names)


# --- file versions (R25) -------------------------------------------------------------------


def _file_change_role_require(item: MediaItem, user: AbstractBaseUser | None, action: str) -> None:
    """New bytes of a draft are an editor's upload; of a published item they reach shops at
    once, which is a publisher's call (R1a)."""
    if user is None:
        return
    role = Role.PUBLISHER if item.status == MediaStatus.PUBLISHED else Role.EDITOR
    role_require(tenant=item.tenant, user=user, role=role, action=action)


def _file_versions_baseline(item: MediaItem) -> int:
    """Items stored before file versions (or copied in bulk) get their first version from
    the item's own fields; returns the number of the last version."""
    last = (
        MediaFileVersion.objects.filter(media=item)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    if last is not None:
        return last
    MediaFileVersion.objects.create(
        tenant_id=item.tenant_id,
        media=item,
        number=item.file_version or 1,
        action=FileVersionAction.UPLOAD,
        file=item.file.name,
        original_filename=item.original_filename,
        mime_type=item.mime_type,
        size=item.size,
        checksum=item.checksum,
        width=item.width,
        height=item.height,
        duration_seconds=item.duration_seconds,
        created_by_id=item.created_by_id,
    )
    MediaFileVersion.objects.filter(media=item).update(created_at=item.created_at)
    return item.file_version or 1


def _same_bytes_refuse(*, item: MediaItem, checksum: str) -> None:
    """The same bytes are the same item (R5): never two items with one checksum."""
    other = (
        MediaItem.objects.filter(tenant_id=item.tenant_id, checksum=checksum)
        .exclude(pk=item.pk)
        .values("pk", "display_name")
        .first()
    )
    if other is not None:
        raise Conflict(
            f"These bytes are already media item {other['pk']} ('{other['display_name']}').",
            field="file",
            extra={"media": other["pk"], "display_name": other["display_name"]},
        )


def _file_version_apply(locked: MediaItem, version: MediaFileVersion) -> None:
    """Point the item at the version's file: its bytes, type and size; renditions go (they
    are remade after commit), a published item's public copies are swapped in this
    transaction (the old ones go after commit) and every answer showing it follows (R21)."""
    locked.file.name = version.file.name
    locked.original_filename = version.original_filename
    locked.mime_type = version.mime_type
    locked.size = version.size
    locked.checksum = version.checksum
    locked.width = version.width
    locked.height = version.height
    generated_thumbnail = ""
    if locked.kind == MediaKind.VIDEO:
        locked.duration_seconds = version.duration_seconds
        if locked.video_thumbnail and locked.video_thumbnail_generated:
            # A frame of the old video would misrepresent the new one: it is cut again from
            # the new bytes (below for a published item, else by the derivatives task); an
            # uploaded thumbnail is the editor's choice and stays.
            generated_thumbnail = locked.video_thumbnail.name
            locked.video_thumbnail = ""
            locked.video_thumbnail_checksum = ""
            locked.video_thumbnail_generated = False
    locked.file_version = version.number
    locked.version += 1
    old = list(Rendition.objects.filter(media=locked))
    published = locked.status == MediaStatus.PUBLISHED
    if published:
        media_public_files_remove(item=locked)  # forgets every public name, freed on commit
    Rendition.objects.filter(pk__in=[r.pk for r in old]).delete()
    _files_delete_on_commit([r.file.name for r in old] + [n for n in [generated_thumbnail] if n])
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:  # the same bytes stored as another item meanwhile
        _same_bytes_refuse(item=locked, checksum=version.checksum)
        raise
    if published:
        if generated_thumbnail:
            _video_thumbnail_remake(locked)
        media_public_files_put(item=locked, renditions=[])
        _media_changed(locked)
        domain_event_emit(
            tenant=locked.tenant_id, event=DomainEvent.MEDIA_REPLACED, ids=[locked.pk]
        )
        # Shops are handed the new renditions in the same commit as the new file, so no
        # answer ever lacks its thumbnails; should making them fail, the task makes them.
        try:
            renditions_ensure(item=locked)
        except Exception:  # noqa: BLE001 - the replacement stands; the queued task retries
            logger.warning("renditions of replaced item %s deferred", locked.pk, exc_info=True)
    _derivatives_enqueue(locked)


# What media.replace and media.restore_file audit rows compare (never the bytes).
FILE_FIELDS = ("file_version", "original_filename", "mime_type", "size", "checksum")


def media_item_file_replace(
    *,
    item: MediaItem,
    file: IO[bytes],
    user: AbstractBaseUser | None,
    filename: str | None = None,
) -> tuple[MediaItem, bool]:
    """New bytes for an existing item (R25): same id, assignments and `/p/` link; a new file
    version records who, when and the checksum; renditions are remade and published answers
    updated at once. Returns (item, replaced); the item's own current bytes change nothing.

    Refused, with nothing written: a file of another kind (an image is replaced by an
    image, 400), bytes that are another item already (409 naming it), a role too low (403).
    """
    _file_change_role_require(item, user, "replace the file of a media item")
    inspection = upload_inspect(file, filename=filename)
    if inspection.kind != item.kind:
        article = "An" if item.kind[0] in "aeiou" else "A"
        raise UploadRejected(
            f"{article} {item.kind} can only be replaced by another {item.kind}; this file is "
            f"{inspection.mime_type}."
        )
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = _item_locked(item)
            _file_change_role_require(locked, user, "replace the file of a media item")
            if inspection.checksum == locked.checksum:
                return locked, False
            _same_bytes_refuse(item=locked, checksum=inspection.checksum)
            number = _file_versions_baseline(locked) + 1
            version = MediaFileVersion(
                tenant_id=locked.tenant_id,
                media=locked,
                number=number,
                action=FileVersionAction.REPLACE,
                original_filename=inspection.filename,
                mime_type=inspection.mime_type,
                size=inspection.size,
                checksum=inspection.checksum,
                width=inspection.width,
                height=inspection.height,
                created_by=user if user is not None and user.is_authenticated else None,
            )
            version.file.save(inspection.filename, File(inspection.fileobj), save=False)
            stored.append(version.file.name)
            files_delete_on_rollback(default_storage, stored)
            version.save()
            old = snapshot(locked, FILE_FIELDS)
            _file_version_apply(locked, version)
            audit_record(
                user=user,
                action="media.replace",
                obj=locked,
                detail=changes(old, snapshot(locked, FILE_FIELDS)),
            )
    except BaseException:
        _files_delete(stored)
        raise
    return locked, True


def media_item_file_version_restore(
    *, item: MediaItem, number: int, user: AbstractBaseUser | None
) -> MediaItem:
    """Make an older file version current again (R25): recorded as a new version naming
    the old file (history stays linear: who restored what, when); renditions are remade
    and published answers follow. Its bytes must not be another item's now (409)."""
    _file_change_role_require(item, user, "restore a file version")
    with transaction.atomic():
        locked = _item_locked(item)
        _file_change_role_require(locked, user, "restore a file version")
        last = _file_versions_baseline(locked)
        old = MediaFileVersion.objects.filter(media=locked, number=number).first()
        if old is None:
            raise NotFound(f"File version {number} does not exist.", field="version")
        if old.checksum == locked.checksum:
            return locked
        _same_bytes_refuse(item=locked, checksum=old.checksum)
        if not default_storage.exists(old.file.name):
            raise Conflict(
                f"The file of version {number} is missing from storage.", field="version"
            )
        version = MediaFileVersion.objects.create(
            tenant_id=locked.tenant_id,
            media=locked,
            number=last + 1,
            action=FileVersionAction.RESTORE,
            restored_from=old.number,
            file=old.file.name,
            original_filename=old.original_filename,
            mime_type=old.mime_type,
            size=old.size,
            checksum=old.checksum,
            width=old.width,
            height=old.height,
            duration_seconds=old.duration_seconds,
            created_by=user if user is not None and user.is_authenticated else None,
        )
        before = snapshot(locked, FILE_FIELDS)
        _file_version_apply(locked, version)
        audit_record(
            user=user,
            action="media.restore_file",
            obj=locked,
            detail={"restored_from": number, **changes(before, snapshot(locked, FILE_FIELDS))},
        )
    return locked


# --- derivatives: video thumbnail, renditions ----------------------------------------------


def video_thumbnail_ensure(*, item: MediaItem) -> bool:
    """Give a video its duration and a frame as thumbnail when none was uploaded (R6).

    Returns True when something was added. ffmpeg needs a path, so the video is copied to
    a temporary file (the storage may be S3). The frame is written only if the item still
    holds the bytes it was cut from and still lacks one: a task that read the video before
    a replacement (or a deletion) must not give the new video the old one's frame.
    """
    if item.kind != MediaKind.VIDEO or (item.video_thumbnail and item.duration_seconds):
        return False
    read_checksum = item.checksum
    suffix = os.path.splitext(item.original_filename)[1]
    with tempfile.NamedTemporaryFile(suffix=suffix) as local, item.file.open("rb") as source:
        shutil.copyfileobj(source, local, 1024 * 1024)
        local.flush()
        probe = video_probe(local.name)
    written = None
    if probe.thumbnail_jpeg and not item.video_thumbnail:
        stem = os.path.splitext(item.original_filename)[0]
        item.video_thumbnail.save(
            f"{stem}-thumbnail.jpg", ContentFile(probe.thumbnail_jpeg), save=False
        )
        written = item.video_thumbnail.name
    with transaction.atomic():
        current = (
            MediaItem.objects.select_for_update()
            .filter(pk=item.pk, checksum=read_checksum)
            .values("duration_seconds", "video_thumbnail")
            .first()
        )
        changes = {}
        if current is not None:
            if probe.duration_seconds is not None and not current["duration_seconds"]:
                changes["duration_seconds"] = probe.duration_seconds
            if written and not current["video_thumbnail"]:
                changes.update(
                    video_thumbnail=written,
                    video_thumbnail_checksum=hashlib.sha256(probe.thumbnail_jpeg).hexdigest(),
                    video_thumbnail_generated=True,
                )
        if written and "video_thumbnail" not in changes:
            default_storage.delete(written)  # stale: nothing names it
        elif written:
            files_delete_on_rollback(default_storage, [written])
        if changes:
            MediaItem.objects.filter(pk=item.pk).update(**changes)
            for name, value in changes.items():
                setattr(item, name, value)
    return bool(changes)


def _video_thumbnail_remake(item: MediaItem) -> None:
    """Cut a published video's new thumbnail inside the replacement's transaction, so its
    public copy and the shops' answers switch together; the file goes if it rolls back.
    Should ffmpeg fail, the replacement stands and the derivatives task tries again."""
    try:
        video_thumbnail_ensure(item=item)
    except Exception:  # noqa: BLE001 - the queued derivatives task retries
        logger.warning("thumbnail of replaced video %s deferred", item.pk, exc_info=True)
        return
    if item.video_thumbnail:
        files_delete_on_rollback(default_storage, [item.video_thumbnail.name])


def _rendition_source(item: MediaItem) -> bytes | None:
    """The bytes renditions are cut from: the image, or a video's thumbnail."""
    if item.kind == MediaKind.IMAGE:
        field = item.file
    elif item.kind == MediaKind.VIDEO and item.video_thumbnail:
        field = item.video_thumbnail
    else:
        return None
    with field.open("rb") as handle:
        return handle.read()


def _rendition_source_checksum(item: MediaItem) -> str:
    if item.kind == MediaKind.VIDEO:
        return item.video_thumbnail_checksum
    return item.checksum


def _rendition_stale(
    rendition: Rendition | None, *, crop: bool, focal: tuple[float, float], source_checksum: str
) -> bool:
    """Missing, made from other bytes (the file was replaced, R25), or a crop made around
    another focal point."""
    if rendition is None:
        return True
    if (
        rendition.source_checksum
        and source_checksum
        and rendition.source_checksum != source_checksum
    ):
        return True
    return crop and (rendition.focal_x, rendition.focal_y) != focal


@dataclass
class _RenditionPlan:
    specs: list[RenditionSpec]
    replaced: list[Rendition]  # rows the new ones replace (or that are obsolete)

    def __bool__(self) -> bool:
        return bool(self.specs or self.replaced)


def _renditions_plan(
    item: MediaItem,
    existing: dict[str, Rendition],
    *,
    names: Sequence[str] | None,
    crops: Sequence[tuple[int, int, int, int]],
    ladder: bool,
) -> _RenditionPlan:
    """What to (re)make: named sizes, ladder rungs (every format of a width at once) and
    swatch crops that are missing or stale; ladder rungs no longer configured go."""
    focal = (item.focal_x, item.focal_y)
    source_checksum = _rendition_source_checksum(item)

    def stale(name: str, crop: bool = False) -> bool:
        return _rendition_stale(
            existing.get(name), crop=crop, focal=focal, source_checksum=source_checksum
        )

    specs = [s for s in rendition_specs(names) if stale(s.name, s.crop)]
    replaced = [existing[s.name] for s in specs if s.name in existing]
    if ladder and item.kind == MediaKind.IMAGE and item.width:
        rungs: dict[int, list[Rendition]] = {}
        for rendition in existing.values():
            if rendition_role(rendition.name) == "ladder":
                rungs.setdefault(int(rendition.name[1:].split("-")[0]), []).append(rendition)
        wanted = ladder_widths(item.width)
        formats = len(settings.MEDIA_RENDITION_FORMATS)
        for width in wanted:
            rows = rungs.get(width, [])
            if len(rows) != formats or any(stale(r.name) for r in rows):
                specs.append(ladder_spec(width))
                replaced += rows
        for width, rows in rungs.items():
            if width not in wanted:
                replaced += rows
    # Swatch crops asked for, and those already made that are now stale (new bytes).
    rects = dict.fromkeys(tuple(r) for r in crops)
    for rendition in existing.values():
        rect = crop_rect_of(rendition.name)
        if rect is not None and stale(rendition.name):
            rects[rect] = None
    for rect in rects:
        name = crop_name(rect)
        if stale(name):
            specs.append(crop_spec(rect))
            if name in existing:
                replaced.append(existing[name])
    return _RenditionPlan(specs=specs, replaced=replaced)


def renditions_ensure(
    *,
    item: MediaItem,
    names: Sequence[str] | None = None,
    crops: Sequence[tuple[int, int, int, int]] = (),
    ladder: bool | None = None,
    notify: bool = True,
) -> list[Rendition]:
    """Make the renditions that are missing or stale (R6, issue 14): the named sizes (all,
    or those in `names`), the whole width ladder in every format (by default when all
    names are asked), the swatch crops of `crops` (display-pixel rectangles), and the
    placeholder. A published item's new renditions are copied into public storage in the
    same transaction and the replaced ones' public copies go after commit; shop answers
    showing it are re-projected (unless `notify` is False: the projection asking for a
    crop is already writing them).

    Idempotent and safe to run twice at once: pixels are made outside any lock, and the
    rows are swapped under the item's row lock, so the last writer wins cleanly.
    """
    existing = {r.name: r for r in Rendition.objects.filter(media=item)}
    plan = _renditions_plan(
        item,
        existing,
        names=names,
        crops=crops,
        ladder=names is None if ladder is None else ladder,
    )
    wants_placeholder = item.kind == MediaKind.IMAGE and (
        not item.placeholder or any(rendition_role(s.name) == "ladder" for s in plan.specs)
    )
    if not plan and not wants_placeholder:
        return list(existing.values())
    try:
        source = _rendition_source(item)
    except OSError:
        if not MediaItem.objects.filter(pk=item.pk).exists():
            return []  # deleted meanwhile: its files went with it
        raise
    if source is None:
        return list(existing.values())
    focal = (item.focal_x, item.focal_y)
    outputs = renditions_render(source, plan.specs, focal=focal)
    placeholder = placeholder_compute(source) if wants_placeholder else None
    source_checksum = _rendition_source_checksum(item)
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = MediaItem.objects.select_for_update().filter(pk=item.pk).first()
            if locked is None:
                return []  # deleted meanwhile
            if _rendition_source_checksum(locked) != source_checksum:
                return list(Rendition.objects.filter(media=item))  # new bytes meanwhile
            new_names = {output.name for _, output in outputs}
            old = list(
                Rendition.objects.filter(media=item).filter(
                    Q(pk__in=[r.pk for r in plan.replaced]) | Q(name__in=new_names)
                )
            )
            Rendition.objects.filter(pk__in=[r.pk for r in old]).delete()
            made = []
            for _, output in outputs:
                made.append(_rendition_create(item, output, focal, source_checksum))
                stored.append(made[-1].file.name)
            files_delete_on_rollback(default_storage, stored)
            _files_delete_on_commit([r.file.name for r in old])
            public_files_release_on_commit(item_id=item.pk, names=[r.public_name for r in old])
            if placeholder is not None and placeholder != locked.placeholder:
                MediaItem.objects.filter(pk=item.pk).update(placeholder=placeholder)
                item.placeholder = locked.placeholder = placeholder
            if locked.status == MediaStatus.PUBLISHED:
                media_public_files_put(item=locked, renditions=made)
                if notify:
                    _media_changed(locked)  # new renditions: answers carry their URLs
    except BaseException:
        _files_delete(stored)
        raise
    return list(Rendition.objects.filter(media=item))


def _rendition_create(
    item: MediaItem, output: RenditionOutput, focal: tuple[float, float], source_checksum: str
) -> Rendition:
    rendition = Rendition(
        tenant_id=item.tenant_id,
        media=item,
        name=output.name,
        checksum=hashlib.sha256(output.content).hexdigest(),
        width=output.width,
        height=output.height,
        focal_x=focal[0],
        focal_y=focal[1],
        source_checksum=source_checksum,
    )
    rendition.file.save(
        f"{output.name}.{output.extension}", ContentFile(output.content), save=False
    )
    rendition.save()
    return rendition


def media_item_derivatives_ensure(*, item: MediaItem) -> None:
    """Everything made after upload: a video's thumbnail, then the renditions (R6)."""
    video_thumbnail_ensure(item=item)
    renditions_ensure(item=item)


SWEEP_BATCH = 50
SWEEP_GRACE_SECONDS = 120


def derivatives_missing_sweep(
    *, limit: int = SWEEP_BATCH, grace_seconds: float = SWEEP_GRACE_SECONDS
) -> int:
    """Make the renditions of images (draft or published) that have none: their task was
    never queued (the broker was down at upload, see `_derivatives_enqueue`) or was lost;
    also of images with no placeholder yet, i.e. made before the width ladder existed
    (every ladder run sets one), so an upgrade fills their `sources` in the background.
    Celery beat runs this every few minutes; items younger than `grace_seconds` are left to
    their own task. Returns how many items got renditions."""
    from datetime import timedelta

    cutoff = timezone.now() - timedelta(seconds=grace_seconds)
    items = (
        MediaItem.objects.filter(kind=MediaKind.IMAGE, created_at__lt=cutoff)
        .filter(Q(renditions__isnull=True) | Q(placeholder={}))
        .distinct()
        .select_related("tenant")
        .order_by("pk")[:limit]
    )
    made = 0
    for item in items:
        try:
            media_item_derivatives_ensure(item=item)
        except Exception:  # noqa: BLE001 - one bad file must not stop the sweep
            logger.warning("could not make renditions of media item %s", item.pk, exc_info=True)
            continue
        made += 1
    return made
