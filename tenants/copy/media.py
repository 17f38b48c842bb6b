"""Copy the media library: files storage to storage, metadata, tags, published state (R5, R6, R19).

An item is the same item when its bytes are (R5), so destination items are matched by
checksum. Items are copied in batches; each batch writes its files first, then every row
in one transaction, and deletes the files it wrote if that transaction fails. A run that
dies midway therefore leaves whole batches behind, and a re-run matches them by checksum.

Files are copied by the store itself when it can (S3 to S3 on one service: CopyObject, see
tenants/storage.py), so a worker copying a large library moves no bytes; between different
backends they stream. Published items also get their public copies (media_library's
public_files), from the private copies just made, in the rows' transaction.

Rows are built here rather than through `media_item_upload`: the bytes were validated
when they entered the source library, and a copy must keep what an upload would reset
(published state, focal point, companions, renditions).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from media_library.models import MediaItem, MediaKind, MediaStatus, Rendition
from media_library.selectors import media_item_prefetch
from media_library.services import (
    display_name_choose,
    media_public_files_put,
    media_tags_resolve,
    renditions_ensure,
)
from media_library.tasks import media_item_derivatives_ensure
from tenants.events import DomainEvent, domain_event_emit
from tenants.models import Tenant
from tenants.storage import files_delete as storage_files_delete
from tenants.storage import storage_copy

from .options import CopyOptions
from .report import CREATED, REPLACED, CopyReport, conflict_outcome

BATCH_SIZE = 50

# What "replace" overwrites on an item with the same bytes. The file never changes (same
# checksum), and the display name stays: it is the destination's unique name for the item.
METADATA_FIELDS = (
    "title",
    "alt_text",
    "caption",
    "description",
    "transcript",
    "focal_x",
    "focal_y",
    "source_provider",
    "source_id",
)
# Copied as they are onto a new item.
NEW_ITEM_FIELDS = (
    *METADATA_FIELDS,
    "kind",
    "status",
    "original_filename",
    "mime_type",
    "size",
    "checksum",
    "width",
    "height",
    "duration_seconds",
    "video_thumbnail_checksum",
    "video_thumbnail_generated",  # R25: a copy re-cuts (or keeps) its thumbnail as the source would
    "video_captions_checksum",
    # R27: a copy is available when its source is (the flag follows the dates).
    "available_from",
    "expires_at",
    "usage_rights",
    "served",
)
FILE_FIELDS = ("file", "video_thumbnail", "video_captions")


def _name_used(tenant: Tenant, name: str) -> bool:
    return MediaItem.objects.filter(tenant=tenant, display_name=name).exists()


def _tag_names(item: MediaItem) -> list[str]:
    return sorted(tag.name for tag in item.tags.all())


def _same_metadata(source: MediaItem, target: MediaItem) -> bool:
    return all(getattr(source, f) == getattr(target, f) for f in METADATA_FIELDS) and [
        n.lower() for n in _tag_names(source)
    ] == [n.lower() for n in _tag_names(target)]


def file_copy(*, source: FieldFile, target: FieldFile) -> FieldFile | None:
    """Copy a file from the source field's storage into the target field's storage, under
    the name the target field gives it (as `target.save` would). Returns the stored target.

    Each side uses its own storage, so the copy works when the tenants live in different
    buckets or backends: server-side between S3 buckets of one service, streamed otherwise.
    """
    if not source:
        return None
    name = target.field.generate_filename(target.instance, os.path.basename(source.name))
    target.name = storage_copy(
        source=source.storage, source_name=source.name, target=target.storage, target_name=name
    )
    return target


def files_delete(files: Iterable[FieldFile]) -> None:
    """Best effort: a file left behind by a failed batch is a leak, not a reason to fail."""
    for stored in files:
        storage_files_delete(stored.storage, [stored.name])


@dataclass
class _Batch:
    """One batch's plan: new items (with their renditions), replacements, publications."""

    new_items: list[tuple[MediaItem, MediaItem]] = field(default_factory=list)  # (source, new)
    replaced: list[tuple[MediaItem, MediaItem]] = field(default_factory=list)  # (source, dest)
    to_publish: list[MediaItem] = field(default_factory=list)  # existing destination drafts
    renditions: list[Rendition] = field(default_factory=list)
    stored: list[FieldFile] = field(default_factory=list)


