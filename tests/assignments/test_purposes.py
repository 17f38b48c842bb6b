"""R7, R1a: per-tenant purposes, seeded at tenant creation, extended by admins."""

import pytest

from assignments.models import Purpose

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/acme/purposes/"


def test_new_tenant_has_default_purposes(tenant, other_tenant, viewer, client_for):
    codes = [p["code"] for p in client_for(viewer).get(URL).json()]
    assert codes == ["manual", "specification-sheet", "media-kit", "certificate", "3d-model"]
    assert Purpose.objects.filter(tenant=other_tenant).count() == 5


def test_admin_adds_purpose_editor_cannot(tenant, admin_user, editor, client_for):
    response = client_for(editor).post(URL, {"code": "brochure"}, format="json")
    assert response.status_code == 403
    response = client_for(admin_user).post(
        URL, {"code": "brochure", "name": "Brochure"}, format="json"
    )
    assert response.status_code == 201, response.json()
    assert response.json() == {"code": "brochure", "name": "Brochure", "position": 5}
    response = client_for(admin_user).post(URL, {"code": "brochure"}, format="json")
    assert response.status_code == 409 and response.json()["errors"][0]["field"] == "code"


@pytest.mark.parametrize("body", [{"code": "Not a slug!"}, {}, {"code": ""}])
def test_bad_purpose_is_400(tenant, admin_user, client_for, body):
    response = client_for(admin_user).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "code"
    assert Purpose.objects.filter(tenant=tenant).count() == 5


def test_added_purpose_is_usable_only_in_its_tenant(tenant, other_tenant, admin_user, client_for):
    client_for(admin_user).post(URL, {"code": "brochure"}, format="json")
    assert Purpose.objects.filter(code="brochure").get().tenant == tenant


def test_purpose_update_needs_an_admin_and_a_name(tenant, admin_user, editor):  # R1a, R7
    from assignments.services import purpose_update
    from tenants.exceptions import PermissionDenied as RoleRefused
    from tenants.exceptions import ValidationFailed

    manual = Purpose.objects.get(tenant=tenant, code="manual")
    with pytest.raises(RoleRefused):
        purpose_update(purpose=manual, user=editor, name="Guide", position=3)
    with pytest.raises(ValidationFailed):
        purpose_update(purpose=manual, user=admin_user, name="  ", position=3)
    purpose_update(purpose=manual, user=admin_user, name="Guide", position=3)
    manual.refresh_from_db()
    assert (manual.code, manual.name, manual.position) == ("manual", "Guide", 3)
