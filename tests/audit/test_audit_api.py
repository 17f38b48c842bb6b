"""GET /api/v1/tenants/{tenant}/audit/: tenant admins only (R1a), only their tenant's rows
(R1), paged, filtered; unknown parameters are a 400 naming them."""

import pytest

from tenants.audit import audit_record
from tenants.models import Role

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/{slug}/audit/"


@pytest.fixture
def rows(tenant, other_tenant, admin_user, editor, member):
    olga = member(Role.ADMIN, username="olga", in_tenant=other_tenant)
    audit_record(tenant=tenant, user=editor, action="media.update", object_type="mediaitem",
                 object_id=1, label="shirt.jpg", detail={"title": {"old": "a", "new": "b"}})  # fmt: skip
    audit_record(tenant=tenant, user=admin_user, action="purpose.create", object_type="purpose",
                 object_id=7, label="brochure")  # fmt: skip
    audit_record(tenant=tenant, user=None, action="media.availability", object_type="mediaitem",
                 object_id=1, label="shirt.jpg")  # fmt: skip
    audit_record(tenant=other_tenant, user=olga, action="media.delete", object_type="mediaitem",
                 object_id=99, label="globex-secret.jpg")  # fmt: skip
    return olga


def test_admin_reads_only_their_tenants_rows_newest_first(rows, admin_user, client_for):  # R1, R1a
    response = client_for(admin_user).get(URL.format(slug="acme"))
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 3
    assert [r["action"] for r in body["results"]] == [
        "media.availability",
        "purpose.create",
        "media.update",
    ]
    first = body["results"][2]
    assert first["user"] == "eddie" and first["object_label"] == "shirt.jpg"
    assert first["object_type"] == "mediaitem" and first["object_id"] == "1"
    assert first["detail"] == {"title": {"old": "a", "new": "b"}}
    assert body["results"][0]["user"] == "system" and body["results"][0]["user_id"] is None
    assert "globex-secret.jpg" not in response.content.decode()


def test_another_tenants_log_is_404(rows, admin_user, client_for):  # R1
    assert client_for(admin_user).get(URL.format(slug="globex")).status_code == 404


def test_the_other_tenants_admin_sees_only_theirs(rows, client_for):  # R1
    body = client_for(rows).get(URL.format(slug="globex")).json()
    assert [r["object_label"] for r in body["results"]] == ["globex-secret.jpg"]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR, Role.PUBLISHER])
def test_below_admin_is_403(rows, member, client_for, role):  # R1a
    user = member(role, username=f"u-{role}")
    response = client_for(user).get(URL.format(slug="acme"))
    assert response.status_code == 403
    assert "admin" in response.json()["detail"]


def test_anonymous_is_refused(rows, client_for):
    assert client_for(None).get(URL.format(slug="acme")).status_code in (401, 403)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("action=media.update", ["media.update"]),
        ("object_type=purpose", ["purpose.create"]),
        ("object_type=mediaitem&object_id=1", ["media.availability", "media.update"]),
        ("user=eddie", ["media.update"]),
        ("user=system", ["media.availability"]),
        ("action=nothing", []),
    ],
)
def test_filters(rows, admin_user, client_for, query, expected):
    body = client_for(admin_user).get(URL.format(slug="acme") + "?" + query).json()
    assert [r["action"] for r in body["results"]] == expected


def test_paged(rows, admin_user, client_for):
    body = client_for(admin_user).get(URL.format(slug="acme") + "?page_size=2").json()
    assert body["count"] == 3 and len(body["results"]) == 2 and body["next"]


@pytest.mark.parametrize("param", ["actoin", "ordering", "tenant"])
def test_unknown_parameter_is_400_naming_it(rows, admin_user, client_for, param):
    response = client_for(admin_user).get(URL.format(slug="acme") + f"?{param}=x")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == param


def test_documented_in_the_schema(client_for, admin_user):
    schema = client_for(admin_user).get("/api/schema/?format=json").json()
    operation = schema["paths"]["/api/v1/tenants/{tenant}/audit/"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"action", "object_type", "object_id", "user", "page", "page_size"} <= names
