"""R7, R8, R1, R1a, R12: every bad edit is a 4xx naming the field and the reason, and the
document is unchanged."""

import pytest

from assignments.models import AssignmentDocument, AssignmentEntry, DocumentEvent
from tenants.models import Role

from .factories import content, make_master, make_media, make_simple, slots

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/acme/products/{number}/media"


@pytest.fixture
def world(tenant, other_tenant, editor, client_for):
    """SHIRT-001 checked out by the editor with a dimension row under matrix [color]."""
    shirt = make_master(tenant, "SHIRT-001")
    make_master(tenant, "PANTS-001", {"color": ["Black"], "size": ["32"]})
    image, wide = make_media(tenant), make_media(tenant, width=100, height=50)
    video = make_media(tenant, "video")
    foreign = make_media(other_tenant)
    client = client_for(editor)
    assert client.post(URL.format(number="SHIRT-001") + "/checkout").status_code == 200
    start = content(
        matrix=["color"],
        master=slots(primary=[image.pk]),
        dimensions=[{"values": {"color": "Blue"}, **slots(primary=[wide.pk])}],
    )
    response = client.put(URL.format(number="SHIRT-001") + "/working", start, format="json")
    assert response.status_code == 200, response.json()
    return {
        "shirt": shirt,
        "image": image,
        "wide": wide,
        "video": video,
        "foreign": foreign,
        "client": client,
        "start": start,
    }


def snapshot(client):
    body = client.get(URL.format(number="SHIRT-001")).json()
    return body["working"], AssignmentEntry.objects.count(), DocumentEvent.objects.count()


def with_master(**master):
    return content(matrix=["color"], master=slots(**master))


BAD_BODIES = [
    ("unknown-media", lambda w: with_master(primary=[w["image"].pk, 999999]), "master.primary[1]", "Unknown media"),
    ("other-tenants-media", lambda w: with_master(primary=[w["foreign"].pk]), "master.primary[0]", "Unknown media"),
    ("huge-id", lambda w: with_master(primary=[2**70]), "master.primary[0]", "media item id"),
    ("not-an-id", lambda w: with_master(primary=["abc"]), "master.primary[0]", "media item id"),
    ("duplicate-primary", lambda w: with_master(primary=[w["image"].pk, w["image"].pk]), "master.primary[1]", "already"),
    ("swatch-value-missing", lambda w: with_master(swatches=[{"dimension": "color", "value": "Green", "hex": "#00ff00"}]), "master.swatches[0].value", "no color 'Green'"),
    ("swatch-dimension-missing", lambda w: with_master(swatches=[{"dimension": "configuration", "value": "X", "hex": "#00ff00"}]), "master.swatches[0].dimension", "no dimension"),
    ("bad-hex", lambda w: with_master(swatches=[{"dimension": "color", "value": "Blue", "hex": "blue"}]), "master.swatches[0].hex", "#1a2b3c"),
    ("hex-and-media", lambda w: with_master(swatches=[{"dimension": "color", "value": "Blue", "hex": "#0000ff", "media": w["image"].pk}]), "master.swatches[0]", "either hex or media"),
    ("swatch-not-image", lambda w: with_master(swatches=[{"dimension": "color", "value": "Blue", "media": w["video"].pk}]), "master.swatches[0].media", "not an image"),
    ("crop-outside", lambda w: with_master(swatches=[{"dimension": "color", "value": "Blue", "media": w["wide"].pk, "crop": {"x": 50, "y": 0, "width": 60, "height": 10}}]), "master.swatches[0].crop", "within the image (100x50)"),
    ("crop-negative", lambda w: with_master(swatches=[{"dimension": "color", "value": "Blue", "media": w["wide"].pk, "crop": {"x": -1, "y": 0, "width": 6, "height": 10}}]), "master.swatches[0].crop.x", "at least 0"),
    ("unknown-purpose", lambda w: with_master(additional=[{"media": w["image"].pk, "purpose": "brochure"}]), "master.additional[0].purpose", "Unknown purpose 'brochure'"),
    ("dimension-row-not-matrix", lambda w: content(matrix=["color"], dimensions=[{"values": {"color": "Blue", "size": "S"}, **slots(primary=[w["image"].pk])}]), "dimensions[0].values", "exactly the matrix dimensions color"),
    ("dimension-value-missing", lambda w: content(matrix=["color"], dimensions=[{"values": {"color": "Green"}, **slots(primary=[w["image"].pk])}]), "dimensions[0].values.color", "no color 'Green'"),
    ("matrix-unknown-dimension", lambda w: content(matrix=["configuration"]), "matrix[0]", "no dimension 'configuration'"),
    ("variant-of-another-product", lambda w: content(matrix=["color"], variants=[{"variant": "PANTS-001-BLACK-32", **slots(primary=[w["image"].pk])}]), "variants[0].variant", "not a variant of SHIRT-001"),
    ("unknown-variant", lambda w: content(matrix=["color"], variants=[{"variant": "NOPE", **slots()}]), "variants[0].variant", "Unknown variant"),
    ("deep-path", lambda w: content(matrix=["color"], variants=[{"variant": "SHIRT-001-BLUE-S-SLIM", **slots(primary=[w["image"].pk, w["wide"].pk, 424242])}]), "variants[0].primary[2]", "Unknown media 424242"),
    ("unknown-field", lambda w: {**with_master(), "colour": 1}, "colour", "Unknown field"),
    ("slots-not-list", lambda w: {**with_master(), "master": {"primary": {"a": 1}}}, "master.primary", "Must be a list"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "field", "reason"), [b[1:] for b in BAD_BODIES], ids=[b[0] for b in BAD_BODIES]
)
def test_bad_content_is_refused_and_document_unchanged(world, body, field, reason):
    # R7, R8, R1
    client = world["client"]
    before = snapshot(client)
    response = client.put(URL.format(number="SHIRT-001") + "/working", body(world), format="json")
    assert response.status_code == 400, response.json()
    errors = response.json()["errors"]
    matching = [e for e in errors if e["field"] == field]
    assert matching, errors
    assert reason in matching[0]["reason"]
    assert snapshot(client) == before


