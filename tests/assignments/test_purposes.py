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


DETAIL = "/api/v1/tenants/acme/purposes/{code}/"


def test_admin_renames_and_reorders_a_purpose_editor_cannot(
    tenant, admin_user, editor, client_for
):  # R1a, R7 (issue 15: purposes managed in the workspace)
    response = client_for(editor).patch(DETAIL.format(code="manual"), {"name": "Guide"})
    assert response.status_code == 403
    response = client_for(admin_user).patch(
        DETAIL.format(code="manual"), {"name": "User guide", "position": 7}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"code": "manual", "name": "User guide", "position": 7}
    response = client_for(admin_user).patch(
        DETAIL.format(code="manual"), {"name": " "}, format="json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "name"
    response = client_for(admin_user).patch(
        DETAIL.format(code="manual"), {"position": 3_000_000_000}, format="json"
    )  # past the column's integer range: a 400, not the database's error
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "position"
    assert Purpose.objects.get(tenant=tenant, code="manual").name == "User guide"


def test_admin_deletes_an_unused_purpose_not_one_in_use(tenant, admin_user, editor, client_for):
    # R7: entries name their purpose, so one in use is refused with where (409)
    from .factories import check_in, content, make_media, make_simple, slots

    mug = make_simple(tenant, "MUG-001")
    doc = make_media(tenant, "document")
    check_in(
        tenant,
        mug,
        editor,
        content(master=slots(additional=[{"media": doc.pk, "purpose": "manual"}])),
    )
    client = client_for(admin_user)
    response = client.delete(DETAIL.format(code="manual"))
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "code"
    assert "MUG-001" in response.json()["detail"]
    assert client_for(editor).delete(DETAIL.format(code="media-kit")).status_code == 403
    assert client.delete(DETAIL.format(code="media-kit")).status_code == 204
    codes = set(Purpose.objects.filter(tenant=tenant).values_list("code", flat=True))
    assert "media-kit" not in codes and "manual" in codes


def test_purpose_of_another_tenant_is_404(tenant, other_tenant, admin_user, client_for):  # R1
    Purpose.objects.create(tenant=other_tenant, code="brochure", name="Brochure")
    client = client_for(admin_user)
    assert client.delete(DETAIL.format(code="brochure")).status_code == 404
    assert client.patch(DETAIL.format(code="brochure"), {"name": "x"}).status_code == 404
    assert Purpose.objects.filter(tenant=other_tenant, code="brochure").exists()


def test_admin_site_deletes_a_purpose_through_the_service(tenant, admin_user, editor):
    # R7, R30: the Django admin's delete is the service's: one in use is refused with where
    from django.contrib.auth.models import Permission
    from django.test import Client

    from .factories import check_in, content, make_media, make_simple, slots

    mug = make_simple(tenant, "MUG-001")
    doc = make_media(tenant, "document")
    check_in(
        tenant,
        mug,
        editor,
        content(master=slots(additional=[{"media": doc.pk, "purpose": "manual"}])),
    )
    admin_user.is_staff = True
    admin_user.save(update_fields=["is_staff"])
    admin_user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(admin_user)
    manual = Purpose.objects.get(tenant=tenant, code="manual")
    response = client.post(
        f"/admin/assignments/purpose/{manual.pk}/delete/", {"post": "yes"}, follow=True
    )
    # Entries PROTECT the purpose they name: Django's page refuses before any delete.
    assert b"Cannot delete purpose" in response.content
    assert Purpose.objects.filter(pk=manual.pk).exists()
    kit = Purpose.objects.get(tenant=tenant, code="media-kit")
    client.post(f"/admin/assignments/purpose/{kit.pk}/delete/", {"post": "yes"})
    assert not Purpose.objects.filter(pk=kit.pk).exists()
    # ...and through the service, which an editor's staff login cannot pass (R1a)
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    editor.user_permissions.set(Permission.objects.all())
    client.force_login(editor)
    rush = Purpose.objects.create(tenant=tenant, code="rush", name="Rush", position=99)
    client.post(f"/admin/assignments/purpose/{rush.pk}/delete/", {"post": "yes"})
    assert Purpose.objects.filter(pk=rush.pk).exists()


def test_bad_purpose_code_is_refused_in_plain_words(tenant, admin_user, client_for):  # R7
    response = client_for(admin_user).post(URL, {"code": "Bad Code!"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {"field": "code", "reason": "Use only letters, numbers, hyphens and underscores."}
    ]
