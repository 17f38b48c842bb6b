"""R9 x R10 x R11 through the database: the preview API (R17, draft source) and the bulk
selector + pure resolution the publisher uses (published source)."""

import pytest

from assignments import services
from assignments.resolution import PUBLISHED, VariantRef, context_chain, media_resolve
from assignments.selectors import document_contents_load, locale_languages_load
from catalog.models import Variant
from tenants.services import locale_create

from .factories import check_in, content, context, make_master, make_media, slots

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/acme/products/SHIRT-001/media/preview"


@pytest.fixture
def world(tenant, editor, publisher):
    """Documents in five contexts; all checked in and published."""
    locale_create(tenant=tenant, code="en")  # makes the language-only step exist
    shirt = make_master(tenant, "SHIRT-001")
    media = {
        name: make_media(tenant, name=name) for name in ("m1", "m2", "m3", "m4", "m5", "m6", "m7")
    }
    media["video"] = make_media(tenant, "video", name="video")

    def ids(*names):
        return [media[n].pk for n in names]

    check_in(
        tenant,
        shirt,
        editor,
        content(
            matrix=["color", "style"],
            master=slots(primary=ids("m1", "m2")),
            dimensions=[{"values": {"color": "Blue", "style": "Slim"}, **slots(primary=ids("m3"))}],
            variants=[{"variant": "SHIRT-001-RED-M-SLIM", **slots(primary=ids("video", "m4"))}],
        ),
        publish_as=publisher,
    )
    check_in(
        tenant,
        shirt,
        editor,
        content(master=slots(primary=ids("m5"))),
        locale="en",
        publish_as=publisher,
    )
    check_in(
        tenant,
        shirt,
        editor,
        content(master=slots(primary=ids("m6"))),
        channel="web",
        locale="en-us",
        publish_as=publisher,
    )
    check_in(
        tenant,
        shirt,
        editor,
        content(variants=[{"variant": "SHIRT-001-BLUE-M-SLIM", **slots(primary=ids("m7"))}]),
        channel="pos",
        locale="fr-fr",
        publish_as=publisher,
    )
    reset = check_in(
        tenant,
        shirt,
        editor,
        content(master=slots(primary=ids("m7"))),
        channel="web",
        locale="de-de",
        publish_as=publisher,
    )
    channel, locale = context(tenant, "web", "de-de")
    services.document_reset(
        tenant=tenant, product=shirt, channel=channel, locale=locale, user=editor
    )
    services.document_publish_content(document=reset, user=publisher)
    return {"shirt": shirt, "media": media, "ids": ids}  # fmt: skip


BLUE_S = {"color": "Blue", "size": "S", "style": "Slim"}
BLUE_M = {"color": "Blue", "size": "M", "style": "Slim"}
RED_S = {"color": "Red", "size": "S", "style": "Slim"}
RED_M = {"color": "Red", "size": "M", "style": "Slim"}
O_N = ("omnichannel", "neutral")

CASES = [
    # id, channel, locale, query, primary, default image, scope, governing context
    ("variant-own", "omnichannel", "neutral", RED_M, ["video", "m4"], "m4", "variant", O_N),
    ("dimension-match", "omnichannel", "neutral", BLUE_S, ["m3"], "m3", "dimension", O_N),
    ("master-fallback", "omnichannel", "neutral", RED_S, ["m1", "m2"], "m1", "master", O_N),
    ("partial-covers-matrix", "omnichannel", "neutral", {"color": "Blue", "style": "Slim"}, ["m3"], "m3", "dimension", O_N),
    ("partial-matrix", "omnichannel", "neutral", {"color": "Blue"}, ["m1", "m2"], "m1", "master", O_N),
    ("master-scope", "omnichannel", "neutral", {}, ["m1", "m2"], "m1", "master", O_N),
    ("variant-param", "omnichannel", "neutral", {"variant": "SHIRT-001-BLUE-S-SLIM"}, ["m3"], "m3", "dimension", O_N),
    ("channel-locale-exact", "web", "en-us", RED_S, ["m6"], "m6", "master", ("web", "en-us")),
    ("language-only", "pos", "en-us", RED_S, ["m5"], "m5", "master", ("omnichannel", "en")),
    ("neutral-default", "web", "fr-fr", RED_S, ["m1", "m2"], "m1", "master", O_N),
    ("reset-restores-fallback", "web", "de-de", BLUE_S, ["m3"], "m3", "dimension", O_N),
    ("severed-context-own", "pos", "fr-fr", BLUE_M, ["m7"], "m7", "variant", ("pos", "fr-fr")),
    ("severed-context-nothing", "pos", "fr-fr", RED_S, [], None, None, None),
]  # fmt: skip


