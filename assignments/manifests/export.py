"""Export manifests (R18): the media library or product media assignments as TSV, every
column for the asset type, with the files alongside under the names MediaImportPath gives.

Everything streams: media items are read with `.iterator()`, assignment documents a batch
of products at a time, and lines are yielded as they are made, so memory stays flat
however large the export. Only the set of media ids whose files go alongside is kept.
"""

from __future__ import annotations

import io
import itertools
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db.models import Prefetch

from catalog.models import Product, Variant
from media_library.models import MediaItem, MediaTag
from media_library.selectors import media_file_path
from media_library.serving import media_preview_url
from tenants.exceptions import Conflict, ValidationFailed
from tenants.models import NEUTRAL, OMNICHANNEL, Locale, Tenant

from ..models import AssignmentDocument, CategoryMedia
from ..selectors import content_sets_load
from .columns import (
    ASSIGNMENT_COLUMNS,
    CROP_KEYS,
    ENTITY_CATEGORY,
    ENTITY_DIMENSION,
    ENTITY_DIMENSION_SWATCH,
    ENTITY_MASTER,
    ENTITY_SWATCH,
    ENTITY_VARIANT,
    ENTITY_VARIANT_SWATCH,
    GROUP_ADDITIONAL,
    GROUP_PRIMARY,
    MEDIA_COLUMNS,
    MEDIA_TYPE_OF_KIND,
    NEUTRAL_LOCALE,
    dimension_label,
)
from .tsv import line_encode

KINDS = ("media", "assignments")
PRODUCT_BATCH = 50  # a batch's media items and their cells are in memory together
MEDIA_BATCH = 500
MANIFEST_NAME = "manifest.tsv"
COPY_CHUNK = 1024 * 1024


class NoFiles(set):
    """The files of a manifest streamed without them (the API's TSV, `manifest_write`):
    nothing to remember, so a million-row export does not keep a million ids."""

    def add(self, value) -> None:
        return None


@dataclass
class ExportSelection:
    """What to export: `media` (all, or `media_ids`) or `assignments` (all products, or
    `product_numbers`), in one locale or all of them (`locale` None)."""

    kind: str = "media"
    media_ids: list[int] | None = None
    product_numbers: list[str] | None = None
    locale: str | None = None
    # The site's origin (`https://host`) for absolute URLs when MEDIA_PUBLIC_BASE_URL is
    # not set: the API passes its request's; a command may be given one.
    base_url: str = ""
    files: set[int] = field(default_factory=set)  # filled while rows are written
    rows: int = 0

    def columns(self) -> tuple[str, ...]:
        if self.kind == "media":
            return MEDIA_COLUMNS
        return ASSIGNMENT_COLUMNS + MEDIA_COLUMNS


def _stamp(value) -> str:
    return value.isoformat(timespec="seconds") if value else ""


def media_import_path(item: MediaItem) -> str:
    """Content-addressed folder, original name inside: the same file gets the same path in
    every tenant (exports of two tenants holding the same library compare equal), and the
    imported item keeps its original file name."""
    name = Path(item.original_filename).name or "file"
    return f"media/{item.checksum[:12]}/{name}"


def _absolute(path: str, base_url: str) -> str:
    """`path` on the public origin: MEDIA_PUBLIC_BASE_URL, else the export's base URL;
    a URL that is absolute already (the setting applied) is kept."""
    if "://" in path:
        return path
    base = getattr(settings, "MEDIA_PUBLIC_BASE_URL", "") or base_url
    return f"{base.rstrip('/')}{path}" if base else path


