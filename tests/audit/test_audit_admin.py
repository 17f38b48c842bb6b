"""The audit log in the admin: read-only, only the rows of tenants the user administers
(R1, R1a); filters by action and user offer only those rows' values."""

import pytest
from django.test import Client

from tenants.audit import audit_record
from tenants.models import AuditEvent, Role
from tests.audit.staff import staff_client

pytestmark = pytest.mark.django_db

LIST = "/admin/tenants/auditevent/"


@pytest.fixture
def events(tenant, other_tenant, admin_user, member):
    olga = member(Role.ADMIN, username="olga", in_tenant=other_tenant)
    mine = audit_record(tenant=tenant, user=admin_user, action="purpose.create",
                        object_type="purpose", object_id=1, label="acme-brochure")  # fmt: skip
    theirs = audit_record(tenant=other_tenant, user=olga, action="media.delete",
                          object_type="mediaitem", object_id=2, label="globex-secret")  # fmt: skip
    return mine, theirs


def test_admin_lists_only_their_tenants_rows(events, admin_user):  # R1
    mine, theirs = events
    client = staff_client(admin_user)
    page = client.get(LIST).content.decode()
    assert "acme-brochure" in page and "globex-secret" not in page
    assert "olga" not in page  # the user filter offers only visible rows' users
    assert "media.delete" not in page  # nor the action filter other tenants' actions
    assert client.get(f"{LIST}{mine.pk}/change/").status_code == 200
    assert client.get(f"{LIST}{theirs.pk}/change/").status_code in (302, 404)
    assert "acme-brochure" in client.get(f"{LIST}?q=brochure").content.decode()
    assert client.get(f"{LIST}?action=purpose.create").status_code == 200


def test_nobody_adds_changes_or_deletes(events, admin_user, superuser_client):
    mine, _ = events
    for client in (staff_client(admin_user), superuser_client):
        assert client.get(f"{LIST}add/").status_code == 403
        client.post(f"{LIST}{mine.pk}/change/", {"action": "forged"})
        assert client.post(f"{LIST}{mine.pk}/delete/", {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.get(pk=mine.pk).action == "purpose.create"


def test_an_editor_sees_no_audit_log(events, editor):  # R1a: admins only
    assert staff_client(editor).get(LIST).status_code == 403


@pytest.fixture
def superuser_client(db):
    from tests.factories import UserFactory

    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    return client
