"""What validation decides and the apply step executes: one plan per row, per media item
and per assignment document. Plain dataclasses, no database access."""

from __future__ import annotations

from dataclasses import dataclass, field

from .columns import FAILED


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
    width: int | None = None  # of an image, for swatch crops
    height: int | None = None
    update: bool = False  # existing item whose metadata changes
    keep_note: str = ""  # why an existing item is left as it is
    item_id: int | None = None  # after apply
    outcome: str = ""  # created | updated | unchanged
    first_line: int = 0
    lines: list[int] = field(default_factory=list)
    failed: str = ""

    @property
    def is_new(self) -> bool:
        return self.existing_id is None


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
    media: MediaPlan | None = None
    purpose_id: int | None = None
    swatch_dimension: str = ""
    swatch_value: str = ""
    swatch_hex: str = ""
    crop: tuple[int, int, int, int] | None = None  # x, y, width, height of an image swatch

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
    entries: list[EntryPlan] = field(default_factory=list)
    rows: list[RowPlan] = field(default_factory=list)
    outcome: str = ""
    failed: bool = False

    @property
    def key(self) -> tuple[int, int, int]:
        return (self.product_id, self.channel_id, self.locale_id)

    @property
    def label(self) -> str:
        return f"{self.product_number} ({self.channel_code}/{self.locale_code})"

    @property
    def removes(self) -> bool:
        return self.action in ("Unpublish", "UnpublishAndDelete")


@dataclass
class CategoryPlan:
    """The row of one category (per channel, R10): its default image and what to do."""

    category_id: int
    path: str
    channel_code: str
    action: str
    media: MediaPlan | None = None
    rows: list[RowPlan] = field(default_factory=list)
    failed: bool = False

    @property
    def label(self) -> str:
        return f"category {self.channel_code}:{self.path}"


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    media: dict[tuple, MediaPlan]
    documents: dict[tuple[int, int, int], DocumentPlan]
    categories: dict[int, CategoryPlan]
    header_errors: list[tuple[str, str]]
    is_assignment: bool

    @property
    def error_count(self) -> int:
        return sum(1 for r in self.rows if r.errors) + len(self.header_errors)
