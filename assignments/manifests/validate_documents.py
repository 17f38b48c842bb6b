"""The last validation pass (R7, R8, R18): each document's rows checked against each other,
once every row has been read. One matrix per document, unique display orders per entity,
no media or swatch twice in the same place, swatch crops inside their image.

Documents and their entries come from the import's PlanStore a batch at a time, so the
pass needs memory for one batch, not for the file.
"""

from __future__ import annotations

from collections import Counter

from ..content import matrix_normalize
from .columns import ErrorCode
from .plan import DocumentPlan, EntryPlan, MediaPlan
from .store import PlanStore


def documents_check(store: PlanStore) -> int:
    """Check every document; errors go to the store. Returns how many rows newly failed."""
    failed_rows = 0
    for batch in store.documents():
        entries = store.entries_of([d.idx for d in batch])
        cropped = {e.media_idx for es in entries.values() for e in es if e.crop is not None}
        images = store.media_by_idx(cropped - {-1}) if cropped else {}
        errors: list[tuple[int, str, str]] = []
        unused: Counter[int] = Counter()
        for document in batch:
            for entry, code, message in document_errors(document, entries[document.idx], images):
                errors.append((entry.line, code, message))
                document.fail(entry.line)
                failed_rows += 1
                if entry.media_idx >= 0:
                    unused[entry.media_idx] -= 1
        store.errors_add(errors)
        store.media_used(unused)
        store.documents_save(batch)
    return failed_rows


def document_errors(
    document: DocumentPlan, entries: list[EntryPlan], images: dict[int, MediaPlan]
) -> list[tuple[EntryPlan, str, str]]:
    """The errors of one document's rows that only show against its other rows, in file
    order; a row that already failed takes no part. Sets the document's matrix."""
    errors: list[tuple[EntryPlan, str, str]] = []
    matrix = document.stated_matrix
    matrix_line = document.stated_matrix_line
    orders: dict[tuple, int] = {}
    seen: dict[tuple, int] = {}
    for entry in entries:
        if not entry.ok:
            continue
        if entry.scope == "dimension":
            dims = matrix_normalize(entry.dimension_values)
            if matrix is None:
                matrix, matrix_line = dims, entry.line
            elif dims != matrix:
                errors.append(
                    (
                        entry,
                        ErrorCode.BAD_VALUE,
                        f"EntityKeyValue uses dimensions {', '.join(dims)} but line "
                        f"{matrix_line} set the matrix of {document.label} to "
                        f"{', '.join(matrix)}.",
                    )
                )
                continue
        entity = entry.entity_key()
        if entry.slot == "primary" and entry.order is not None:
            earlier = orders.setdefault((entity, entry.order), entry.line)
            if earlier != entry.line:
                errors.append(
                    (
                        entry,
                        ErrorCode.DUPLICATE_ORDER,
                        f"MediaDisplayOrder {entry.order} is already used on line {earlier} "
                        "for the same entity.",
                    )
                )
                continue
        if entry.crop is not None:
            problem = crop_problem(entry, images.get(entry.media_idx))
            if problem is not None:
                errors.append((entry, ErrorCode.BAD_VALUE, problem))
                continue
        if entry.slot == "swatch":
            identity = (entity, "swatch", entry.swatch_dimension, entry.swatch_value)
            what = f"a swatch for {entry.swatch_dimension} '{entry.swatch_value}'"
        else:
            identity = (entity, entry.slot, entry.media_idx, entry.purpose_id)
            what = "the same media in the same group"
        earlier = seen.setdefault(identity, entry.line)
        if earlier != entry.line:
            errors.append((entry, ErrorCode.DUPLICATE, f"Line {earlier} already assigns {what}."))
    document.matrix = matrix
    return errors


def crop_problem(entry: EntryPlan, image: MediaPlan | None) -> str | None:
    """A swatch crop lies within its image, as the editor requires (R7)."""
    x, y, width, height = entry.crop
    if image is None or not image.width or not image.height:
        return "SwatchCrop: the image's size is unknown."
    if x + width > image.width or y + height > image.height:
        return f"SwatchCrop must lie within the image ({image.width}x{image.height})."
    return None
