"""R3: category trees per channel, paths, moves and renames, products by number."""

import pytest

from catalog.models import Category, Product
from catalog.selectors import category_tree
from catalog.services import category_create
from tenants.models import Channel
from tests.catalog.factories import catalog_snapshot, make_shirt, make_simple

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/acme/categories/"


def fields_of(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def channel(tenant, code: str) -> Channel:
    return Channel.objects.get(tenant=tenant, code=code)


@pytest.fixture
def men_shirts(tenant):
    """web: Men > Shirts > Formal, with the shirt in Shirts."""
    make_shirt(tenant)
    web = channel(tenant, "web")
    men = category_create(tenant=tenant, channel=web, name="Men")
    shirts = category_create(
        tenant=tenant, channel=web, name="Shirts", parent=men, product_numbers=["SHIRT-001"]
    )
    formal = category_create(tenant=tenant, channel=web, name="Formal", parent=shirts)
    return men, shirts, formal


def test_category_is_created_with_path_and_products(tenant, editor, client_for):
    # R3
    make_shirt(tenant)
    make_simple(tenant)
    client = client_for(editor)
    men = client.post(URL, {"channel": "web", "name": "Men"}, format="json").json()

    response = client.post(
        URL,
        {
            "channel": "web",
            "name": "Shirts",
            "parent": men["id"],
            "products": ["SHIRT-001", "MUG.01"],
        },
        format="json",
    )

    assert response.status_code == 201, response.json()
    assert response.json() | {"id": 0} == {
        "id": 0,
        "channel": "web",
        "parent": men["id"],
        "name": "Shirts",
        "path": "Men/Shirts",
        "position": 0,
        "products": ["MUG.01", "SHIRT-001"],
    }


def test_trees_are_per_channel(tenant, editor, client_for):
    # R3: the same path may exist in each channel; the list filters by channel.
    client = client_for(editor)
    for code in ("web", "pos"):
        assert client.post(URL, {"channel": code, "name": "Men"}, format="json").status_code == 201

    web = client.get(URL + "?channel=web").json()["results"]
    everything = client.get(URL).json()["results"]

    assert [(c["channel"], c["path"]) for c in web] == [("web", "Men")]
    assert len(everything) == 2


def test_omnichannel_has_no_categories(tenant, editor, client_for):
    # R3, R4: categories belong to real channels only.
    response = client_for(editor).post(
        URL, {"channel": "omnichannel", "name": "Men"}, format="json"
    )

    assert response.status_code == 400 and fields_of(response) == ["channel"]
    assert "Omnichannel" in response.json()["errors"][0]["reason"]
    assert not Category.objects.exists()


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"channel": "kiosk", "name": "Men"}, ["channel"]),
        ({"channel": "web", "name": "Men"}, ["name"]),  # same path twice
        ({"channel": "web", "name": "Men/Women"}, ["name"]),
        ({"channel": "web", "name": ""}, ["name"]),
        ({"channel": "web", "name": "Kids", "parent": 999999}, ["parent"]),
        ({"channel": "web", "name": "Kids", "products": ["NOPE"]}, ["products[0]"]),
        (
            {"channel": "web", "name": "Kids", "products": ["SHIRT-001", "SHIRT-001-BLUE-S-SLIM"]},
            ["products[1]"],
        ),
        ({"channel": "web", "name": "Kids", "position": -1}, ["position"]),
    ],
)
def test_bad_category_is_refused(tenant, editor, client_for, men_shirts, body, fields):
    before = catalog_snapshot()

    response = client_for(editor).post(URL, body, format="json")

    assert response.status_code == 400, response.json()
    assert fields_of(response) == fields
    assert catalog_snapshot() == before


def test_parent_must_be_in_the_same_channel(tenant, editor, client_for, men_shirts):
    # R3: a tree never spans channels.
    men, _, _ = men_shirts

    response = client_for(editor).post(
        URL, {"channel": "pos", "name": "Kids", "parent": men.pk}, format="json"
    )

    assert response.status_code == 400 and fields_of(response) == ["parent"]


def test_rename_updates_descendant_paths(tenant, editor, client_for, men_shirts):
    # R3: path = names from the root; a rename flows down the subtree.
    men, shirts, formal = men_shirts

    response = client_for(editor).patch(f"{URL}{men.pk}/", {"name": "Gentlemen"}, format="json")

    assert response.status_code == 200 and response.json()["path"] == "Gentlemen"
    paths = dict(Category.objects.values_list("pk", "path"))
    assert paths == {
        men.pk: "Gentlemen",
        shirts.pk: "Gentlemen/Shirts",
        formal.pk: "Gentlemen/Shirts/Formal",
    }


