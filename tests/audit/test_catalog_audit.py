"""Catalog services write the audit log (R1a, R2, R3, R7): one row per write, through
every door (service, API, admin), with the requesting user, the object and what changed;
refusals and rollbacks write none."""

import pytest
from django.db import transaction

from catalog import services
from catalog.models import Category, DimensionValue, Product, ProductDimensionValue, Variant
from tenants.exceptions import PermissionDenied, ValidationFailed
from tenants.models import AuditEvent, Channel
from tests.audit.staff import staff_client
from tests.catalog.factories import make_shirt, make_simple

pytestmark = pytest.mark.django_db

API = "/api/v1/tenants/acme"


def _setup_done() -> None:
    """Forget the rows the test's own setup wrote (products made as system)."""
    AuditEvent.objects.all().delete()


def _web(tenant) -> Channel:
    return Channel.objects.get(tenant=tenant, code="web")


# --- products -----------------------------------------------------------------------------


def test_product_services_write_one_row_each(tenant, editor, audit_rows):  # R2
    product = services.product_create(
        tenant=tenant,
        user=editor,
        number="SHIRT-9",
        name="Shirt",
        kind="master",
        dimensions={"color": ["Blue", "Red"]},
        variants=[{"number": "SHIRT-9-B", "values": {"color": "Blue"}}],
    )
    services.product_update(product=product, user=editor, name="Oxford", description="Cotton")
    pk = str(product.pk)
    services.product_delete(product=product, user=editor)

    create, update, delete = audit_rows()
    assert [r.action for r in (create, update, delete)] == [
        "product.create",
        "product.update",
        "product.delete",
    ]
    assert all(r.user == editor and r.username == "eddie" for r in (create, update, delete))
    assert all(r.tenant_id == tenant.pk for r in (create, update, delete))
    assert {(r.object_type, r.object_id, r.object_label) for r in (create, update, delete)} == {
        ("product", pk, "SHIRT-9")
    }
    assert create.detail == {
        "number": "SHIRT-9",
        "name": "Shirt",
        "kind": "master",
        "dimensions": {"color": ["Blue", "Red"]},
        "variants": 1,
        "variant_numbers": ["SHIRT-9-B"],
    }
    assert update.detail == {
        "name": {"old": "Shirt", "new": "Oxford"},
        "description": {"old": "", "new": "Cotton"},
    }
    assert delete.detail == {"number": "SHIRT-9", "name": "Oxford", "kind": "master", "variants": 1}


def test_product_update_records_values_offered_and_withdrawn(tenant, editor, only_row):  # R2
    shirt = make_shirt(tenant)
    _setup_done()
    services.product_update(product=shirt, user=editor, add_dimensions={"color": ["Green"]})
    row = only_row(action="product.update")
    assert row.detail == {"dimensions_added": {"color": ["Green"]}}

    services.product_dimension_values_remove(
        product=shirt, user=editor, dimensions={"color": ["Green"]}
    )
    assert only_row(detail__has_key="dimensions_removed").detail == {
        "dimensions_removed": {"color": ["Green"]}
    }


def test_product_through_the_api_one_row_each(tenant, editor, client_for, audit_rows):  # R1a
    client = client_for(editor)
    created = client.post(
        f"{API}/products/", {"number": "MUG.5", "name": "Mug", "kind": "simple"}, format="json"
    )
    renamed = client.patch(f"{API}/products/MUG.5/", {"name": "Big mug"}, format="json")
    deleted = client.delete(f"{API}/products/MUG.5/")

    assert (created.status_code, renamed.status_code, deleted.status_code) == (201, 200, 204)
    rows = audit_rows()
    assert [(r.action, r.user, r.object_label) for r in rows] == [
        ("product.create", editor, "MUG.5"),
        ("product.update", editor, "MUG.5"),
        ("product.delete", editor, "MUG.5"),
    ]
    assert rows[1].detail == {"name": {"old": "Mug", "new": "Big mug"}}


