"""R9-R11, R14, R15: publishing flattens every fallback path; the shop API reads the result."""

import pytest

from media_library.storage import public_storage
from publishing.models import ShopAnswer
from tenants.services import locale_create
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(tenant, editor):
    names = ["master1", "master2", "blue", "variant", "web", "fr_fr", "fr", "manual"]
    return {name: b.image(tenant, editor, name) for name in names}


@pytest.fixture
def shirt(tenant, editor, media, publish):
    """Master media in Omnichannel+Neutral, a color matrix with Blue, one variant of its own."""
    product = b.shirt(tenant)
    b.checkin(
        tenant,
        product,
        editor,
        {
            "matrix": ["color"],
            "master": b.slots(
                [media["master1"], media["master2"]], additional=[(media["manual"], "manual")]
            ),
            "dimensions": [{"values": {"color": "Blue"}, **b.slots([media["blue"]])}],
            "variants": [{"variant": "SHIRT-001-BLUE-M-SLIM", **b.slots([media["variant"]])}],
        },
    )
    assert publish("SHIRT-001", publish_dependencies=True).status_code == 202
    return product


def ids(result):
    return [m["id"] for m in result["primary"]]


@pytest.mark.parametrize(
    ("number", "expected", "scope"),
    [
        ("SHIRT-001-BLUE-M-SLIM", ["variant"], "variant"),  # R9 variant own
        ("SHIRT-001-BLUE-S-SLIM", ["blue"], "dimension"),  # R9 dimension match (size ignored)
        ("SHIRT-001-RED-S-SLIM", ["master1", "master2"], "master"),  # R9 master fallback
        ("SHIRT-001", ["master1", "master2"], "master"),  # the master as a whole
    ],
)
def test_product_fallback_is_flattened(shirt, media, shop, number, expected, scope):
    result = shop(number, "web", "en-us")  # R10: no web document -> Omnichannel + Neutral
    assert ids(result) == [media[name].pk for name in expected]
    assert result["provenance"]["primary"]["scope"] == scope
    assert (
        result["provenance"]["primary"]["channel"],
        result["provenance"]["primary"]["locale"],
    ) == (
        "omnichannel",
        "neutral",
    )
    assert result["default_image"]["id"] == media[expected[0]].pk  # R11
    # the public, content-hashed URL (SPEC §4 "Files"), not the stable /p/ redirect
    first = media[expected[0]]
    first.refresh_from_db()
    assert result["primary"][0]["url"] == public_storage().url(first.public_name)
    assert f"/{first.checksum[:16]}/" in result["primary"][0]["url"]


def test_own_variant_assignment_severs_every_slot(shirt, media, shop):
    # R9: the variant has own primary media only, so it inherits no additional media either.
    assert shop("SHIRT-001-BLUE-M-SLIM")["additional"] == {}
    assert [m["id"] for m in shop("SHIRT-001-RED-M-SLIM")["additional"]["manual"]] == [
        media["manual"].pk
    ]


def test_published_media_carry_urls_alt_text_and_renditions(shirt, media, shop):
    # R15: publishing made the renditions; the read model carries their URLs.
    first = shop("SHIRT-001-RED-S-SLIM")["primary"][0]
    assert first["alt_text"] == "master1" and first["kind"] == "image"
    assert set(first["renditions"]) >= {"thumb", "gallery", "swatch"}


