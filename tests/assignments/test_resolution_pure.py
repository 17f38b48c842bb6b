"""R9, R10, R11: the pure resolution functions over hand-built content (no database)."""

import pytest

from assignments.content import Content, DimensionRow, Slots, Swatch
from assignments.resolution import (
    DRAFT,
    NOTHING,
    PUBLISHED,
    DocumentContents,
    VariantRef,
    context_chain,
    coverage_cell,
    default_image_pick,
    entity_slots,
    media_resolve,
)
from catalog.models import combination_key

LOCALES = {"neutral": "", "en": "en", "en-us": "en", "fr-fr": "fr", "de-de": "de"}
BLUE_M_SLIM = VariantRef("SHIRT-BLUE-M-SLIM", {"color": "Blue", "size": "M", "style": "Slim"})
BLUE_S_SLIM = VariantRef("SHIRT-BLUE-S-SLIM", {"color": "Blue", "size": "S", "style": "Slim"})
RED_S_SLIM = VariantRef("SHIRT-RED-S-SLIM", {"color": "Red", "size": "S", "style": "Slim"})
RED_M_SLIM = VariantRef("SHIRT-RED-M-SLIM", {"color": "Red", "size": "M", "style": "Slim"})
KINDS = {n: "image" for n in range(1, 100)} | {90: "video", 91: "document"}


def shirt_content() -> Content:
    blue_slim = {"color": "Blue", "style": "Slim"}
    return Content(
        matrix=("color", "style"),
        master=Slots(
            primary=(10, 11),
            additional=((12, "manual"),),
            swatches=(Swatch("color", "Blue", hex="#0000ff"),),
        ),
        dimensions={
            combination_key(blue_slim): DimensionRow(values=blue_slim, slots=Slots(primary=(20,)))
        },
        variants={
            BLUE_M_SLIM.number: Slots(primary=(30,), additional=((31, "manual"),)),
            RED_M_SLIM.number: Slots(additional=((32, "media-kit"),)),
        },
        media_kinds=KINDS,
    )


def on(content: Content, channel="omnichannel", locale="neutral") -> DocumentContents:
    return DocumentContents(channel=channel, locale=locale, draft=content, published=content)


def master_only(*primary) -> Content:
    return Content(master=Slots(primary=primary), media_kinds=KINDS)


@pytest.mark.parametrize(
    ("variant", "selection", "primary", "scope"),
    [
        # R9 variant own entries win
        (BLUE_M_SLIM, None, (30,), {"scope": "variant", "variant": BLUE_M_SLIM.number}),
        # R9 no own entries -> the dimension combination restricted to the matrix (size ignored)
        (BLUE_S_SLIM, None, (20,), {"scope": "dimension", "values": {"color": "Blue", "style": "Slim"}}),
        # R9 no matching combination -> master
        (RED_S_SLIM, None, (10, 11), {"scope": "master"}),
        # R9 own entry in another slot severs: the variant's primary stays empty (no merging)
        (RED_M_SLIM, None, (), {"scope": "variant", "variant": RED_M_SLIM.number}),
        # partial selection covering the matrix uses the combination
        (None, {"color": "Blue", "style": "Slim"}, (20,), {"scope": "dimension", "values": {"color": "Blue", "style": "Slim"}}),
        # partial selection not covering the matrix -> master
        (None, {"color": "Blue"}, (10, 11), {"scope": "master"}),
        # the master as a whole
        (None, None, (10, 11), {"scope": "master"}),
    ],
    ids=["variant-own", "dimension-match", "master-fallback", "severed-by-other-slot",
         "selection-covers-matrix", "selection-partial-matrix", "master-scope"],
)  # fmt: skip
def test_product_fallback(variant, selection, primary, scope):
    # R9
    slots, found = entity_slots(content=shirt_content(), variant=variant, selection=selection)
    assert slots.primary == primary
    assert found == scope