class MediaCopier:
    def __init__(
        self,
        *,
        source: Tenant,
        destination: Tenant,
        user: AbstractBaseUser | None,
        options: CopyOptions,
        report: CopyReport,
    ):
        self.source = source
        self.destination = destination
        self.user = user if user is not None and user.is_authenticated else None
        self.options = options
        self.report = report
        self.id_map: dict[int, int] = {}

    def run(self) -> dict[int, int]:
        """Copy every source item; return source media id -> destination media id.

        In a dry run an item that would be created maps to its negated source id, so the
        document pass can still tell what would match.
        """
        ids = list(
            MediaItem.objects.filter(tenant=self.source).order_by("pk").values_list("pk", flat=True)
        )
        for start in range(0, len(ids), BATCH_SIZE):
            batch_ids = ids[start : start + BATCH_SIZE]
            self._batch(batch_ids)
            self.report.advance(len(batch_ids))
        return self.id_map

    def _batch(self, batch_ids: list[int]) -> None:
        sources = list(
            media_item_prefetch(MediaItem.objects.filter(pk__in=batch_ids).order_by("pk"))
        )
        existing = {
            item.checksum: item
            for item in media_item_prefetch(
                MediaItem.objects.filter(
                    tenant=self.destination, checksum__in=[s.checksum for s in sources]
                )
            )
        }
        plan = _Batch()
        for source in sources:
            target = existing.get(source.checksum)
            if target is None:
                self.report.outcome("media", CREATED)
                if self.options.dry_run:
                    self.id_map[source.pk] = -source.pk
                else:
                    plan.new_items.append((source, self._new_item(source)))
                continue
            self.id_map[source.pk] = target.pk
            outcome = conflict_outcome(
                conflict=self.options.conflict,
                identical=_same_metadata(source, target),
                source_newer=source.updated_at > target.updated_at,
            )
            self.report.outcome("media", outcome)
            if outcome == REPLACED:
                plan.replaced.append((source, target))
            # Published documents will point at this item: it must be public here too.
            if source.status == MediaStatus.PUBLISHED and target.status != MediaStatus.PUBLISHED:
                self.report.count("media_published")
                plan.to_publish.append(target)
        if self.options.dry_run:
            return
        self._write(plan)

    def _new_item(self, source: MediaItem) -> MediaItem:
        item = MediaItem(tenant=self.destination, created_by=self.user)
        for name in NEW_ITEM_FIELDS:
            setattr(item, name, getattr(source, name))
        if source.status == MediaStatus.PUBLISHED:
            item.published_at = timezone.now()
        return item

    def _names_choose(self, plan: _Batch) -> None:
        """Keep each source display name when free in the destination; else `name (2)`..."""
        wanted = [source.display_name for source, _ in plan.new_items]
        taken = set(
            MediaItem.objects.filter(tenant=self.destination, display_name__in=wanted).values_list(
                "display_name", flat=True
            )
        )
        for source, item in plan.new_items:
            name = source.display_name
            if name in taken:
                name = display_name_choose(
                    tenant=self.destination, explicit="", filename=source.display_name
                )
                stem, ext = os.path.splitext(source.display_name)
                n = 2
                while name in taken or _name_used(self.destination, name):
                    n += 1
                    name = f"{stem} ({n}){ext}"
            taken.add(name)
            item.display_name = name

    def _files_store(self, plan: _Batch) -> None:
        for source, item in plan.new_items:
            for name in FILE_FIELDS:
                stored = file_copy(source=getattr(source, name), target=getattr(item, name))
                if stored:
                    plan.stored.append(stored)
            for rendition in source.renditions.all():
                copy = Rendition(
                    tenant=self.destination,
                    media=item,
                    name=rendition.name,
                    checksum=rendition.checksum,
                    width=rendition.width,
                    height=rendition.height,
                    focal_x=rendition.focal_x,
                    focal_y=rendition.focal_y,
                )
                stored = file_copy(source=rendition.file, target=copy.file)
                if stored:
                    plan.stored.append(stored)
                plan.renditions.append(copy)

    def _write(self, plan: _Batch) -> None:
        self._names_choose(plan)
        try:
            self._files_store(plan)
            with transaction.atomic():
                self._rows_write(plan)
        except BaseException:
            files_delete(plan.stored)
            raise
        for source, item in plan.new_items:
            self.id_map[source.pk] = item.pk
        self._derivatives(
            [item for source, item in plan.new_items if not source.renditions.all()]
            + [target for _, target in plan.replaced]
            + plan.to_publish
        )

    def _rows_write(self, plan: _Batch) -> None:
        new = [item for _, item in plan.new_items]
        MediaItem.objects.bulk_create(new)
        Rendition.objects.bulk_create(plan.renditions)
        self._public_files_put(plan)
        names = {n for source, _ in plan.new_items for n in _tag_names(source)}
        names |= {n for source, _ in plan.replaced for n in _tag_names(source)}
        tags = {t.name.lower(): t for t in media_tags_resolve(tenant=self.destination, names=names)}
        through = MediaItem.tags.through
        links = [
            through(mediaitem_id=item.pk, mediatag_id=tags[name.lower()].pk)
            for source, item in plan.new_items
            for name in _tag_names(source)
            if name.lower() in tags
        ]
        now = timezone.now()
        for source, target in plan.replaced:
            for name in METADATA_FIELDS:
                setattr(target, name, getattr(source, name))
            target.version += 1
            target.updated_at = now
        if plan.replaced:
            MediaItem.objects.bulk_update(
                [t for _, t in plan.replaced], [*METADATA_FIELDS, "version", "updated_at"]
            )
            through.objects.filter(mediaitem_id__in=[t.pk for _, t in plan.replaced]).delete()
            links += [
                through(mediaitem_id=target.pk, mediatag_id=tags[name.lower()].pk)
                for source, target in plan.replaced
                for name in _tag_names(source)
                if name.lower() in tags
            ]
        through.objects.bulk_create(links, ignore_conflicts=True)
        if plan.to_publish:
            MediaItem.objects.filter(pk__in=[t.pk for t in plan.to_publish]).update(
                status=MediaStatus.PUBLISHED, published_at=now, updated_at=now
            )
            for target in plan.to_publish:
                target.status = MediaStatus.PUBLISHED
                media_public_files_put(item=target)
        # Integrations hear of every item that became public here (R28), copied or existing.
        domain_event_emit(
            tenant=self.destination,
            event=DomainEvent.MEDIA_PUBLISHED,
            ids=[i.pk for i in new if i.status == MediaStatus.PUBLISHED]
            + [t.pk for t in plan.to_publish],
        )

    def _public_files_put(self, plan: _Batch) -> None:
        """New published items get their public copies (R6), from the private copies just
        made; a rollback of the batch deletes them again."""
        renditions: dict[int, list[Rendition]] = {}
        for rendition in plan.renditions:
            renditions.setdefault(id(rendition.media), []).append(rendition)
        for _, item in plan.new_items:
            if item.status == MediaStatus.PUBLISHED:
                media_public_files_put(item=item, renditions=renditions.get(id(item), []))

    def _derivatives(self, items: list[MediaItem]) -> None:
        """Published items get their renditions now (the read model links them, R15); drafts
        get them from the usual task. Both are no-ops when the copied renditions fit."""
        for item in {i.pk: i for i in items}.values():
            if item.kind not in (MediaKind.IMAGE, MediaKind.VIDEO):
                continue
            if item.status == MediaStatus.PUBLISHED:
                renditions_ensure(item=item)
            else:
                pk = item.pk
                transaction.on_commit(lambda pk=pk: media_item_derivatives_ensure.delay(pk))


def media_copy(
    *,
    source: Tenant,
    destination: Tenant,
    user: AbstractBaseUser | None,
    options: CopyOptions,
    report: CopyReport,
) -> dict[int, int]:
    """Copy the source's media library into the destination; source id -> destination id."""
    return MediaCopier(
        source=source, destination=destination, user=user, options=options, report=report
    ).run()
