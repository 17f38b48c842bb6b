"""R1, R2, R3 in the Django admin: scoped to the user's tenants, writes checked like the API."""

import pytest
from django.contrib.auth.models import Permission
from django.test import Client

from catalog.models import Category, DimensionValue, Product, ProductDimensionValue, Variant
from catalog.services import category_create
from tenants.models import Channel, Role
from tests.catalog.factories import catalog_snapshot, make_shirt, make_simple
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

MODELS = ["product", "variant", "dimensionvalue", "category"]


@pytest.fixture
def superuser_client(db):
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.fixture
def staff_editor_client(member):
    """A staff editor of acme with the catalog model permissions (as the demo loader gives)."""
    user = member(Role.EDITOR, username="staffer")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="catalog"))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def two_catalogs(tenant, other_tenant):
    make_shirt(tenant, number="ACME-SHIRT")
    make_shirt(other_tenant, number="GLOBEX-SHIRT")
    for owner in (tenant, other_tenant):
        web = Channel.objects.get(tenant=owner, code="web")
        category_create(tenant=owner, channel=web, name=f"{owner.slug}-men")


@pytest.mark.parametrize("model", MODELS)
def test_changelist_and_add_page_load_for_superuser(superuser_client, two_catalogs, model):
    listing = superuser_client.get(f"/admin/catalog/{model}/")
    adding = superuser_client.get(f"/admin/catalog/{model}/add/")

    assert listing.status_code == 200 and adding.status_code == 200
    assert listing.context["cl"].result_count >= 2  # both tenants' rows


def test_change_pages_load(superuser_client, two_catalogs):
    product = Product.objects.get(number="ACME-SHIRT")
    objects = {
        "product": product,
        "variant": product.variants.first(),
        "dimensionvalue": DimensionValue.objects.filter(tenant=product.tenant).first(),
        "category": Category.objects.filter(tenant=product.tenant).first(),
    }
    for model, obj in objects.items():
        response = superuser_client.get(f"/admin/catalog/{model}/{obj.pk}/change/")
        assert response.status_code == 200, model


@pytest.mark.parametrize("model", MODELS)
def test_staff_editor_sees_only_own_tenants_rows(tenant, staff_editor_client, two_catalogs, model):
    # R1
    response = staff_editor_client.get(f"/admin/catalog/{model}/")

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert rows and {row.tenant_id for row in rows} == {tenant.pk}


def test_staff_editor_cannot_open_other_tenants_product(staff_editor_client, two_catalogs):
    # R1
    theirs = Product.objects.get(number="GLOBEX-SHIRT")

    response = staff_editor_client.get(f"/admin/catalog/product/{theirs.pk}/change/")

    assert response.status_code == 302  # the admin's "does not exist" redirect
    assert Product.objects.get(pk=theirs.pk).name == "Oxford shirt"


def test_search_finds_by_number_and_name(superuser_client, two_catalogs, tenant):
    make_simple(tenant, number="MUG.01", name="Coffee mug")

    by_number = superuser_client.get("/admin/catalog/product/?q=MUG.01")
    by_name = superuser_client.get("/admin/catalog/product/?q=coffee")

    assert [p.number for p in by_number.context["cl"].result_list] == ["MUG.01"]
    assert [p.number for p in by_name.context["cl"].result_list] == ["MUG.01"]


def values_fields(prefix: str, values: dict) -> dict:
    """A variant's values as the admin posts them: one select per dimension (issue 15)."""
    return {f"{prefix}-values_{dimension}": value for dimension, value in values.items()}


def _change_form(product: Product, variants: list[dict], offered_deleted=()) -> dict:
    """The POST body of the product change page with the given variant rows."""
    offered = list(ProductDimensionValue.objects.filter(product=product))
    existing = list(product.variants.order_by("pk"))
    data = {
        "name": product.name,
        "description": product.description,
        "dimension_values-TOTAL_FORMS": str(len(offered)),
        "dimension_values-INITIAL_FORMS": str(len(offered)),
        "variants-TOTAL_FORMS": str(len(existing) + len(variants)),
        "variants-INITIAL_FORMS": str(len(existing)),
    }
    for index, row in enumerate(offered):
        data[f"dimension_values-{index}-id"] = row.pk
        data[f"dimension_values-{index}-product"] = product.pk
        data[f"dimension_values-{index}-dimension_value"] = row.dimension_value_id
        data[f"dimension_values-{index}-position"] = row.position
        if row.dimension_value.value in offered_deleted:
            data[f"dimension_values-{index}-DELETE"] = "on"
    for index, variant in enumerate(existing):
        data[f"variants-{index}-id"] = variant.pk
        data[f"variants-{index}-product"] = product.pk
        data[f"variants-{index}-number"] = variant.number
        data |= values_fields(f"variants-{index}", variant.values)
    for index, row in enumerate(variants, start=len(existing)):
        data[f"variants-{index}-product"] = product.pk
        data[f"variants-{index}-number"] = row["number"]
        data |= values_fields(f"variants-{index}", row["values"])
    return data


