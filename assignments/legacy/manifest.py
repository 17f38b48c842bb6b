"""`--emit-manifest`: the migration as an import manifest (MANIFEST.md columns, R18), for
review before anything is imported.

Column names and entity types come from `assignments.manifests.columns`, so the file reads
back through the importer. New images point at their path inside SOURCE (import with the
same folder or zip as the files); images already in the library are named by id. Category
images have no entity type in the manifest format and are left out (the command says so).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

from assignments.manifests.columns import (
    ASSIGNMENT_COLUMNS,
    ENTITY_DIMENSION,
    ENTITY_MASTER,
    ENTITY_VARIANT,
    GROUP_PRIMARY,
    MEDIA_COLUMNS,
    NEUTRAL_LOCALE,
    dimension_label,
)
from assignments.manifests.tsv import line_encode
from media_library.models import MediaItem
from tenants.models import Tenant

from .names import file_name
from .plan import MediaFile, MigrationPlan, ProductPlan

OMNICHANNEL_NAME = "Omnichannel"
_USED = {
    "InternalMediaId",
    "MediaChannel",
    "MediaLocale",
    "MediaType",
    "MediaCategory",
    "MediaSourceProvider",
    "MediaSourceId",
    "MediaAction",
    "MediaImportPath",
    "ImageAltText",
    "MediaDisplayName",
    "MediaTitle",
    "EntityType",
    "EntityKey",
    "EntityKeyValue",
    "EntityLocale",
    "EntityChannel",
    "EntityAssignmentAction",
    "MediaGroup",
    "MediaDisplayOrder",
}
HEADER = tuple(c for c in (*MEDIA_COLUMNS, *ASSIGNMENT_COLUMNS) if c in _USED)


def _media_columns(media: MediaFile, existing: dict[int, tuple[str, str]], action: str) -> dict:
    common = {
        "MediaChannel": OMNICHANNEL_NAME,
        "MediaLocale": NEUTRAL_LOCALE,
        "MediaType": "Image",
        "MediaCategory": "Products",
        "MediaAction": action,
    }
    if media.existing_id is not None:
        display_name, alt_text = existing[media.existing_id]
        return {
            **common,
            "InternalMediaId": str(media.existing_id),
            "MediaDisplayName": display_name,
            "ImageAltText": alt_text,
        }
    return {
        **common,
        "MediaSourceProvider": "legacy",
        "MediaSourceId": media.path[:200],
        "MediaImportPath": media.path,
        "ImageAltText": media.title,
        "MediaDisplayName": file_name(media.path),
        "MediaTitle": media.title,
    }


def _entities(product: ProductPlan) -> Iterator[tuple[str, str, str, tuple]]:
    """(EntityType, EntityKey, EntityKeyValue, media keys) for each assignment of a product."""
    layout = product.layout
    if product.has_master_files or layout.master_collapsed:
        yield ENTITY_MASTER, product.number, "", layout.master
    for values, keys in sorted(layout.dimensions.items()):
        key_value = "|".join(f"{dimension_label(d)}:{v}" for d, v in values)
        yield ENTITY_DIMENSION, product.number, key_value, keys
    for number in sorted(layout.variants):
        yield ENTITY_VARIANT, number, "", layout.variants[number]


def manifest_write(*, tenant: Tenant, plan: MigrationPlan, out: IO[str], publish: bool) -> int:
    """Write the manifest of `plan` to `out`; returns the number of rows written."""
    action = "PublishNow" if publish else "Draft"
    existing_ids = [m.existing_id for m in plan.media.values() if m.existing_id is not None]
    existing = {
        pk: (name, alt)
        for pk, name, alt in MediaItem.objects.filter(tenant=tenant, pk__in=existing_ids)
        .values_list("pk", "display_name", "alt_text")
        .iterator()
    }
    # Written like an export (tsv.py): one line per row, formula-leading cells neutralised.
    out.write(line_encode(HEADER))
    rows = 0
    for product in plan.products:
        for entity_type, key, key_value, media_keys in _entities(product):
            for position, checksum in enumerate(media_keys, start=1):
                row = {
                    **_media_columns(plan.media[checksum], existing, action),
                    "EntityType": entity_type,
                    "EntityKey": key,
                    "EntityKeyValue": key_value,
                    "EntityLocale": NEUTRAL_LOCALE,
                    "EntityChannel": OMNICHANNEL_NAME,
                    "EntityAssignmentAction": action,
                    "MediaGroup": GROUP_PRIMARY,
                    "MediaDisplayOrder": str(position),
                }
                out.write(line_encode(row.get(column, "") for column in HEADER))
                rows += 1
    return rows
