"""Turn a product's legacy images into the fewest assignments that show the same (R8, R9, R20).

What the legacy library means is fixed first, per variant of the catalog: the images of
every file whose name matches it (its own full name, or a name fixing only some of its
dimension values), or nothing, in which case it shows the master. A layout is valid only if
resolution (variant -> dimension combination -> master) gives every variant exactly that;
among valid layouts the cheapest wins.

- Names that fix a subset of the dimensions (`M ^ Slim ^  ^ Red ^`: style and colour, size
  empty) become dimension combinations of exactly that subset: the matrix is that subset
  and each named combination is a row of its own. When names fix different subsets, each
  is tried as the matrix and the others' images go to the variants they match.
- Without such names, every subset of the master's dimensions is tried as the matrix. A
  combination becomes a row when every variant of it has files, at least two carry
  identical images and they are the strict majority (the others keep variant rows). A
  variant without files is never covered by a row: it must fall back to the master, as it
  did in the legacy library, never to a neighbour's photos.
- With the empty matrix, the master takes the images when it has no files of its own and
  every variant carries the same ones (at least two variants).
- A variant whose images differ from what it would inherit keeps its own row.
Ties go to fewer matrix dimensions, then to the canonical dimension order.

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

    def resolve(self, values: Mapping[str, str], number: str) -> Images:
        """What a variant shows under this layout (R9: variant -> combination -> master)."""
        if number in self.variants:
            return self.variants[number]
        return self.dimensions.get(_project(values, self.matrix), self.master)


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
    named: Mapping[ValuesKey, Images],
) -> Layout:
    master_row, collapsed = master, False
    dimensions: dict[ValuesKey, Images] = {}
    if not matrix:
        distinct = set(images.values())
        every_variant = len(variants) >= 2 and set(images) >= set(variants)
        if not master and every_variant and len(distinct) == 1:
            master_row, collapsed = distinct.pop(), True
    else:
        groups: dict[ValuesKey, list[str]] = {}
        for number in sorted(variants):
            groups.setdefault(_project(variants[number], matrix), []).append(number)
        for key, members in groups.items():
            if key in named:  # a file names exactly this combination: it is a row (R20)
                dimensions[key] = named[key]
                continue
            if any(number not in images for number in members):
                continue  # a variant without files must keep falling back to the master
            shared = _group_images([images[number] for number in members])
            if shared is not None and shared != master_row:
                dimensions[key] = shared
    own = {}
    for number in sorted(variants):
        inherited = dimensions.get(_project(variants[number], matrix), master_row)
        wanted = images.get(number, master_row)
        if wanted != inherited:
            own[number] = wanted
    return Layout(
        matrix=matrix if dimensions else (),
        master=master_row,
        master_collapsed=collapsed,
        dimensions=dimensions,
        variants=own,
    )


def _candidate_matrices(
    dimensions: Sequence[str], named: Mapping[ValuesKey, Images]
) -> list[tuple[str, ...]]:
    """The subsets named by files when there are any (the matrix must be one of them),
    else every subset of the master's dimensions, smallest first, in canonical order."""
    rank = {d: i for i, d in enumerate(DIMENSION_ORDER)}
    if named:
        subsets = {tuple(sorted((d for d, _ in key), key=rank.__getitem__)) for key in named}
        return sorted(subsets, key=lambda m: (len(m), [rank[d] for d in m]))
    ordered = [d for d in DIMENSION_ORDER if d in set(dimensions)]
    return [m for size in range(len(ordered) + 1) for m in combinations(ordered, size)]


def variants_collapse(
    *,
    dimensions: Sequence[str],
    variants: Mapping[str, Mapping[str, str]],
    images: Mapping[str, Images],
    master: Images = (),
    named: Mapping[ValuesKey, Images] | None = None,
) -> Layout:
    """The cheapest valid layout (see the module docstring) of one master's images.

    `dimensions` are the master's, `variants` every variant's values (number -> values),
    `images` the ordered images each variant with files must show (those of every file
    matching it), `master` the master's own, and `named` the images of files that name a
    combination of only some dimensions (values key in canonical order -> images).
    """
    named = dict(named or {})
    best: tuple[tuple, Layout] | None = None
    for matrix in _candidate_matrices(dimensions, named):
        layout = _layout(
            matrix=matrix,
            variants=variants,
            images=images,
            master=master,
            named={k: v for k, v in named.items() if tuple(d for d, _ in k) == matrix},
        )
        rank = (layout.cost, len(matrix))
        if best is None or rank < best[0]:
            best = (rank, layout)
    assert best is not None  # at least one matrix is always tried
    return best[1]
