"""R2, R1, R1a: products and masters through /api/v1/tenants/{tenant}/products/."""

import pytest

from catalog.models import DimensionValue, Product, ProductDimensionValue, Variant
from tenants.models import Role
from tests.catalog.factories import catalog_snapshot, make_shirt, make_simple, shirt_body

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/acme/products/"


def fields_of(response) -> list[str]:
    return [error["field"] for error in response.json()["errors"]]


def test_master_is_created_with_dimensions_and_variants(tenant, editor, client_for):
    # R2: POST creates the lot; central values are created once and offered in order.
    response = client_for(editor).post(URL, shirt_body(), format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["number"] == "SHIRT-001" and body["kind"] == "master"
    assert body["dimensions"] == {"color": ["Blue", "Red"], "size": ["S", "M"], "style": ["Slim"]}
    assert body["variants"] == [
        {
            "number": "SHIRT-001-BLUE-S-SLIM",
            "values": {"color": "Blue", "size": "S", "style": "Slim"},
        },
        {
            "number": "SHIRT-001-RED-M-SLIM",
            "values": {"color": "Red", "size": "M", "style": "Slim"},
        },
    ]
    assert DimensionValue.objects.filter(tenant=tenant).count() == 5
    assert ProductDimensionValue.objects.filter(product__number="SHIRT-001").count() == 5
    assert Variant.objects.get(number="SHIRT-001-RED-M-SLIM").combination_key == (
        "color=Red|size=M|style=Slim"
    )


def test_second_master_reuses_central_dimension_values(tenant, editor, client_for):
    # R2: Blue is the same tenant-central value on every product.
    make_shirt(tenant)
    body = {
        "number": "POLO-9",
        "name": "Polo",
        "kind": "master",
        "dimensions": {"color": ["Green", "Blue"]},
    }

    response = client_for(editor).post(URL, body, format="json")

    assert response.status_code == 201, response.json()
    assert response.json()["dimensions"] == {"color": ["Green", "Blue"]}
    assert DimensionValue.objects.filter(tenant=tenant, dimension="color").count() == 3


def test_simple_product_is_created(tenant, editor, client_for):
    body = {"number": "MUG.01-X", "name": "Mug", "kind": "simple", "description": "Stoneware"}

    response = client_for(editor).post(URL, body, format="json")

    assert response.status_code == 201
    assert response.json()["dimensions"] == {} and response.json()["variants"] == []
    assert Product.objects.get(tenant=tenant, number="MUG.01-X").description == "Stoneware"


def _bad_value(body):
    body["variants"][1]["values"]["color"] = "Green"
    return "variants[1].values.color"


def _unused_dimension(body):
    body["variants"][0]["values"]["configuration"] = "Deluxe"
    return "variants[0].values.configuration"


def _unknown_dimension_in_variant(body):
    body["variants"][0]["values"]["material"] = "Cotton"
    return "variants[0].values.material"


def _unknown_dimension(body):
    body["dimensions"]["material"] = ["Cotton"]
    return "dimensions.material"


def _missing_dimension(body):
    del body["variants"][1]["values"]["size"]
    return "variants[1].values.size"


def _duplicate_combination(body):
    body["variants"][1]["values"] = dict(body["variants"][0]["values"])
    return "variants[1].values"


def _duplicate_variant_number(body):
    body["variants"][1]["number"] = body["variants"][0]["number"]
    return "variants[1].number"


def _variant_number_is_master_number(body):
    body["variants"][0]["number"] = body["number"]
    return "variants[0].number"


def _duplicate_value(body):
    body["dimensions"]["color"] = ["Blue", "Red", "Blue"]
    return "dimensions.color[2]"


def _variants_on_simple(body):
    body["kind"] = "simple"
    return "variants"


@pytest.mark.parametrize(
    "spoil",
    [
        _bad_value,
        _unused_dimension,
        _unknown_dimension_in_variant,
        _unknown_dimension,
        _missing_dimension,
        _duplicate_combination,
        _duplicate_variant_number,
        _variant_number_is_master_number,
        _duplicate_value,
        _variants_on_simple,
    ],
)
def test_bad_master_is_refused_with_field_path_and_nothing_written(
    tenant, editor, client_for, spoil
):
    # R2: every rejection names the field; the create is all or nothing.
    body = shirt_body()
    field = spoil(body)
    before = catalog_snapshot()

    response = client_for(editor).post(URL, body, format="json")

    assert response.status_code == 400, response.json()
    assert field in fields_of(response)
    assert catalog_snapshot() == before


def test_all_errors_are_reported_at_once(tenant, editor, client_for):
    # R2: a caller fixes its input in one round trip.
    body = shirt_body()
    body["name"] = ""
    body["variants"][0]["values"]["color"] = "Green"
    body["variants"][1]["values"]["size"] = "XXL"
    before = catalog_snapshot()

    response = client_for(editor).post(URL, body, format="json")

    assert response.status_code == 400
    assert set(fields_of(response)) == {
        "name",
        "variants[0].values.color",
        "variants[1].values.size",
    }
    assert catalog_snapshot() == before


@pytest.mark.parametrize(
    ("existing", "field"),
    [
        ("SHIRT-001", "number"),  # the master's number is another product's
        ("SHIRT-001-BLUE-S-SLIM", "variants[0].number"),  # a variant's number is a product's
    ],
)
def test_numbers_must_be_new_across_products_and_variants(
    tenant, editor, client_for, existing, field
):
    # R2: product and variant numbers share one namespace per tenant.
    make_simple(tenant, number=existing)
    before = catalog_snapshot()

    response = client_for(editor).post(URL, shirt_body(), format="json")

    assert response.status_code == 400
    assert field in fields_of(response)
    assert catalog_snapshot() == before


def test_product_number_may_not_reuse_a_variant_number(tenant, editor, client_for):
    # R2: and vice versa.
    make_shirt(tenant)
    before = catalog_snapshot()
    body = {"number": "SHIRT-001-BLUE-S-SLIM", "name": "Clash", "kind": "simple"}

    response = client_for(editor).post(URL, body, format="json")

    assert response.status_code == 400 and fields_of(response) == ["number"]
    assert catalog_snapshot() == before


def test_same_number_in_another_tenant_is_fine(tenant, other_tenant, editor, client_for):
    # R1: numbers are unique per tenant only.
    make_shirt(other_tenant)

    response = client_for(editor).post(URL, shirt_body(), format="json")

    assert response.status_code == 201
    assert Product.objects.filter(number="SHIRT-001").count() == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "kind": "simple"}, "number"),
        ({"number": "A/B", "name": "x", "kind": "simple"}, "number"),
        ({"number": "A", "name": "x", "kind": "bundle"}, "kind"),
        ({"number": "A", "name": "x", "kind": "master", "dimensions": ["color"]}, "dimensions"),
        ({"number": "A", "name": "x", "kind": "master", "variants": {"a": 1}}, "variants"),
        (
            {"number": "A", "name": "x", "kind": "master", "dimensions": {"color": []}},
            "dimensions.color",
        ),
        (
            {"number": "A", "name": "x", "kind": "master", "dimensions": {"size": [""]}},
            "dimensions.size[0]",
        ),
        (
            {
                "number": "A",
                "name": "x",
                "kind": "master",
                "dimensions": {"size": ["S"]},
                "variants": ["A-S"],
            },
            "variants[0]",
        ),
        (
            {
                "number": "A",
                "name": "x",
                "kind": "master",
                "dimensions": {"size": ["S"]},
                "variants": [{"number": "A-S", "values": "S"}],
            },
            "variants[0].values",
        ),
    ],
)
def test_malformed_bodies_answer_400_naming_the_field(tenant, editor, client_for, body, field):
    # Bad input is a 4xx naming the field, never a 500.
    response = client_for(editor).post(URL, body, format="json")

    assert response.status_code == 400, response.content
    assert field in fields_of(response)
    assert not Product.objects.exists()


