"""Collapse per-variant legacy images into the fewest assignments (R8, R9).

Legacy libraries name every variant's images separately even when a shirt was photographed
once per colour. Resolution falls back variant -> dimension combination -> master, so the
same result needs one assignment per colour (matrix [color]) instead of one per variant.

The rule, tried for every subset of the master's dimensions as the matrix:
- variants with images are grouped by their values in the matrix dimensions;
- a group becomes a dimension-combination assignment when at least two of its variants
  carry identical images and they are the strict majority of the group's variants with
  images (the others keep variant assignments, overriding it);
- with the empty matrix, the master takes the images when no master files exist and every
  variant with images agrees (at least two of them);
- a variant whose images differ from what it would inherit keeps its own assignment.
The layout with the fewest assignments wins; ties go to fewer matrix dimensions, then to
the canonical dimension order. Every variant with files therefore resolves to exactly its
files; variants without files inherit what their combination (or the master) shows, and
never break a collapse.

Pure functions over hashable media keys, so dry runs and manifests use it unchanged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations

from catalog.models import DIMENSION_ORDER

Images = tuple[Hashable, ...]
ValuesKey = tuple[tuple[str, str], ...]  # dimension values in canonical order


@dataclass(frozen=True)
class Layout:
    matrix: tuple[str, ...] = ()
    master: Images = ()
    master_collapsed: bool = False
    dimensions: dict[ValuesKey, Images] = field(default_factory=dict)
    variants: dict[str, Images] = field(default_factory=dict)

    @property
    def cost(self) -> int:
        return len(self.dimensions) + len(self.variants) + int(self.master_collapsed)


def _project(values: Mapping[str, str], matrix: Sequence[str]) -> ValuesKey:
    return tuple((d, values[d]) for d in matrix if d in values)


def _group_images(members: list[Images]) -> Images | None:
    """The images a combination shares: a strict majority of at least two, else None."""
    best, count = Counter(members).most_common(1)[0]
    if count >= 2 and count * 2 > len(members):
        return best
    return None


def _layout(
    *,
    matrix: tuple[str, ...],
    variants: Mapping[str, Mapping[str, str]],
    images: Mapping[str, Images],
    master: Images,
) -> Layout:
    master_row, collapsed = master, False
    dimensions: dict[ValuesKey, Images] = {}
    if not matrix:
        distinct = set(images.values())
        if not master and len(images) >= 2 and len(distinct) == 1:
            master_row, collapsed = distinct.pop(), True
    else:
        groups: dict[ValuesKey, list[Images]] = {}
        for number in sorted(images):
            groups.setdefault(_project(variants[number], matrix), []).append(images[number])
        for key, members in groups.items():
            shared = _group_images(members)
            if shared is not None and shared != master_row:
                dimensions[key] = shared
    own = {}
    for number in sorted(images):
        inherited = dimensions.get(_project(variants[number], matrix), master_row)
        if images[number] != inherited:
            own[number] = images[number]
    return Layout(
        matrix=matrix if dimensions else (),
        master=master_row,
        master_collapsed=collapsed,
        dimensions=dimensions,
        variants=own,
    )


def variants_collapse(
    *,
    dimensions: Sequence[str],
    variants: Mapping[str, Mapping[str, str]],
    images: Mapping[str, Images],
    master: Images = (),
) -> Layout:
    """The cheapest layout (see the module docstring) of the master's `images` per variant.

    `dimensions` are the master's, `variants` every variant's values (number -> values),
    `images` the ordered images of the variants that have files, `master` the master's own.
    """
    ordered = [d for d in DIMENSION_ORDER if d in set(dimensions)]
    best: tuple[tuple, Layout] | None = None
    for size in range(len(ordered) + 1):
        for matrix in combinations(ordered, size):
            layout = _layout(matrix=matrix, variants=variants, images=images, master=master)
            rank = (layout.cost, size)
            if best is None or rank < best[0]:
                best = (rank, layout)
    assert best is not None  # the empty matrix is always tried
    return best[1]
