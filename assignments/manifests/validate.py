"""Validate a whole manifest before anything is written (R18).

Every reference is loaded in bulk first (channels, locales, products, variants, offered
dimension values, media by id / source id / display name, purposes), then each row is
checked against those dicts in memory, then rows are checked against each other per media
item and per document. Files are read once here to prove their bytes match `MediaType`.
The result is an ImportPlan: every row with all its errors and line number.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable
from datetime import datetime

from django.db import connection
from django.db.models import Q

from catalog.models import (
    DIMENSION_ORDER,
    Category,
    Product,
    ProductDimensionValue,
    Variant,
    combination_key,
)
from media_library.models import MediaItem, MediaKind
from media_library.services import tag_names_normalize
from media_library.validation import UploadRejected, upload_inspect
from tenants.models import NEUTRAL, OMNICHANNEL, Channel, Locale, Tenant

from ..content import matrix_normalize
from ..models import Purpose
from .columns import (
    CROP_KEYS,
    ENTITY_CATEGORY,
    ENTITY_SCOPES,
    ENUM_COLUMNS,
    ENUM_DEFAULTS,
    GROUP_ADDITIONAL,
    GROUP_PRIMARY,
    MANDATORY_ASSIGNMENT,
    MEDIA_COLUMNS,
    MEDIA_TYPES,
    NEUTRAL_LOCALE,
    OMNICHANNEL_NAMES,
    SWATCH_ENTITY_TYPES,
    ErrorCode,
)
from .files import FileMissing, FileSource, file_basename
from .parse import Manifest
from .plan import CategoryPlan, DocumentPlan, EntryPlan, ImportPlan, MediaPlan, RowPlan

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
CHUNK = 900  # ids per IN (...) query on SQLite, below its oldest parameter limit (999)

# Manifest column -> MediaItem field, for metadata a row may set.
METADATA_COLUMNS = {
    "MediaDisplayName": "display_name",
    "MediaTitle": "title",
    "ImageAltText": "alt_text",
    "MediaCaption": "caption",
    "MediaDescription": "description",
}
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
)


def _chunks(values: Iterable, size: int | None = None):
    """IN (...) lists: large on PostgreSQL (fewer round trips), small enough for SQLite."""
    size = size or (20000 if connection.vendor == "postgresql" else CHUNK)
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _int(value: str) -> int | None:
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


class ManifestValidator:
    """Builds the ImportPlan of one manifest for one tenant; never writes."""

    def __init__(
        self,
        *,
        tenant: Tenant,
        manifest: Manifest,
        files: FileSource | None,
        progress: Callable[[int], None] | None = None,
    ):
        self.tenant = tenant
        self.manifest = manifest
        self.files = files
        self.progress = progress
        self.is_assignment = any(
            manifest.has(c) for c in ("EntityType", "EntityKey", "EntityLocale")
        )
        self.media_plans: dict[tuple, MediaPlan] = {}
        self.plans_by_item: dict[int, MediaPlan] = {}
        self.documents: dict[tuple[int, int, int], DocumentPlan] = {}
        self.category_plans: dict[int, CategoryPlan] = {}
        self.header_errors = list(manifest.header_errors)
        media_positions = [manifest.index[c] for c in MEDIA_COLUMNS if manifest.has(c)]
        # itemgetter of one position returns a bare value, of none fails: keep it a tuple.
        self.media_cells = (
            operator.itemgetter(*media_positions, media_positions[0])
            if media_positions
            else (lambda values: ())
        )
        self.enum_checks = [
            (column, manifest.index[column], frozenset(("", *ENUM_COLUMNS[column])))
            for column in ENUM_COLUMNS
            if manifest.has(column)
        ]
        self.current_values: tuple[str, ...] = ()
        self.media_memo: dict[tuple, tuple[MediaPlan | None, list]] = {}

    # --- entry point ------------------------------------------------------------------

    def run(self) -> ImportPlan:
        self.check_header()
        self.load_references()
        rows: list[RowPlan] = []
        for row in self.manifest.rows:
            plan = RowPlan(line=row.line)
            self.current_values = row.values
            self.check_row(plan, self.manifest.getter(row))
            rows.append(plan)
            if self.progress is not None:
                self.progress(1)
        self.check_files(rows)
        self.check_media_names(rows)
        self.check_documents()
        self.check_categories()
        return ImportPlan(
            rows=rows,
            media=self.media_plans,
            documents=self.documents,
            categories=self.category_plans,
            header_errors=self.header_errors,
            is_assignment=self.is_assignment,
        )

    def check_header(self) -> None:
        if self.is_assignment:
            for column in MANDATORY_ASSIGNMENT:
                if not self.manifest.has(column):
                    self.header_errors.append(
                        (
                            ErrorCode.MISSING_COLUMN,
                            f"Line 1: mandatory column '{column}' is missing.",
                        )
                    )

    # --- bulk reference loading -------------------------------------------------------

    def load_references(self) -> None:
        tenant, manifest = self.tenant, self.manifest
        self.channels = {c.code.lower(): c for c in Channel.objects.filter(tenant=tenant)}
        self.locales = {loc.code.lower(): loc for loc in Locale.objects.filter(tenant=tenant)}
        self.purposes = {
            code.lower(): pk
            for code, pk in Purpose.objects.filter(tenant=tenant).values_list("code", "pk")
        }
        keys, paths, media_ids, sources, names = set(), set(), set(), set(), set()
        for row in manifest.rows:
            get = manifest.getter(row)
            if get("EntityKey"):
                if self.enum(None, get, "EntityType") == ENTITY_CATEGORY:
                    paths.add(get("EntityKey"))
                else:
                    keys.add(get("EntityKey"))
            for column in ("InternalMediaId", "SwatchValue"):
                if (number := _int(get(column))) is not None:
                    media_ids.add(number)
            if get("MediaSourceProvider") and get("MediaSourceId"):
                sources.add((get("MediaSourceProvider"), get("MediaSourceId")))
            if get("MediaDisplayName"):
                names.add(get("MediaDisplayName"))
        # Categories by (channel id, path): a path names one category in each channel (R3).
        self.categories: dict[tuple[int, str], int] = {}
        for chunk in _chunks(paths):
            for pk, channel_id, path in Category.objects.filter(
                tenant=tenant, path__in=chunk
            ).values_list("pk", "channel_id", "path"):
                self.categories[(channel_id, path)] = pk
        self.products: dict[str, tuple[int, str, bool]] = {}
        self.variants: dict[str, tuple[int, int, str]] = {}
        for model in (Product, Variant):
            columns = ("pk", "number", "kind" if model is Product else "product_id")
            for pk, number, extra in self.by_numbers(model, keys, columns):
                if model is Product:
                    self.products[number] = (pk, number, extra == "master")
                else:
                    self.variants[number] = (pk, extra, number)
        product_ids = {p[0] for p in self.products.values()} | {
            v[1] for v in self.variants.values()
        }
        self.product_numbers = dict(
            Product.objects.filter(tenant=tenant, pk__in=[v[1] for v in self.variants.values()])
            .values_list("pk", "number")
            .iterator()
        ) | {p[0]: p[1] for p in self.products.values()}
        self.offered: dict[int, dict[str, set[str]]] = {}
        for chunk in _chunks(product_ids):
            for product_id, dimension, value in ProductDimensionValue.objects.filter(
                tenant=tenant, product_id__in=chunk
            ).values_list("product_id", "dimension_value__dimension", "dimension_value__value"):
                self.offered.setdefault(product_id, {}).setdefault(dimension, set()).add(value)
        self.media: dict[int, dict] = {}
        for chunk in _chunks(media_ids):
            for item in MediaItem.objects.filter(tenant=tenant, pk__in=chunk).values(*MEDIA_FIELDS):
                self.media[item["pk"]] = item
        self.by_source: dict[tuple[str, str], int] = {}
        for chunk in _chunks(sources, 500):
            condition = Q()
            for provider, source_id in chunk:
                condition |= Q(source_provider=provider, source_id=source_id)
            for item in MediaItem.objects.filter(condition, tenant=tenant).values(*MEDIA_FIELDS):
                self.media[item["pk"]] = item
                self.by_source[(item["source_provider"], item["source_id"])] = item["pk"]
        self.names_taken: dict[str, int] = {}
        for chunk in _chunks(names):
            self.names_taken.update(
                MediaItem.objects.filter(tenant=tenant, display_name__in=chunk).values_list(
                    "display_name", "pk"
                )
            )
        self.tags: dict[int, list[str]] = {}
        through = MediaItem.tags.through
        for chunk in _chunks(self.media):
            for media_id, name in through.objects.filter(mediaitem_id__in=chunk).values_list(
                "mediaitem_id", "mediatag__name"
            ):
                self.tags.setdefault(media_id, []).append(name)

    def by_numbers(self, model, numbers: set[str], columns: tuple[str, ...]):
        """Rows whose number the manifest names. When it names a good share of the
        tenant's rows, one scan of the tenant beats thousands of IN (...) parameters."""
        if not numbers:
            return
        rows = model.objects.filter(tenant=self.tenant)
        if len(numbers) > 1000 and rows.count() <= 4 * len(numbers):
            for row in rows.values_list(*columns).iterator(chunk_size=5000):
                if row[1] in numbers:
                    yield row
            return
        for chunk in _chunks(numbers):
            yield from rows.filter(number__in=chunk).values_list(*columns)

    # --- one row ----------------------------------------------------------------------

    def require(self, plan: RowPlan, get, column: str, why: str = "") -> str:
        value = get(column)
        if not self.manifest.has(column):
            plan.error(ErrorCode.MISSING_COLUMN, f"Mandatory column '{column}' is missing{why}.")
        elif not value:
            plan.error(ErrorCode.MISSING_VALUE, f"{column} is mandatory{why}.")
        return value

    def enum(self, plan: RowPlan, get, column: str) -> str:
        """The column's value (or default); a bad value is reported once, by check_row."""
        value = get(column)
        if not value:
            return ENUM_DEFAULTS.get(column, "")
        allowed = ENUM_COLUMNS[column]
        if value in allowed:
            return value
        # Files made by hand often differ in case only: accept that, refuse the rest.
        folded = {a.lower(): a for a in allowed}
        if value.lower() in folded:
            return folded[value.lower()]
        if plan is not None:
            plan.error(
                ErrorCode.BAD_VALUE,
                f"{column} '{value}' is not one of {', '.join(allowed)}.",
            )
        return ""

    def channel(self, plan: RowPlan, value: str, column: str) -> Channel | None:
        code = OMNICHANNEL if value.lower() in OMNICHANNEL_NAMES else value.lower()
        found = self.channels.get(code)
        if found is None:
            plan.error(ErrorCode.UNKNOWN_CHANNEL, f"{column}: unknown channel '{value}'.")
        return found

    def locale(self, plan: RowPlan, value: str, column: str) -> Locale | None:
        code = NEUTRAL if value.lower() in (NEUTRAL_LOCALE, NEUTRAL, "") else value.lower()
        found = self.locales.get(code)
        if found is None:
            plan.error(ErrorCode.UNKNOWN_LOCALE, f"{column}: unknown locale '{value}'.")
        return found

    def check_row(self, plan: RowPlan, get) -> None:
        values = self.current_values
        for column, position, allowed in self.enum_checks:
            if values[position] not in allowed:
                self.enum(plan, get, column)  # the one place bad values are reported
        if self.is_assignment:
            self.check_assignment(plan, get)
        else:
            plan.media = self.media_of_row(plan, get, required=True)

    # --- media ------------------------------------------------------------------------

    def has_media_identity(self, get) -> bool:
        return any(
            get(c)
            for c in (
                "InternalMediaId",
                "MediaSourceId",
                "MediaImportPath",
                "MediaReferenceUrl",
            )
        )

    def media_of_row(self, plan: RowPlan, get, *, required: bool) -> MediaPlan | None:
        """The media item a row names, memoised on the row's media cells: a large
        assignment manifest names the same few thousand items over and over, and equal
        cells always give the same item and the same errors."""
        signature = (required, self.media_cells(self.current_values))
        memo = self.media_memo.get(signature)
        if memo is not None:
            media_plan, errors = memo
            plan.errors.extend(errors)
            if media_plan is not None:
                media_plan.lines.append(plan.line)
            return media_plan
        errors_before = len(plan.errors)
        media_plan = self.media_of_row_uncached(plan, get, required=required)
        self.media_memo[signature] = (media_plan, plan.errors[errors_before:])
        return media_plan

    def media_of_row_uncached(self, plan: RowPlan, get, *, required: bool) -> MediaPlan | None:
        """The media item a row names (found or to create), merged with earlier rows."""
        if not self.has_media_identity(get):
            if required:
                self.require(plan, get, "MediaImportPath", " for a new media item")
            return None
        errors_before = len(plan.errors)
        if_exists = self.enum(None, get, "MediaSourceIfExistsAction")
        internal_raw = get("InternalMediaId")
        internal = _int(internal_raw)
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
        if existing is not None and matched_by == "id" and not self.manifest.has("MediaChannel"):
            # An empty MediaChannel is Omnichannel: the column must be there, not a value.
            plan.error(
                ErrorCode.MISSING_COLUMN,
                "Mandatory column 'MediaChannel' is missing for an existing media item.",
            )
        if existing is None and not path:
            self.require(plan, get, "MediaImportPath", " for a new media item")
        if self.manifest.has("MediaChannel"):
            self.channel(plan, get("MediaChannel"), "MediaChannel")
        if get("MediaLocale"):
            self.locale(plan, get("MediaLocale"), "MediaLocale")
        kind_hint = MEDIA_TYPES.get(type_name) if type_name in MEDIA_TYPES else None
        if kind_hint == MediaKind.IMAGE:
            self.require(plan, get, "ImageAltText", " for images")
        if kind_hint == MediaKind.VIDEO:
            self.require(plan, get, "MediaTitle", " for videos")
        if existing is not None and type_name in MEDIA_TYPES:
            self.kind_check(plan, type_name, self.media[existing]["kind"], f"media {existing}")
        fields = {
            field: get(column)
            for column, field in METADATA_COLUMNS.items()
            if self.manifest.has(column)
        }
        tags = (
            tag_names_normalize(get("MediaSearchTags").split(","))
            if self.manifest.has("MediaSearchTags")
            else None
        )
        media_plan = self.media_plans.get(key)
        if media_plan is None and existing is not None:
            media_plan = self.plans_by_item.get(existing)
        if media_plan is not None:
            if media_plan.fields != fields or media_plan.tags != tags:
                plan.error(
                    ErrorCode.DUPLICATE,
                    f"This media item is described differently on line {media_plan.first_line}.",
                )
            media_plan.lines.append(plan.line)
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
            lines=[plan.line],
        )
        if existing is not None:
            self.existing_plan(plan, get, media_plan)
        if len(plan.errors) > errors_before:
            return media_plan  # rows sharing the key still find it, the row itself fails
        self.media_plans[key] = media_plan
        if existing is not None:
            self.plans_by_item[existing] = media_plan
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
        version = _int(version_raw)
        if version_raw and version is None:
            plan.error(ErrorCode.BAD_VALUE, f"MediaVersion '{version_raw}' is not a number.")
        if version is not None and version != item["version"]:
            action = self.enum(None, get, "MediaVersionMismatchAction")
            if action != "Overwrite":
                allowed = False
                media_plan.keep_note = (
                    f"version changed since export (v{version} -> v{item['version']}); "
                    "kept (MediaVersionMismatchAction UseExisting)"
                )
        if allowed:
            media_plan.update = self.metadata_differs(media_plan, item)
            if media_plan.update and "display_name" in media_plan.fields:
                self.name_free(plan, media_plan.fields["display_name"], media_plan.existing_id)
        status_change = self.status_change(media_plan, item["status"])
        if status_change:
            media_plan.update = True

    def status_change(self, media_plan: MediaPlan, status: str) -> bool:
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

    # --- assignments ------------------------------------------------------------------

    def check_assignment(self, plan: RowPlan, get) -> None:
        entity_type = self.enum(None, get, "EntityType")
        if not get("EntityType"):
            self.require(plan, get, "EntityType")
        key = self.require(plan, get, "EntityKey")
        self.require(plan, get, "EntityLocale")
        channel = self.channel(plan, get("EntityChannel"), "EntityChannel")
        if entity_type == ENTITY_CATEGORY:
            self.check_category(plan, get, key, channel)
            return
        locale = (
            self.locale(plan, get("EntityLocale"), "EntityLocale") if get("EntityLocale") else None
        )
        scope = ENTITY_SCOPES.get(entity_type)
        product = variant = None
        if key and scope == "variant":
            variant = self.variants.get(key)
            if variant is None:
                plan.error(ErrorCode.UNKNOWN_VARIANT, f"EntityKey: unknown variant '{key}'.")
            else:
                number = self.product_numbers.get(variant[1], "")
                product = (variant[1], number, True)
        elif key and entity_type:
            product = self.products.get(key)
            if product is None:
                plan.error(ErrorCode.UNKNOWN_PRODUCT, f"EntityKey: unknown product '{key}'.")
        entry = None
        if product is not None:
            entry = self.entry_of_row(plan, get, entity_type, product, variant)
        is_swatch = entity_type in SWATCH_ENTITY_TYPES
        swatch_media_by_id = (
            is_swatch
            and _int(get("SwatchValue")) is not None
            and _int(get("SwatchValue")) != _int(get("InternalMediaId"))
        )
        media = None
        if not swatch_media_by_id:
            media = self.media_of_row(plan, get, required=not is_swatch)
        plan.media = media
        if entry is not None:
            if is_swatch and not entry.swatch_hex and entry.media is None:
                if media is None:
                    plan.error(
                        ErrorCode.MISSING_VALUE,
                        "SwatchValue must be a #rrggbb colour or the id of an image media item.",
                    )
                entry.media = media
            elif not is_swatch:
                entry.media = media
        if product is None or channel is None or locale is None:
            return
        # A bad row still joins its document: the document then fails as a whole, since
        # applying the rest would silently drop what the bad row meant to assign.
        entry = entry or EntryPlan(scope="master", slot="primary", line=plan.line)
        self.document_add(plan, get, product, channel, locale, entry)

    def entry_of_row(self, plan: RowPlan, get, entity_type, product, variant) -> EntryPlan | None:
        product_id, number, is_master = product
        offered = self.offered.get(product_id, {})
        scope = ENTITY_SCOPES.get(entity_type)
        if scope is None:
            return None
        group = self.enum(None, get, "MediaGroup")
        slot = "additional" if group == GROUP_ADDITIONAL else "primary"
        entry = EntryPlan(scope="master", slot=slot, line=plan.line)
        if scope == "variant":
            entry.scope, entry.variant_id, entry.variant_number = "variant", variant[0], variant[2]
        elif scope == "dimension":
            values = self.dimension_values(plan, get("EntityKeyValue"), number, offered)
            if values is None:
                return None
            entry.scope = "dimension"
            entry.dimension_values = values
            entry.combination = combination_key(values)
        if entity_type in SWATCH_ENTITY_TYPES:
            entry.slot = "swatch"
            return self.swatch(plan, get, entry, number, offered)
        if slot == "additional":
            purpose = get("MediaPurpose")
            entry.purpose_id = self.purposes.get(purpose.lower())
            if entry.purpose_id is None:
                plan.error(
                    ErrorCode.UNKNOWN_PURPOSE,
                    f"MediaPurpose '{purpose}' is not one of {', '.join(sorted(self.purposes))}.",
                )
        order_raw = get("MediaDisplayOrder")
        if order_raw:
            entry.order = _int(order_raw)
            if entry.order is None:
                plan.error(
                    ErrorCode.BAD_VALUE,
                    f"MediaDisplayOrder '{order_raw}' is not a whole number of at least 1.",
                )
        return entry

    def dimension_values(self, plan, raw: str, number: str, offered) -> dict | None:
        if not offered:
            plan.error(
                ErrorCode.UNKNOWN_DIMENSION,
                f"{number} is not a product master: it has no dimension combinations.",
            )
            return None
        if not raw:
            plan.error(
                ErrorCode.MISSING_VALUE,
                "EntityKeyValue is mandatory for dimension combinations (e.g. Color:Blue|Style:Slim).",
            )
            return None
        values: dict[str, str] = {}
        for part in raw.split("|"):
            name, sep, value = part.partition(":")
            dimension, value = name.strip().lower(), value.strip()
            if not sep or not value or dimension not in DIMENSION_ORDER:
                plan.error(
                    ErrorCode.BAD_VALUE,
                    f"EntityKeyValue '{raw}': '{part}' is not Dimension:Value "
                    f"(dimensions: {', '.join(d.title() for d in DIMENSION_ORDER)}).",
                )
                return None
            if dimension in values:
                plan.error(ErrorCode.BAD_VALUE, f"EntityKeyValue names {name} twice.")
                return None
            if value not in offered.get(dimension, ()):
                plan.error(ErrorCode.UNKNOWN_DIMENSION, f"{number} has no {dimension} '{value}'.")
                return None
            values[dimension] = value
        return {d: values[d] for d in DIMENSION_ORDER if d in values}

    def swatch(self, plan, get, entry: EntryPlan, number: str, offered) -> EntryPlan | None:
        group, value, swatch = get("SwatchGroup"), get("SwatchDimension"), get("SwatchValue")
        dimension = group.lower()
        if not group:
            self.require(plan, get, "SwatchGroup", " for swatches")
        elif dimension not in offered:
            plan.error(ErrorCode.UNKNOWN_DIMENSION, f"{number} has no dimension '{group}'.")
        elif not value:
            self.require(plan, get, "SwatchDimension", " for swatches")
        elif value not in offered[dimension]:
            plan.error(ErrorCode.UNKNOWN_DIMENSION, f"{number} has no {dimension} '{value}'.")
        entry.swatch_dimension, entry.swatch_value = dimension, value
        media_id = _int(swatch)
        if media_id is not None and media_id != _int(get("InternalMediaId")):
            item = self.media.get(media_id)
            if item is None:
                plan.error(
                    ErrorCode.UNKNOWN_MEDIA, f"SwatchValue: media {media_id} does not exist."
                )
            elif item["kind"] != MediaKind.IMAGE:
                plan.error(
                    ErrorCode.TYPE_MISMATCH, f"SwatchValue: media {media_id} is not an image."
                )
            else:
                entry.media = self.plans_by_item.get(media_id) or self.reference_plan(item)
        elif media_id is None and swatch:
            if not HEX.match(swatch):
                plan.error(
                    ErrorCode.BAD_HEX,
                    f"SwatchValue '{swatch}' is neither a #rrggbb colour nor a media id.",
                )
            entry.swatch_hex = swatch.lower()
        crop_raw = get("SwatchCrop")
        if crop_raw:
            if entry.swatch_hex:
                plan.error(ErrorCode.BAD_VALUE, "SwatchCrop needs an image swatch, not a colour.")
            else:
                entry.crop = self.crop(plan, crop_raw)
        return entry

    @staticmethod
    def crop(plan: RowPlan, raw: str) -> tuple[int, int, int, int] | None:
        """`X:0|Y:0|Width:64|Height:48` (pixels of the swatch image; any key order)."""
        found: dict[str, int] = {}
        names = {key.lower(): key for key in CROP_KEYS}
        for part in raw.split("|"):
            name, sep, value = part.partition(":")
            key, text = names.get(name.strip().lower()), value.strip()
            number = int(text) if text.isascii() and text.isdigit() and len(text) < 10 else None
            if not sep or key is None or key in found or number is None:
                plan.error(
                    ErrorCode.BAD_VALUE,
                    f"SwatchCrop '{raw}' is not X:n|Y:n|Width:n|Height:n in whole pixels.",
                )
                return None
            found[key] = number
        if set(found) != set(CROP_KEYS) or not found["Width"] or not found["Height"]:
            plan.error(
                ErrorCode.BAD_VALUE,
                f"SwatchCrop '{raw}' must give X, Y, Width and Height (Width and Height at least 1).",
            )
            return None
        return found["X"], found["Y"], found["Width"], found["Height"]

    def reference_plan(self, item: dict) -> MediaPlan:
        """An item used only by reference (a swatch image by id): nothing to change on it."""
        media_plan = MediaPlan(
            key=("id", item["pk"]),
            existing_id=item["pk"],
            matched_by="id",
            kind=item["kind"],
            checksum=item["checksum"],
            width=item["width"],
            height=item["height"],
        )
        self.plans_by_item[item["pk"]] = media_plan
        self.media_plans.setdefault(media_plan.key, media_plan)
        return media_plan

    def matrix_stated(self, plan: RowPlan, raw: str, product) -> tuple[str, ...] | None:
        """EntityAssignmentMatrix `Color|Style`: the document's assignment matrix (R8)."""
        offered = self.offered.get(product[0], {})
        dimensions = []
        for part in raw.split("|"):
            dimension = part.strip().lower()
            if dimension not in offered:
                plan.error(
                    ErrorCode.UNKNOWN_DIMENSION,
                    f"EntityAssignmentMatrix '{raw}': {product[1]} has no dimension '{part.strip()}'.",
                )
                return None
            if dimension in dimensions:
                plan.error(
                    ErrorCode.BAD_VALUE, f"EntityAssignmentMatrix '{raw}' names {part} twice."
                )
                return None
            dimensions.append(dimension)
        return matrix_normalize(dimensions)

    def document_add(self, plan: RowPlan, get, product, channel, locale, entry) -> None:
        key = (product[0], channel.pk, locale.pk)
        document = self.documents.get(key)
        if document is None:
            document = DocumentPlan(
                product_id=product[0],
                product_number=product[1],
                channel_id=channel.pk,
                channel_code=channel.code,
                locale_id=locale.pk,
                locale_code=locale.code,
                action=self.enum(None, get, "EntityAssignmentAction"),
                checked_out_action=self.enum(None, get, "EntityCheckedOutAction"),
                version_mismatch_action=self.enum(None, get, "EntityVersionMismatchAction"),
                expected_version=_int(get("EntityVersion")),
            )
            self.documents[key] = document
        else:
            for column, attribute in (
                ("EntityAssignmentAction", "action"),
                ("EntityCheckedOutAction", "checked_out_action"),
            ):
                value = self.enum(None, get, column)
                if value != getattr(document, attribute):
                    plan.error(
                        ErrorCode.BAD_VALUE,
                        f"{column} '{value}' differs from '{getattr(document, attribute)}' on "
                        f"line {document.rows[0].line} for the same document {document.label}.",
                    )
                    break
        matrix_raw = get("EntityAssignmentMatrix")
        if matrix_raw:
            matrix = self.matrix_stated(plan, matrix_raw, product)
            if matrix is not None and document.stated_matrix is None:
                document.stated_matrix, document.stated_matrix_line = matrix, plan.line
            elif matrix is not None and matrix != document.stated_matrix:
                plan.error(
                    ErrorCode.BAD_VALUE,
                    f"EntityAssignmentMatrix '{matrix_raw}' differs from line "
                    f"{document.stated_matrix_line} for the same document {document.label}.",
                )
        # The row joins its document even when it failed: the document then fails whole.
        plan.document = document
        document.rows.append(plan)
        document.entries.append(entry)

    def check_category(self, plan: RowPlan, get, path: str, channel: Channel | None) -> None:
        """A category's default image: per channel, no locale, one image (R10)."""
        locale = get("EntityLocale")
        if locale and locale.lower() not in (NEUTRAL_LOCALE, NEUTRAL):
            plan.error(
                ErrorCode.BAD_VALUE,
                f"EntityLocale '{locale}': category media has no locale; use {NEUTRAL_LOCALE}.",
            )
        if self.enum(None, get, "MediaGroup") not in ("", GROUP_PRIMARY):
            plan.error(ErrorCode.BAD_VALUE, "A category has one default image: MediaGroup Primary.")
        category_id = None
        if channel is not None and channel.code == OMNICHANNEL:
            plan.error(
                ErrorCode.UNKNOWN_CHANNEL,
                "Category media is channel-specific: give the category's channel in EntityChannel.",
            )
        elif channel is not None and path:
            category_id = self.categories.get((channel.pk, path))
            if category_id is None:
                plan.error(
                    ErrorCode.UNKNOWN_CATEGORY,
                    f"EntityKey: channel '{channel.code}' has no category '{path}'.",
                )
        media = self.media_of_row(plan, get, required=True)
        plan.media = media
        if media is not None and media.kind and media.kind != MediaKind.IMAGE:
            plan.error(ErrorCode.TYPE_MISMATCH, "A category's default image must be an image.")
        if category_id is None:
            return
        category = self.category_plans.get(category_id)
        if category is not None:
            plan.error(
                ErrorCode.DUPLICATE,
                f"Line {category.rows[0].line} already assigns the image of {category.label}.",
            )
        else:
            category = CategoryPlan(
                category_id=category_id,
                path=path,
                channel_code=channel.code,
                action=self.enum(None, get, "EntityAssignmentAction"),
                media=media,
            )
            self.category_plans[category_id] = category
        plan.category = category
        category.rows.append(plan)

    # --- across rows ------------------------------------------------------------------

    def check_files(self, rows: list[RowPlan]) -> None:
        """Read each new item's file once: it must exist and its bytes must be `MediaType`."""
        by_plan: dict[int, list[RowPlan]] = {}
        for row in rows:
            if row.media is not None:
                by_plan.setdefault(id(row.media), []).append(row)
        for media_plan in list(self.media_plans.values()):
            if not media_plan.is_new or not media_plan.path:
                continue
            users = by_plan.get(id(media_plan), [])
            problem = self.file_problem(media_plan)
            if problem is not None:
                for row in users:
                    row.error(*problem)
                continue
            existing = self.media_by_checksum(media_plan.checksum)
            if existing is not None and media_plan.if_exists != "KeepBoth":
                # The same bytes are the same item (R5): the row updates or reuses it.
                self.media[existing["pk"]] = existing
                self.tags.setdefault(
                    existing["pk"],
                    list(
                        MediaItem.tags.through.objects.filter(
                            mediaitem_id=existing["pk"]
                        ).values_list("mediatag__name", flat=True)
                    ),
                )
                media_plan.existing_id, media_plan.matched_by = existing["pk"], "checksum"
                media_plan.width, media_plan.height = existing["width"], existing["height"]
                if media_plan.if_exists == "UseExisting":
                    media_plan.keep_note = "the same file is already in the library"
                    media_plan.update = self.status_change(media_plan, existing["status"])
                else:
                    media_plan.update = self.metadata_differs(
                        media_plan, existing
                    ) or self.status_change(media_plan, existing["status"])

    def media_by_checksum(self, checksum: str) -> dict | None:
        for item in self.media.values():
            if item["checksum"] == checksum:
                return item
        return (
            MediaItem.objects.filter(tenant=self.tenant, checksum=checksum)
            .values(*MEDIA_FIELDS)
            .first()
        )

    def file_problem(self, media_plan: MediaPlan) -> tuple[str, str] | None:
        if self.files is None:
            return ErrorCode.MISSING_FILE, f"'{media_plan.path}': no files were given."
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
        media_plan.kind, media_plan.checksum = inspection.kind, inspection.checksum
        media_plan.width, media_plan.height = inspection.width, inspection.height
        if media_plan.type_name in MEDIA_TYPES:
            probe = RowPlan(line=0)
            self.kind_check(probe, media_plan.type_name, inspection.kind, f"'{media_plan.path}'")
            if probe.errors:
                return probe.errors[0]
        for name, path in media_plan.companions.items():
            try:
                self.files.open(path).close()
            except FileMissing as exc:
                return ErrorCode.MISSING_FILE, f"Video {name}: {exc}"
        return None

    def check_media_names(self, rows: list[RowPlan]) -> None:
        """New items need free display names: in the library and within the manifest."""
        first_use: dict[str, MediaPlan] = {}
        rows_by_line = {row.line: row for row in rows}
        for media_plan in self.media_plans.values():
            if not media_plan.is_new or media_plan.if_exists == "KeepBoth":
                continue
            name = media_plan.display_name
            if not name:
                continue
            problem = None
            if name in self.names_taken:
                problem = (
                    ErrorCode.NAME_TAKEN,
                    f"MediaDisplayName '{name}' is already used by media item "
                    f"{self.names_taken[name]}.",
                )
            elif name in first_use:
                problem = (
                    ErrorCode.DUPLICATE,
                    f"MediaDisplayName '{name}' is also a new item on line "
                    f"{first_use[name].first_line}.",
                )
            else:
                first_use[name] = media_plan
            if problem is not None:
                for line in media_plan.lines:
                    rows_by_line[line].error(*problem)

    def check_documents(self) -> None:
        """Per document: one matrix, unique display orders, no media or swatch twice."""
        for document in self.documents.values():
            matrix = document.stated_matrix
            matrix_line = document.stated_matrix_line
            orders: dict[tuple, int] = {}
            seen: dict[tuple, int] = {}
            for row, entry in zip(document.rows, document.entries, strict=True):
                if row.errors:
                    continue
                if entry.scope == "dimension":
                    dims = matrix_normalize(entry.dimension_values)
                    if matrix is None:
                        matrix, matrix_line = dims, row.line
                    elif dims != matrix:
                        row.error(
                            ErrorCode.BAD_VALUE,
                            f"EntityKeyValue uses dimensions {', '.join(dims)} but line "
                            f"{matrix_line} set the matrix of {document.label} to "
                            f"{', '.join(matrix)}.",
                        )
                        continue
                entity = entry.entity_key()
                if entry.slot == "primary" and entry.order is not None:
                    earlier = orders.setdefault((entity, entry.order), row.line)
                    if earlier != row.line:
                        row.error(
                            ErrorCode.DUPLICATE_ORDER,
                            f"MediaDisplayOrder {entry.order} is already used on line {earlier} "
                            "for the same entity.",
                        )
                        continue
                if entry.crop is not None and not self.crop_fits(row, entry):
                    continue
                if entry.slot == "swatch":
                    identity = (entity, "swatch", entry.swatch_dimension, entry.swatch_value)
                    what = f"a swatch for {entry.swatch_dimension} '{entry.swatch_value}'"
                else:
                    media_key = entry.media.key if entry.media is not None else None
                    identity = (entity, entry.slot, media_key, entry.purpose_id)
                    what = "the same media in the same group"
                earlier = seen.setdefault(identity, row.line)
                if earlier != row.line:
                    row.error(ErrorCode.DUPLICATE, f"Line {earlier} already assigns {what}.")
            document.matrix = matrix

    @staticmethod
    def crop_fits(row: RowPlan, entry: EntryPlan) -> bool:
        """A swatch crop lies within its image, as the editor requires (R7)."""
        x, y, width, height = entry.crop
        image = entry.media
        if image is None or not image.width or not image.height:
            row.error(ErrorCode.BAD_VALUE, "SwatchCrop: the image's size is unknown.")
            return False
        if x + width > image.width or y + height > image.height:
            row.error(
                ErrorCode.BAD_VALUE,
                f"SwatchCrop must lie within the image ({image.width}x{image.height}).",
            )
            return False
        return True

    def check_categories(self) -> None:
        """A new item proves its kind only once its file is read: a category takes images."""
        for category in self.category_plans.values():
            media = category.media
            if media is None or media.kind in ("", MediaKind.IMAGE):
                continue
            for row in category.rows:
                if not row.errors:
                    row.error(
                        ErrorCode.TYPE_MISMATCH, "A category's default image must be an image."
                    )