def media_cells(item: MediaItem, *, base_url: str = "") -> dict[str, str]:
    """Every media column of one item (tags must be prefetched). MediaPublishedURL is the
    item's stable public URL while it is published (R6); MediaPreviewURL a signed link that
    expires after MEDIA_PREVIEW_URL_SECONDS (drafts' bytes are never public, R30)."""
    import_paths = _import_paths(item)
    return {
        "InternalMediaId": str(item.pk),
        "MediaChannel": "",
        "MediaLocale": NEUTRAL_LOCALE,
        "MediaType": MEDIA_TYPE_OF_KIND.get(item.kind, "File"),
        "MediaVersion": str(item.version),
        "MediaCategory": "None",
        "MediaSourceProvider": item.source_provider,
        "MediaSourceId": item.source_id,
        "MediaReferenceUrl": "",
        "MediaSourceIfExistsAction": "UseExisting",
        "MediaAction": "PublishNow" if item.is_published else "Draft",
        "MediaCheckedOutAction": "UseExisting",
        "MediaVersionMismatchAction": "UseExisting",
        "MediaImportPath": import_paths[0],
        "ImageAltText": item.alt_text,
        "MediaSearchTags": ",".join(sorted(t.name for t in item.tags.all())),
        "MediaDisplayName": item.display_name,
        "MediaTitle": item.title,
        "MediaCaption": item.caption,
        "MediaDescription": item.description,
        "VideoCaptionImportPath": import_paths[2],
        "VideoThumbnailImportPath": import_paths[1],
        "VideoTranscriptImportPath": "",
        "VideoAudioTrackImportPath": "",
        "VideoDescriptiveAudioTrackImportPath": "",
        "VideoPlaytime": f"{item.duration_seconds:.1f}" if item.duration_seconds else "",
        "VideoMinimumAge": "",
        "VideoSubtitle": "",
        "DocumentForceDownload": "",
        "MediaCreatedOn": _stamp(item.created_at),
        "MediaLastModifiedOn": _stamp(item.updated_at),
        "MediaPublished": "true" if item.is_published else "false",
        "MediaPublishedOn": _stamp(item.published_at),
        "MediaPublishedURL": _absolute(media_file_path(item), base_url)
        if item.is_published
        else "",
        "MediaPreviewURL": _absolute(media_preview_url(item), base_url) if item.file else "",
        "ImageQuality": "",
        "ImageWidth": str(item.width or ""),
        "ImageHeight": str(item.height or ""),
        "MediaChecksum": item.checksum,
    }


def _import_paths(item: MediaItem) -> tuple[str, str, str]:
    """MediaImportPath, VideoThumbnailImportPath and VideoCaptionImportPath of an item."""
    thumbnail = Path(item.video_thumbnail.name).name if item.video_thumbnail else ""
    captions = Path(item.video_captions.name).name if item.video_captions else ""
    folder = f"media/{item.checksum[:12]}"
    return (
        media_import_path(item),
        f"{folder}/thumbnail/{thumbnail}" if thumbnail else "",
        f"{folder}/captions/{captions}" if captions else "",
    )


def companion_files(item: MediaItem) -> list[tuple[str, object]]:
    """(import path, FieldFile) of every file an item's row names."""
    path, thumbnail, captions = _import_paths(item)
    out = [(path, item.file)]
    if thumbnail:
        out.append((thumbnail, item.video_thumbnail))
    if captions:
        out.append((captions, item.video_captions))
    return out


def _media_queryset(tenant: Tenant):
    return MediaItem.objects.filter(tenant=tenant).prefetch_related(
        Prefetch("tags", queryset=MediaTag.objects.order_by("name"))
    )


def media_rows(*, tenant: Tenant, selection: ExportSelection) -> Iterator[dict[str, str]]:
    items = _media_queryset(tenant).order_by("pk")
    if selection.media_ids is not None:
        items = items.filter(pk__in=selection.media_ids)
    for item in items.iterator(chunk_size=MEDIA_BATCH):
        selection.files.add(item.pk)
        yield media_cells(item, base_url=selection.base_url)