def test_severed_variant_does_not_merge_master_slots_but_keeps_the_product_swatches():
    # R9: the variant has own primary + additional, nothing of the master's gallery is
    # merged in; R24: swatches belong to the product page, so the master's still show.
    result = media_resolve(
        documents={("omnichannel", "neutral"): on(shirt_content())},
        chain=context_chain(channel="web", locale="en-us", locale_languages=LOCALES),
        variant=BLUE_M_SLIM,
    )
    assert result.primary == (30,)
    assert result.additional == {"manual": (31,)}
    assert result.swatches == (Swatch("color", "Blue", hex="#0000ff"),)
    assert result.provenance["swatches"] == {
        "scope": "master",
        "channel": "omnichannel",
        "locale": "neutral",
    }
    assert result.provenance["primary"] == {
        "scope": "variant",
        "variant": BLUE_M_SLIM.number,
        "channel": "omnichannel",
        "locale": "neutral",
    }


@pytest.mark.parametrize(
    ("channel", "locale", "chain"),
    [
        ("web", "en-us", [("web", "en-us"), ("omnichannel", "en-us"), ("omnichannel", "en"), ("omnichannel", "neutral")]),
        ("omnichannel", "en-us", [("omnichannel", "en-us"), ("omnichannel", "en"), ("omnichannel", "neutral")]),
        # no bare `fr` locale exists: the language step is skipped
        ("web", "fr-fr", [("web", "fr-fr"), ("omnichannel", "fr-fr"), ("omnichannel", "neutral")]),
        ("web", "en", [("web", "en"), ("omnichannel", "en"), ("omnichannel", "neutral")]),
        ("web", "neutral", [("web", "neutral"), ("omnichannel", "neutral")]),
        ("omnichannel", "neutral", [("omnichannel", "neutral")]),
    ],
)  # fmt: skip
def test_context_chain(channel, locale, chain):
    # R10: exact -> omnichannel same locale -> omnichannel language -> omnichannel neutral
    assert list(context_chain(channel=channel, locale=locale, locale_languages=LOCALES)) == chain


DOCUMENTS = {
    ("omnichannel", "neutral"): on(master_only(1), "omnichannel", "neutral"),
    ("omnichannel", "en"): on(master_only(2), "omnichannel", "en"),
    ("web", "en-us"): on(master_only(3), "web", "en-us"),
    ("omnichannel", "fr-fr"): on(master_only(4), "omnichannel", "fr-fr"),
    # reset: a document whose content is empty falls back
    ("web", "de-de"): on(Content(), "web", "de-de"),
}


@pytest.mark.parametrize(
    ("channel", "locale", "primary", "governing"),
    [
        ("web", "en-us", (3,), ("web", "en-us")),  # exact channel + locale
        ("pos", "en-us", (2,), ("omnichannel", "en")),  # language-only
        ("web", "fr-fr", (4,), ("omnichannel", "fr-fr")),  # omnichannel + same locale
        ("pos", "de-de", (1,), ("omnichannel", "neutral")),  # neutral default
        ("web", "de-de", (1,), ("omnichannel", "neutral")),  # reset document falls back
        ("omnichannel", "neutral", (1,), ("omnichannel", "neutral")),
    ],
    ids=["exact", "language-only", "omnichannel-same-locale", "neutral-default",
         "reset-falls-back", "default-document"],
)  # fmt: skip
def test_context_fallback(channel, locale, primary, governing):
    # R10
    result = media_resolve(
        documents=DOCUMENTS,
        chain=context_chain(channel=channel, locale=locale, locale_languages=LOCALES),
        source=PUBLISHED,
    )
    assert result.primary == primary
    assert (result.provenance["primary"]["channel"], result.provenance["primary"]["locale"]) == (
        governing
    )


def test_context_severed_no_merge_across_contexts():
    # R10: web/en-us has content (a variant only), so it governs alone: the master and other
    # variants get nothing there rather than the omnichannel media.
    web = Content(variants={BLUE_M_SLIM.number: Slots(primary=(5,))}, media_kinds=KINDS)
    documents = {
        ("omnichannel", "neutral"): on(shirt_content()),
        ("web", "en-us"): on(web, "web", "en-us"),
    }
    chain = context_chain(channel="web", locale="en-us", locale_languages=LOCALES)
    assert media_resolve(documents=documents, chain=chain, variant=BLUE_M_SLIM).primary == (5,)
    assert media_resolve(documents=documents, chain=chain, variant=RED_S_SLIM) == NOTHING
    assert media_resolve(documents=documents, chain=chain) == NOTHING


