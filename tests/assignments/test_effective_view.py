"""The document view's `effective` (issue 15): what each scope shows after fallback, its
default image (R11) and where each slot comes from (R9, R10), from the same resolution as
the shop answer; the holder sees their working copy resolved."""

import pytest

from assignments import services
from catalog.services import product_create
from publishing.services import products_publish
from tests.publishing import builders

from .factories import check_in, content, context, make_master, slots

pytestmark = pytest.mark.django_db

BASE = "/api/v1/tenants/acme/products/SHIRT-001/media"


@pytest.fixture
def world(tenant, editor, publisher, django_capture_on_commit_callbacks):
    dimensions = {"color": ["Blue", "Red"], "size": ["S", "M"]}
    with django_capture_on_commit_callbacks(execute=True):  # the catalog's registrations
        shirt = product_create(
            tenant=tenant,
            number="SHIRT-001",
            name="Shirt",
            kind="master",
            dimensions=dimensions,
            variants=[
                {"number": f"SHIRT-001-{c.upper()}-{s}", "values": {"color": c, "size": s}}
                for c in dimensions["color"]
                for s in dimensions["size"]
            ],
        )
    # Real images and a video row: publishing makes renditions of what it publishes.
    video = builders.video(tenant, "spin")
    front, back, red = (builders.image(tenant, editor, n) for n in ("front", "back", "red"))
    manual = builders.image(tenant, editor, "manual-cover")
    body = content(
        matrix=["color"],
        master=slots(
            primary=[video.pk, front.pk, back.pk],
            additional=[{"media": manual.pk, "purpose": "manual"}],
            swatches=[{"dimension": "color", "value": "Blue", "hex": "#0000ff"}],
        ),
        dimensions=[{"values": {"color": "Red"}, **slots(primary=[red.pk])}],
    )
    check_in(tenant, shirt, editor, body)
    with django_capture_on_commit_callbacks(execute=True):  # the flatten job runs eagerly
        products_publish(
            tenant=tenant, product_ids=[shirt.pk], user=publisher, publish_dependencies=True
        )
    return {
        "shirt": shirt,
        "video": video,
        "front": front,
        "back": back,
        "red": red,
        "manual": manual,
    }


def by_variant(effective, number):
    return next(v for v in effective["variants"] if v["variant"] == number)


def test_scopes_resolved_with_default_and_labelled_sources(world, viewer, client_for):  # R9, R11
    effective = client_for(viewer).get(BASE).json()["effective"]
    assert effective["matrix"] == ["color"]
    master = effective["master"]
    assert master["primary"][0] == world["video"].pk
    assert master["default_image"] == world["front"].pk  # the video is skipped (R11)
    assert master["additional"] == {"manual": [world["manual"].pk]}
    assert master["provenance"]["primary"]["label"] == "from master"
    cells = {tuple(c["values"].items()): c for c in effective["dimensions"]}
    assert set(cells) == {(("color", "Blue"),), (("color", "Red"),)}
    assert cells[(("color", "Red"),)]["provenance"]["primary"]["label"] == "from color=Red"
    assert cells[(("color", "Blue"),)]["provenance"]["primary"]["label"] == "from master"
    red_m = by_variant(effective, "SHIRT-001-RED-M")
    assert red_m["primary"] == [world["red"].pk] and red_m["default_image"] == world["red"].pk
    assert red_m["provenance"]["primary"]["label"] == "from color=Red"
    # Swatches belong to the product page: the variant shows the master's (R24).
    assert red_m["provenance"]["swatches"]["label"] == "from master"
    assert red_m["provenance"]["additional"] is None  # severed by the colour's own entry


def test_default_image_is_the_shop_answers(world, viewer, client_for):  # R11, R15
    client = client_for(viewer)
    effective = client.get(BASE + "?channel=web&locale=en-us").json()["effective"]
    for number in ("SHIRT-001-BLUE-S", "SHIRT-001-RED-M"):
        shop = client.get(f"/api/v1/tenants/acme/channels/web/products/{number}/media?locale=en-us")
        assert shop.status_code == 200, shop.json()
        assert by_variant(effective, number)["default_image"] == shop.json()["default_image"]["id"]


def test_inheriting_context_shows_source_context(world, viewer, client_for):  # R10
    body = client_for(viewer).get(BASE + "?channel=web&locale=en-us").json()
    assert body["inherited_from"] == {"channel": "omnichannel", "locale": "neutral"}
    assert body["draft"] is None and body["published"] is None
    master = body["effective"]["master"]
    assert master["primary"] == [world["video"].pk, world["front"].pk, world["back"].pk]
    assert master["provenance"]["primary"]["label"] == "from Omnichannel · Neutral"
    blue = by_variant(body["effective"], "SHIRT-001-BLUE-S")
    assert blue["provenance"]["primary"]["label"] == "from Omnichannel · Neutral"
    red = by_variant(body["effective"], "SHIRT-001-RED-S")
    assert red["provenance"]["primary"]["label"] == "from color=Red · Omnichannel · Neutral"


def test_holder_sees_working_copy_resolved_others_the_draft(
    tenant, world, editor, publisher, client_for
):  # R12
    channel, locale = context(tenant)
    document = services.document_checkout(
        tenant=tenant, product=world["shirt"], channel=channel, locale=locale, user=editor
    )
    services.document_working_replace(
        document=document,
        user=editor,
        content=content(matrix=["color"], master=slots(primary=[world["red"].pk])),
        confirm_matrix_change=True,
    )
    mine = client_for(editor).get(BASE).json()["effective"]
    assert mine["master"]["primary"] == [world["red"].pk]
    assert by_variant(mine, "SHIRT-001-RED-M")["provenance"]["primary"]["label"] == "from master"
    theirs = client_for(publisher).get(BASE).json()["effective"]
    assert theirs["master"]["default_image"] == world["front"].pk


def test_document_view_queries_do_not_grow_with_variants(tenant, world, viewer, client_for):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(viewer)
    with CaptureQueriesContext(connection) as small:
        client.get(BASE)
    make_master(tenant, "BIG-001", {"color": [f"C{i}" for i in range(8)], "size": ["S", "M", "L"]})
    with CaptureQueriesContext(connection) as big:
        client.get("/api/v1/tenants/acme/products/BIG-001/media")
    assert len(big) <= len(small)
