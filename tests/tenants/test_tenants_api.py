"""R1, R1a, R4: tenants, their channels and locales, memberships and roles."""

import pytest

from tenants.models import Channel, Locale, Membership, Role
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def test_new_tenant_has_omnichannel_and_neutral(tenant):
    # R4
    assert Channel.objects.get(tenant=tenant, code="omnichannel").is_omnichannel
    neutral = Locale.objects.get(tenant=tenant, code="neutral")
    assert neutral.is_neutral and neutral.language == ""
    assert Locale.objects.get(tenant=tenant, code="en-us").language == "en"


def test_tenant_list_shows_only_own_tenants_with_role(tenant, other_tenant, editor, client_for):
    # R1
    response = client_for(editor).get("/api/v1/tenants/")
    assert response.status_code == 200
    assert [(t["slug"], t["role"]) for t in response.json()["results"]] == [("acme", "editor")]


def test_anonymous_is_refused(tenant, client_for):
    response = client_for(None).get("/api/v1/tenants/acme/channels/")
    assert response.status_code in (401, 403)


def test_other_tenant_answers_404(tenant, other_tenant, editor, client_for):
    # R1: a tenant the user is not a member of is indistinguishable from a missing one.
    client = client_for(editor)
    assert client.get("/api/v1/tenants/globex/channels/").status_code == 404
    assert client.get("/api/v1/tenants/nope/channels/").status_code == 404


def test_viewer_reads_channels_but_cannot_create(tenant, viewer, client_for):
    # R1a
    client = client_for(viewer)
    codes = [c["code"] for c in client.get("/api/v1/tenants/acme/channels/").json()["results"]]
    assert codes == ["omnichannel", "pos", "web"]
    response = client.post(
        "/api/v1/tenants/acme/channels/", {"code": "kiosk", "name": "Kiosk"}, format="json"
    )
    assert response.status_code == 403
    assert "admin" in response.json()["detail"]
    assert not Channel.objects.filter(tenant=tenant, code="kiosk").exists()


def test_admin_creates_channel_and_locale(tenant, admin_user, client_for):
    client = client_for(admin_user)
    response = client.post(
        "/api/v1/tenants/acme/channels/", {"code": "kiosk", "name": "Kiosk"}, format="json"
    )
    assert response.status_code == 201, response.json()
    response = client.post(
        "/api/v1/tenants/acme/locales/", {"code": "nl-BE", "name": "Dutch (Belgium)"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json()["code"] == "nl-be" and response.json()["language"] == "nl"


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("channels", {"code": "Bad Code!", "name": "x"}, "code"),
        ("channels", {"code": "web", "name": "dup"}, "code"),
        ("channels", {"code": "omnichannel", "name": "dup"}, "code"),
        ("locales", {"code": "english", "name": "x"}, "code"),
        ("locales", {"code": "en-us", "name": "dup"}, "code"),
    ],
)
def test_bad_channel_or_locale_is_refused_with_field(
    tenant, admin_user, client_for, url, body, field
):
    before = (Channel.objects.count(), Locale.objects.count())
    response = client_for(admin_user).post(f"/api/v1/tenants/acme/{url}/", body, format="json")
    assert response.status_code in (400, 409)
    assert response.json()["errors"][0]["field"] == field
    assert (Channel.objects.count(), Locale.objects.count()) == before


def test_pseudo_channel_and_locale_cannot_be_deleted(tenant, admin_user, client_for):
    client = client_for(admin_user)
    assert client.delete("/api/v1/tenants/acme/channels/omnichannel/").status_code == 400
    assert client.delete("/api/v1/tenants/acme/locales/neutral/").status_code == 400
    assert client.delete("/api/v1/tenants/acme/channels/pos/").status_code == 204


def test_admin_manages_members_editor_cannot(tenant, admin_user, editor, client_for):
    # R1a: only admins manage members.
    make_member(tenant, Role.VIEWER, "newbie")
    assert client_for(editor).get("/api/v1/tenants/acme/members/").status_code == 403
    client = client_for(admin_user)
    response = client.post(
        "/api/v1/tenants/acme/members/", {"username": "newbie", "role": "publisher"}, format="json"
    )
    assert response.status_code == 201
    assert Membership.objects.get(tenant=tenant, user__username="newbie").role == "publisher"
    response = client.post(
        "/api/v1/tenants/acme/members/", {"username": "ghost", "role": "viewer"}, format="json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "username"
    assert client.delete("/api/v1/tenants/acme/members/newbie/").status_code == 204


def test_token_auth_works(tenant, editor):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=editor)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/v1/tenants/acme/locales/").status_code == 200


def test_openapi_schema_and_docs_are_served(db, client_for):
    from django.test import Client

    assert Client().get("/api/schema/").status_code == 200
    assert Client().get("/api/docs/").status_code == 200


def test_health_answers_without_credentials(db, client_for):
    response = client_for(None).get("/api/v1/health")
    assert response.status_code == 200 and response.json() == {"status": "ok"}


def test_viewers_log_in_to_the_workspace_without_being_staff(tenant, viewer, client):
    # R1a: viewers read; they are not admin staff, so the workspace has its own login page.
    assert client.get("/").url == "/workspace/"
    login = client.get("/workspace/")
    assert login.status_code == 302 and login.url.startswith("/accounts/login/")
    assert client.get("/accounts/login/").status_code == 200
    response = client.post(
        "/accounts/login/", {"username": "vera", "password": "pass12345", "next": "/workspace/"}
    )
    assert response.status_code == 302 and response.url == "/workspace/"
    assert client.get("/workspace/acme/").status_code == 200
    assert client.post("/accounts/logout/").status_code == 302