def test_draft_source_prefers_draft_and_falls_back_to_published():
    # R17 preview reads the checked-in draft; a document without one shows what is published.
    documents = {
        ("omnichannel", "neutral"): DocumentContents(
            "omnichannel", "neutral", draft=master_only(7), published=master_only(1)
        ),
        ("web", "en-us"): DocumentContents("web", "en-us", draft=None, published=master_only(3)),
    }
    neutral = context_chain(channel="pos", locale="de-de", locale_languages=LOCALES)
    web = context_chain(channel="web", locale="en-us", locale_languages=LOCALES)
    assert media_resolve(documents=documents, chain=neutral, source=DRAFT).primary == (7,)
    assert media_resolve(documents=documents, chain=neutral, source=PUBLISHED).primary == (1,)
    assert media_resolve(documents=documents, chain=web, source=DRAFT).primary == (3,)


def test_staged_reset_falls_back_in_draft_but_not_yet_in_published():
    # R13: an empty draft severs nothing in preview; published keeps governing until published.
    documents = {
        ("omnichannel", "neutral"): on(master_only(1)),
        ("web", "en-us"): DocumentContents(
            "web", "en-us", draft=Content(), published=master_only(3)
        ),
    }
    chain = context_chain(channel="web", locale="en-us", locale_languages=LOCALES)
    assert media_resolve(documents=documents, chain=chain, source=DRAFT).primary == (1,)
    assert media_resolve(documents=documents, chain=chain, source=PUBLISHED).primary == (3,)


@pytest.mark.parametrize(
    ("primary", "expected"),
    [((90, 10, 11), 10), ((91, 90), None), ((), None), ((11, 90), 11)],
    ids=["skips-leading-video", "no-image", "empty", "first-image"],
)
def test_default_image(primary, expected):
    # R11
    assert default_image_pick(primary=primary, media_kinds=KINDS) == expected


def test_resolved_default_image_skips_leading_video():
    # R11 through media_resolve
    documents = {("omnichannel", "neutral"): on(master_only(90, 91, 12, 13))}
    chain = context_chain(channel="web", locale="en-us", locale_languages=LOCALES)
    assert media_resolve(documents=documents, chain=chain).default_image == 12


def test_additional_grouped_by_purpose_in_order():
    content = Content(
        master=Slots(additional=((1, "manual"), (2, "media-kit"), (3, "manual"))),
        media_kinds=KINDS,
    )
    result = media_resolve(
        documents={("omnichannel", "neutral"): on(content)},
        chain=(("omnichannel", "neutral"),),
    )
    assert result.additional == {"manual": (1, 3), "media-kit": (2,)}
    assert result.provenance["primary"] is None


def test_coverage_cell_own_inherited_none():
    documents = {
        ("omnichannel", "neutral"): on(shirt_content()),
        ("web", "en-us"): on(
            Content(variants={BLUE_M_SLIM.number: Slots(primary=(5,))}, media_kinds=KINDS),
            "web",
            "en-us",
        ),
    }
    web = context_chain(channel="web", locale="en-us", locale_languages=LOCALES)
    resolved = media_resolve(documents=documents, chain=web, source=DRAFT, variant=BLUE_M_SLIM)
    assert coverage_cell(resolved=resolved, requested=("web", "en-us"), own_scope="variant") == {
        "primary": "own",
        "additional": "none",
        "swatches": "none",
    }
    pos = context_chain(channel="pos", locale="en-us", locale_languages=LOCALES)
    resolved = media_resolve(documents=documents, chain=pos, source=DRAFT, variant=BLUE_S_SLIM)
    cell = coverage_cell(resolved=resolved, requested=("pos", "en-us"), own_scope="variant")
    assert cell["primary"] == {
        "scope": "dimension",
        "values": {"color": "Blue", "style": "Slim"},
        "channel": "omnichannel",
        "locale": "neutral",
    }
    assert cell["additional"] == "none"
