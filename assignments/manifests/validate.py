"""Validate a whole manifest before anything is written (R18), in bounded memory.

The file is read a chunk of rows at a time (issue 16: a 1,000,000-row manifest is never
held in memory). For each chunk, the references its rows name are loaded in bulk
(products, variants, offered dimension values, categories, media by id / source id /
display name) together with the plans earlier chunks made for the same media items and
documents (from the import's PlanStore); each row is checked against those dicts; then
the chunk's new items have their files read and their display names checked, and what the
later passes need is written to the store: media and document plans, entries, errors, and
for each row the document, media item and category it names.

After the last chunk, each document's entries are checked against each other (one matrix,
unique display orders, nothing twice, crops inside their image) a batch of documents at a
time. The result is an ImportPlan: counts, the store, and the per-row arrays.
"""

from __future__ import annotations

import operator
import re
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import islice

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
    NEUTRAL_LOCALE,
    OMNICHANNEL_NAMES,
    SWATCH_ENTITY_TYPES,
    ErrorCode,
)
from .files import FileSource
from .parse import ManifestReader, Row
from .plan import CategoryPlan, DocumentPlan, EntryPlan, ImportPlan, MediaPlan, RowPlan
from .store import PlanStore
from .validate_documents import documents_check
from .validate_media import MEDIA_FIELDS, MediaChecks, positive_int, values_in

HEX = re.compile(r"^#[0-9a-fA-F]{6}$")
CHUNK_ROWS = 5000  # rows checked together: their references load in a handful of queries
SQLITE_IN = 900  # ids per IN (...) query on SQLite, below its oldest parameter limit


