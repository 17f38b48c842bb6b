"""The media half of manifest validation (R5, R18): which item a row names (found by
source id, library id or its file's bytes, or to be created), whether its metadata
changes, and, once per chunk of rows, every new item's file read and checked and every
new display name checked against the library and the rest of the file.

A mixin of `validate.ManifestValidator`: it shares the row helpers (`require`, `enum`,
`channel`, `locale`) and the per-chunk reference dicts; plans of earlier chunks come from
the import's PlanStore.
"""

from __future__ import annotations

import io
from datetime import datetime

from django.conf import settings
from django.db import connection

from media_library.formats import FORMATS
from media_library.models import MediaItem, MediaKind
from media_library.services import (
    DISPLAY_NAME_MAX_LENGTH,
    media_metadata_length_problems,
    tag_names_normalize,
)
from media_library.validation import (
    UploadRejected,
    companion_inspect,
    extension_check,
    filename_validate,
    upload_inspect,
)
from tenants.exceptions import DomainError

from .columns import MEDIA_TYPES, ErrorCode
from .files import FileDigest, FileMissing, file_basename
from .plan import VERSION_CHANGED, MediaPlan, RowPlan

# Manifest column -> MediaItem field, for metadata a row may set.
METADATA_COLUMNS = {
    "MediaDisplayName": "display_name",
    "MediaTitle": "title",
    "ImageAltText": "alt_text",
    "MediaCaption": "caption",
    "MediaDescription": "description",
}
COLUMN_OF_FIELD = {field: column for column, field in METADATA_COLUMNS.items()}
COMPANION_COLUMNS = {
    "VideoThumbnailImportPath": "thumbnail",
    "VideoCaptionImportPath": "captions",
    "VideoTranscriptImportPath": "transcript",
}
MEDIA_FIELDS = (
    "pk",
    "kind",
    "status",
    "display_name",
    "title",
    "alt_text",
    "caption",
    "description",
    "version",
    "checksum",
    "source_provider",
    "source_id",
    "updated_at",
    "width",
    "height",
    "mime_type",
)
# A chunk's new files read whole by their digest are checked from those bytes, up to this
# much (a chunk of large photos is read a second time instead of held).
KEPT_BYTES = 16 * 1024 * 1024
IDENTITY_COLUMNS = ("InternalMediaId", "MediaSourceId", "MediaImportPath", "MediaReferenceUrl")


def values_in(queryset, field: str, values: list):
    """`field IN (values)`; on PostgreSQL as `= ANY(%s)` with one array parameter: a query
    with thousands of placeholders costs more to build and parse than to run."""
    if connection.vendor != "postgresql":
        return queryset.filter(**{f"{field}__in": values})
    model_field = queryset.model._meta.get_field(field)
    kind = "text" if model_field.get_internal_type() in ("CharField", "TextField") else "bigint"
    column = f'"{queryset.model._meta.db_table}"."{model_field.column}"'
    return queryset.extra(where=[f"{column} = ANY(%s::{kind}[])"], params=[list(values)])


def _plain_name(name: str) -> bool:
    """A name `filename_validate` accepts unchanged, told without its per-character
    Unicode lookups: short printable ASCII, no folders, nothing to trim."""
    return (
        0 < len(name) <= 200
        and name.isascii()
        and name.isprintable()
        and "/" not in name
        and "\\" not in name
        and name not in (".", "..")
        and name.strip() == name
    )


def positive_int(value: str) -> int | None:
    if not value:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number < 2**63 else None