def _documents(tenant: Tenant, product_ids: list[int], selection: ExportSelection):
    documents = AssignmentDocument.objects.filter(
        tenant=tenant, product_id__in=product_ids
    ).select_related("product", "channel", "locale")
    if selection.locale is not None:
        documents = documents.filter(locale__code=selection.locale)
    return documents.order_by("product__number", "channel__code", "locale__code")


def assignment_rows(*, tenant: Tenant, selection: ExportSelection) -> Iterator[dict[str, str]]:
    """One row per entry of each document's checked-in content (the draft, else what is
    published), a batch of products at a time."""
    products = Product.objects.filter(tenant=tenant).order_by("number")
    if selection.product_numbers is not None:
        products = products.filter(number__in=selection.product_numbers)
    product_ids = list(products.values_list("pk", flat=True))
    for start in range(0, len(product_ids), PRODUCT_BATCH):
        documents = list(_documents(tenant, product_ids[start : start + PRODUCT_BATCH], selection))
        own = {d.pk: d.draft_id if d.draft_id is not None else d.published_id for d in documents}
        contents = content_sets_load(tenant=tenant, set_ids=own.values())
        media_ids = {m for c in contents.values() for m in c.media_kinds}
        # Variants deleted since are history only (the check-out drops them too): a row for
        # one could never be imported again.
        live_variants = set(
            Variant.objects.filter(tenant=tenant, product_id__in={d.product_id for d in documents})
            .order_by()
            .values_list("number", flat=True)
        )
        items = {item.pk: item for item in _media_queryset(tenant).filter(pk__in=media_ids)}
        media = {pk: media_cells(item, base_url=selection.base_url) for pk, item in items.items()}
        for document in documents:
            content = contents.get(own[document.pk])
            if content is None or not content.has_content:
                continue
            base = _entity_base(document, content.matrix)
            yield from _content_rows(content, base, media, selection, live_variants)


def _entity_base(document: AssignmentDocument, matrix: tuple[str, ...]) -> dict[str, str]:
    """The document's columns on each of its rows. EntityAssignmentAction is always
    `Draft`: importing an export unchanged is a no-op, and an edited export stages its edits
    as a new version for review instead of publishing them (set PublishNow to publish)."""
    published = document.draft_id is not None and document.draft_id == document.published_id
    if document.draft_id is None and document.published_id is not None:
        published = True
    return {
        "EntityKey": document.product.number,
        "EntityKeyValue": "",
        "EntityLocale": NEUTRAL_LOCALE if document.locale.code == NEUTRAL else document.locale.code,
        "EntityChannel": "Omnichannel"
        if document.channel.code == OMNICHANNEL
        else document.channel.code,
        "CatalogNumber": "",
        "EntityAssignmentCurrentPublishState": "Published" if published else "Draft",
        "EntityAssignmentAction": "Draft",
        "EntityAssignmentMatrix": "|".join(dimension_label(d) for d in matrix),
        "EntityCheckedOutAction": "UseExisting",
        "EntityVersionMismatchAction": "UseExisting",
        "EntityCreatedOn": _stamp(document.created_at),
        "EntityLastModifiedOn": _stamp(document.updated_at),
        "EntityVersion": str(document.version),
        "EntityPublishedOn": _stamp(document.published_at),
    }


def _slot_rows(slots, entity: dict, media: dict, selection: ExportSelection) -> Iterator[dict]:
    for position, media_id in enumerate(slots.primary):
        selection.files.add(media_id)
        yield {
            **entity,
            **media[media_id],
            "MediaGroup": GROUP_PRIMARY,
            "MediaDisplayOrder": str(position + 1),
        }
    for media_id, purpose in slots.additional:
        selection.files.add(media_id)
        yield {**entity, **media[media_id], "MediaGroup": GROUP_ADDITIONAL, "MediaPurpose": purpose}


