"""R28, R1a in the admin: a tenant admin registers an endpoint (the secret shown once),
reads the delivery log with every attempt, and redelivers; other roles see nothing."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.test import Client

from media_library.services import media_item_publish
from tenants.models import Role
from tests.factories import make_member
from tests.publishing import builders as b
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db

ADD = "/admin/webhooks/webhookendpoint/add/"
DELIVERIES = "/admin/webhooks/webhookdelivery/"


def staff(tenant, role: str) -> Client:
    user = make_member(tenant, role, f"staff-{role}")
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(tenant, receiver):  # R28
    client = staff(tenant, Role.ADMIN)
    response = client.post(
        ADD,
        {
            "tenant": tenant.pk,
            "url": receiver.url(),
            "description": "search index",
            "events": ["media.published", "job.finished"],
            "active": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["media.published", "job.finished"] and endpoint.active
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(endpoint.secret in m and "shown only now" in m for m in shown)
    page = client.get(f"/admin/webhooks/webhookendpoint/{endpoint.pk}/change/")
    assert page.status_code == 200 and endpoint.secret not in page.content.decode()


def test_an_internal_url_is_a_form_error_and_adds_nothing(tenant):  # R29
    client = staff(tenant, Role.ADMIN)
    response = client.post(
        ADD,
        {"tenant": tenant.pk, "url": "http://169.254.169.254/", "events": ["job.finished"]},
    )
    assert response.status_code == 200
    assert "internal address" in str(response.context["adminform"].form.errors["url"])
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("role", [Role.EDITOR, Role.PUBLISHER])
def test_other_roles_see_no_webhooks(tenant, role):  # R1a
    client = staff(tenant, role)
    assert client.get("/admin/webhooks/webhookendpoint/").status_code == 403
    assert client.get(ADD).status_code == 403
    assert client.get(DELIVERIES).status_code == 403


def test_the_delivery_log_shows_attempts_and_redelivers(
    tenant, editor, receiver, register, django_capture_on_commit_callbacks, settings
):  # R28
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [500]
    register(receiver.url(), ["media.published"])
    photo = b.image(tenant, editor, "photo")
    with django_capture_on_commit_callbacks(execute=True):
        media_item_publish(item=photo, user=None)
    failed = WebhookDelivery.objects.get()
    assert failed.status == "failed"

    client = staff(tenant, Role.ADMIN)
    page = client.get(f"{DELIVERIES}{failed.pk}/change/").content.decode()
    assert "HTTP 500" in page and "receiver says no" in page and "media.published" in page
    assert "{#" not in page  # the inline table's template comment stays in the template
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            DELIVERIES, {"action": "redeliver", "_selected_action": [failed.pk]}, follow=True
        )
    assert response.status_code == 200
    again = WebhookDelivery.objects.exclude(pk=failed.pk).get()
    assert again.redelivery_of == failed and again.status == "succeeded"
    assert len(receiver.requests) == 2
