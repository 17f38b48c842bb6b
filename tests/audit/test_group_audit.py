"""Publish-group services (R16, R30): one audit row each; refusals and rollbacks none."""

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from catalog.services import product_create
from publishing import groups
from tenants.exceptions import DomainError, PermissionDenied
from tenants.models import AuditEvent
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def products(tenant, editor):
    mug = b.mug(tenant)
    b.checkin(tenant, mug, editor, {"master": b.slots([b.image(tenant, editor, "mug")])})
    product_create(tenant=tenant, number="MUG-002", name="Mug 2", kind="simple")
    AuditEvent.objects.all().delete()  # the uploads' rows
    return mug


def test_each_group_service_writes_one_row(
    tenant, products, publisher, audit_rows, django_capture_on_commit_callbacks
):  # R16
    group = groups.group_create(
        tenant=tenant, user=publisher, name="Drop", products=["MUG-001"], publish_dependencies=True
    )
    groups.group_update(group=group, user=publisher, name="Summer drop")
    groups.group_products_add(group=group, user=publisher, products=["MUG-002"])
    groups.group_products_remove(group=group, user=publisher, products=["MUG-002"])
    when = timezone.now() + timedelta(hours=2)
    groups.group_schedule(group=group, user=publisher, when=when)
    groups.group_unschedule(group=group, user=publisher)
    with django_capture_on_commit_callbacks(execute=True):
        job = groups.group_publish(group=group, user=publisher)
    group.refresh_from_db()
    groups.group_delete(group=group, user=publisher)
    rows = [r for r in audit_rows() if r.action.startswith("group.")]
    # The job published the group's unpublished media as the same user (its own rows).
    assert {(r.action, r.username) for r in audit_rows(action__startswith="media.")} == {
        ("media.publish", "pia")
    }
    assert [r.action for r in rows] == [
        "group.create",
        "group.update",
        "group.add",
        "group.remove",
        "group.schedule",
        "group.unschedule",
        "group.publish",
        "group.delete",
    ]
    assert {(r.object_type, r.object_id, r.username) for r in rows} == {
        ("publishgroup", str(group.pk), "pia")
    }
    assert rows[1].detail["name"] == {"old": "Drop", "new": "Summer drop"}
    assert rows[2].detail["added"] == ["MUG-002"]
    assert rows[3].detail["removed"] == ["MUG-002"]
    assert rows[4].detail["scheduled_at"] == when.isoformat()
    assert rows[6].detail == {"job": job.pk, "products": 1}


def test_refusals_and_rollbacks_write_no_row(tenant, products, publisher, editor, audit_rows):
    with pytest.raises(PermissionDenied):
        groups.group_create(tenant=tenant, user=editor, name="Drop")  # R1a
    with pytest.raises(DomainError):
        groups.group_create(tenant=tenant, user=publisher, name="  ")
    group = groups.group_create(tenant=tenant, user=publisher, name="Drop")
    AuditEvent.objects.all().delete()
    with pytest.raises(DomainError):
        groups.group_schedule(group=group, user=publisher, when=timezone.now() - timedelta(1))
    with pytest.raises(PermissionDenied):
        groups.group_delete(group=group, user=editor)
    with pytest.raises(RuntimeError), transaction.atomic():
        groups.group_update(group=group, user=publisher, name="Gone")
        raise RuntimeError
    assert audit_rows() == []