def test_product_through_the_admin_one_row_each(tenant, editor, audit_rows):  # R1a
    client = staff_client(editor)
    empty_inlines = {
        "dimension_values-TOTAL_FORMS": "0",
        "dimension_values-INITIAL_FORMS": "0",
        "variants-TOTAL_FORMS": "0",
        "variants-INITIAL_FORMS": "0",
    }
    added = client.post(
        "/admin/catalog/product/add/",
        {"tenant": tenant.pk, "number": "MUG.7", "name": "Mug", "kind": "simple"} | empty_inlines,
    )
    mug = Product.objects.get(number="MUG.7")
    changed = client.post(
        f"/admin/catalog/product/{mug.pk}/change/",
        {"name": "Tea mug", "description": "Stoneware"} | empty_inlines,
    )
    deleted = client.post(f"/admin/catalog/product/{mug.pk}/delete/", {"post": "yes"})

    assert (added.status_code, changed.status_code, deleted.status_code) == (302, 302, 302)
    create, update, delete = audit_rows()
    assert [(r.action, r.user, r.object_id) for r in (create, update, delete)] == [
        ("product.create", editor, str(mug.pk)),
        ("product.update", editor, str(mug.pk)),
        ("product.delete", editor, str(mug.pk)),
    ]
    assert update.detail == {
        "name": {"old": "Mug", "new": "Tea mug"},
        "description": {"old": "", "new": "Stoneware"},
    }


def test_admin_offered_values_inline_writes_one_product_row(tenant, editor, only_row):
    shirt = make_shirt(tenant)
    services.product_update(product=shirt, add_dimensions={"color": ["Green"]})
    _setup_done()
    offered = list(ProductDimensionValue.objects.filter(product=shirt).order_by("pk"))
    data = {
        "name": shirt.name,
        "description": "",
        "dimension_values-TOTAL_FORMS": str(len(offered)),
        "dimension_values-INITIAL_FORMS": str(len(offered)),
        "variants-TOTAL_FORMS": "0",
        "variants-INITIAL_FORMS": "0",
    }
    for index, row in enumerate(offered):
        data[f"dimension_values-{index}-id"] = row.pk
        data[f"dimension_values-{index}-product"] = shirt.pk
        data[f"dimension_values-{index}-dimension_value"] = row.dimension_value_id
        data[f"dimension_values-{index}-position"] = row.position
        if row.dimension_value.value == "Green":
            data[f"dimension_values-{index}-DELETE"] = "on"

    response = staff_client(editor).post(f"/admin/catalog/product/{shirt.pk}/change/", data)

    assert response.status_code == 302
    assert only_row(action="product.update", detail__has_key="dimensions_removed").detail == {
        "dimensions_removed": {"color": ["Green"]}
    }
    assert len(AuditEvent.objects.all()) == 2  # besides, the product form's own update row


# --- variants -----------------------------------------------------------------------------


def test_variant_services_write_one_row_each(tenant, editor, audit_rows):  # R2
    shirt = make_shirt(tenant)
    _setup_done()
    values = {"color": "Red", "size": "S", "style": "Slim"}
    variant = services.variant_create(
        product=shirt, user=editor, number="SHIRT-001-RED-S", values=values
    )
    services.variant_update(variant=variant, user=editor, number="SHIRT-001-RS")
    pk = str(variant.pk)
    services.variant_delete(variant=variant, user=editor)

    create, update, delete = audit_rows()
    assert [r.action for r in (create, update, delete)] == [
        "variant.create",
        "variant.update",
        "variant.delete",
    ]
    assert {(r.object_type, r.object_id, r.user) for r in (create, update, delete)} == {
        ("variant", pk, editor)
    }
    assert create.detail == {"product": "SHIRT-001", "number": "SHIRT-001-RED-S", "values": values}
    assert update.detail == {"number": {"old": "SHIRT-001-RED-S", "new": "SHIRT-001-RS"}}
    assert delete.detail == {"product": "SHIRT-001", "number": "SHIRT-001-RS", "values": values}


def test_variants_add_writes_one_summary_row_per_batch(tenant, only_row):  # imports
    shirt = make_shirt(tenant)
    _setup_done()
    services.variants_add(
        product=shirt,
        variants=[
            {"number": "V-1", "values": {"color": "Red", "size": "S", "style": "Slim"}},
            {"number": "V-2", "values": {"color": "Blue", "size": "M", "style": "Slim"}},
        ],
    )
    row = only_row()
    assert (row.action, row.object_type, row.username) == (
        "variant.bulk_create",
        "product",
        "system",
    )
    assert row.detail == {"count": 2, "numbers": ["V-1", "V-2"]}