def test_list_searches_and_filters(tenant, other_tenant, viewer, client_for):
    # R1: only the tenant's products; q searches number and name, kind filters.
    make_shirt(tenant)
    make_simple(tenant, number="MUG.01", name="Coffee mug")
    make_simple(tenant, number="CUP-7", name="Espresso shirt-cup")
    make_simple(other_tenant, number="MUG.02", name="Other tenant's mug")
    client = client_for(viewer)

    def numbers(query: str = "") -> list[str]:
        response = client.get(URL + query)
        assert response.status_code == 200
        return [p["number"] for p in response.json()["results"]]

    assert numbers() == ["CUP-7", "MUG.01", "SHIRT-001"]
    assert numbers("?q=mug") == ["MUG.01"]
    assert numbers("?q=shirt") == ["CUP-7", "SHIRT-001"]
    assert numbers("?kind=master") == ["SHIRT-001"]
    assert numbers("?kind=simple&q=cup") == ["CUP-7"]


def test_search_finds_a_product_by_variant_number(
    tenant, other_tenant, viewer, client_for, django_assert_max_num_queries
):
    # Issue 15: the workspace search finds products by a variant number too, and says which.
    make_shirt(tenant)
    make_shirt(other_tenant)
    make_simple(tenant, number="MUG.01", name="Coffee mug")
    client = client_for(viewer)
    variant = Variant.objects.filter(tenant=tenant).order_by("number").first().number
    with django_assert_max_num_queries(10):
        results = client.get(URL, {"q": variant.lower()}).json()["results"]
    assert [(p["number"], p["matched_variant"]) for p in results] == [("SHIRT-001", variant)]
    # Found by its own number: no variant is named; a plain list names none either.
    results = client.get(URL, {"q": "SHIRT-001"}).json()["results"]
    assert [(p["number"], p["matched_variant"]) for p in results] == [("SHIRT-001", None)]
    assert all(p["matched_variant"] is None for p in client.get(URL).json()["results"])
    assert client.get(URL, {"q": "NO-SUCH-VARIANT"}).json()["results"] == []


