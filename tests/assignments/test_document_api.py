"""SPEC §3 document API: shape, the editing actions over HTTP, versions, reset, isolation."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assignments.models import AssignmentDocument, AssignmentEntry, DocumentEvent
from catalog.models import Product

from .factories import content, make_master, make_media, slots

pytestmark = pytest.mark.django_db

BASE = "/api/v1/tenants/acme/products/{number}/media"
DOCUMENT_KEYS = {
    "product",
    "channel",
    "locale",
    "state",
    "checked_out_by",
    "version",
    "inherited_from",
    "draft",
    "published",
    "working",
}


@pytest.fixture
def shirt(tenant):
    return make_master(tenant, "SHIRT-001")


def url(action: str = "", number: str = "SHIRT-001") -> str:
    return BASE.format(number=number) + (f"/{action}" if action else "")


def test_empty_document_shape_defaults_to_omnichannel_neutral(shirt, viewer, client_for):
    # SPEC §3
    body = client_for(viewer).get(url()).json()
    assert set(body) >= DOCUMENT_KEYS
    assert body["product"] == "SHIRT-001"
    assert (body["channel"], body["locale"], body["state"]) == ("omnichannel", "neutral", "empty")
    assert body["draft"] is body["published"] is body["working"] is body["version"] is None
    assert not AssignmentDocument.objects.exists()  # reading creates nothing


def test_full_flow_over_http(tenant, shirt, editor, viewer, client_for):
    # R12 through the API
    image, video = make_media(tenant), make_media(tenant, "video")
    client = client_for(editor)
    query = "?channel=web&locale=en-us"
    response = client.post(url("checkout") + query)
    assert response.status_code == 200
    assert response.json()["state"] == "checked_out"
    assert response.json()["working"] == content()

    body = content(
        matrix=["color"],
        master=slots(
            primary=[video.pk, image.pk],
            additional=[{"media": image.pk, "purpose": "specification-sheet"}],
            swatches=[
                {"dimension": "color", "value": "Blue", "hex": "#0000FF"},
                {
                    "dimension": "color",
                    "value": "Red",
                    "media": image.pk,
                    "crop": {"x": 0, "y": 0, "width": 100, "height": 100},
                },
            ],
        ),
        dimensions=[{"values": {"color": "Red"}, **slots(primary=[image.pk])}],
        variants=[{"variant": "SHIRT-001-BLUE-S-SLIM", **slots(primary=[image.pk])}],
    )
    response = client.put(url("working") + query, body, format="json")
    assert response.status_code == 200, response.json()
    expected = {**body}
    expected["master"]["swatches"][0]["hex"] = "#0000ff"
    assert response.json()["working"] == expected

    seen_by_viewer = client_for(viewer).get(url() + query).json()
    assert seen_by_viewer["checked_out_by"] == "eddie" and seen_by_viewer["working"] is None

    assert client.post(url("save") + query).status_code == 200
    response = client.post(url("checkin") + query)
    assert response.status_code == 200
    assert response.json()["state"] == "draft" and response.json()["version"] == 1
    assert response.json()["draft"] == expected

    versions = client_for(viewer).get(url("versions") + query).json()
    assert [(v["number"], v["is_draft"], v["entries"]) for v in versions] == [(1, True, 7)]
    assert [e.action for e in DocumentEvent.objects.order_by("pk")] == [
        "checkout",
        "edit",
        "save",
        "checkin",
    ]


def test_restore_and_discard_over_http(tenant, shirt, editor, client_for):
    first, second = make_media(tenant), make_media(tenant)
    client = client_for(editor)
    for media in (first, second):
        client.post(url("checkout"))
        client.put(url("working"), content(master=slots(primary=[media.pk])), format="json")
        client.post(url("checkin"))
    response = client.post(url("versions/1/restore/"))
    assert response.status_code == 200
    assert response.json()["working"]["master"]["primary"] == [first.pk]
    response = client.post(url("discard"))
    assert response.json()["working"] is None
    assert response.json()["draft"]["master"]["primary"] == [second.pk]
    assert client.post(url("versions/9/restore")).status_code == 404


def test_reset_over_http(tenant, shirt, editor, client_for):
    # R13
    image = make_media(tenant)
    client = client_for(editor)
    client.post(url("checkout") + "?channel=web&locale=en-us")
    client.put(
        url("working") + "?channel=web&locale=en-us",
        content(master=slots(primary=[image.pk])),
        format="json",
    )
    client.post(url("checkin") + "?channel=web&locale=en-us")
    response = client.post(url("reset") + "?channel=web&locale=en-us")
    assert response.status_code == 200
    assert response.json()["draft"]["master"]["primary"] == []
    # resetting a context that has no document changes nothing
    response = client.post(url("reset") + "?channel=pos&locale=fr-fr")
    assert response.status_code == 200 and response.json()["state"] == "empty"
    assert AssignmentDocument.objects.count() == 1


def test_trailing_slash_optional_and_odd_product_numbers(tenant, editor, client_for):
    make_master(tenant, "SKU 1.2+A", {"color": ["Blue"]})
    client = client_for(editor)
    assert client.get("/api/v1/tenants/acme/products/SKU%201.2+A/media/").status_code == 200
    assert client.get("/api/v1/tenants/acme/products/SKU%201.2+A/media").status_code == 200
    response = client.post("/api/v1/tenants/acme/products/SKU%201.2+A/media/checkout/")
    assert response.status_code == 200 and response.json()["product"] == "SKU 1.2+A"


@pytest.mark.parametrize(
    ("query", "field"), [("?channel=nope", "channel"), ("?locale=xx-yy", "locale")]
)
def test_unknown_context_is_refused(shirt, viewer, client_for, query, field):
    response = client_for(viewer).get(url() + query)
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == field


def test_another_tenants_product_and_media_are_invisible(
    tenant, other_tenant, shirt, editor, client_for, member
):
    # R1: a product of another tenant answers 404; its media is "unknown" here.
    make_master(other_tenant, "GLOBEX-1")
    foreign = make_media(other_tenant)
    client = client_for(editor)
    for action, method in [
        ("", "get"),
        ("checkout", "post"),
        ("preview", "get"),
        ("coverage", "get"),
        ("versions", "get"),
        ("reset", "post"),
    ]:
        response = getattr(client, method)(url(action, number="GLOBEX-1"))
        assert response.status_code == 404, action
    client.post(url("checkout"))
    response = client.put(
        url("working"), content(master=slots(primary=[foreign.pk])), format="json"
    )
    assert response.status_code == 400
    assert "Unknown media" in response.json()["errors"][0]["reason"]
    assert not AssignmentEntry.objects.exists()
    # and a member of the other tenant cannot reach acme at all
    outsider = member("admin", username="gus", in_tenant=other_tenant)
    assert client_for(outsider).get(url()).status_code == 404
    assert not AssignmentDocument.objects.filter(product__in=Product.objects.filter(tenant=other_tenant)).exists()  # fmt: skip


def test_viewer_reads_but_cannot_write(shirt, viewer, client_for):
    # R1a
    client = client_for(viewer)
    assert client.get(url()).status_code == 200
    assert client.get(url("versions")).status_code == 200
    for action in ("checkout", "save", "checkin", "discard", "reset"):
        assert client.post(url(action)).status_code == 403, action
    assert client.put(url("working"), content(), format="json").status_code == 403


def test_reading_costs_the_same_queries_for_any_number_of_entries(
    tenant, shirt, editor, client_for
):
    # Reads load entries in bulk: no query per entry.
    client = client_for(editor)
    counts = []
    for size in (2, 20):
        media = [make_media(tenant).pk for _ in range(size)]
        client.post(url("checkout"))
        body = content(
            matrix=["color"],
            master=slots(
                primary=media, additional=[{"media": m, "purpose": "manual"} for m in media]
            ),
            dimensions=[{"values": {"color": "Blue"}, **slots(primary=media)}],
        )
        assert client.put(url("working"), body, format="json").status_code == 200
        client.post(url("checkin"))
        client.post(url("checkout"))
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url())
        assert len(response.json()["working"]["master"]["primary"]) == size
        counts.append(len(queries))
        client.post(url("discard"))
    assert counts[0] == counts[1]
