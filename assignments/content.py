"""In-memory CONTENT (SPEC §3): what resolution works on, built from preloaded entry rows.

Nothing here touches the database. Selectors load rows in a fixed number of queries and
call `content_build`; resolution and the API read the resulting frozen dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from catalog.models import DIMENSION_ORDER, combination_key


@dataclass(frozen=True)
class Swatch:
    """A product-specific swatch: a hex colour, or an image with an optional crop (R7)."""

    dimension: str
    value: str
    hex: str = ""
    media: int | None = None
    crop: tuple[int, int, int, int] | None = None  # x, y, width, height

    def as_dict(self) -> dict:
        out: dict = {"dimension": self.dimension, "value": self.value}
        if self.media is not None:
            out["media"] = self.media
            if self.crop is not None:
                x, y, width, height = self.crop
                out["crop"] = {"x": x, "y": y, "width": width, "height": height}
        else:
            out["hex"] = self.hex
        return out


@dataclass(frozen=True)
class Slots:
    """The three slots of one entity (R7). Additional entries are (media id, purpose code)."""

    primary: tuple[int, ...] = ()
    additional: tuple[tuple[int, str], ...] = ()
    swatches: tuple[Swatch, ...] = ()

    @property
    def is_empty(self) -> bool:
        return not (self.primary or self.additional or self.swatches)

    def as_dict(self) -> dict:
        return {
            "primary": list(self.primary),
            "additional": [{"media": m, "purpose": p} for m, p in self.additional],
            "swatches": [s.as_dict() for s in self.swatches],
        }


EMPTY_SLOTS = Slots()


@dataclass(frozen=True)
class DimensionRow:
    values: Mapping[str, str]
    slots: Slots


@dataclass(frozen=True)
class Content:
    """One CONTENT. Only entities with at least one entry are kept: an empty entity has no
    own assignment, so it must not sever inheritance (R9)."""

    matrix: tuple[str, ...] = ()
    master: Slots = EMPTY_SLOTS
    dimensions: Mapping[str, DimensionRow] = field(default_factory=dict)  # by combination key
    variants: Mapping[str, Slots] = field(default_factory=dict)  # by variant number
    media_kinds: Mapping[int, str] = field(default_factory=dict)  # for the default image (R11)

    @property
    def has_content(self) -> bool:
        return not self.master.is_empty or bool(self.dimensions) or bool(self.variants)

    def as_dict(self) -> dict:
        """The SPEC §3 CONTENT shape; dimension rows in canonical key order, variants by number."""
        return {
            "matrix": list(self.matrix),
            "master": self.master.as_dict(),
            "dimensions": [
                {
                    "values": dict(self.dimensions[key].values),
                    **self.dimensions[key].slots.as_dict(),
                }
                for key in sorted(self.dimensions)
            ],
            "variants": [
                {"variant": number, **self.variants[number].as_dict()}
                for number in sorted(self.variants)
            ],
        }


EMPTY_CONTENT = Content()


def values_label(values: Mapping[str, str]) -> str:
    """A dimension combination in words, as pages show it: "color=Blue, size=M"."""
    return ", ".join(f"{d}={v}" for d, v in values.items())


def matrix_normalize(dimensions: Iterable[str]) -> tuple[str, ...]:
    """The matrix in canonical dimension order, so equal matrices compare equal."""
    chosen = set(dimensions)
    return tuple(d for d in DIMENSION_ORDER if d in chosen)


class _SlotsBuilder:
    def __init__(self) -> None:
        self.primary: list[tuple[int, int]] = []
        self.additional: list[tuple[int, tuple[int, str]]] = []
        self.swatches: list[tuple[int, Swatch]] = []

    def build(self) -> Slots:
        return Slots(
            primary=tuple(m for _, m in sorted(self.primary)),
            additional=tuple(a for _, a in sorted(self.additional, key=lambda p: p[0])),
            swatches=tuple(s for _, s in sorted(self.swatches, key=lambda p: p[0])),
        )


def content_build(*, matrix: Iterable[str], rows: Iterable[Mapping]) -> Content:
    """Build a Content from entry rows (dicts as `AssignmentEntry.objects.values(...)` gives).

    Row keys: scope, dimension_values, combination, variant_number, slot, position, media_id,
    media_kind, purpose_code, swatch_dimension, swatch_value, swatch_hex, crop_x, crop_y,
    crop_width, crop_height.
    """
    master = _SlotsBuilder()
    dimensions: dict[str, tuple[dict, _SlotsBuilder]] = {}
    variants: dict[str, _SlotsBuilder] = {}
    media_kinds: dict[int, str] = {}
    for row in rows:
        scope = row["scope"]
        if scope == "dimension":
            key = row["combination"] or combination_key(row["dimension_values"])
            builder = dimensions.setdefault(key, (dict(row["dimension_values"]), _SlotsBuilder()))[
                1
            ]
        elif scope == "variant":
            builder = variants.setdefault(row["variant_number"], _SlotsBuilder())
        else:
            builder = master
        media_id = row["media_id"]
        if media_id is not None:
            media_kinds[media_id] = row["media_kind"]
        position = row["position"]
        if row["slot"] == "primary":
            builder.primary.append((position, media_id))
        elif row["slot"] == "additional":
            builder.additional.append((position, (media_id, row["purpose_code"])))
        else:
            crop = None
            if row["crop_width"] is not None and media_id is not None:
                crop = (row["crop_x"], row["crop_y"], row["crop_width"], row["crop_height"])
            builder.swatches.append(
                (
                    position,
                    Swatch(
                        dimension=row["swatch_dimension"],
                        value=row["swatch_value"],
                        hex="" if media_id is not None else row["swatch_hex"],
                        media=media_id,
                        crop=crop,
                    ),
                )
            )
    dimension_rows = {
        key: DimensionRow(values=values, slots=builder.build())
        for key, (values, builder) in dimensions.items()
    }
    return Content(
        matrix=matrix_normalize(matrix),
        master=master.build(),
        dimensions={k: r for k, r in dimension_rows.items() if not r.slots.is_empty},
        variants={n: s for n, b in variants.items() if not (s := b.build()).is_empty},
        media_kinds=media_kinds,
    )