def test_list_filters_by_category(tenant, viewer, client_for):
    from catalog.services import category_create
    from tenants.models import Channel

    make_shirt(tenant)
    make_simple(tenant)
    web = Channel.objects.get(tenant=tenant, code="web")
    shirts = category_create(
        tenant=tenant, channel=web, name="Shirts", product_numbers=["SHIRT-001"]
    )

    response = client_for(viewer).get(f"{URL}?category={shirts.pk}")

    assert [p["number"] for p in response.json()["results"]] == ["SHIRT-001"]


def test_bad_list_filter_answers_400(tenant, viewer, client_for):
    response = client_for(viewer).get(URL + "?kind=bundle")

    assert response.status_code == 400 and fields_of(response) == ["kind"]


def test_list_costs_a_fixed_number_of_queries(
    tenant, viewer, client_for, django_assert_max_num_queries
):
    for index in range(5):
        make_shirt(tenant, number=f"SHIRT-{index}")
    client = client_for(viewer)

    with django_assert_max_num_queries(10):
        response = client.get(URL)

    assert len(response.json()["results"]) == 5


def test_detail_by_number_with_dots(tenant, viewer, client_for):
    make_simple(tenant, number="MUG.01")

    response = client_for(viewer).get(URL + "MUG.01/")

    assert response.status_code == 200 and response.json()["name"] == "Coffee mug"


def test_viewer_cannot_create_update_or_delete(tenant, viewer, client_for):
    # R1a: viewers read only.
    make_simple(tenant)
    client = client_for(viewer)
    before = catalog_snapshot()

    assert client.post(URL, shirt_body(), format="json").status_code == 403
    assert client.patch(URL + "MUG.01/", {"name": "x"}, format="json").status_code == 403
    response = client.delete(URL + "MUG.01/")

    assert response.status_code == 403 and "editor" in response.json()["detail"]
    assert catalog_snapshot() == before


