"""R7: primary media ordered by insert, remove, up/down arrows and drag-to-position, over HTTP."""

import pytest

from assignments.models import AssignmentEntry

from .factories import make_master, make_media

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/acme/products/SHIRT-001/media"


@pytest.fixture
def editing(tenant, editor, client_for):
    make_master(tenant, "SHIRT-001")
    client = client_for(editor)
    assert client.post(f"{URL}/checkout").status_code == 200
    return client


def primary(response, entity="master"):
    working = response.json()["working"]
    return working["master"]["primary"] if entity == "master" else working[entity][0]["primary"]


def test_insert_arrows_move_to_and_remove(tenant, editing):
    a, b, c = (make_media(tenant) for _ in range(3))
    op = lambda **body: editing.post(f"{URL}/working/primary", body, format="json")  # noqa: E731
    assert primary(op(operation="insert", media=a.pk)) == [a.pk]
    assert primary(op(operation="insert", media=b.pk)) == [a.pk, b.pk]
    assert primary(op(operation="insert", media=c.pk, position=0)) == [c.pk, a.pk, b.pk]
    assert primary(op(operation="move_down", media=c.pk)) == [a.pk, c.pk, b.pk]
    assert primary(op(operation="move_up", media=b.pk)) == [a.pk, b.pk, c.pk]
    assert primary(op(operation="move_to", media=c.pk, position=0)) == [c.pk, a.pk, b.pk]
    assert primary(op(operation="remove", media=a.pk)) == [c.pk, b.pk]


def test_dimension_and_variant_lists(tenant, editing):
    image = make_media(tenant)
    response = editing.put(
        f"{URL}/working",
        {"matrix": ["color"], "master": {}, "dimensions": [], "variants": []},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = {"operation": "insert", "media": image.pk, "dimension_values": {"color": "Blue"}}
    assert primary(editing.post(f"{URL}/working/primary", body, format="json"), "dimensions") == [
        image.pk
    ]
    variant = {"operation": "insert", "media": image.pk, "variant": "SHIRT-001-BLUE-M-SLIM"}
    assert primary(editing.post(f"{URL}/working/primary", variant, format="json"), "variants") == [
        image.pk
    ]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"operation": "spin", "media": 1}, "operation"),
        ({"operation": "move_to", "media": 1}, "position"),
        ({"operation": "remove", "media": 999999}, "media"),
        (
            {
                "operation": "insert",
                "media": 1,
                "variant": "X",
                "dimension_values": {"color": "Blue"},
            },
            "variant",
        ),
    ],
)
def test_bad_operations_are_refused_and_change_nothing(tenant, editing, body, field):
    before = AssignmentEntry.objects.count()
    response = editing.post(f"{URL}/working/primary", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert AssignmentEntry.objects.count() == before


def test_only_the_holder_reorders(tenant, editing, member, client_for):
    from tenants.models import Role

    other = member(Role.EDITOR, username="olga")
    image = make_media(tenant)
    response = client_for(other).post(
        f"{URL}/working/primary", {"operation": "insert", "media": image.pk}, format="json"
    )
    assert response.status_code == 409 and "eddie" in response.json()["detail"]
