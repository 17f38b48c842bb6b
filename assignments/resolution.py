"""The fallback rules (R9, R10, R11) as pure functions over preloaded content.

No function here queries the database, so publishing can load every document of a product
once (`selectors.document_contents_load`) and resolve each variant x context in memory:

    locales = selectors.locale_languages_load(tenant=tenant)          # once per tenant
    chain = context_chain(channel="web", locale="en-us", locale_languages=locales)
    documents = selectors.document_contents_load(tenant=tenant, product_ids=[...])[product_id]
    result = media_resolve(documents=documents, chain=chain, source=PUBLISHED,
                           variant=VariantRef(number, values))
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from catalog.models import combination_key
from tenants.models import NEUTRAL, OMNICHANNEL

from .content import Content, Slots, Swatch

PUBLISHED = "published"
DRAFT = "draft"
SOURCES = (PUBLISHED, DRAFT)
SLOT_NAMES = ("primary", "additional", "swatches")

Context = tuple[str, str]  # (channel code, locale code)


@dataclass(frozen=True)
class DocumentContents:
    """The checked-in draft and the published content of one document (either may be None)."""

    channel: str
    locale: str
    draft: Content | None = None
    published: Content | None = None
    published_at: str | None = None  # ISO time of the last publish, for shop answers

    def content(self, source: str) -> Content | None:
        """Preview (draft) shows the checked-in draft, else what is published."""
        if source == DRAFT and self.draft is not None:
            return self.draft
        return self.published


@dataclass(frozen=True)
class VariantRef:
    number: str
    values: Mapping[str, str]


@dataclass(frozen=True)
class ResolvedMedia:
    """Effective media of one entity in one requested context."""

    primary: tuple[int, ...] = ()
    additional: Mapping[str, tuple[int, ...]] = field(default_factory=dict)
    swatches: tuple[Swatch, ...] = ()
    default_image: int | None = None
    provenance: Mapping[str, dict | None] = field(default_factory=lambda: dict.fromkeys(SLOT_NAMES))

    def as_dict(self) -> dict:
        return {
            "default_image": self.default_image,
            "primary": list(self.primary),
            "additional": {purpose: list(ids) for purpose, ids in self.additional.items()},
            "swatches": [s.as_dict() for s in self.swatches],
            "provenance": dict(self.provenance),
        }


NOTHING = ResolvedMedia()


def context_chain(
    *, channel: str, locale: str, locale_languages: Mapping[str, str]
) -> tuple[Context, ...]:
    """R10: exact -> (omnichannel, same locale) -> (omnichannel, bare language) -> neutral.

    `locale_languages` maps every locale code of the tenant to its language; the language
    step exists only when a locale whose code is the bare language (`en`) exists.
    Steps that repeat an earlier one are skipped.
    """
    steps: list[Context] = [(channel, locale), (OMNICHANNEL, locale)]
    language = locale_languages.get(locale, "")
    if language and language in locale_languages:
        steps.append((OMNICHANNEL, language))
    steps.append((OMNICHANNEL, NEUTRAL))
    chain: list[Context] = []
    for step in steps:
        if step not in chain:
            chain.append(step)
    return tuple(chain)


def governing_content(
    *,
    documents: Mapping[Context, DocumentContents],
    chain: Sequence[Context],
    source: str,
) -> tuple[Context, Content] | None:
    """R10: the first context of the chain whose document has content governs alone."""
    for context in chain:
        document = documents.get(context)
        if document is None:
            continue
        content = document.content(source)
        if content is not None and content.has_content:
            return context, content
    return None


def entity_slots(
    *,
    content: Content,
    variant: VariantRef | None = None,
    selection: Mapping[str, str] | None = None,
) -> tuple[Slots, dict]:
    """R9 inside one content: variant own -> matching dimension combination -> master.

    An entity with any own entry governs all its slots (no merging). `selection` (partial
    dimension values, e.g. only color) uses a combination only when it covers the matrix.
    Returns the slots and the provenance scope ({"scope", "variant"|"values"}).
    """
    values: Mapping[str, str] | None = None
    if variant is not None:
        own = content.variants.get(variant.number)
        if own is not None and not own.is_empty:
            return own, {"scope": "variant", "variant": variant.number}
        values = variant.values
    elif selection:
        values = selection
    if values is not None and content.matrix and all(d in values for d in content.matrix):
        row = content.dimensions.get(combination_key({d: values[d] for d in content.matrix}))
        if row is not None and not row.slots.is_empty:
            return row.slots, {"scope": "dimension", "values": dict(row.values)}
    return content.master, {"scope": "master"}


def default_image_pick(*, primary: Sequence[int], media_kinds: Mapping[int, str]) -> int | None:
    """R11: the highest-ordered image of the effective primary list; other kinds skipped."""
    for media_id in primary:
        if media_kinds.get(media_id) == "image":
            return media_id
    return None


def media_resolve(
    *,
    documents: Mapping[Context, DocumentContents],
    chain: Sequence[Context],
    source: str = PUBLISHED,
    variant: VariantRef | None = None,
    selection: Mapping[str, str] | None = None,
) -> ResolvedMedia:
    """The effective media of a variant, a dimension selection or the master (neither given).

    `documents` are one product's documents by (channel, locale); `chain` comes from
    `context_chain`. Pure: call it for every variant x context after one bulk load.
    """
    governing = governing_content(documents=documents, chain=chain, source=source)
    if governing is None:
        return NOTHING
    (channel, locale), content = governing
    slots, scope = entity_slots(content=content, variant=variant, selection=selection)
    swatches, swatch_scope = product_swatches(
        content=content, slots=slots, scope=scope, variant=variant, selection=selection
    )
    if slots.is_empty and not swatches:
        return NOTHING
    origin = {**scope, "channel": channel, "locale": locale}
    swatch_origin = {**swatch_scope, "channel": channel, "locale": locale}
    additional: dict[str, list[int]] = {}
    for media_id, purpose in slots.additional:
        additional.setdefault(purpose, []).append(media_id)
    return ResolvedMedia(
        primary=slots.primary,
        additional={purpose: tuple(ids) for purpose, ids in additional.items()},
        swatches=swatches,
        default_image=default_image_pick(primary=slots.primary, media_kinds=content.media_kinds),
        provenance={
            "primary": origin if slots.primary else None,
            "additional": origin if slots.additional else None,
            "swatches": swatch_origin if swatches else None,
        },
    )


def product_swatches(
    *,
    content: Content,
    slots: Slots,
    scope: dict,
    variant: VariantRef | None = None,
    selection: Mapping[str, str] | None = None,
) -> tuple[tuple[Swatch, ...], dict]:
    """R24: swatches belong to the product page. An entity whose own gallery (variant or
    dimension combination) has no swatches still shows the nearest level that has them
    (its dimension combination, then the master), so a variant page offers the colours."""
    if slots.swatches:
        return slots.swatches, scope
    if scope["scope"] == "variant":
        values = variant.values if variant is not None else None
        if values is not None and content.matrix and all(d in values for d in content.matrix):
            row = content.dimensions.get(combination_key({d: values[d] for d in content.matrix}))
            if row is not None and row.slots.swatches:
                return row.slots.swatches, {"scope": "dimension", "values": dict(row.values)}
    if scope["scope"] != "master" and content.master.swatches:
        return content.master.swatches, {"scope": "master"}
    return (), scope


def coverage_cell(
    *, resolved: ResolvedMedia, requested: Context, own_scope: str
) -> dict[str, str | dict]:
    """Per slot: "own" (assigned to this entity in this exact context), the level it is
    inherited from ({"scope", "channel", "locale"}, plus values/variant), or "none"."""
    cell: dict[str, str | dict] = {}
    for slot in SLOT_NAMES:
        origin = resolved.provenance.get(slot)
        if origin is None:
            cell[slot] = "none"
        elif origin["scope"] == own_scope and (origin["channel"], origin["locale"]) == requested:
            cell[slot] = "own"
        else:
            cell[slot] = dict(origin)
    return cell
