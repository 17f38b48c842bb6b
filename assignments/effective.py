"""What every scope of a document shows once fallback is applied (R9, R10, R11), for the
workspace: the master, each cell of the governing matrix and each variant, each with its
effective slots, its default image and where each slot comes from.

Pure, like `resolution`: the document view loads the product's documents once and calls
`document_effective`. The workspace renders inherited slots read-only and marks the
default image from here, so it can never disagree with the shop answer, which the same
`media_resolve` computes when publishing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from itertools import product as cartesian

from .content import values_label
from .resolution import (
    DRAFT,
    SLOT_NAMES,
    Context,
    DocumentContents,
    ResolvedMedia,
    VariantRef,
    governing_content,
    media_resolve,
)


def source_label(origin: Mapping | None, *, requested: Context, names: Mapping[str, str]) -> str:
    """Where a slot comes from, in words: "from color=Blue", "from master",
    "from Omnichannel · Neutral" (another context's master), "from color=Blue ·
    Omnichannel · Neutral". `names` maps channel and locale codes to display names."""
    if origin is None:
        return ""
    context = (origin["channel"], origin["locale"])
    parts: list[str] = []
    if origin["scope"] == "dimension":
        parts.append(values_label(origin.get("values", {})))
    elif origin["scope"] == "variant":
        parts.append(f"variant {origin.get('variant', '')}")
    elif context == requested:
        parts.append("master")
    if context != requested:
        parts.append(f"{names.get(context[0], context[0])} · {names.get(context[1], context[1])}")
    return "from " + " · ".join(parts)


def _scope_view(resolved: ResolvedMedia, *, requested: Context, names: Mapping[str, str]) -> dict:
    out = resolved.as_dict()
    out["provenance"] = {
        slot: (
            {**origin, "label": source_label(origin, requested=requested, names=names)}
            if origin is not None
            else None
        )
        for slot, origin in resolved.provenance.items()
    }
    return out


def document_effective(
    *,
    documents: Mapping[Context, DocumentContents],
    chain: Sequence[Context],
    dimension_values: Mapping[str, Sequence[str]],
    variants: Sequence[VariantRef],
    names: Mapping[str, str],
    source: str = DRAFT,
) -> dict:
    """{"matrix", "master", "dimensions": [{"values", ...}], "variants": [{"variant", ...}]}
    where each scope carries `ResolvedMedia.as_dict()` plus a `label` per slot provenance.

    `documents` are the product's documents with the requested context's draft replaced by
    the holder's working copy when the viewer holds it (what the page shows); `chain[0]`
    is the requested context. The matrix is the governing content's (the inherited one's
    when this context has no content of its own)."""
    requested = chain[0]
    governing = governing_content(documents=documents, chain=chain, source=source)
    matrix = list(governing[1].matrix) if governing is not None else []

    def resolve(**kwargs) -> dict:
        resolved = media_resolve(documents=documents, chain=chain, source=source, **kwargs)
        return _scope_view(resolved, requested=requested, names=names)

    cells = []
    if matrix and all(dimension_values.get(d) for d in matrix):
        for combo in cartesian(*(dimension_values[d] for d in matrix)):
            values = dict(zip(matrix, combo, strict=True))
            cells.append({"values": values, **resolve(selection=values)})
    return {
        "matrix": matrix,
        "master": resolve(),
        "dimensions": cells,
        "variants": [{"variant": v.number, **resolve(variant=v)} for v in variants],
    }


__all__ = ["SLOT_NAMES", "document_effective", "source_label"]
