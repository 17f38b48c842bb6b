"""R28, R29, R1a: registering webhooks through the API: admins only, the secret shown once,
event names and URLs checked (the outbound-fetch guard refuses internal addresses)."""

from __future__ import annotations

import pytest

from tenants.models import Role
from webhooks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db

BASE = "/api/v1/tenants/acme/webhooks/"


def test_an_admin_registers_an_endpoint_and_sees_the_secret_once(
    receiver, client_for, admin_user
):  # R28
    client = client_for(admin_user)
    response = client.post(
        BASE,
        {"url": receiver.url(), "events": ["media.published", "answer.changed"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 40
    assert created["events"] == ["media.published", "answer.changed"]
    assert created["active"] is True and created["created_by"] == "ada"
    endpoint = WebhookEndpoint.objects.get(pk=created["id"])
    assert endpoint.secret == created["secret"] and endpoint.tenant.slug == "acme"

    listed = client.get(BASE).json()["results"]
    shown = client.get(f"{BASE}{created['id']}/").json()
    assert [w["id"] for w in listed] == [created["id"]]
    assert "secret" not in listed[0] and "secret" not in shown

    rotated = client.post(f"{BASE}{created['id']}/rotate-secret").json()
    assert rotated["secret"].startswith("whsec_") and rotated["secret"] != created["secret"]
    endpoint.refresh_from_db()
    assert endpoint.secret == rotated["secret"]


def test_update_and_delete(receiver, client_for, admin_user, register):  # R28
    created = register(receiver.url(), ["media.published"])
    client = client_for(admin_user)
    url = f"{BASE}{created['id']}/"
    response = client.patch(url, {"events": ["job.finished"], "active": False}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["events"] == ["job.finished"] and response.json()["active"] is False
    assert client.delete(url).status_code == 204
    assert not WebhookEndpoint.objects.exists()
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("role", [Role.VIEWER, Role.EDITOR, Role.PUBLISHER])
def test_only_admins_manage_or_read_webhooks(role, member, client_for, receiver, register):  # R1a
    created = register(receiver.url(), ["media.published"])
    client = client_for(member(role, username=f"someone-{role}"))
    attempts = [
        client.get(BASE),
        client.post(BASE, {"url": receiver.url(), "events": ["job.finished"]}, format="json"),
        client.get(f"{BASE}{created['id']}/"),
        client.patch(f"{BASE}{created['id']}/", {"active": False}, format="json"),
        client.delete(f"{BASE}{created['id']}/"),
        client.post(f"{BASE}{created['id']}/rotate-secret"),
        client.get(f"{BASE}{created['id']}/deliveries"),
    ]
    for response in attempts:
        assert response.status_code == 403, response.content
        assert "admin role" in response.json()["detail"]
    # What was tried, in words (not DRF's action names), and the role held, with its article.
    said = [response.json()["detail"] for response in attempts]
    assert "to change webhook" in said[3] and "to delete webhook" in said[4]
    assert "to rotate secret webhook" in said[5] and "_" not in " ".join(said)
    held = {"viewer": "a viewer", "editor": "an editor", "publisher": "a publisher"}[role]
    assert all(f"you are {held}." in detail for detail in said)
    assert WebhookEndpoint.objects.get().active is True


@pytest.mark.parametrize(
    ("body", "field", "reason"),
    [
        ({"events": ["media.published"]}, "url", "required"),
        ({"url": "", "events": ["media.published"]}, "url", ""),
        ({"url": "ftp://example.com/x", "events": ["media.published"]}, "url", "http"),
        ({"url": "http://user:pw@example.com/", "events": ["media.published"]}, "url", "user"),
        ({"url": "HOOK", "events": ["media.published"]}, "url", "http"),
        ({"url": "http://127.0.0.9/x", "events": []}, "events", "at least one"),
        ({"url": "http://127.0.0.9/x", "events": ["media.published", "x"]}, "events[1]", "x"),
        ({"url": "http://127.0.0.9/x", "events": "media.published"}, "events", ""),
        # A host that does not resolve is said so, naming it (".invalid" never resolves).
        (
            {"url": "http://hooks.invalid/x", "events": ["job.finished"]},
            "url",
            "its host 'hooks.invalid' does not resolve",
        ),
        # The serializer's own refusal of an item names it as the service does.
        ({"url": "http://127.0.0.9/x", "events": ["media.published", {}]}, "events[1]", ""),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client_for, admin_user, body, field, reason):
    response = client_for(admin_user).post(BASE, body, format="json")
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert error["field"] == field and reason in error["reason"]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8000/hooks",  # loopback
        "http://localhost/hooks",
        "http://10.1.2.3/hooks",  # private
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "http://[::1]/hooks",
        "http://[::ffff:127.0.0.1]/hooks",  # IPv4 embedded in IPv6
        "http://0.0.0.0/hooks",
    ],
)
def test_internal_addresses_are_refused_at_registration(url, client_for, admin_user):  # R29
    response = client_for(admin_user).post(
        BASE, {"url": url, "events": ["media.published"]}, format="json"
    )
    assert response.status_code == 400, response.content
    error = response.json()["errors"][0]
    assert error["field"] == "url" and "internal address" in error["reason"]
    assert not WebhookEndpoint.objects.exists()


def test_an_update_to_an_internal_url_is_refused_too(client_for, admin_user, receiver, register):
    created = register(receiver.url(), ["media.published"])
    response = client_for(admin_user).patch(
        f"{BASE}{created['id']}/", {"url": "http://127.0.0.1/x"}, format="json"
    )
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "url"
    assert WebhookEndpoint.objects.get().url == receiver.url()


def test_the_allowlist_opens_a_named_internal_host(client_for, admin_user, settings):  # R29
    settings.OUTBOUND_FETCH_ALLOWLIST = ["10.0.0.0/8"]
    response = client_for(admin_user).post(
        BASE, {"url": "http://10.1.2.3/hooks", "events": ["job.finished"]}, format="json"
    )
    assert response.status_code == 201, response.content


def test_an_unknown_id_is_a_404_in_words(client_for, admin_user):
    """Not Django's "No WebhookEndpoint matches the given query." (a class name)."""
    response = client_for(admin_user).get(f"{BASE}999/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No webhook endpoint 999 in this tenant."
    assert response.json()["code"] == "not_found"
