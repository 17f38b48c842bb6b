"""R12 history over the API (issue 15): each version's summary of change computed on the
server, two versions compared side by side, and restore as a new working copy."""

import pytest

from assignments import services
from tenants.models import Role

from .factories import check_in, content, context, make_master, make_media, slots

pytestmark = pytest.mark.django_db

BASE = "/api/v1/tenants/acme/products/SHIRT-001/media"


@pytest.fixture
def history(tenant, editor):
    shirt = make_master(tenant, "SHIRT-001")
    a, b, c, manual = make_media(tenant), make_media(tenant), make_media(tenant), make_media(tenant)
    check_in(tenant, shirt, editor, content(master=slots(primary=[a.pk, b.pk])))
    check_in(
        tenant,
        shirt,
        editor,
        content(
            matrix=["color"],
            master=slots(
                primary=[b.pk, a.pk, c.pk],
                additional=[{"media": manual.pk, "purpose": "manual"}],
            ),
            dimensions=[{"values": {"color": "Red"}, **slots(primary=[c.pk])}],
        ),
    )
    channel, locale = context(tenant)
    services.document_reset(
        tenant=tenant, product=shirt, channel=channel, locale=locale, user=editor
    )
    return {"shirt": shirt, "a": a, "b": b, "c": c}


def test_versions_list_who_when_and_summary(history, viewer, client_for):  # R12
    versions = client_for(viewer).get(BASE + "/versions").json()
    assert [v["number"] for v in versions] == [3, 2, 1]
    assert all(v["created_by"] == "eddie" and v["created_at"] for v in versions)
    summaries = {v["number"]: v["summary"] for v in versions}
    assert summaries[1] == "Master: added"
    assert summaries[2] == (
        "matrix none → color; Master: 1 primary media added, primary order changed, "
        "1 additional media added; color=Red: added"
    )
    assert summaries[3] == "Cleared (reset to default)"
    assert versions[0]["is_draft"] and versions[0]["note"] == "reset"


def test_compare_two_versions_side_by_side(history, viewer, client_for):  # R12
    body = client_for(viewer).get(BASE + "/versions/compare?a=1&b=2").json()
    assert body["a"]["number"] == 1 and body["b"]["number"] == 2
    assert body["b"]["matrix"] == ["color"] and body["a"]["matrix"] == []
    scopes = {s["key"]: s for s in body["scopes"]}
    master = scopes["master"]
    assert master["a"]["primary"] == [history["a"].pk, history["b"].pk]
    assert master["b"]["primary"] == [history["b"].pk, history["a"].pk, history["c"].pk]
    assert "primary order changed" in master["changes"]
    red = next(s for s in body["scopes"] if s["scope"] == "dimension")
    assert red["values"] == {"color": "Red"} and red["a"] is None and red["changes"] == ["added"]
    assert {history[k].pk for k in "abc"} <= set(map(int, body["media"]))
    assert body["media"][str(history["a"].pk)]["kind"] == "image"


@pytest.mark.parametrize(
    ("query", "status", "field"),
    [
        ("?a=1", 400, "b"),
        ("?a=x&b=2", 400, "a"),
        ("?a=1&b=9", 404, "b"),
        ("?a=%C2%B2&b=1", 400, "a"),  # "²" is a digit to str.isdigit, not to int()
        ("?a=1&b=99999999999999999999", 400, "b"),
    ],
)
def test_compare_bad_input_names_the_field(history, viewer, client_for, query, status, field):
    response = client_for(viewer).get(BASE + "/versions/compare" + query)
    assert response.status_code == status
    assert response.json()["errors"][0]["field"] == field


def test_compare_of_another_tenants_product_is_404(history, other_tenant, member, client_for):
    outsider = member(Role.ADMIN, username="ozzy", in_tenant=other_tenant)
    response = client_for(outsider).get(BASE + "/versions/compare?a=1&b=2")
    assert response.status_code == 404


def test_restore_makes_a_working_copy_then_a_new_version(history, editor, client_for):  # R12
    client = client_for(editor)
    body = client.post(BASE + "/versions/1/restore").json()
    assert body["checked_out_by"] == "eddie"
    assert body["working"]["master"]["primary"] == [history["a"].pk, history["b"].pk]
    client.post(BASE + "/checkin")
    versions = client.get(BASE + "/versions").json()
    assert versions[0]["number"] == 4
    assert versions[0]["summary"] == "matrix color → none; Master: added"  # reset kept it