def _swatch_rows(swatches, entity: dict, media: dict, selection) -> Iterator[dict]:
    """One row per swatch of an entity, in order: a hex colour, or an image (its media
    columns, SwatchValue its id) with its crop rectangle in SwatchCrop."""
    for swatch in swatches:
        row = {
            **entity,
            "SwatchGroup": dimension_label(swatch.dimension),
            "SwatchDimension": swatch.value,
        }
        if swatch.media is not None:
            selection.files.add(swatch.media)
            row.update(media[swatch.media], SwatchValue=str(swatch.media))
            if swatch.crop is not None:
                row["SwatchCrop"] = "|".join(
                    f"{key}:{value}" for key, value in zip(CROP_KEYS, swatch.crop, strict=True)
                )
        else:
            row["SwatchValue"] = swatch.hex
        yield row


def _content_rows(content, base, media, selection, live_variants) -> Iterator[dict]:
    """Every entry of one CONTENT, entity by entity: master, dimension combinations (in
    canonical key order), variants (by number); per entity its primary list, additional
    media and swatches (R7, R8)."""
    master = {**base, "EntityType": ENTITY_MASTER}
    yield from _slot_rows(content.master, master, media, selection)
    yield from _swatch_rows(
        content.master.swatches, {**base, "EntityType": ENTITY_SWATCH}, media, selection
    )
    for key in sorted(content.dimensions):
        dimension_row = content.dimensions[key]
        values = "|".join(f"{dimension_label(d)}:{v}" for d, v in dimension_row.values.items())
        entity = {**base, "EntityType": ENTITY_DIMENSION, "EntityKeyValue": values}
        yield from _slot_rows(dimension_row.slots, entity, media, selection)
        swatch_entity = {**entity, "EntityType": ENTITY_DIMENSION_SWATCH}
        yield from _swatch_rows(dimension_row.slots.swatches, swatch_entity, media, selection)
    for number in sorted(content.variants):
        if number not in live_variants:
            continue
        entity = {**base, "EntityType": ENTITY_VARIANT, "EntityKey": number}
        slots = content.variants[number]
        yield from _slot_rows(slots, entity, media, selection)
        swatch_entity = {**entity, "EntityType": ENTITY_VARIANT_SWATCH}
        yield from _swatch_rows(slots.swatches, swatch_entity, media, selection)


def category_rows(*, tenant: Tenant, selection: ExportSelection) -> Iterator[dict[str, str]]:
    """One row per category with a staged default image (R10: per channel, no locale).
    Left out when the export names products or a locale other than Neutral."""
    if selection.product_numbers is not None or selection.locale not in (None, NEUTRAL):
        return
    assignments = (
        CategoryMedia.objects.filter(tenant=tenant, draft_media__isnull=False)
        .select_related("category__channel")
        .order_by("category__channel__code", "category__path")
    )
    for batch in _batches(assignments.iterator(chunk_size=MEDIA_BATCH), MEDIA_BATCH):
        items = {
            item.pk: item
            for item in _media_queryset(tenant).filter(pk__in={a.draft_media_id for a in batch})
        }
        for assignment in batch:
            item = items[assignment.draft_media_id]
            selection.files.add(item.pk)
            published = assignment.published_media_id == assignment.draft_media_id
            yield {
                "EntityType": ENTITY_CATEGORY,
                "EntityKey": assignment.category.path,
                "EntityLocale": NEUTRAL_LOCALE,
                "EntityChannel": assignment.category.channel.code,
                "EntityAssignmentCurrentPublishState": "Published" if published else "Draft",
                "EntityAssignmentAction": "Draft",
                "EntityCheckedOutAction": "UseExisting",
                "EntityVersionMismatchAction": "UseExisting",
                "EntityLastModifiedOn": _stamp(assignment.updated_at),
                "EntityPublishedOn": _stamp(assignment.published_at),
                **media_cells(item, base_url=selection.base_url),
                "MediaGroup": GROUP_PRIMARY,
            }