def _batched(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


class ManifestValidator(MediaChecks):
    """Builds the ImportPlan of one manifest for one tenant; never writes to the database."""

    def __init__(
        self,
        *,
        tenant: Tenant,
        reader: ManifestReader,
        files: FileSource | None,
        store: PlanStore,
        progress: Callable[[int], None] | None = None,
    ):
        self.tenant = tenant
        self.reader = reader
        self.files = files
        self.store = store
        self.progress = progress
        self.is_assignment = any(reader.has(c) for c in ("EntityType", "EntityKey", "EntityLocale"))
        self.header_errors = list(reader.header.errors)
        media_positions = [reader.index[c] for c in MEDIA_COLUMNS if reader.has(c)]
        # itemgetter of one position returns a bare value, of none fails: keep it a tuple.
        self.media_cells = (
            operator.itemgetter(*media_positions, media_positions[0])
            if media_positions
            else (lambda values: ())
        )
        self.enum_checks = [
            (column, reader.index[column], frozenset(("", *ENUM_COLUMNS[column])))
            for column in ENUM_COLUMNS
            if reader.has(column)
        ]
        self.current_values: tuple[str, ...] = ()
        self.next_media_idx = 0
        self.next_document_idx = 0
        self.category_plans: dict[int, CategoryPlan] = {}
        self.error_rows = 0
        self.rows = 0
        self.row_documents = array("i")
        self.row_media = array("i")
        self.row_categories = array("i")

    # --- entry point ------------------------------------------------------------------

    def run(self) -> ImportPlan:
        self.check_header()
        self.tenant_references_load()
        for chunk in _batched(self.reader.rows(), CHUNK_ROWS):
            self.chunk_check(chunk)
        self.error_rows += documents_check(self.store)
        self.check_categories()
        return ImportPlan(
            header=self.reader.header,
            header_errors=self.header_errors,
            is_assignment=self.is_assignment,
            store=self.store,
            rows=self.rows,
            error_rows=self.error_rows,
            row_documents=self.row_documents,
            row_media=self.row_media,
            row_categories=self.row_categories,
            categories=self.category_plans,
        )

    def check_header(self) -> None:
        if self.is_assignment:
            for column in MANDATORY_ASSIGNMENT:
                if not self.reader.has(column):
                    self.header_errors.append(
                        (
                            ErrorCode.MISSING_COLUMN,
                            f"Line 1: mandatory column '{column}' is missing.",
                        )
                    )

    def chunk_check(self, chunk: list[Row]) -> None:
        """Check one chunk of rows and write what later passes need to the store."""
        gets = [self.reader.getter(row) for row in chunk]
        self.references_load(gets)
        self.plans_fetch(gets)
        rows: list[RowPlan] = []
        width = len(self.reader.header.names)
        for row, get in zip(chunk, gets, strict=True):
            plan = RowPlan(line=row.line)
            self.current_values = row.values
            if any(row.values[width:]):
                # A tab inside a value shifted every cell after it: nothing on it is trusted.
                # (Empty cells past the header, a spreadsheet's trailing tabs, are fine.)
                plan.error(
                    ErrorCode.BAD_VALUE,
                    f"This line has {len(row.values)} cells and the header {width}: a value "
                    'holds a tab? Write it in a quoted cell as \\t ("a\\tb").',
                )
            else:
                self.check_row(plan, get)
            rows.append(plan)
            if self.progress is not None:
                self.progress(1)
        self.check_files()
        self.check_media_names()
        self.chunk_store(rows)

    def chunk_store(self, rows: list[RowPlan]) -> None:
        """Problems found for an item (its file, its name) fail every row naming it; then
        the chunk's plans, entries, errors and row references go to the store."""
        errors: list[tuple[int, str, str]] = []
        used: Counter[int] = Counter()
        for row in rows:
            media = row.media
            if media is not None and media.problem is not None:
                row.error(*media.problem)
            self.rows += 1
            self.row_documents.append(row.document.idx if row.document is not None else -1)
            self.row_media.append(media.idx if media is not None else -1)
            self.row_categories.append(row.category.idx if row.category is not None else -1)
            if row.errors:
                self.error_rows += 1
                errors.extend((row.line, code, message) for code, message in row.errors)
                for group in (row.document, row.category):
                    if group is not None:
                        group.fail(row.line)
            else:
                if media is not None and media.idx >= 0:
                    used[media.idx] += 1
        entries = []
        for document, entry, row in self.chunk_entries:
            document.entry_count += 1
            entry.ok = not row.errors
            if entry.media is not None:
                entry.media_idx, entry.media_id = entry.media.idx, entry.media.existing_id
            entries.append((document.idx, entry))
            if entry.ok and entry.media is not None and entry.media is not row.media:
                used[entry.media.idx] += 1  # a swatch image named by id
        self.store.media_add(self.chunk_new_media)
        self.store.media_used({idx: n for idx, n in used.items() if n and idx >= 0})
        self.store.documents_save(self.documents.values())
        self.store.entries_add(entries)
        self.store.errors_add(errors)

    # --- references, a chunk at a time ------------------------------------------------

    def chunks(self, values: list, size: int | None = None) -> Iterator[list]:
        """IN (...) lists: large on PostgreSQL (fewer round trips), small enough for SQLite."""
        size = size or (20000 if connection.vendor == "postgresql" else SQLITE_IN)
        for start in range(0, len(values), size):
            yield values[start : start + size]

    def tenant_references_load(self) -> None:
        tenant = self.tenant
        self.channels = {c.code.lower(): c for c in Channel.objects.filter(tenant=tenant)}
        self.locales = {loc.code.lower(): loc for loc in Locale.objects.filter(tenant=tenant)}
        self.purposes = {
            code.lower(): pk
            for code, pk in Purpose.objects.filter(tenant=tenant).values_list("code", "pk")
        }

    def references_load(self, gets: list) -> None:
        """What this chunk's rows name, in a few queries; the last chunk's is dropped."""
        tenant = self.tenant
        keys, paths, media_ids, sources, names = set(), set(), set(), set(), set()
        for get in gets:
            if get("EntityKey"):
                if self.enum(None, get, "EntityType") == ENTITY_CATEGORY:
                    paths.add(get("EntityKey"))
                else:
                    keys.add(get("EntityKey"))
            for column in ("InternalMediaId", "SwatchValue"):
                if (number := positive_int(get(column))) is not None:
                    media_ids.add(number)
            if get("MediaSourceProvider") and get("MediaSourceId"):
                sources.add((get("MediaSourceProvider"), get("MediaSourceId")))
            if get("MediaDisplayName"):
                names.add(get("MediaDisplayName"))
        # Categories by (channel id, path): a path names one category in each channel (R3).
        self.categories: dict[tuple[int, str], int] = {}
        for part in self.chunks(sorted(paths)):
            for pk, channel_id, path in Category.objects.filter(
                tenant=tenant, path__in=part
            ).values_list("pk", "channel_id", "path"):
                self.categories[(channel_id, path)] = pk
        self.products: dict[str, tuple[int, str, bool]] = {}
        self.variants: dict[str, tuple[int, int, str]] = {}
        numbers = sorted(keys)
        for part in self.chunks(numbers):
            products = values_in(Product.objects.filter(tenant=tenant).order_by(), "number", part)
            for pk, number, kind in products.values_list("pk", "number", "kind"):
                self.products[number] = (pk, number, kind == "master")
            variants = values_in(Variant.objects.filter(tenant=tenant).order_by(), "number", part)
            for pk, number, product_id in variants.values_list("pk", "number", "product_id"):
                self.variants[number] = (pk, product_id, number)
        variant_products = sorted({v[1] for v in self.variants.values()})
        self.product_numbers = {p[0]: p[1] for p in self.products.values()}
        for part in self.chunks(variant_products):
            products = values_in(Product.objects.filter(tenant=tenant).order_by(), "id", part)
            self.product_numbers.update(products.values_list("pk", "number"))
        self.offered: dict[int, dict[str, set[str]]] = {}
        for part in self.chunks(sorted(self.product_numbers)):
            offers = values_in(ProductDimensionValue.objects.filter(tenant=tenant), "product", part)
            for product_id, dimension, value in offers.values_list(
                "product_id", "dimension_value__dimension", "dimension_value__value"
            ):
                self.offered.setdefault(product_id, {}).setdefault(dimension, set()).add(value)
        self.media: dict[int, dict] = {}
        for part in self.chunks(sorted(media_ids)):
            items = values_in(MediaItem.objects.filter(tenant=tenant), "id", part)
            for item in items.values(*MEDIA_FIELDS):
                self.media[item["pk"]] = item
        self.by_source: dict[tuple[str, str], int] = {}
        for part in self.chunks(sorted(sources), 500):
            condition = Q()
            for provider, source_id in part:
                condition |= Q(source_provider=provider, source_id=source_id)
            for item in MediaItem.objects.filter(condition, tenant=tenant).values(*MEDIA_FIELDS):
                self.media[item["pk"]] = item
                self.by_source[(item["source_provider"], item["source_id"])] = item["pk"]
        self.names_taken: dict[str, int] = {}
        for part in self.chunks(sorted(names)):
            items = values_in(MediaItem.objects.filter(tenant=tenant), "display_name", part)
            self.names_taken.update(items.values_list("display_name", "pk"))
        self.tags: dict[int, list[str]] = {}
        self.tags_load(set(self.media))

    def plans_fetch(self, gets: list) -> None:
        """The media and document plans earlier chunks made that this chunk's rows name
        (found by the keys the rows' cells give), one object per plan."""
        self.media_memo: dict[tuple, tuple[MediaPlan | None, list]] = {}
        self.chunk_new_media: list[MediaPlan] = []
        self.chunk_entries: list[tuple[DocumentPlan, EntryPlan, RowPlan]] = []
        media_keys, item_ids, document_keys = set(), set(), set()
        for get in gets:
            key = self.media_key(get)
            if key is not None:
                media_keys.add(key)
            for column in ("InternalMediaId", "SwatchValue"):
                if (number := positive_int(get(column))) in self.media:
                    item_ids.add(number)
            source = self.by_source.get((get("MediaSourceProvider"), get("MediaSourceId")))
            if source is not None:
                item_ids.add(source)
            if self.is_assignment and (document_key := self.document_key(get)) is not None:
                document_keys.add(document_key)
        by_key = self.store.media_by_keys(media_keys) if media_keys else {}
        by_item = self.store.media_by_items(item_ids) if item_ids else {}
        one = {plan.idx: plan for plan in by_key.values()}
        self.media_plans = by_key
        self.plans_by_item = {i: one.setdefault(p.idx, p) for i, p in by_item.items()}
        self.documents = self.store.documents_by_keys(document_keys) if document_keys else {}

    def document_key(self, get) -> tuple[int, int, int] | None:
        """The (product, channel, locale) ids a row's entity cells name, when they resolve."""
        entity_type = self.enum(None, get, "EntityType")
        key = get("EntityKey")
        if ENTITY_SCOPES.get(entity_type) == "variant":
            variant = self.variants.get(key)
            product_id = variant[1] if variant is not None else None
        else:
            product = self.products.get(key)
            product_id = product[0] if product is not None else None
        channel_raw, locale_raw = get("EntityChannel").lower(), get("EntityLocale").lower()
        channel = self.channels.get(
            OMNICHANNEL if channel_raw in OMNICHANNEL_NAMES else channel_raw
        )
        locale = self.locales.get(
            NEUTRAL if locale_raw in (NEUTRAL_LOCALE, NEUTRAL, "") else locale_raw
        )
        if product_id is None or channel is None or locale is None:
            return None
        return (product_id, channel.pk, locale.pk)

    # --- one row ----------------------------------------------------------------------

    def require(self, plan: RowPlan, get, column: str, why: str = "") -> str:
        value = get(column)
        if not self.reader.has(column):
            plan.error(ErrorCode.MISSING_COLUMN, f"Mandatory column '{column}' is missing{why}.")
        elif not value:
            plan.error(ErrorCode.MISSING_VALUE, f"{column} is mandatory{why}.")
        return value

    def enum(self, plan: RowPlan | None, get, column: str) -> str:
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
            and positive_int(get("SwatchValue")) is not None
            and positive_int(get("SwatchValue")) != positive_int(get("InternalMediaId"))
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
            entry.order = positive_int(order_raw)
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
                plan.error(
                    ErrorCode.UNKNOWN_DIMENSION,
                    f"EntityKeyValue: {number} has no {dimension} '{value}'.",
                )
                return None
            values[dimension] = value
        return {d: values[d] for d in DIMENSION_ORDER if d in values}

    def swatch(self, plan, get, entry: EntryPlan, number: str, offered) -> EntryPlan | None:
        group, value, swatch = get("SwatchGroup"), get("SwatchDimension"), get("SwatchValue")
        dimension = group.lower()
        if not group:
            self.require(plan, get, "SwatchGroup", " for swatches")
        elif dimension not in offered:
            plan.error(
                ErrorCode.UNKNOWN_DIMENSION, f"SwatchGroup: {number} has no dimension '{group}'."
            )
        elif not value:
            self.require(plan, get, "SwatchDimension", " for swatches")
        elif value not in offered[dimension]:
            plan.error(
                ErrorCode.UNKNOWN_DIMENSION,
                f"SwatchDimension: {number} has no {dimension} '{value}'.",
            )
        entry.swatch_dimension, entry.swatch_value = dimension, value
        media_id = positive_int(swatch)
        if media_id is not None and media_id != positive_int(get("InternalMediaId")):
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
                idx=self.next_document_idx,
                first_line=plan.line,
                product_id=product[0],
                product_number=product[1],
                channel_id=channel.pk,
                channel_code=channel.code,
                locale_id=locale.pk,
                locale_code=locale.code,
                action=self.enum(None, get, "EntityAssignmentAction"),
                checked_out_action=self.enum(None, get, "EntityCheckedOutAction"),
                version_mismatch_action=self.enum(None, get, "EntityVersionMismatchAction"),
                expected_version=positive_int(get("EntityVersion")),
            )
            self.next_document_idx += 1
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
                        f"line {document.first_line} for the same document {document.label}.",
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
        self.chunk_entries.append((document, entry, plan))

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
                f"Line {category.first_line} already assigns the image of {category.label}.",
            )
        else:
            category = CategoryPlan(
                category_id=category_id,
                path=path,
                channel_code=channel.code,
                action=self.enum(None, get, "EntityAssignmentAction"),
                media=media,
                first_line=plan.line,
                idx=len(self.category_plans),
            )
            self.category_plans[category_id] = category
        plan.category = category

    # --- across rows ------------------------------------------------------------------

    def check_categories(self) -> None:
        """A new item proves its kind only once its file is read: a category takes images."""
        for category in self.category_plans.values():
            media = category.media
            if media is None or media.kind in ("", MediaKind.IMAGE):
                continue
            if category.first_line in category.bad_lines:
                continue
            category.fail(category.first_line)
            self.error_rows += 1
            self.store.errors_add(
                [
                    (
                        category.first_line,
                        ErrorCode.TYPE_MISMATCH,
                        "A category's default image must be an image.",
                    )
                ]
            )
            if media.idx >= 0:
                self.store.media_used({media.idx: -1})
