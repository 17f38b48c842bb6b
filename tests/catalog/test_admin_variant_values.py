"""R2 in the admin, issue 15 item 8: a variant's values are edited with one select per
dimension of its master (not JSON), validated by the catalog services; offered values read
"Color: Blue" in the inline rows. Adding a variant takes two steps (the master, then its
selects), like Django's user add form."""

import re

import pytest
from django.test import Client

from catalog.models import Variant
from tests.catalog.factories import catalog_snapshot, make_shirt, make_simple
from tests.catalog.test_catalog_admin import _change_form
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(db):
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def selects(html: str, name: str) -> dict[str, tuple[list[str], str | None]]:
    """{select name: ([option values], selected)} for the selects whose name starts with name."""
    found = {}
    pattern = rf'<select name="({re.escape(name)}[^"]*)"[^>]*>(.*?)</select>'
    for select, body in re.findall(pattern, html, flags=re.S):
        options = re.findall(r'<option value="([^"]*)"( selected)?>', body)
        found[select] = ([v for v, _ in options], next((v for v, s in options if s), None))
    return found


def test_product_page_shows_one_select_per_dimension(root, tenant):
    shirt = make_shirt(tenant)
    html = root.get(f"/admin/catalog/product/{shirt.pk}/change/").content.decode()

    first = selects(html, "variants-0-values")
    assert first == {
        "variants-0-values_color": (["", "Blue", "Red"], "Blue"),
        "variants-0-values_size": (["", "S", "M"], "S"),
        "variants-0-values_style": (["", "Slim"], "Slim"),
    }
    assert '<textarea name="variants-0-values"' not in html
    assert ">Color <select" in html  # each select is labelled with its dimension
    # Offered values: readable inline titles, not "ProductDimensionValue object (n)".
    assert "ProductDimensionValue object" not in html
    assert "Color: Blue" in html and "Size: M" in html


def test_selects_add_a_variant_through_the_services(root, tenant):
    shirt = make_shirt(tenant)
    row = {
        "number": "SHIRT-001-RED-S-SLIM",
        "values": {"color": "Red", "size": "S", "style": "Slim"},
    }

    response = root.post(f"/admin/catalog/product/{shirt.pk}/change/", _change_form(shirt, [row]))

    assert response.status_code == 302
    added = Variant.objects.get(number="SHIRT-001-RED-S-SLIM")
    assert added.values == {"color": "Red", "size": "S", "style": "Slim"}


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"color": "Red", "size": "S"}, "style"),
        ({"color": "Green", "size": "S", "style": "Slim"}, "Color: &#x27;Green&#x27; is not one"),
        ({}, "Give an object with one value per dimension"),
    ],
)
def test_the_services_refuse_bad_choices_in_words(root, tenant, values, message):
    shirt = make_shirt(tenant)
    before = catalog_snapshot()
    row = {"number": "SHIRT-001-NEW", "values": values}

    response = root.post(f"/admin/catalog/product/{shirt.pk}/change/", _change_form(shirt, [row]))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert catalog_snapshot() == before


def test_variant_page_changes_values_with_selects(root, tenant):
    make_shirt(tenant)
    variant = Variant.objects.get(number="SHIRT-001-BLUE-S-SLIM")
    page = root.get(f"/admin/catalog/variant/{variant.pk}/change/").content.decode()
    assert selects(page, "values")["values_size"] == (["", "S", "M"], "S")

    response = root.post(
        f"/admin/catalog/variant/{variant.pk}/change/",
        {
            "number": variant.number,
            "values_color": "Blue",
            "values_size": "M",
            "values_style": "Slim",
        },
    )

    assert response.status_code == 302
    variant.refresh_from_db()
    assert variant.combination_key == "color=Blue|size=M|style=Slim"


ADD = "/admin/catalog/variant/add/"


