"""Validate a whole CONTENT body before anything is written (R7, R8).

Every problem is collected with its field path (`variants[0].primary[2]`) so the client
sees all of them at once; the document is only touched when the list is empty. References
are checked in bulk: one query each for dimension values, variants, media and purposes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from catalog.models import Product, ProductDimensionValue, Variant, combination_key
from media_library.models import MediaItem, MediaKind
from tenants.exceptions import ValidationFailed
from tenants.models import Tenant

from .content import Content, content_build, matrix_normalize
from .models import Purpose

HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
CONTENT_KEYS = {"matrix", "master", "dimensions", "variants", "confirm_matrix_change"}
SLOT_KEYS = {"primary", "additional", "swatches"}
CROP_KEYS = ("x", "y", "width", "height")


@dataclass(frozen=True)
class ValidContent:
    """A validated CONTENT: rows ready for `AssignmentEntry(**entry_fields(row))`."""

    matrix: tuple[str, ...]
    rows: tuple[dict, ...]
    content: Content


MAX_ID = 2**63 - 1  # BigAutoField; larger numbers would overflow the database driver


def is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


class _ContentValidator:
    def __init__(self, *, tenant: Tenant, product: Product, data: Mapping):
        self.tenant = tenant
        self.product = product
        self.data = data
        self.errors: list[tuple[str, str]] = []
        self.rows: list[dict] = []

    def error(self, path: str, reason: str) -> None:
        self.errors.append((path, reason))

    def list_at(self, container: Mapping, key: str, path: str) -> list:
        value = container.get(key, [])
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(path, "Must be a list.")
            return []
        return value

    # --- bulk reference loading -------------------------------------------------------

    def load_references(self) -> None:
        offered: dict[str, list[str]] = {}
        for dimension, value in (
            ProductDimensionValue.objects.filter(tenant=self.tenant, product=self.product)
            .order_by("position", "pk")
            .values_list("dimension_value__dimension", "dimension_value__value")
        ):
            offered.setdefault(dimension, []).append(value)
        self.offered = offered
        media_ids: set[int] = set()
        variant_numbers: set[str] = set()
        for slots in self._all_slot_dicts():
            for media_id in slots.get("primary") or []:
                if is_id(media_id):
                    media_ids.add(media_id)
            for key in ("additional", "swatches"):
                for item in slots.get(key) or []:
                    if isinstance(item, Mapping) and is_id(item.get("media")):
                        media_ids.add(item["media"])
        for row in self.data.get("variants") or []:
            if isinstance(row, Mapping) and isinstance(row.get("variant"), str):
                variant_numbers.add(row["variant"])
        self.media = {
            pk: (kind, width, height)
            for pk, kind, width, height in MediaItem.objects.filter(
                tenant=self.tenant, pk__in=media_ids
            ).values_list("pk", "kind", "width", "height")
        }
        self.variants = {
            number: (pk, product_id)
            for pk, number, product_id in Variant.objects.filter(
                tenant=self.tenant, number__in=variant_numbers
            ).values_list("pk", "number", "product_id")
        }
        self.purposes = dict(Purpose.objects.filter(tenant=self.tenant).values_list("code", "pk"))

    def _all_slot_dicts(self):
        master = self.data.get("master")
        if isinstance(master, Mapping):
            yield master
        for key in ("dimensions", "variants"):
            rows = self.data.get(key)
            if isinstance(rows, list):
                yield from (row for row in rows if isinstance(row, Mapping))

    # --- the checks -------------------------------------------------------------------

    def run(self) -> ValidContent:
        if not isinstance(self.data, Mapping):
            raise ValidationFailed([(None, "The body must be a CONTENT object.")])
        for key in self.data:
            if key not in CONTENT_KEYS:
                self.error(str(key), "Unknown field.")
        self.load_references()
        matrix = self.check_matrix()
        master = self.data.get("master")
        if master is None:
            master = {}
        if not isinstance(master, Mapping):
            self.error("master", "Must be an object with primary, additional, swatches.")
        else:
            self.check_slots(master, "master", {"scope": "master"})
        self.check_dimensions(matrix)
        self.check_variants()
        if self.errors:
            raise ValidationFailed(self.errors)
        rows = tuple(self.rows)
        return ValidContent(
            matrix=matrix, rows=rows, content=content_build(matrix=matrix, rows=rows)
        )

    def check_matrix(self) -> tuple[str, ...]:
        matrix = self.list_at(self.data, "matrix", "matrix")
        seen: set[str] = set()
        for index, dimension in enumerate(matrix):
            path = f"matrix[{index}]"
            if not isinstance(dimension, str):
                self.error(path, "Must be a dimension name.")
            elif dimension not in self.offered:
                self.error(
                    path,
                    f"{self.product.number} has no dimension '{dimension}'"
                    + (" (a simple product has no matrix)." if not self.offered else "."),
                )
            elif dimension in seen:
                self.error(path, f"Dimension '{dimension}' is listed twice.")
            else:
                seen.add(dimension)
        return matrix_normalize(seen)

    def check_dimensions(self, matrix: tuple[str, ...]) -> None:
        rows = self.list_at(self.data, "dimensions", "dimensions")
        if rows and not self.product.is_master:
            self.error("dimensions", "A simple product has no dimension combinations.")
            return
        seen: set[str] = set()
        for index, row in enumerate(rows):
            path = f"dimensions[{index}]"
            if not isinstance(row, Mapping):
                self.error(path, "Must be an object with values and slots.")
                continue
            values = row.get("values")
            if not isinstance(values, Mapping) or not values:
                self.error(f"{path}.values", "Name a value for every matrix dimension.")
                continue
            if not matrix:
                self.error(f"{path}.values", "Choose an assignment matrix first.")
                continue
            if set(values) != set(matrix):
                self.error(
                    f"{path}.values",
                    f"Must name exactly the matrix dimensions {', '.join(matrix)}; "
                    f"got {', '.join(sorted(map(str, values)))}.",
                )
                continue
            bad = False
            for dimension in matrix:
                value = values[dimension]
                if value not in self.offered.get(dimension, []):
                    self.error(
                        f"{path}.values.{dimension}",
                        f"{self.product.number} has no {dimension} '{value}'.",
                    )
                    bad = True
            if bad:
                continue
            key = combination_key(dict(values))
            if key in seen:
                self.error(f"{path}.values", f"The combination {key} appears twice.")
                continue
            seen.add(key)
            self.check_row_keys(row, path, {"values"})
            self.check_slots(
                row,
                path,
                {"scope": "dimension", "dimension_values": dict(values), "combination": key},
            )

    def check_variants(self) -> None:
        rows = self.list_at(self.data, "variants", "variants")
        if rows and not self.product.is_master:
            self.error("variants", "A simple product has no variants.")
            return
        seen: set[str] = set()
        for index, row in enumerate(rows):
            path = f"variants[{index}]"
            if not isinstance(row, Mapping):
                self.error(path, "Must be an object with variant and slots.")
                continue
            number = row.get("variant")
            found = self.variants.get(number) if isinstance(number, str) else None
            if found is None:
                self.error(f"{path}.variant", f"Unknown variant '{number}'.")
                continue
            if found[1] != self.product.pk:
                self.error(
                    f"{path}.variant", f"'{number}' is not a variant of {self.product.number}."
                )
                continue
            if number in seen:
                self.error(f"{path}.variant", f"Variant '{number}' appears twice.")
                continue
            seen.add(number)
            self.check_row_keys(row, path, {"variant"})
            self.check_slots(
                row,
                path,
                {"scope": "variant", "variant_id": found[0], "variant_number": number},
            )

    def check_row_keys(self, row: Mapping, path: str, own: set[str]) -> None:
        for key in row:
            if key not in SLOT_KEYS | own:
                self.error(f"{path}.{key}", "Unknown field.")

    def media_at(self, media_id, path: str) -> tuple[str, int | None, int | None] | None:
        if not is_id(media_id):
            self.error(path, "Must be a media item id.")
            return None
        found = self.media.get(media_id)
        if found is None:
            self.error(path, f"Unknown media {media_id}.")
        return found

    def check_slots(self, slots: Mapping, path: str, entity: dict) -> None:
        if path == "master":
            self.check_row_keys(slots, path, set())
        base = {
            "scope": "master",
            "dimension_values": {},
            "combination": "",
            "variant_id": None,
            "variant_number": None,
            "media_id": None,
            "media_kind": None,
            "purpose_id": None,
            "purpose_code": None,
            "swatch_dimension": "",
            "swatch_value": "",
            "swatch_hex": "",
            "crop_x": None,
            "crop_y": None,
            "crop_width": None,
            "crop_height": None,
            **entity,
        }
        self.check_primary(slots, path, base)
        self.check_additional(slots, path, base)
        self.check_swatches(slots, path, base)

    def check_primary(self, slots: Mapping, path: str, base: dict) -> None:
        seen: set[int] = set()
        for index, media_id in enumerate(self.list_at(slots, "primary", f"{path}.primary")):
            where = f"{path}.primary[{index}]"
            media = self.media_at(media_id, where)
            if media is None:
                continue
            if media_id in seen:
                self.error(where, f"Media {media_id} is already in the primary list.")
                continue
            seen.add(media_id)
            self.rows.append(
                {
                    **base,
                    "slot": "primary",
                    "position": len(seen) - 1,
                    "media_id": media_id,
                    "media_kind": media[0],
                }
            )

    def check_additional(self, slots: Mapping, path: str, base: dict) -> None:
        seen: set[tuple[int, str]] = set()
        items = self.list_at(slots, "additional", f"{path}.additional")
        for index, item in enumerate(items):
            where = f"{path}.additional[{index}]"
            if not isinstance(item, Mapping):
                self.error(where, 'Must be {"media": id, "purpose": code}.')
                continue
            for key in item:
                if key not in ("media", "purpose"):
                    self.error(f"{where}.{key}", "Unknown field.")
            media = self.media_at(item.get("media"), f"{where}.media")
            purpose = item.get("purpose")
            purpose_id = self.purposes.get(purpose) if isinstance(purpose, str) else None
            if purpose_id is None:
                self.error(
                    f"{where}.purpose",
                    f"Unknown purpose '{purpose}'; choose one of "
                    f"{', '.join(sorted(self.purposes)) or '(none defined)'}.",
                )
            if media is None or purpose_id is None:
                continue
            if (item["media"], purpose) in seen:
                self.error(where, f"Media {item['media']} is already listed as {purpose}.")
                continue
            seen.add((item["media"], purpose))
            self.rows.append(
                {
                    **base,
                    "slot": "additional",
                    "position": len(seen) - 1,
                    "media_id": item["media"],
                    "media_kind": media[0],
                    "purpose_id": purpose_id,
                    "purpose_code": purpose,
                }
            )

    def check_swatches(self, slots: Mapping, path: str, base: dict) -> None:
        seen: set[tuple[str, str]] = set()
        items = self.list_at(slots, "swatches", f"{path}.swatches")
        for index, item in enumerate(items):
            where = f"{path}.swatches[{index}]"
            if not isinstance(item, Mapping):
                self.error(where, "Must be a swatch object.")
                continue
            row = self.check_swatch(item, where)
            if row is None:
                continue
            key = (row["swatch_dimension"], row["swatch_value"])
            if key in seen:
                self.error(where, f"There is already a swatch for {key[0]} '{key[1]}'.")
                continue
            seen.add(key)
            self.rows.append({**base, **row, "slot": "swatch", "position": len(seen) - 1})

    def check_swatch(self, item: Mapping, where: str) -> dict | None:
        errors_before = len(self.errors)
        for key in item:
            if key not in ("dimension", "value", "hex", "media", "crop"):
                self.error(f"{where}.{key}", "Unknown field.")
        dimension, value = item.get("dimension"), item.get("value")
        if not isinstance(dimension, str) or dimension not in self.offered:
            self.error(
                f"{where}.dimension", f"{self.product.number} has no dimension '{dimension}'."
            )
        elif value not in self.offered[dimension]:
            self.error(f"{where}.value", f"{self.product.number} has no {dimension} '{value}'.")
        has_hex, has_media = item.get("hex") not in (None, ""), item.get("media") is not None
        row: dict = {"swatch_dimension": dimension, "swatch_value": value}
        if has_hex == has_media:
            self.error(where, "Give either hex or media (an image), not both or neither.")
        elif has_hex:
            if item.get("crop") is not None:
                self.error(f"{where}.crop", "A crop needs an image swatch.")
            if not isinstance(item["hex"], str) or not HEX_COLOUR.match(item["hex"]):
                self.error(f"{where}.hex", "Must be a colour like #1a2b3c.")
            else:
                row["swatch_hex"] = item["hex"].lower()
        else:
            media = self.media_at(item["media"], f"{where}.media")
            if media is not None:
                kind, width, height = media
                if kind != MediaKind.IMAGE:
                    self.error(
                        f"{where}.media", f"Media {item['media']} is a {kind}, not an image."
                    )
                else:
                    row.update(media_id=item["media"], media_kind=kind)
                    if item.get("crop") is not None:
                        row.update(self.check_crop(item["crop"], f"{where}.crop", width, height))
        return row if len(self.errors) == errors_before else None

    def check_crop(self, crop, where: str, width: int | None, height: int | None) -> dict:
        if not isinstance(crop, Mapping) or set(crop) != set(CROP_KEYS):
            self.error(where, "Must be {x, y, width, height} in pixels.")
            return {}
        for key in CROP_KEYS:
            value = crop[key]
            minimum = 1 if key in ("width", "height") else 0
            if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
                self.error(f"{where}.{key}", f"Must be a whole number of at least {minimum}.")
                return {}
        if not width or not height:
            self.error(where, "The image's size is unknown, so it cannot be cropped.")
            return {}
        if crop["x"] + crop["width"] > width or crop["y"] + crop["height"] > height:
            self.error(where, f"The rectangle must lie within the image ({width}x{height}).")
            return {}
        return {
            "crop_x": crop["x"],
            "crop_y": crop["y"],
            "crop_width": crop["width"],
            "crop_height": crop["height"],
        }


def content_validate(*, tenant: Tenant, product: Product, data: Mapping) -> ValidContent:
    """Check a whole CONTENT for `product`; raise ValidationFailed listing every problem."""
    return _ContentValidator(tenant=tenant, product=product, data=data).run()


ENTRY_FIELDS = (
    "scope",
    "dimension_values",
    "combination",
    "variant_id",
    "slot",
    "position",
    "media_id",
    "purpose_id",
    "swatch_dimension",
    "swatch_value",
    "swatch_hex",
    "crop_x",
    "crop_y",
    "crop_width",
    "crop_height",
)


def entry_fields(row: Mapping) -> dict:
    """The model fields of a validated row (the rest are for in-memory resolution)."""
    return {name: row[name] for name in ENTRY_FIELDS}
