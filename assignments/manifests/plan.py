"""What validation decides and the apply step executes: one plan per row, per media item,
per assignment document and per category. Plain dataclasses, no database access.

Row plans live for one chunk of rows; media item and document plans outlive it in the
import's PlanStore (store.py), keyed by `idx`, so only what a chunk touches is in memory.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .columns import FAILED

BAD_LINES_KEPT = 10  # failed lines a document remembers, for "line(s) 3, 5 ... failed"


# How a media row's note begins when the item changed since the export (its result's
# ErrorCode is then VersionMismatch, as for a document).
VERSION_CHANGED = "version changed since export"


@dataclass
class RowPlan:
    """One manifest row: its errors, the media item and document it touches, its result."""

    line: int
    errors: list[tuple[str, str]] = field(default_factory=list)  # (ErrorCode, message)
    media: MediaPlan | None = None
    document: DocumentPlan | None = None
    category: CategoryPlan | None = None
    result: str = ""
    code: str = ""
    description: str = ""

    def error(self, code: str, message: str) -> None:
        self.errors.append((code, message))

    @property
    def failed(self) -> bool:
        return bool(self.errors) or self.result == FAILED


@dataclass
class MediaPlan:
    """One media item named by one or more rows: found, or created from a file."""

    key: tuple
    kind_hint: str | None = None  # from MediaType: image/video, or None for File
    type_name: str = ""
    existing_id: int | None = None
    matched_by: str = ""  # id | source | checksum | ""
    path: str = ""
    display_name: str = ""
    fields: dict = field(default_factory=dict)  # metadata the manifest sets (absent = keep)
    tags: list[str] | None = None
    source_provider: str = ""
    source_id: str = ""
    if_exists: str = "UseExisting"
    media_action: str = "Draft"
    companions: dict = field(default_factory=dict)  # thumbnail/captions/transcript paths
    checksum: str = ""
    kind: str = ""  # proven from the bytes (new items) or the stored row (existing)
    mime_type: str = ""  # of a new item's file, as validation's upload check found it
    size: int = 0
    width: int | None = None  # of an image, for swatch crops
    height: int | None = None
    update: bool = False  # existing item whose metadata changes
    keep_note: str = ""  # why an existing item is left as it is
    item_id: int | None = None  # after apply
    outcome: str = ""  # created | updated | unchanged | deleted
    first_line: int = 0
    failed: str = ""
    problem: tuple[str, str] | None = None  # (ErrorCode, message) for every row naming it
    idx: int = -1  # its number in the import's PlanStore

    @property
    def is_new(self) -> bool:
        return self.existing_id is None

    @property
    def id_now(self) -> int | None:
        """The library id: once applied, or of the existing item it names."""
        return self.item_id or self.existing_id


@dataclass
class EntryPlan:
    """One assignment entry a row asks for, before positions are numbered."""

    scope: str
    slot: str
    combination: str = ""
    dimension_values: dict = field(default_factory=dict)
    variant_id: int | None = None
    variant_number: str = ""
    order: int | None = None
    line: int = 0
    media_idx: int = -1  # the MediaPlan it uses (-1: none, a hex swatch)
    media_id: int | None = None  # its library id, when validation knows it (existing items)
    purpose_id: int | None = None
    swatch_dimension: str = ""
    swatch_value: str = ""
    swatch_hex: str = ""
    crop: tuple[int, int, int, int] | None = None  # x, y, width, height of an image swatch
    ok: bool = True  # its row had no error when it was read
    media: MediaPlan | None = None  # while its chunk (or document batch) is in memory

    def entity_key(self) -> tuple:
        return (self.scope, self.combination, self.variant_id)


@dataclass
class DocumentPlan:
    """The rows of one product x channel x locale: they replace its content (or remove)."""

    product_id: int
    product_number: str
    channel_id: int
    channel_code: str
    locale_id: int
    locale_code: str
    action: str = ""
    checked_out_action: str = ""
    version_mismatch_action: str = ""
    expected_version: int | None = None
    matrix: tuple[str, ...] | None = None
    stated_matrix: tuple[str, ...] | None = None  # EntityAssignmentMatrix, when given
    stated_matrix_line: int = 0
    first_line: int = 0
    entry_count: int = 0  # rows naming it (batches of documents are sized by their entries)
    bad_lines: list[int] = field(default_factory=list)  # the first failed lines
    failed: bool = False
    skip_text: str = ""  # why its good rows are not applied
    start_set: int | None = None  # what it inherits, when it has no content of its own (R12)
    started_from: str = ""
    changed: bool = False  # the outcome, for the result manifest
    outcome_code: str = ""
    outcome_text: str = ""
    idx: int = -1
    entries: list[EntryPlan] = field(default_factory=list)  # while its batch is in memory

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.product_id, self.channel_id, self.locale_id)

    @property
    def label(self) -> str:
        return f"{self.product_number} ({self.channel_code}/{self.locale_code})"

    @property
    def removes(self) -> bool:
        return self.action in ("Unpublish", "UnpublishAndDelete")

    def fail(self, line: int) -> None:
        self.failed = True
        if len(self.bad_lines) < BAD_LINES_KEPT and line not in self.bad_lines:
            self.bad_lines.append(line)


@dataclass
class CategoryPlan:
    """The row of one category (per channel, R10): its default image and what to do."""

    category_id: int
    path: str
    channel_code: str
    action: str
    media: MediaPlan | None = None
    first_line: int = 0
    bad_lines: list[int] = field(default_factory=list)
    failed: bool = False
    skip_text: str = ""
    changed: bool = False
    outcome_text: str = ""
    idx: int = -1

    @property
    def label(self) -> str:
        return f"category {self.channel_code}:{self.path}"

    def fail(self, line: int) -> None:
        self.failed = True
        if len(self.bad_lines) < BAD_LINES_KEPT and line not in self.bad_lines:
            self.bad_lines.append(line)


@dataclass
class ImportPlan:
    """What validation learned: header problems and counts in memory, everything per row,
    media item and document in the store (`store.PlanStore`), and for each row (in file
    order) the document, media item and category plan it names (-1: none)."""

    header: object  # parse.Header
    header_errors: list[tuple[str, str]]
    is_assignment: bool
    store: object  # store.PlanStore
    rows: int
    error_rows: int
    row_documents: object  # array("i")
    row_media: object
    row_categories: object
    categories: dict[int, CategoryPlan]

    @property
    def error_count(self) -> int:
        return self.error_rows + len(self.header_errors)