def _batches(iterable, size: int) -> Iterator[list]:
    batch: list = []
    for value in iterable:
        batch.append(value)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def manifest_lines(*, tenant: Tenant, selection: ExportSelection) -> Iterator[str]:
    """The TSV, line by line (header first). Every cell goes through `tsv.cell_encode`:
    formula-leading values are neutralised (R29) and no value spans two lines."""
    columns = selection.columns()
    yield line_encode(columns)
    rows = (
        media_rows(tenant=tenant, selection=selection)
        if selection.kind == "media"
        else itertools.chain(
            assignment_rows(tenant=tenant, selection=selection),
            category_rows(tenant=tenant, selection=selection),
        )
    )
    for row in rows:
        selection.rows += 1
        yield line_encode(row.get(c, "") for c in columns)


def export_files(*, tenant: Tenant, media_ids: Iterable[int]) -> Iterator[tuple[str, object]]:
    """(import path, FieldFile) of every file of these items, a batch at a time."""
    for path, field_file, _item in _export_files_with_items(tenant, media_ids):
        yield path, field_file


def _export_files_with_items(tenant: Tenant, media_ids: Iterable[int]):
    ordered = sorted(set(media_ids))
    for start in range(0, len(ordered), MEDIA_BATCH):
        for item in _media_queryset(tenant).filter(pk__in=ordered[start : start + MEDIA_BATCH]):
            for path, field_file in companion_files(item):
                yield path, field_file, item


class ExportIncomplete(Conflict):
    """Files the export must carry are missing from storage: refused before the first byte
    (a 409 naming them), never a truncated zip behind a 200 (issue 12)."""

    code = "export_files_missing"


MISSING_LISTED = 100
MANIFEST_SPOOL_BYTES = 8 * 1024 * 1024


def export_files_check(*, tenant: Tenant, media_ids: Iterable[int]) -> None:
    """ExportIncomplete naming every item whose file (or companion) is not in storage."""
    missing: list[dict] = []
    count = 0
    for path, field_file, item in _export_files_with_items(tenant, media_ids):
        name = field_file.name
        if name and field_file.storage.exists(name):
            continue
        count += 1
        if len(missing) < MISSING_LISTED:
            missing.append({"media_id": item.pk, "display_name": item.display_name, "path": path})
    if count:
        listed = ", ".join(f"{m['media_id']} ({m['path']})" for m in missing[:10])
        more = f" and {count - 10} more" if count > 10 else ""
        raise ExportIncomplete(
            f"The export cannot complete: {count} file(s) are missing from storage, "
            f"for media item(s) {listed}{more}.",
            field="files",
            extra={"missing": missing, "missing_count": count},
        )


def export_prepare(*, tenant: Tenant, selection: ExportSelection) -> IO[bytes]:
    """Write the manifest to a spool (memory, then disk past 8 MB) while learning which files
    go alongside, and check that every one of them exists: everything that can stop an
    export happens here, before a response (or a job's result) is started."""
    spool = tempfile.SpooledTemporaryFile(max_size=MANIFEST_SPOOL_BYTES)  # noqa: SIM115
    try:
        for text in manifest_lines(tenant=tenant, selection=selection):
            spool.write(text.encode("utf-8"))
        export_files_check(tenant=tenant, media_ids=selection.files)
    except BaseException:
        spool.close()
        raise
    spool.seek(0)
    return spool