def test_move_to_root_and_under_another_parent(tenant, editor, client_for, men_shirts):
    men, shirts, formal = men_shirts
    client = client_for(editor)

    to_root = client.patch(f"{URL}{shirts.pk}/", {"parent": None}, format="json")
    women = client.post(URL, {"channel": "web", "name": "Women"}, format="json").json()
    moved = client.patch(f"{URL}{shirts.pk}/", {"parent": women["id"]}, format="json")

    assert to_root.json()["path"] == "Shirts"
    assert moved.json()["path"] == "Women/Shirts"
    formal.refresh_from_db()
    assert formal.path == "Women/Shirts/Formal"


def test_cannot_move_under_own_descendant_or_onto_taken_path(
    tenant, editor, client_for, men_shirts
):
    men, shirts, formal = men_shirts
    category_create(tenant=tenant, channel=channel(tenant, "web"), name="Shirts")  # a root "Shirts"
    client = client_for(editor)
    before = catalog_snapshot()

    under_child = client.patch(f"{URL}{men.pk}/", {"parent": formal.pk}, format="json")
    under_self = client.patch(f"{URL}{men.pk}/", {"parent": men.pk}, format="json")
    taken = client.patch(f"{URL}{shirts.pk}/", {"parent": None}, format="json")

    assert fields_of(under_child) == ["parent"] and fields_of(under_self) == ["parent"]
    assert taken.status_code == 400 and fields_of(taken) == ["name"]
    assert catalog_snapshot() == before


def test_products_are_replaced_by_number(tenant, editor, client_for, men_shirts):
    _, shirts, _ = men_shirts
    make_simple(tenant)

    response = client_for(editor).patch(
        f"{URL}{shirts.pk}/", {"products": ["MUG.01"]}, format="json"
    )

    assert response.json()["products"] == ["MUG.01"]
    assert list(shirts.products.values_list("number", flat=True)) == ["MUG.01"]


def test_delete_removes_the_subtree_but_not_products(tenant, editor, client_for, men_shirts):
    men, _, _ = men_shirts

    response = client_for(editor).delete(f"{URL}{men.pk}/")

    assert response.status_code == 204
    assert not Category.objects.exists()
    assert Product.objects.filter(tenant=tenant, number="SHIRT-001").exists()


def test_tree_is_nested(tenant, viewer, client_for, men_shirts):
    men, shirts, formal = men_shirts

    response = client_for(viewer).get(URL + "tree/?channel=web")

    assert response.status_code == 200
    assert response.json() == [
        {
            "id": men.pk,
            "name": "Men",
            "path": "Men",
            "position": 0,
            "products": [],
            "children": [
                {
                    "id": shirts.pk,
                    "name": "Shirts",
                    "path": "Men/Shirts",
                    "position": 0,
                    "products": ["SHIRT-001"],
                    "children": [
                        {
                            "id": formal.pk,
                            "name": "Formal",
                            "path": "Men/Shirts/Formal",
                            "position": 0,
                            "products": [],
                            "children": [],
                        }
                    ],
                }
            ],
        }
    ]
    assert category_tree(tenant=tenant, channel=channel(tenant, "pos")) == []
    assert client_for(viewer).get(URL + "tree/").status_code == 400


def test_other_tenants_category_answers_404_and_is_unchanged(
    tenant, other_tenant, editor, client_for
):
    # R1
    theirs = category_create(
        tenant=other_tenant, channel=channel(other_tenant, "web"), name="Secret"
    )
    client = client_for(editor)
    before = catalog_snapshot()

    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.patch(f"{URL}{theirs.pk}/", {"name": "Mine"}, format="json").status_code == 404
    assert client.delete(f"{URL}{theirs.pk}/").status_code == 404
    as_parent = client.post(
        URL, {"channel": "web", "name": "Kids", "parent": theirs.pk}, format="json"
    )
    assert as_parent.status_code == 400 and fields_of(as_parent) == ["parent"]
    assert client.get(URL).json()["results"] == []
    assert catalog_snapshot() == before


def test_viewer_reads_but_cannot_write_categories(tenant, viewer, client_for, men_shirts):
    # R1a
    client = client_for(viewer)

    assert client.get(URL).status_code == 200
    assert client.post(URL, {"channel": "web", "name": "Kids"}, format="json").status_code == 403
    assert Category.objects.count() == 3
