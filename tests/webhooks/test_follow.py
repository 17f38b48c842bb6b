"""R28, R24: following the change feed: a cursor per tenant that never sends a change twice,
never sends another tenant's, and keeps pace with the feed while the tenant is quiet."""

from __future__ import annotations

import pytest
from django.db.models import Max

from publishing.models import AnswerChange
from tenants.outbox import outbox_settle
from tenants.services import channel_create
from webhooks.follow import answers_follow
from webhooks.models import WebhookCursor, WebhookMessage

pytestmark = pytest.mark.django_db


def latest() -> int:
    return AnswerChange.objects.aggregate(last=Max("pk"))["last"] or 0


def test_another_tenants_changes_are_not_sent_but_the_cursor_keeps_pace(
    tenant, other_tenant, receiver, register, django_capture_on_commit_callbacks
):
    register(receiver.url(), ["answer.changed"])
    with django_capture_on_commit_callbacks(execute=True):
        channel_create(tenant=other_tenant, code="outlet")  # a change in globex's feed only
    assert latest() > 0

    answers_follow(tenant_id=tenant.pk)

    assert receiver.requests == [] and not WebhookMessage.objects.exists()
    assert WebhookCursor.objects.get(tenant=tenant, source="answers").position == latest()


def test_the_tenants_own_context_events_are_sent_once(
    tenant, receiver, register, django_capture_on_commit_callbacks
):
    outbox_settle(tenant=tenant)  # the fixture's own channels, drained as their commit would
    register(receiver.url(), ["answer.changed"])
    with django_capture_on_commit_callbacks(execute=True):
        channel_create(tenant=tenant, code="outlet")
    answers_follow(tenant_id=tenant.pk)  # again: nothing new
    [got] = receiver.requests
    assert got.json["data"]["changes"][0]["event"] == "channel_added"
    assert got.json["data"]["changes"][0]["channel"] == "outlet"
    assert WebhookMessage.objects.count() == 1


def test_the_delivery_log_filters_by_status_and_refuses_an_unknown_one(
    receiver, register, client_for, admin_user, django_capture_on_commit_callbacks, tenant
):
    hook = register(receiver.url(), ["answer.changed"])
    with django_capture_on_commit_callbacks(execute=True):
        channel_create(tenant=tenant, code="outlet")
    client = client_for(admin_user)
    base = f"/api/v1/tenants/acme/webhooks/{hook['id']}/deliveries"
    assert client.get(f"{base}?status=succeeded").json()["count"] == 1
    assert client.get(f"{base}?status=failed").json()["count"] == 0
    response = client.get(f"{base}?status=lost")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "status"
