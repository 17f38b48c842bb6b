"""Purpose services (R7, R1a): one audit row each; refusals and rollbacks write none."""

import pytest
from django.db import transaction

from assignments import services
from tenants.exceptions import Conflict, PermissionDenied, ValidationFailed

pytestmark = pytest.mark.django_db


def test_create_update_delete_write_one_row_each(tenant, admin_user, audit_rows):  # R7
    brochure = services.purpose_create(tenant=tenant, user=admin_user, code="brochure")
    services.purpose_update(purpose=brochure, user=admin_user, name="Leaflet", position=7)
    services.purpose_delete(purpose=brochure, user=admin_user)
    create, update, delete = audit_rows()
    assert [r.action for r in (create, update, delete)] == [
        "purpose.create",
        "purpose.update",
        "purpose.delete",
    ]
    assert all(r.user == admin_user and r.username == "ada" for r in (create, update, delete))
    assert {r.object_id for r in (create, update, delete)} == {str(brochure.pk)}
    assert create.object_type == "purpose" and create.object_label == "brochure"
    assert update.detail == {
        "name": {"old": "brochure", "new": "Leaflet"},
        "position": {"old": 5, "new": 7},
    }
    assert delete.detail == {"code": "brochure", "name": "Leaflet"}


def test_refusals_write_no_row(tenant, admin_user, editor, audit_rows):  # R1a
    manual = services.Purpose.objects.get(tenant=tenant, code="manual")
    with pytest.raises(PermissionDenied):
        services.purpose_create(tenant=tenant, user=editor, code="brochure")
    with pytest.raises(Conflict):
        services.purpose_create(tenant=tenant, user=admin_user, code="manual")
    with pytest.raises(ValidationFailed):
        services.purpose_create(tenant=tenant, user=admin_user, code="Not a slug!")
    with pytest.raises(ValidationFailed):
        services.purpose_update(purpose=manual, user=admin_user, name=" ", position=1)
    with pytest.raises(PermissionDenied):
        services.purpose_delete(purpose=manual, user=editor)
    assert audit_rows() == []


def test_rollback_leaves_no_row(tenant, admin_user, audit_rows):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.purpose_create(tenant=tenant, user=admin_user, code="brochure")
        raise RuntimeError
    assert audit_rows() == []