def _timestamp(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return None


class MediaChecks:
    """Media rows and media cells of assignment rows (see the module docstring)."""

    # --- which item a row names --------------------------------------------------------

    def media_key(self, get) -> tuple | None:
        """The key of the plan a row's media cells name, as `media_of_row_uncached` finds
        it (used to fetch earlier chunks' plans before the chunk is checked)."""
        if not any(get(c) for c in IDENTITY_COLUMNS):
            return None
        provider, source_id = get("MediaSourceProvider"), get("MediaSourceId")
        if provider and source_id:
            return ("source", provider, source_id)
        internal = positive_int(get("InternalMediaId"))
        if internal is not None and internal in self.media:
            return ("id", internal)
        return ("path", get("MediaImportPath") or get("MediaReferenceUrl"))

    def media_of_row(self, plan: RowPlan, get, *, required: bool) -> MediaPlan | None:
        """The media item a row names, memoised on the row's media cells: a large
        assignment manifest names the same few thousand items over and over, and equal
        cells always give the same item and the same errors."""
        signature = (required, self.media_cells(self.current_values))
        memo = self.media_memo.get(signature)
        if memo is not None:
            media_plan, errors = memo
            plan.errors.extend(errors)
            return media_plan
        errors_before = len(plan.errors)
        media_plan = self.media_of_row_uncached(plan, get, required=required)
        self.media_memo[signature] = (media_plan, plan.errors[errors_before:])
        return media_plan

    def media_of_row_uncached(self, plan: RowPlan, get, *, required: bool) -> MediaPlan | None:
        """The media item a row names (found or to create), merged with earlier rows."""
        if not any(get(c) for c in IDENTITY_COLUMNS):
            if required:
                self.require(plan, get, "MediaImportPath", " for a new media item")
            return None
        errors_before = len(plan.errors)
        if_exists = self.enum(None, get, "MediaSourceIfExistsAction")
        internal_raw = get("InternalMediaId")
        internal = positive_int(internal_raw)
        if internal_raw and internal is None:
            plan.error(ErrorCode.BAD_VALUE, f"InternalMediaId '{internal_raw}' is not an id.")
        provider, source_id = get("MediaSourceProvider"), get("MediaSourceId")
        if bool(provider) != bool(source_id):
            plan.error(
                ErrorCode.MISSING_VALUE,
                "MediaSourceProvider and MediaSourceId go together: give both or neither.",
            )
        path = get("MediaImportPath") or get("MediaReferenceUrl")
        existing, matched_by, key = None, "", None
        if provider and source_id:
            key = ("source", provider, source_id)
            found = self.by_source.get((provider, source_id))
            if found is not None and if_exists != "KeepBoth":
                existing, matched_by = found, "source"
        if existing is None and internal is not None and internal in self.media:
            existing, matched_by = internal, "id"
            key = key or ("id", internal)
        if existing is None and internal is not None and not path:
            plan.error(ErrorCode.UNKNOWN_MEDIA, f"InternalMediaId {internal} does not exist.")
            return None
        if key is None:
            key = ("path", path)
        type_name = get("MediaType")
        self.require(plan, get, "MediaType")
        self.require(plan, get, "MediaLocale")
        self.require(plan, get, "MediaDisplayName")
        if existing is not None and matched_by == "id" and not self.reader.has("MediaChannel"):
            # An empty MediaChannel is Omnichannel: the column must be there, not a value.
            plan.error(
                ErrorCode.MISSING_COLUMN,
                "Mandatory column 'MediaChannel' is missing for an existing media item.",
            )
        if existing is None and not path:
            self.require(plan, get, "MediaImportPath", " for a new media item")
        if self.reader.has("MediaChannel"):
            self.channel(plan, get("MediaChannel"), "MediaChannel")
        if get("MediaLocale"):
            self.locale(plan, get("MediaLocale"), "MediaLocale")
        hint = MEDIA_TYPES.get(type_name)
        kind_hint = str(hint) if hint is not None else None  # plain str: plans are marshalled
        if kind_hint == MediaKind.IMAGE:
            self.require(plan, get, "ImageAltText", " for images")
        if kind_hint == MediaKind.VIDEO:
            self.require(plan, get, "MediaTitle", " for videos")
        if existing is not None and type_name in MEDIA_TYPES:
            self.kind_check(plan, type_name, self.media[existing]["kind"], f"media {existing}")
        fields = {
            field: get(column)
            for column, field in METADATA_COLUMNS.items()
            if self.reader.has(column)
        }
        self.lengths_check(plan, fields)
        tags = None
        if self.reader.has("MediaSearchTags"):
            try:
                tags = tag_names_normalize(get("MediaSearchTags").split(","))
            except DomainError as exc:
                plan.error(ErrorCode.BAD_VALUE, f"MediaSearchTags: {exc.message}")
        media_plan = self.media_plans.get(key)
        if media_plan is None and existing is not None:
            media_plan = self.plans_by_item.get(existing)
        if media_plan is not None:
            if media_plan.fields != fields or media_plan.tags != tags:
                plan.error(
                    ErrorCode.DUPLICATE,
                    f"This media item is described differently on line {media_plan.first_line}.",
                )
            return media_plan
        media_plan = MediaPlan(
            key=key,
            kind_hint=kind_hint,
            type_name=type_name,
            existing_id=existing,
            matched_by=matched_by,
            path=path,
            display_name=get("MediaDisplayName"),
            fields=fields,
            tags=tags,
            source_provider=provider,
            source_id=source_id,
            if_exists=if_exists,
            media_action=self.enum(None, get, "MediaAction"),
            companions={
                name: get(column) for column, name in COMPANION_COLUMNS.items() if get(column)
            },
            first_line=plan.line,
        )
        if existing is not None:
            self.existing_plan(plan, get, media_plan)
        if len(plan.errors) > errors_before:
            return media_plan  # not kept: the row fails, and later rows decide for themselves
        self.media_plan_keep(media_plan)
        return media_plan

    @staticmethod
    def lengths_check(plan: RowPlan, fields: dict[str, str]) -> None:
        """Values longer than the library keeps fail the row, as an upload or an edit
        would refuse them (and the dry run says so), naming the column and the limit."""
        for field, reason in media_metadata_length_problems(fields):
            plan.error(ErrorCode.BAD_VALUE, f"{COLUMN_OF_FIELD[field]}: {reason}")
        name = (fields.get("display_name") or "").strip()
        if len(name) > DISPLAY_NAME_MAX_LENGTH:
            plan.error(
                ErrorCode.BAD_VALUE,
                f"MediaDisplayName: the display name is longer than {DISPLAY_NAME_MAX_LENGTH} "
                "characters.",
            )

    def media_plan_keep(self, media_plan: MediaPlan) -> None:
        """A new plan joins the chunk (and, at its end, the store) under the next number."""
        media_plan.idx = self.next_media_idx
        self.next_media_idx += 1
        self.media_plans[media_plan.key] = media_plan
        if media_plan.existing_id is not None:
            self.plans_by_item.setdefault(media_plan.existing_id, media_plan)
        self.chunk_new_media.append(media_plan)

    def reference_plan(self, item: dict) -> MediaPlan:
        """An item used only by reference (a swatch image by id): nothing to change on it."""
        media_plan = self.media_plans.get(("id", item["pk"]))
        if media_plan is not None:
            return media_plan
        media_plan = MediaPlan(
            key=("id", item["pk"]),
            existing_id=item["pk"],
            matched_by="id",
            kind=item["kind"],
            checksum=item["checksum"],
            width=item["width"],
            height=item["height"],
        )
        self.media_plan_keep(media_plan)
        return media_plan

    def kind_check(self, plan: RowPlan, type_name: str, kind: str, what: str) -> None:
        wanted = MEDIA_TYPES[type_name]
        ok = (
            kind == wanted if wanted is not None else kind not in (MediaKind.IMAGE, MediaKind.VIDEO)
        )
        if not ok:
            plan.error(
                ErrorCode.TYPE_MISMATCH,
                f"MediaType is {type_name} but {what} is {'an' if kind[0] in 'aeiou' else 'a'} {kind}.",
            )

    def existing_plan(self, plan: RowPlan, get, media_plan: MediaPlan) -> None:
        """Decide whether an existing item's metadata changes (actions, versions, names)."""
        item = self.media[media_plan.existing_id]
        media_plan.kind = item["kind"]
        media_plan.checksum = item["checksum"]
        media_plan.width, media_plan.height = item["width"], item["height"]
        allowed = True
        if media_plan.matched_by == "source":
            action = media_plan.if_exists
            if action == "UseExisting":
                allowed, media_plan.keep_note = False, "exists (UseExisting)"
            elif action == "TakeLatest":
                stamp = _timestamp(get("MediaLastModifiedOn"))
                if stamp is None or stamp <= item["updated_at"]:
                    allowed, media_plan.keep_note = (
                        False,
                        "the library's copy is newer (TakeLatest)",
                    )
        version_raw = get("MediaVersion")
        version = positive_int(version_raw)
        if version_raw and version is None:
            plan.error(ErrorCode.BAD_VALUE, f"MediaVersion '{version_raw}' is not a number.")
        if version is not None and version != item["version"]:
            action = self.enum(None, get, "MediaVersionMismatchAction")
            if action != "Overwrite":
                allowed = False
                media_plan.keep_note = (
                    f"{VERSION_CHANGED} (v{version} -> v{item['version']}); "
                    "kept (MediaVersionMismatchAction UseExisting)"
                )
        if allowed:
            media_plan.update = self.metadata_differs(media_plan, item)
            if media_plan.update and "display_name" in media_plan.fields:
                self.name_free(plan, media_plan.fields["display_name"], media_plan.existing_id)
        if self.status_change(media_plan, item["status"]):
            media_plan.update = True

    @staticmethod
    def status_change(media_plan: MediaPlan, status: str) -> bool:
        action = media_plan.media_action
        return (
            (action == "PublishNow" and status != "published")
            or (action == "Unpublish" and status == "published")
            or action == "UnpublishAndDelete"
        )

    def metadata_differs(self, media_plan: MediaPlan, item: dict) -> bool:
        for field, value in self.effective_fields(media_plan, item["kind"]).items():
            if item[field] != value:
                return True
        if media_plan.tags is not None:
            current = sorted(t.lower() for t in self.tags.get(item["pk"], []))
            if current != sorted(t.lower() for t in media_plan.tags):
                return True
        return False

    @staticmethod
    def effective_fields(media_plan: MediaPlan, kind: str) -> dict:
        """The fields as they will be stored: images without a title take their display name
        (the library requires one; the manifest only requires it for videos)."""
        fields = dict(media_plan.fields)
        if kind == MediaKind.IMAGE and "title" in fields and not fields["title"]:
            fields["title"] = fields.get("display_name") or media_plan.display_name
        return fields

    def name_free(self, plan: RowPlan, name: str, owner: int | None) -> None:
        holder = self.names_taken.get(name)
        if holder is not None and holder != owner:
            plan.error(
                ErrorCode.NAME_TAKEN,
                f"MediaDisplayName '{name}' is already used by media item {holder}.",
            )

    # --- once per chunk: the files and names of its new items -------------------------

    def check_files(self) -> None:
        """Read each new item's file once: it must exist and its bytes must be `MediaType`.
        The same bytes are the same item (R5): bytes already in the library make the row
        name that item, found for the whole chunk in one query. Their content was proven
        when they were stored, so they are read and hashed, not decoded again; bytes the
        library does not have are inspected in full, as an upload is."""
        new = [p for p in self.chunk_new_media if p.is_new and p.path]
        if not new:
            return
        digests: dict[int, FileDigest] = {}
        kept = 0  # bytes of the chunk's files held for their check (at most KEPT_BYTES)
        for media_plan in new:
            if self.files is None:
                media_plan.problem = (
                    ErrorCode.MISSING_FILE,
                    f"'{media_plan.path}': no files were given.",
                )
                continue
            try:
                digest = self.files.digest(media_plan.path)
            except FileMissing as exc:
                media_plan.problem = (ErrorCode.MISSING_FILE, str(exc))
                continue
            if digest.data is not None:
                if kept + digest.size > KEPT_BYTES:
                    digest = digest._replace(data=None)
                else:
                    kept += digest.size
            digests[media_plan.idx] = digest
        known = self.items_by_checksum({d.checksum for d in digests.values()})
        for media_plan in new:
            digest = digests.get(media_plan.idx)
            if digest is None:
                continue
            existing = known.get(digest.checksum)
            reuse = existing is not None and media_plan.if_exists != "KeepBoth"
            media_plan.problem = (
                self.known_file_problem(media_plan, existing, digest)
                if reuse
                else self.file_problem(media_plan, digest.data)
            ) or self.companions_problem(media_plan)
            if media_plan.problem is not None or not reuse:
                continue
            self.media[existing["pk"]] = existing
            media_plan.existing_id, media_plan.matched_by = existing["pk"], "checksum"
            media_plan.width, media_plan.height = existing["width"], existing["height"]
            if media_plan.if_exists == "UseExisting":
                media_plan.keep_note = "the same file is already in the library"
                media_plan.update = self.status_change(media_plan, existing["status"])
            else:
                media_plan.update = self.metadata_differs(
                    media_plan, existing
                ) or self.status_change(media_plan, existing["status"])

    def items_by_checksum(self, checksums: set[str]) -> dict[str, dict]:
        """Library items with these bytes (tags loaded too, for metadata comparisons)."""
        found = {i["checksum"]: i for i in self.media.values() if i["checksum"] in checksums}
        wanted = sorted(checksums - set(found))
        for chunk in self.chunks(wanted):
            items = MediaItem.objects.filter(tenant=self.tenant)
            for item in values_in(items, "checksum", chunk).values(*MEDIA_FIELDS):
                found[item["checksum"]] = item
        self.tags_load({i["pk"] for i in found.values()} - set(self.tags))
        return found

    def tags_load(self, item_ids: set[int]) -> None:
        through = MediaItem.tags.through
        for item_id in item_ids:
            self.tags.setdefault(item_id, [])
        for chunk in self.chunks(sorted(item_ids)):
            links = values_in(through.objects.all(), "mediaitem", chunk)
            for media_id, name in links.values_list("mediaitem_id", "mediatag__name"):
                self.tags[media_id].append(name)

    def known_file_problem(
        self, media_plan: MediaPlan, item: dict, digest: FileDigest
    ) -> tuple[str, str] | None:
        """Bytes the library holds: their format is the stored item's; the name must
        still be a file name of that format, and the kind what MediaType says."""
        name = file_basename(media_plan.path)
        fmt = FORMATS.get(item["mime_type"])
        try:
            if not _plain_name(name):
                filename_validate(name, field="filename")
            if digest.size > settings.MEDIA_MAX_UPLOAD_BYTES:
                raise UploadRejected("The file is larger than the upload limit.")
            if fmt is not None:
                extension_check(name, fmt)
        except UploadRejected as exc:
            return ErrorCode.FILE_REJECTED, f"'{media_plan.path}': {exc.message}"
        media_plan.kind, media_plan.checksum = item["kind"], digest.checksum
        return self.type_problem(media_plan)

    def file_problem(
        self, media_plan: MediaPlan, data: bytes | None = None
    ) -> tuple[str, str] | None:
        """New bytes: everything an upload checks (R5), before anything is stored. `data`:
        the file's bytes as its digest read them, checked as they are; else it is read."""
        if data is not None:
            handle = io.BytesIO(data)
        else:
            try:
                handle = self.files.open(media_plan.path)
            except FileMissing as exc:
                return ErrorCode.MISSING_FILE, str(exc)
        try:
            inspection = upload_inspect(handle, filename=file_basename(media_plan.path))
        except UploadRejected as exc:
            return ErrorCode.FILE_REJECTED, f"'{media_plan.path}': {exc.message}"
        finally:
            handle.close()
        media_plan.kind, media_plan.checksum = str(inspection.kind), inspection.checksum
        media_plan.width, media_plan.height = inspection.width, inspection.height
        media_plan.mime_type, media_plan.size = str(inspection.mime_type), inspection.size
        return self.type_problem(media_plan)

    def type_problem(self, media_plan: MediaPlan) -> tuple[str, str] | None:
        if media_plan.type_name in MEDIA_TYPES:
            probe = RowPlan(line=0)
            self.kind_check(probe, media_plan.type_name, media_plan.kind, f"'{media_plan.path}'")
            if probe.errors:
                return probe.errors[0]
        return None

    def companions_problem(self, media_plan: MediaPlan) -> tuple[str, str] | None:
        """A video's thumbnail and captions are checked as the upload checks them (the
        transcript is text, read as UTF-8 with replacements), so what the dry run passes
        the import stores; companions of anything but a video are refused, as there."""
        if not media_plan.companions:
            return None
        if media_plan.kind != MediaKind.VIDEO:
            columns = ", ".join(
                column
                for column, name in COMPANION_COLUMNS.items()
                if name in media_plan.companions
            )
            return (
                ErrorCode.FILE_REJECTED,
                f"'{media_plan.path}' is not a video: {columns} are for videos only.",
            )
        for column, name in COMPANION_COLUMNS.items():
            path = media_plan.companions.get(name)
            if path is None:
                continue
            try:
                handle = self.files.open(path)
            except FileMissing as exc:
                return ErrorCode.MISSING_FILE, f"Video {name}: {exc}"
            try:
                if name != "transcript":
                    companion_inspect(handle, field=f"video_{name}", filename=file_basename(path))
            except UploadRejected as exc:
                return ErrorCode.FILE_REJECTED, f"{column} '{path}': {exc.message}"
            finally:
                handle.close()
        return None

    def check_media_names(self) -> None:
        """New items need free display names: in the library, and within the manifest
        (the first new item with a name keeps it; later ones are told its line)."""
        new = [
            p
            for p in self.chunk_new_media
            if p.is_new and p.if_exists != "KeepBoth" and p.display_name
        ]
        if not new:
            return
        earlier = self.store.names_first(p.display_name for p in new)
        first_use: dict[str, int] = {}
        for media_plan in new:
            name = media_plan.display_name
            problem = None
            if name in self.names_taken:
                problem = (
                    ErrorCode.NAME_TAKEN,
                    f"MediaDisplayName '{name}' is already used by media item "
                    f"{self.names_taken[name]}.",
                )
            elif name in earlier or name in first_use:
                line = earlier.get(name) or first_use[name]
                problem = (
                    ErrorCode.DUPLICATE,
                    f"MediaDisplayName '{name}' is also a new item on line {line}.",
                )
            else:
                first_use[name] = media_plan.first_line
            if problem is not None and media_plan.problem is None:
                media_plan.problem = problem
        self.store.names_add(first_use)