def test_variants_through_the_api_one_row_each(tenant, editor, client_for, audit_rows):
    make_shirt(tenant)
    _setup_done()
    client = client_for(editor)
    body = {"number": "SHIRT-001-RED-S", "values": {"color": "Red", "size": "S", "style": "Slim"}}
    created = client.post(f"{API}/products/SHIRT-001/variants/", body, format="json")
    deleted = client.delete(f"{API}/products/SHIRT-001/variants/SHIRT-001-RED-S/")

    assert (created.status_code, deleted.status_code) == (201, 204)
    assert [(r.action, r.user, r.object_label) for r in audit_rows()] == [
        ("variant.create", editor, "SHIRT-001-RED-S"),
        ("variant.delete", editor, "SHIRT-001-RED-S"),
    ]


def test_variant_admin_change_writes_one_row(tenant, editor, only_row):
    shirt = make_shirt(tenant)
    variant = shirt.variants.get(number="SHIRT-001-BLUE-S-SLIM")
    _setup_done()
    response = staff_client(editor).post(
        f"/admin/catalog/variant/{variant.pk}/change/",
        {
            "number": "SHIRT-001-B",
            "values_color": "Blue",
            "values_size": "S",
            "values_style": "Slim",
        },
    )
    assert response.status_code == 302
    row = only_row()
    assert (row.action, row.user, row.object_id) == ("variant.update", editor, str(variant.pk))
    assert row.detail == {"number": {"old": "SHIRT-001-BLUE-S-SLIM", "new": "SHIRT-001-B"}}


# --- dimension values ---------------------------------------------------------------------


def test_swatch_change_through_the_api_one_row(tenant, editor, client_for, only_row):  # R7
    make_shirt(tenant)
    blue = DimensionValue.objects.get(tenant=tenant, dimension="color", value="Blue")
    _setup_done()
    response = client_for(editor).patch(
        f"{API}/dimension-values/{blue.pk}/", {"swatch_hex": "#1A2B3C"}, format="json"
    )
    assert response.status_code == 200
    row = only_row()
    assert (row.action, row.user, row.object_type, row.object_label) == (
        "dimension_value.update",
        editor,
        "dimensionvalue",
        "color:Blue",
    )
    assert row.detail == {"swatch_hex": {"old": "", "new": "#1a2b3c"}}


def test_dimension_value_admin_add_and_change(tenant, editor, audit_rows):  # R7
    client = staff_client(editor)
    added = client.post(
        "/admin/catalog/dimensionvalue/add/",
        {"tenant": tenant.pk, "dimension": "color", "value": "Teal", "swatch_hex": "#008080"},
    )
    teal = DimensionValue.objects.get(tenant=tenant, value="Teal")
    changed = client.post(
        f"/admin/catalog/dimensionvalue/{teal.pk}/change/", {"swatch_hex": "#008081"}
    )
    assert (added.status_code, changed.status_code) == (302, 302)
    create, update = audit_rows()
    assert (create.action, create.user, create.object_id) == (
        "dimension_value.create",
        editor,
        str(teal.pk),
    )
    assert create.detail == {
        "dimension": "color",
        "value": "Teal",
        "swatch_hex": "#008080",
        "swatch_media": None,
    }
    assert (update.action, update.detail) == (
        "dimension_value.update",
        {"swatch_hex": {"old": "#008080", "new": "#008081"}},
    )


# --- categories ---------------------------------------------------------------------------


