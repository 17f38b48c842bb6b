"""The workspace pages (issue 7): login required, tenant scoping (another tenant's answers
404), and the pages render with the tenant's data."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from catalog.services import product_create
from tenants.models import Role


@pytest.fixture
def shirt(tenant):
    return product_create(
        tenant=tenant,
        number="SHIRT-9",
        name="Linen shirt",
        kind="master",
        dimensions={"color": ["Blue"], "size": ["M"]},
        variants=[{"number": "SHIRT-9-BLUE-M", "values": {"color": "Blue", "size": "M"}}],
    )


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def page_config(response) -> dict:
    html = response.content.decode()
    start = html.index('<script id="ws-config" type="application/json">') + len(
        '<script id="ws-config" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])


@pytest.mark.parametrize(
    "path",
    ["/workspace/", "/workspace/acme/", "/workspace/acme/jobs/", "/workspace/acme/products/X/"],
)
def test_pages_need_a_login(tenant, path):
    response = browser().get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert "next=" in response["Location"]


def test_the_only_tenant_opens_directly(tenant, editor):
    response = browser(editor).get("/workspace/")
    assert response.status_code == 302
    assert response["Location"] == "/workspace/acme/"


def test_several_tenants_are_listed(tenant, other_tenant, member):
    user = member(Role.VIEWER, username="multi")
    member(Role.EDITOR, username="multi", in_tenant=other_tenant)
    response = browser(user).get("/workspace/")
    assert response.status_code == 200
    assert b'href="/workspace/acme/"' in response.content
    assert b'href="/workspace/globex/"' in response.content


def test_a_user_without_tenants_is_told_so(db):
    from tests.factories import UserFactory

    response = browser(UserFactory(username="loner")).get("/workspace/")
    assert response.status_code == 200
    assert b"not a member of any tenant" in response.content


def test_workspace_renders_the_tenants_context_and_role(tenant, publisher):
    response = browser(publisher).get("/workspace/acme/")
    assert response.status_code == 200
    html = response.content.decode()
    for code in ("omnichannel", "web", "pos"):
        assert f'<option value="{code}">' in html
    for code in ("neutral", "en-us", "fr-fr", "de-de"):
        assert f'<option value="{code}">' in html
    config = page_config(response)
    assert config["tenant"] == "acme"
    assert config["username"] == "pia"
    assert config["role"] == Role.PUBLISHER
    assert config["can"] == {"edit": True, "publish": True, "discard_any": True}
    assert config["api"] == "/api/v1/tenants/acme/"
    assert {p["code"] for p in config["purposes"]} >= {"manual"}
    assert config["initial_product"] is None
    assert "workspace/js/workspace.js" in html


@pytest.mark.parametrize(
    ("role", "can"),
    [
        (Role.VIEWER, {"edit": False, "publish": False, "discard_any": False}),
        (Role.EDITOR, {"edit": True, "publish": False, "discard_any": False}),
        (Role.ADMIN, {"edit": True, "publish": True, "discard_any": True}),
    ],
)
def test_buttons_offered_follow_the_role(tenant, member, role, can):
    response = browser(member(role)).get("/workspace/acme/")
    assert page_config(response)["can"] == can


def test_product_page_opens_on_the_product(tenant, editor, shirt):
    response = browser(editor).get("/workspace/acme/products/SHIRT-9/")
    assert response.status_code == 200
    assert page_config(response)["initial_product"] == "SHIRT-9"
    assert b"<title>SHIRT-9 \xc2\xb7 Product media" in response.content


def test_unknown_product_is_404(tenant, editor):
    assert browser(editor).get("/workspace/acme/products/NOPE/").status_code == 404


def test_another_tenants_pages_and_products_are_404(tenant, other_tenant, member, shirt):
    outsider = member(Role.ADMIN, username="gus", in_tenant=other_tenant)
    client = browser(outsider)
    for path in (
        "/workspace/acme/",
        "/workspace/acme/jobs/",
        "/workspace/acme/products/SHIRT-9/",
        "/workspace/acme/products/SHIRT-9/admin/",
        "/workspace/nosuch/",
    ):
        assert client.get(path).status_code == 404, path
    # Its own tenant does not know acme's product either.
    assert client.get("/workspace/globex/products/SHIRT-9/").status_code == 404


def test_jobs_page_renders(tenant, viewer):
    response = browser(viewer).get("/workspace/acme/jobs/")
    assert response.status_code == 200
    assert b'id="job-rows"' in response.content
    assert page_config(response)["tenant"] == "acme"
    # Issue 15 item 7: the kind filter reads the model's labels, the values stay the API's.
    assert b'<option value="import">Import manifest</option>' in response.content
    assert b'<option value="publish">Publishing</option>' in response.content


def test_workspace_links_to_the_admin_product_page(tenant, admin_user, shirt):
    response = browser(admin_user).get("/workspace/acme/products/SHIRT-9/admin/")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:catalog_product_change", args=[shirt.pk])


def test_admin_product_page_links_to_the_workspace(tenant, shirt, django_user_model):
    superuser = django_user_model.objects.create_superuser("root", "root@example.com", "pw12345")
    response = browser(superuser).get(reverse("admin:catalog_product_change", args=[shirt.pk]))
    assert response.status_code == 200
    assert b'href="/workspace/acme/products/SHIRT-9/"' in response.content
    assert b"Product media assignments" in response.content


def test_static_files_of_the_pages_exist():
    from django.contrib.staticfiles import finders

    for name in ("workspace.js", "jobs.js", "api.js", "picker.js", "swatch.js", "preview.js"):
        assert finders.find(f"workspace/js/{name}"), name
    assert finders.find("workspace/css/workspace.css")
