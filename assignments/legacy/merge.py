"""The CONTENT a product's Omnichannel+Neutral document should hold after the migration.

The legacy library only knows primary media, so the migration owns primary lists and
nothing else: the master's additional media and swatches survive; the master's primary
list is replaced only when the library has master files (or the variants collapsed into
it). When the library has variant files, matrix, dimension rows and variant rows are
replaced as a whole (R9: a kept variant row would sever the collapsed images).

The result is in `Content.as_dict()` order, so comparing it with the checked-in content
tells whether anything would change: equal means no check-out and no new version.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping

from assignments.content import Content
from catalog.models import combination_key

from .plan import ProductPlan


def _slots(primary: list[int]) -> dict:
    return {"primary": primary, "additional": [], "swatches": []}


def legacy_content(
    *, plan: ProductPlan, media_ids: Mapping[Hashable, int], existing: Content | None
) -> dict:
    """The merged CONTENT dict for `plan`, with media keys turned into ids."""
    content = (existing or Content()).as_dict()
    layout = plan.layout

    def ids(keys) -> list[int]:
        return [media_ids[k] for k in keys]

    if plan.has_master_files or layout.master_collapsed:
        content["master"]["primary"] = ids(layout.master)
    if plan.has_variant_files:
        content["matrix"] = list(layout.matrix)
        rows = {combination_key(dict(values)): values for values in layout.dimensions}
        content["dimensions"] = [
            {"values": dict(rows[key]), **_slots(ids(layout.dimensions[rows[key]]))}
            for key in sorted(rows)
        ]
        content["variants"] = [
            {"variant": number, **_slots(ids(layout.variants[number]))}
            for number in sorted(layout.variants)
        ]
    return content
