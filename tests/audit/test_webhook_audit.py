"""Webhook services (R28, R1a): one audit row for each change an admin makes (register,
change, rotate the secret, re-send, delete), never the secret; refusals and rollbacks
write none."""

import pytest
from django.db import transaction

from tenants.exceptions import PermissionDenied, ValidationFailed
from webhooks import services
from webhooks.models import DeliveryStatus, WebhookDelivery, WebhookMessage

pytestmark = pytest.mark.django_db

URL = "http://127.0.0.9/hooks"  # allowlisted by the test settings


def test_each_change_writes_one_row_without_the_secret(tenant, admin_user, audit_rows):
    created = services.webhook_create(
        tenant=tenant, user=admin_user, url=URL, events=["media.published"]
    )
    endpoint = created.endpoint
    services.webhook_update(
        endpoint=endpoint, user=admin_user, events=["media.published", "job.finished"]
    )
    services.webhook_update(endpoint=endpoint, user=admin_user, active=True)  # no change
    rotated = services.webhook_secret_rotate(endpoint=endpoint, user=admin_user)
    message = WebhookMessage.objects.create(tenant=tenant, event="media.published", body="{}")
    sent = WebhookDelivery.objects.create(
        tenant=tenant, endpoint=endpoint, message=message, status=DeliveryStatus.SUCCEEDED
    )
    again = services.webhook_redeliver(delivery=sent, user=admin_user)
    services.webhook_delete(endpoint=endpoint, user=admin_user)

    rows = audit_rows()
    assert [r.action for r in rows] == [
        "webhook.create",
        "webhook.update",
        "webhook.rotate_secret",
        "webhook.redeliver",
        "webhook.delete",
    ]
    create, update, rotate, redeliver, delete = rows
    assert all(r.user == admin_user and r.object_type == "webhookendpoint" for r in rows)
    assert {r.object_id for r in rows} == {str(endpoint.pk)}
    assert create.detail == {
        "url": URL, "events": ["media.published"], "active": True, "description": ""
    }  # fmt: skip
    assert update.detail == {
        "events": {"old": ["media.published"], "new": ["media.published", "job.finished"]}
    }
    assert redeliver.detail == {"delivery": sent.pk, "again": again.pk, "message": message.pk}
    assert delete.detail["url"] == URL
    for secret in (created.secret, rotated.secret):
        assert not any(secret in str(r.detail) or secret in r.object_label for r in rows)


def test_refusals_and_rollbacks_write_no_row(tenant, admin_user, editor, audit_rows):  # R1a
    with pytest.raises(PermissionDenied):
        services.webhook_create(tenant=tenant, user=editor, url=URL, events=["job.finished"])
    with pytest.raises(ValidationFailed):
        services.webhook_create(tenant=tenant, user=admin_user, url=URL, events=["nope"])
    with pytest.raises(RuntimeError), transaction.atomic():
        services.webhook_create(tenant=tenant, user=admin_user, url=URL, events=["job.finished"])
        raise RuntimeError
    assert audit_rows() == []