class _Sink(io.RawIOBase):
    """A write-only, unseekable stream whose bytes are drained by a generator."""

    def __init__(self):
        self.chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self.chunks.append(bytes(data))
        return len(data)

    def drain(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def zip_stream(*, tenant: Tenant, selection: ExportSelection) -> Iterator[bytes]:
    """A .zip (manifest.tsv + files) as a stream of bytes, for HTTP responses and files.

    Not a generator itself: the manifest is made and every file checked when this is
    called (ExportIncomplete, a 409, if one is missing), so a caller can still answer an
    error; only then are bytes produced."""
    manifest = export_prepare(tenant=tenant, selection=selection)
    return _zip_bytes(tenant=tenant, selection=selection, manifest=manifest)


def _zip_bytes(*, tenant: Tenant, selection: ExportSelection, manifest: IO[bytes]):
    sink = _Sink()
    try:
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            with archive.open(MANIFEST_NAME, "w") as entry:
                for chunk in iter(lambda: manifest.read(COPY_CHUNK), b""):
                    entry.write(chunk)
                    yield sink.drain()
            yield sink.drain()
            for path, field_file in export_files(tenant=tenant, media_ids=selection.files):
                info = zipfile.ZipInfo(path)
                info.compress_type = zipfile.ZIP_STORED  # media is compressed already
                with archive.open(info, "w") as entry, field_file.open("rb") as source:
                    for chunk in iter(lambda: source.read(COPY_CHUNK), b""):
                        entry.write(chunk)
                        yield sink.drain()
        yield sink.drain()
    finally:
        manifest.close()


def export_to_path(*, tenant: Tenant, selection: ExportSelection, target: Path) -> dict:
    """`export_manifest OUT`: a .zip, a folder (manifest.tsv + media/), or a bare .tsv.
    Nothing is written when a file is missing (ExportIncomplete)."""
    target = Path(target)
    if target.suffix.lower() == ".zip":
        stream = zip_stream(tenant=tenant, selection=selection)
        with open(target, "wb") as out:
            for chunk in stream:
                out.write(chunk)
        return {"path": str(target), "files": len(selection.files), "rows": selection.rows}
    tsv = target if target.suffix.lower() == ".tsv" else target / MANIFEST_NAME
    with export_prepare(tenant=tenant, selection=selection) as manifest:
        tsv.parent.mkdir(parents=True, exist_ok=True)
        with open(tsv, "wb") as out:
            shutil.copyfileobj(manifest, out, COPY_CHUNK)
    written = 0
    rows = selection.rows
    for path, field_file in export_files(tenant=tenant, media_ids=selection.files):
        destination = tsv.parent / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        with field_file.open("rb") as source, open(destination, "wb") as copy:
            shutil.copyfileobj(source, copy, COPY_CHUNK)
        written += 1
    return {"path": str(tsv), "files": written, "rows": rows}


def manifest_write(*, tenant: Tenant, selection: ExportSelection, out: IO[str]) -> int:
    """The manifest alone, written to `out` as it is made; returns its rows."""
    selection.files = NoFiles()
    for text in manifest_lines(tenant=tenant, selection=selection):
        out.write(text)
    return selection.rows


def selection_check(*, tenant: Tenant, selection: ExportSelection) -> None:
    """Refuse, naming each, an unknown kind, product, media id or locale (before streaming:
    a response already started cannot turn into a 400)."""
    errors: list[tuple[str, str]] = []
    if selection.kind not in KINDS:
        errors.append(("kind", f"Must be one of {', '.join(KINDS)}."))
    if selection.product_numbers:
        found = set(
            Product.objects.filter(tenant=tenant, number__in=selection.product_numbers).values_list(
                "number", flat=True
            )
        )
        missing = [n for n in selection.product_numbers if n not in found]
        if missing:
            errors.append(("products", f"Unknown products: {', '.join(missing[:20])}."))
    if selection.media_ids:
        found_ids = set(
            MediaItem.objects.filter(tenant=tenant, pk__in=selection.media_ids).values_list(
                "pk", flat=True
            )
        )
        missing_ids = [str(i) for i in selection.media_ids if i not in found_ids]
        if missing_ids:
            errors.append(("media_ids", f"Unknown media items: {', '.join(missing_ids[:20])}."))
    if selection.locale is not None:
        if selection.locale == NEUTRAL_LOCALE:
            selection.locale = NEUTRAL
        if not Locale.objects.filter(tenant=tenant, code=selection.locale).exists():
            errors.append(("locale", f"Unknown locale '{selection.locale}'."))
    if errors:
        raise ValidationFailed(errors, message=errors[0][1])