def test_admin_adds_valid_variant_through_services(superuser_client, tenant):
    # R2
    shirt = make_shirt(tenant)
    row = {
        "number": "SHIRT-001-RED-S-SLIM",
        "values": {"size": "S", "color": "Red", "style": "Slim"},
    }

    response = superuser_client.post(
        f"/admin/catalog/product/{shirt.pk}/change/", _change_form(shirt, [row])
    )

    assert response.status_code == 302, response.context["errors"] if response.context else ""
    added = Variant.objects.get(number="SHIRT-001-RED-S-SLIM")
    assert (added.tenant_id, added.combination_key) == (tenant.pk, "color=Red|size=S|style=Slim")


@pytest.mark.parametrize(
    "row",
    [
        {"number": "N1", "values": {"color": "Green", "size": "S", "style": "Slim"}},
        {"number": "N1", "values": {"color": "Red", "size": "S"}},
        {"number": "N1", "values": {"color": "Blue", "size": "S", "style": "Slim"}},
        {"number": "SHIRT-001", "values": {"color": "Red", "size": "S", "style": "Slim"}},
    ],
)
def test_admin_refuses_bad_variant_with_form_error(superuser_client, tenant, row):
    # R2: the inline form runs the same validation as the API; nothing is written.
    shirt = make_shirt(tenant)
    before = catalog_snapshot()

    response = superuser_client.post(
        f"/admin/catalog/product/{shirt.pk}/change/", _change_form(shirt, [row])
    )

    assert response.status_code == 200
    assert response.context["errors"]
    assert catalog_snapshot() == before


def test_admin_refuses_withdrawing_a_used_value(superuser_client, tenant):
    # R2
    shirt = make_shirt(tenant)
    before = catalog_snapshot()

    response = superuser_client.post(
        f"/admin/catalog/product/{shirt.pk}/change/",
        _change_form(shirt, [], offered_deleted=["Red"]),
    )

    assert response.status_code == 200
    assert "Used by variants SHIRT-001-RED-M-SLIM" in response.content.decode()
    assert catalog_snapshot() == before


def test_admin_creates_product_and_refuses_a_variant_number(superuser_client, tenant):
    # R2: a product number may not reuse a variant number, in the admin too.
    make_shirt(tenant)
    base = {
        "tenant": tenant.pk,
        "kind": "simple",
        "name": "Mug",
        "description": "",
        "dimension_values-TOTAL_FORMS": "0",
        "dimension_values-INITIAL_FORMS": "0",
        "variants-TOTAL_FORMS": "0",
        "variants-INITIAL_FORMS": "0",
    }

    refused = superuser_client.post(
        "/admin/catalog/product/add/", base | {"number": "SHIRT-001-BLUE-S-SLIM"}
    )
    created = superuser_client.post("/admin/catalog/product/add/", base | {"number": "MUG.9"})

    assert refused.status_code == 200 and "number" in refused.context["adminform"].form.errors
    assert created.status_code == 302
    assert (
        Product.objects.filter(tenant=tenant, number__in=["MUG.9", "SHIRT-001-BLUE-S-SLIM"]).count()
        == 1
    )


def test_admin_category_in_omnichannel_is_refused(superuser_client, tenant):
    # R3
    omni = Channel.objects.get(tenant=tenant, code="omnichannel")

    response = superuser_client.post(
        "/admin/catalog/category/add/",
        {"tenant": tenant.pk, "channel": omni.pk, "name": "Men", "position": 0},
    )

    assert response.status_code == 200
    assert "channel" in response.context["adminform"].form.errors
    assert not Category.objects.exists()


def test_admin_category_rename_updates_paths(superuser_client, tenant):
    # R3
    web = Channel.objects.get(tenant=tenant, code="web")
    men = category_create(tenant=tenant, channel=web, name="Men")
    shirts = category_create(tenant=tenant, channel=web, name="Shirts", parent=men)

    response = superuser_client.post(
        f"/admin/catalog/category/{men.pk}/change/", {"name": "Gents", "position": 0}
    )

    assert response.status_code == 302
    shirts.refresh_from_db()
    assert shirts.path == "Gents/Shirts"


def test_admin_swatch_hex_is_validated(superuser_client, tenant):
    make_shirt(tenant)
    blue = DimensionValue.objects.get(tenant=tenant, value="Blue")

    refused = superuser_client.post(
        f"/admin/catalog/dimensionvalue/{blue.pk}/change/", {"swatch_hex": "blue"}
    )
    accepted = superuser_client.post(
        f"/admin/catalog/dimensionvalue/{blue.pk}/change/", {"swatch_hex": "#0000FF"}
    )

    assert refused.status_code == 200 and "swatch_hex" in refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    blue.refresh_from_db()
    assert blue.swatch_hex == "#0000ff"