def _check(world, body, primary, default, scope, governing):
    ids = world["ids"]
    assert body["primary"] == ids(*primary)
    assert body["default_image"] == (ids(default)[0] if default else None)
    provenance = body["provenance"]["primary"]
    if scope is None:
        assert provenance is None
    else:
        assert provenance["scope"] == scope
        assert (provenance["channel"], provenance["locale"]) == governing


@pytest.mark.parametrize(
    ("channel", "locale", "query", "primary", "default", "scope", "governing"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_preview_api(
    world, viewer, client_for, channel, locale, query, primary, default, scope, governing
):
    # R9, R10, R11, R17
    response = client_for(viewer).get(URL, {"channel": channel, "locale": locale, **query})
    assert response.status_code == 200, response.json()
    body = response.json()
    _check(world, body, primary, default, scope, governing)
    assert set(map(int, body["media"])) == set(world["ids"](*primary))


@pytest.mark.parametrize(
    ("channel", "locale", "query", "primary", "default", "scope", "governing"),
    [c[1:] for c in CASES if "variant" not in c[3] and len(c[3]) == 3],
    ids=[c[0] for c in CASES if "variant" not in c[3] and len(c[3]) == 3],
)
def test_published_resolution_from_bulk_load(
    world,
    tenant,
    django_assert_num_queries,
    channel,
    locale,
    query,
    primary,
    default,
    scope,
    governing,
):
    # R15 groundwork: one bulk load, then pure resolution for every variant x context.
    shirt = world["shirt"]
    variant = Variant.objects.get(product=shirt, values=query)
    with django_assert_num_queries(4):
        languages = locale_languages_load(tenant=tenant)
        documents = document_contents_load(tenant=tenant, product_ids=[shirt.pk])[shirt.pk]
    chain = context_chain(channel=channel, locale=locale, locale_languages=languages)
    resolved = media_resolve(
        documents=documents,
        chain=chain,
        source=PUBLISHED,
        variant=VariantRef(variant.number, variant.values),
    )
    _check(world, resolved.as_dict(), primary, default, scope, governing)


def test_preview_shows_draft_before_publish(world, tenant, editor, viewer, client_for):
    # R17: a checked-in but unpublished change is previewed; published content is not changed
    shirt, ids = world["shirt"], world["ids"]
    check_in(
        tenant,
        shirt,
        editor,
        content(master=slots(primary=ids("m4"))),
        channel="web",
        locale="fr-fr",
    )
    response = client_for(viewer).get(URL, {"channel": "web", "locale": "fr-fr", **RED_S})
    assert response.json()["primary"] == ids("m4")
    documents = document_contents_load(tenant=tenant, product_ids=[shirt.pk])[shirt.pk]
    chain = context_chain(
        channel="web", locale="fr-fr", locale_languages=locale_languages_load(tenant=tenant)
    )
    assert list(media_resolve(documents=documents, chain=chain, source=PUBLISHED).primary) == ids("m1", "m2")  # fmt: skip


@pytest.mark.parametrize(
    ("query", "field"),
    [({"color": "Green"}, "color"), ({"configuration": "X"}, "configuration"), ({"variant": "NOPE"}, "variant")],
)  # fmt: skip
def test_preview_rejects_values_the_product_lacks(world, viewer, client_for, query, field):
    response = client_for(viewer).get(URL, query)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