def test_all_errors_reported_at_once(world):
    body = content(
        matrix=["color"],
        master=slots(primary=[999998], additional=[{"media": world["image"].pk, "purpose": "x"}]),
        variants=[{"variant": "NOPE", **slots()}],
    )
    response = world["client"].put(URL.format(number="SHIRT-001") + "/working", body, format="json")
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"master.primary[0]", "master.additional[0].purpose", "variants[0].variant"}


def test_matrix_change_needs_confirmation_listing_dropped_rows(world):
    # R8
    client = world["client"]
    before = snapshot(client)
    body = content(matrix=["color", "style"], master=slots(primary=[world["image"].pk]))
    response = client.put(URL.format(number="SHIRT-001") + "/working", body, format="json")
    assert response.status_code == 409
    payload = response.json()
    assert payload["errors"][0]["field"] == "matrix"
    assert payload["dropped"] == [{"color": "Blue"}]
    assert payload["matrix"] == {"from": ["color"], "to": ["color", "style"]}
    assert snapshot(client) == before

    body["confirm_matrix_change"] = True
    response = client.put(URL.format(number="SHIRT-001") + "/working", body, format="json")
    assert response.status_code == 200
    assert response.json()["working"]["matrix"] == ["color", "style"]
    assert response.json()["working"]["dimensions"] == []


def test_simple_product_has_master_only(tenant, editor, client_for):
    # R8
    make_simple(tenant, "MUG-001")
    image = make_media(tenant)
    client = client_for(editor)
    client.post(URL.format(number="MUG-001") + "/checkout")
    body = content(
        matrix=["color"], dimensions=[{"values": {"color": "Blue"}, **slots(primary=[image.pk])}]
    )
    response = client.put(URL.format(number="MUG-001") + "/working", body, format="json")
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert fields == {"matrix[0]", "dimensions"}


def test_edit_without_holding_checkout_is_409(world, member, client_for):
    # R12
    other = client_for(member(Role.EDITOR, username="olga"))
    before = snapshot(world["client"])
    body = with_master(primary=[world["image"].pk])
    for action, method in (("working", "put"), ("save", "post"), ("checkin", "post")):
        response = getattr(other, method)(
            URL.format(number="SHIRT-001") + f"/{action}", body, format="json"
        )
        assert response.status_code == 409, (action, response.json())
        assert "eddie" in response.json()["detail"]
        assert response.json()["checked_out_by"] == "eddie"
    response = other.post(URL.format(number="SHIRT-001") + "/discard")
    assert response.status_code == 403 and "publisher" in response.json()["detail"]
    assert snapshot(world["client"]) == before


def test_edit_of_document_nobody_holds_is_409(tenant, editor, client_for):
    make_master(tenant, "SHIRT-002")
    client = client_for(editor)
    response = client.put(URL.format(number="SHIRT-002") + "/working", content(), format="json")
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "document"
    assert not AssignmentDocument.objects.exists()


def test_viewer_cannot_check_out(tenant, viewer, client_for):
    # R1a
    make_master(tenant, "SHIRT-002")
    response = client_for(viewer).post(URL.format(number="SHIRT-002") + "/checkout")
    assert response.status_code == 403
    assert "editor" in response.json()["detail"]
    assert not AssignmentDocument.objects.exists()


@pytest.mark.parametrize("body", [[1, 2], "text", {"master": []}])
def test_malformed_bodies_are_400(world, body):
    client = world["client"]
    before = snapshot(client)
    response = client.put(URL.format(number="SHIRT-001") + "/working", body, format="json")
    assert response.status_code == 400
    assert snapshot(client) == before