def test_adding_a_variant_starts_by_choosing_a_master(root, tenant):
    shirt = make_shirt(tenant)
    make_simple(tenant)
    before = catalog_snapshot()
    page = root.get(ADD).content.decode()
    # Step 1: only masters are offered, no values field (and no JSON) yet.
    assert selects(page, "product")["product"][0] == ["", str(shirt.pk)]
    assert 'name="values' not in page and "<textarea" not in page

    response = root.post(ADD, {"product": shirt.pk})
    assert response.status_code == 302 and response["Location"] == f"{ADD}?master={shirt.pk}"
    assert catalog_snapshot() == before  # choosing the master writes nothing


@pytest.mark.parametrize("master", ["%C2%B2", "99999999999999999999", "x"])
def test_a_master_parameter_that_is_no_id_starts_at_step_one(root, tenant, master):
    make_shirt(tenant)
    response = root.get(f"{ADD}?master={master}")
    assert response.status_code == 200  # never a 500 from int() or the lookup
    assert 'name="values' not in response.content.decode()


def test_step_two_offers_the_masters_values_and_adds_through_the_services(root, tenant):
    shirt = make_shirt(tenant)
    page = root.get(f"{ADD}?master={shirt.pk}").content.decode()
    assert selects(page, "values") == {
        "values_color": (["", "Blue", "Red"], ""),
        "values_size": (["", "S", "M"], ""),
        "values_style": (["", "Slim"], ""),
    }
    assert "Variant of SHIRT-001" in page and "<textarea" not in page

    response = root.post(
        f"{ADD}?master={shirt.pk}",
        {
            "number": "SHIRT-001-RED-S-SLIM",
            "values_color": "Red",
            "values_size": "S",
            "values_style": "Slim",
            "_addanother": "1",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == f"{ADD}?master={shirt.pk}"  # another of the same master
    added = Variant.objects.get(number="SHIRT-001-RED-S-SLIM")
    assert (added.product, added.tenant) == (shirt, tenant)
    assert added.values == {"color": "Red", "size": "S", "style": "Slim"}


def test_step_two_refuses_what_the_services_refuse(root, tenant):
    shirt = make_shirt(tenant)
    before = catalog_snapshot()
    taken = {"values_color": "Blue", "values_size": "S", "values_style": "Slim"}
    for data, message in (
        ({"number": "SHIRT-001-X", "values_color": "Red", "values_size": "S"}, "style"),
        ({"number": "SHIRT-001-X", **taken}, "combination"),
        ({"number": "SHIRT-001-BLUE-S-SLIM", **taken, "values_color": "Red"}, "number"),
    ):
        response = root.post(f"{ADD}?master={shirt.pk}", data)
        assert response.status_code == 200, data
        assert "errornote" in response.content.decode() or "errorlist" in response.content.decode()
        assert message in response.content.decode().lower(), (data, message)
    assert catalog_snapshot() == before


def test_a_master_out_of_reach_is_not_offered(tenant, other_tenant, member):
    from django.contrib.auth.models import Permission

    from tenants.models import Role

    mine, theirs = make_shirt(tenant, "ACME-SHIRT"), make_shirt(other_tenant, "GLOBEX-SHIRT")
    user = member(Role.EDITOR, username="staffer")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="catalog"))
    client = Client()
    client.force_login(user)

    assert selects(client.get(ADD).content.decode(), "product")["product"][0] == ["", str(mine.pk)]
    # Another tenant's master (or a made-up id) in the query: back to step 1, in words.
    page = client.get(f"{ADD}?master={theirs.pk}", follow=True).content.decode()
    assert "not a master you may add variants to" in page and 'name="values' not in page
    response = client.post(ADD, {"product": theirs.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    before = catalog_snapshot()
    response = client.post(
        f"{ADD}?master={theirs.pk}",
        {"number": "X", "values_color": "Blue", "values_size": "M", "values_style": "Slim"},
    )
    assert response.status_code == 200 and catalog_snapshot() == before