def test_category_through_the_api_one_row_each(tenant, editor, client_for, audit_rows):  # R3
    make_simple(tenant)
    _setup_done()
    client = client_for(editor)
    created = client.post(
        f"{API}/categories/", {"channel": "web", "name": "Kitchen", "products": []}, format="json"
    )
    pk = created.json()["id"]
    moved = client.patch(
        f"{API}/categories/{pk}/", {"name": "Cooking", "products": ["MUG.01"]}, format="json"
    )
    deleted = client.delete(f"{API}/categories/{pk}/")

    assert (created.status_code, moved.status_code, deleted.status_code) == (201, 200, 204)
    create, update, delete = audit_rows()
    assert [(r.action, r.user, r.object_id) for r in (create, update, delete)] == [
        ("category.create", editor, str(pk)),
        ("category.update", editor, str(pk)),
        ("category.delete", editor, str(pk)),
    ]
    assert create.detail == {
        "channel": "web",
        "path": "Kitchen",
        "parent": None,
        "position": 0,
        "products": [],
    }
    assert update.detail == {
        "name": {"old": "Kitchen", "new": "Cooking"},
        "path": {"old": "Kitchen", "new": "Cooking"},
        "products_added": ["MUG.01"],
    }
    assert delete.detail == {"channel": "web", "path": "Cooking", "subtree": 1}


def test_category_products_set_writes_only_a_change(tenant, audit_rows):  # demo loader re-runs
    make_simple(tenant)
    kitchen = services.category_create(tenant=tenant, channel=_web(tenant), name="Kitchen")
    _setup_done()
    services.category_products_set(category=kitchen, product_numbers=["MUG.01"])
    services.category_products_set(category=kitchen, product_numbers=["MUG.01"])
    rows = audit_rows()
    assert [(r.action, r.username, r.detail) for r in rows] == [
        ("category.update", "system", {"products_added": ["MUG.01"]})
    ]


def test_category_admin_delete_writes_one_row(tenant, editor, only_row):
    kitchen = services.category_create(tenant=tenant, channel=_web(tenant), name="Kitchen")
    services.category_create(tenant=tenant, channel=_web(tenant), name="Pans", parent=kitchen)
    _setup_done()
    response = staff_client(editor).post(
        f"/admin/catalog/category/{kitchen.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    row = only_row()
    assert (row.action, row.user, row.object_label) == ("category.delete", editor, "web:Kitchen")
    assert row.detail == {"channel": "web", "path": "Kitchen", "subtree": 2}
    assert not Category.objects.filter(tenant=tenant).exists()


# --- refusals, rollbacks, system ----------------------------------------------------------


def test_refused_calls_write_no_row(tenant, viewer, editor, client_for, audit_rows):  # R1a, R2
    shirt = make_shirt(tenant)
    variant = shirt.variants.first()
    _setup_done()
    with pytest.raises(PermissionDenied):
        services.product_create(tenant=tenant, user=viewer, number="X", name="X", kind="simple")
    with pytest.raises(PermissionDenied):
        services.product_update(product=shirt, user=viewer, name="Y")
    with pytest.raises(PermissionDenied):
        services.variant_delete(variant=variant, user=viewer)
    with pytest.raises(PermissionDenied):
        services.category_create(tenant=tenant, user=viewer, channel=_web(tenant), name="C")
    with pytest.raises(ValidationFailed):
        services.product_create(tenant=tenant, user=editor, number="SHIRT-001", name="X",
                                kind="simple")  # fmt: skip
    with pytest.raises(ValidationFailed):
        services.product_update(product=shirt, user=editor, remove_dimensions={"color": ["Blue"]})
    with pytest.raises(ValidationFailed):
        services.dimension_value_set_swatch(
            dimension_value=DimensionValue.objects.filter(tenant=tenant).first(),
            user=editor,
            swatch_hex="blue",
        )
    refused = client_for(viewer).post(
        f"{API}/products/", {"number": "MUG.5", "name": "Mug", "kind": "simple"}, format="json"
    )
    assert refused.status_code == 403
    assert audit_rows() == []
    assert Variant.objects.filter(pk=variant.pk).exists()


def test_a_rolled_back_transaction_leaves_no_row(tenant, editor, audit_rows):
    with pytest.raises(RuntimeError), transaction.atomic():
        product = services.product_create(
            tenant=tenant, user=editor, number="MUG.9", name="Mug", kind="simple"
        )
        services.product_delete(product=product, user=editor)
        raise RuntimeError
    assert audit_rows() == []


def test_a_system_action_is_recorded_as_system(tenant, only_row):  # imports, demo loader
    make_simple(tenant)
    row = only_row()
    assert (row.action, row.user, row.username) == ("product.create", None, "system")