@pytest.mark.parametrize(
    ("doc_context", "read_context", "governs"),
    [
        (("web", "en-us"), ("web", "en-us"), True),  # R10 exact channel+locale
        (("web", "en-us"), ("pos", "en-us"), False),  # another channel keeps the default
        (("omnichannel", "fr-fr"), ("web", "fr-fr"), True),  # Omnichannel + same locale
        (("omnichannel", "fr"), ("web", "fr-fr"), True),  # Omnichannel + language only
        (("omnichannel", "fr"), ("web", "de-de"), False),  # other language -> neutral
    ],
)
def test_context_fallback_is_flattened(
    tenant, editor, shirt, media, publish, shop, doc_context, read_context, governs
):
    if doc_context[1] == "fr":
        locale_create(tenant=tenant, code="fr")
    b.checkin(tenant, shirt, editor, {"master": b.slots([media["web"]])}, *doc_context)
    assert (
        publish(
            "SHIRT-001", channel=doc_context[0], locale=doc_context[1], publish_dependencies=True
        ).status_code
        == 202
    )

    result = shop("SHIRT-001-BLUE-S-SLIM", *read_context)
    if governs:
        # Inheritance severed: the context's master wins even over the default's Blue row.
        assert ids(result) == [media["web"].pk]
        assert (
            result["provenance"]["primary"]["channel"],
            result["provenance"]["primary"]["locale"],
        ) == doc_context
    else:
        assert ids(result) == [media["blue"].pk]


def test_neutral_default_reaches_every_context(shirt, media, shop):
    for channel in ("omnichannel", "web", "pos"):
        for locale in ("neutral", "en-us", "fr-fr", "de-de"):
            assert ids(shop("SHIRT-001-RED-M-SLIM", channel, locale)) == [
                media["master1"].pk,
                media["master2"].pk,
            ]


def test_default_image_skips_a_leading_video(tenant, editor, publisher, publish, shop):
    # R11
    product = b.mug(tenant)
    clip, photo = b.video(tenant, "clip"), b.image(tenant, editor, "photo")
    b.checkin(tenant, product, editor, {"master": b.slots([clip, photo])})
    assert publish("MUG-001", publish_dependencies=True).status_code == 202
    result = shop("MUG-001")
    assert [m["kind"] for m in result["primary"]] == ["video", "image"]
    assert result["default_image"]["id"] == photo.pk


def test_publish_in_default_context_refreshes_inheriting_contexts(
    tenant, editor, shirt, media, publish, shop
):
    # R15: web/en-us has no document of its own, so a new default shows there too.
    assert ids(shop("SHIRT-001-RED-S-SLIM", "web", "en-us"))[0] == media["master1"].pk
    b.checkin(tenant, shirt, editor, {"matrix": ["color"], "master": b.slots([media["master2"]])})
    assert publish("SHIRT-001").status_code == 202
    assert ids(shop("SHIRT-001-RED-S-SLIM", "web", "en-us")) == [media["master2"].pk]
    assert ids(shop("SHIRT-001-BLUE-S-SLIM", "web", "en-us")) == [
        media["master2"].pk
    ]  # row dropped


def test_reset_then_publish_restores_fallback(tenant, editor, shirt, media, publish, shop):
    # R13: reset in web/en-us clears that context's assignments; after publish it inherits again.
    from assignments.services import document_reset
    from tenants.models import Channel, Locale

    b.checkin(tenant, shirt, editor, {"master": b.slots([media["web"]])}, "web", "en-us")
    assert (
        publish("SHIRT-001", channel="web", locale="en-us", publish_dependencies=True).status_code
        == 202
    )
    assert ids(shop("SHIRT-001-RED-S-SLIM")) == [media["web"].pk]

    document_reset(
        tenant=tenant,
        product=shirt,
        channel=Channel.objects.get(tenant=tenant, code="web"),
        locale=Locale.objects.get(tenant=tenant, code="en-us"),
        user=editor,
    )
    assert publish("SHIRT-001", channel="web", locale="en-us").status_code == 202
    assert ids(shop("SHIRT-001-RED-S-SLIM")) == [media["master1"].pk, media["master2"].pk]


def test_read_model_is_sparse_one_row_per_entity_when_only_the_default_is_authored(tenant, shirt):
    # R23: 5 entities (master + 4 variants); only Omnichannel + Neutral is authored, so
    # the other channels x locales store nothing and read the default row.
    rows = ShopAnswer.objects.filter(tenant=tenant, product_id=shirt.pk)
    assert rows.count() == 5
    assert set(rows.values_list("channel_code", "locale_code")) == {("omnichannel", "neutral")}
