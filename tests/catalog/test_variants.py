"""R2: variants of a master, nested under products/{number}/variants/, and sellable_get."""

import pytest

from catalog.models import Variant
from catalog.selectors import sellable_get
from catalog.services import variant_update, variants_add
from tenants.exceptions import NotFound, ValidationFailed
from tests.catalog.factories import catalog_snapshot, make_shirt, make_simple

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/acme/products/SHIRT-001/variants/"


def fields_of(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_variants_are_listed_and_fetched(tenant, viewer, client_for):
    make_shirt(tenant)
    client = client_for(viewer)

    listed = client.get(URL)
    one = client.get(URL + "SHIRT-001-RED-M-SLIM/")

    assert [v["number"] for v in listed.json()["results"]] == [
        "SHIRT-001-BLUE-S-SLIM",
        "SHIRT-001-RED-M-SLIM",
    ]
    assert one.status_code == 200
    assert one.json()["values"] == {"color": "Red", "size": "M", "style": "Slim"}


def test_variant_is_added_to_existing_master(tenant, editor, client_for):
    # R2: variants can be added later, as a new combination of offered values.
    make_shirt(tenant)
    body = {
        "number": "SHIRT-001-RED-S-SLIM",
        "values": {"style": "Slim", "size": "S", "color": "Red"},
    }

    response = client_for(editor).post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    assert list(response.json()["values"]) == ["color", "size", "style"]  # canonical order
    variant = Variant.objects.get(number="SHIRT-001-RED-S-SLIM")
    assert variant.combination_key == "color=Red|size=S|style=Slim"


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        (
            {"number": "N1", "values": {"color": "Green", "size": "S", "style": "Slim"}},
            ["values.color"],
        ),
        ({"number": "N1", "values": {"color": "Red", "style": "Slim"}}, ["values.size"]),
        (
            {"number": "N1", "values": {"color": "Blue", "size": "S", "style": "Slim"}},
            ["values"],
        ),
        (
            {
                "number": "SHIRT-001-BLUE-S-SLIM",
                "values": {"color": "Red", "size": "S", "style": "Slim"},
            },
            ["number"],
        ),
        (
            {"number": "SHIRT-001", "values": {"color": "Red", "size": "S", "style": "Slim"}},
            ["number"],
        ),
        (
            {"number": "MUG.01", "values": {"color": "Red", "size": "S", "style": "Slim"}},
            ["number"],
        ),
        ({"values": {"color": "Red", "size": "S", "style": "Slim"}}, ["number"]),
        ({"number": "N1", "values": "Red"}, ["values"]),
    ],
)
def test_bad_variant_is_refused(tenant, editor, client_for, body, fields):
    # R2: the same rules as on creation, with the field named.
    make_shirt(tenant)
    make_simple(tenant)
    before = catalog_snapshot()

    response = client_for(editor).post(URL, body, format="json")

    assert response.status_code == 400, response.json()
    assert fields_of(response) == fields
    assert catalog_snapshot() == before


def test_simple_product_refuses_variants(tenant, editor, client_for):
    # R2: only masters have variants.
    make_simple(tenant)
    body = {"number": "MUG.01-RED", "values": {"color": "Red"}}

    response = client_for(editor).post(
        "/api/v1/tenants/acme/products/MUG.01/variants/", body, format="json"
    )

    assert response.status_code == 400 and fields_of(response) == ["product"]
    assert not Variant.objects.exists()


def test_variant_is_deleted_by_number(tenant, editor, client_for):
    make_shirt(tenant)

    response = client_for(editor).delete(URL + "SHIRT-001-BLUE-S-SLIM/")

    assert response.status_code == 204
    assert list(Variant.objects.values_list("number", flat=True)) == ["SHIRT-001-RED-M-SLIM"]


def test_variant_of_another_master_answers_404(tenant, editor, client_for):
    make_shirt(tenant)
    make_shirt(tenant, number="SHIRT-002")

    response = client_for(editor).delete(URL + "SHIRT-002-RED-M-SLIM/")

    assert response.status_code == 404
    assert Variant.objects.count() == 4


def test_viewer_cannot_add_or_delete_variants(tenant, viewer, client_for):
    # R1a
    make_shirt(tenant)
    client = client_for(viewer)
    before = catalog_snapshot()

    added = client.post(URL, {"number": "X", "values": {"color": "Red"}}, format="json")
    deleted = client.delete(URL + "SHIRT-001-BLUE-S-SLIM/")

    assert (added.status_code, deleted.status_code) == (403, 403)
    assert catalog_snapshot() == before


def test_variants_add_is_all_or_nothing(tenant):
    # R2: a bulk add with one bad row writes nothing.
    shirt = make_shirt(tenant)
    before = catalog_snapshot()

    with pytest.raises(ValidationFailed) as refused:
        variants_add(
            product=shirt,
            variants=[
                {"number": "A", "values": {"color": "Blue", "size": "M", "style": "Slim"}},
                {"number": "B", "values": {"color": "Blue", "size": "M", "style": "Slim"}},
            ],
        )

    assert refused.value.errors == [
        ("variants[1].values", "Same combination as variants[0].values.")
    ]
    assert catalog_snapshot() == before


def test_variant_update_keeps_its_own_number_and_checks_combination(tenant):
    shirt = make_shirt(tenant)
    variant = Variant.objects.get(number="SHIRT-001-BLUE-S-SLIM")

    variant_update(variant=variant, values={"color": "Blue", "size": "M", "style": "Slim"})
    with pytest.raises(ValidationFailed) as refused:
        variant_update(variant=variant, values={"color": "Red", "size": "M", "style": "Slim"})

    variant.refresh_from_db()
    assert variant.combination_key == "color=Blue|size=M|style=Slim"
    assert refused.value.errors[0][0] == "values"
    assert shirt.variants.count() == 2


def test_sellable_get_finds_products_and_variants(tenant, other_tenant):
    # What the shop read API asks: a product number or a variant number.
    shirt = make_shirt(tenant)
    mug = make_simple(tenant)
    make_simple(other_tenant, number="GLOBEX-1")

    assert sellable_get(tenant=tenant, number="SHIRT-001") == (shirt, None)
    assert sellable_get(tenant=tenant, number="MUG.01") == (mug, None)
    product, variant = sellable_get(tenant=tenant, number="SHIRT-001-RED-M-SLIM")
    assert product == shirt and variant.number == "SHIRT-001-RED-M-SLIM"
    for missing in ("NOPE", "GLOBEX-1"):  # R1: another tenant's number is not found
        with pytest.raises(NotFound):
            sellable_get(tenant=tenant, number=missing)