def test_other_tenants_product_answers_404_and_is_unchanged(
    tenant, other_tenant, member, client_for
):
    # R1: an editor of acme cannot see or touch globex's product, even by its number.
    make_shirt(other_tenant, number="SECRET-1")
    editor = member(Role.EDITOR, username="eve")
    client = client_for(editor)
    before = catalog_snapshot()

    assert client.get(URL + "SECRET-1/").status_code == 404
    assert client.patch(URL + "SECRET-1/", {"name": "Mine"}, format="json").status_code == 404
    assert client.delete(URL + "SECRET-1/").status_code == 404
    assert client.get(URL + "SECRET-1/variants/").status_code == 404
    assert client.get("/api/v1/tenants/globex/products/SECRET-1/").status_code == 404
    assert catalog_snapshot() == before


def test_patch_renames_and_adds_dimension_values(tenant, editor, client_for):
    # R2: a master can offer more values later; new ones go last.
    make_shirt(tenant)
    body = {
        "name": "Oxford shirt II",
        "description": "New cut",
        "dimensions": {"color": ["Green", "Blue"], "size": ["L"]},
    }

    response = client_for(editor).patch(URL + "SHIRT-001/", body, format="json")

    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Oxford shirt II"
    assert response.json()["dimensions"] == {
        "color": ["Blue", "Red", "Green"],
        "size": ["S", "M", "L"],
        "style": ["Slim"],
    }


def test_patch_refuses_new_dimension_when_variants_exist(tenant, editor, client_for):
    # R2: existing variants would lack a value for the new dimension.
    make_shirt(tenant)
    before = catalog_snapshot()

    response = client_for(editor).patch(
        URL + "SHIRT-001/",
        {"name": "Renamed", "dimensions": {"configuration": ["Deluxe"]}},
        format="json",
    )

    assert response.status_code == 400 and fields_of(response) == ["dimensions.configuration"]
    assert catalog_snapshot() == before


def test_patch_removes_unused_value_but_refuses_a_used_one(tenant, editor, client_for):
    # R2: a value variants use cannot be withdrawn.
    make_shirt(tenant)
    client = client_for(editor)
    client.patch(URL + "SHIRT-001/", {"dimensions": {"color": ["Green"]}}, format="json")
    before = catalog_snapshot()

    refused = client.patch(
        URL + "SHIRT-001/", {"remove_dimensions": {"color": ["Green", "Red"]}}, format="json"
    )

    assert refused.status_code == 400
    assert refused.json()["errors"] == [
        {
            "field": "remove_dimensions.color[1]",
            "reason": "Used by variants SHIRT-001-RED-M-SLIM; delete or change them first.",
        }
    ]
    assert catalog_snapshot() == before
    done = client.patch(
        URL + "SHIRT-001/", {"remove_dimensions": {"color": ["Green"]}}, format="json"
    )
    assert done.status_code == 200
    assert done.json()["dimensions"]["color"] == ["Blue", "Red"]


def test_simple_product_refuses_dimensions_on_patch(tenant, editor, client_for):
    make_simple(tenant)

    response = client_for(editor).patch(
        URL + "MUG.01/", {"dimensions": {"color": ["Blue"]}}, format="json"
    )

    assert response.status_code == 400 and fields_of(response) == ["dimensions"]


def test_delete_removes_product_and_variants(tenant, editor, client_for):
    make_shirt(tenant)

    response = client_for(editor).delete(URL + "SHIRT-001/")

    assert response.status_code == 204
    assert not Product.objects.filter(tenant=tenant).exists()
    assert not Variant.objects.filter(tenant=tenant).exists()
    assert DimensionValue.objects.filter(tenant=tenant).count() == 5  # central values stay


def test_unknown_product_answers_404(tenant, viewer, client_for):
    response = client_for(viewer).get(URL + "NOPE/")

    assert response.status_code == 404 and fields_of(response) == ["number"]
