"""Tenant configuration services write the audit log (R1a, R4, R30): tenants, channels,
locales and memberships, one row per write through the service, the API and the admin,
with the acting user; refusals and rollbacks write none."""

import pytest
from django.db import transaction
from django.test import Client

from catalog.services import category_create
from tenants import services
from tenants.exceptions import Conflict, DomainError, PermissionDenied
from tenants.models import AuditEvent, Channel, Locale, Membership, Role, Tenant
from tests.audit.staff import staff_client
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

API = "/api/v1/tenants/acme"


# --- channels and locales -----------------------------------------------------------------


def test_channel_services_write_one_row_each(tenant, admin_user, audit_rows):  # R4
    shop = services.channel_create(tenant=tenant, user=admin_user, code="shop", name="Shop")
    services.channel_update(channel=shop, user=admin_user, name="Web shop")
    pk = str(shop.pk)
    services.channel_delete(channel=shop, user=admin_user)

    create, update, delete = audit_rows()
    assert [(r.action, r.user, r.username) for r in (create, update, delete)] == [
        ("channel.create", admin_user, "ada"),
        ("channel.update", admin_user, "ada"),
        ("channel.delete", admin_user, "ada"),
    ]
    assert {(r.object_type, r.object_id, r.object_label) for r in (create, update, delete)} == {
        ("channel", pk, "shop")
    }
    assert create.detail == {"code": "shop", "name": "Shop"}
    assert update.detail == {"name": {"old": "Shop", "new": "Web shop"}}
    assert delete.detail == {"code": "shop", "name": "Web shop"}


def test_channel_through_the_api_one_row_each(tenant, admin_user, client_for, audit_rows):
    client = client_for(admin_user)
    created = client.post(f"{API}/channels/", {"code": "shop", "name": "Shop"}, format="json")
    renamed = client.patch(f"{API}/channels/shop/", {"name": "Web shop"}, format="json")
    deleted = client.delete(f"{API}/channels/shop/")

    assert (created.status_code, renamed.status_code, deleted.status_code) == (201, 200, 204)
    assert [(r.action, r.user, r.object_label, r.detail) for r in audit_rows()] == [
        ("channel.create", admin_user, "shop", {"code": "shop", "name": "Shop"}),
        ("channel.update", admin_user, "shop", {"name": {"old": "Shop", "new": "Web shop"}}),
        ("channel.delete", admin_user, "shop", {"code": "shop", "name": "Web shop"}),
    ]


def test_channel_through_the_admin_one_row_each(tenant, admin_user, audit_rows):
    client = staff_client(admin_user)
    added = client.post(
        "/admin/tenants/channel/add/", {"tenant": tenant.pk, "code": "shop", "name": "Shop"}
    )
    shop = Channel.objects.get(tenant=tenant, code="shop")
    renamed = client.post(f"/admin/tenants/channel/{shop.pk}/change/", {"name": "Web shop"})
    deleted = client.post(f"/admin/tenants/channel/{shop.pk}/delete/", {"post": "yes"})

    assert (added.status_code, renamed.status_code, deleted.status_code) == (302, 302, 302)
    assert [(r.action, r.user, r.object_id) for r in audit_rows()] == [
        ("channel.create", admin_user, str(shop.pk)),
        ("channel.update", admin_user, str(shop.pk)),
        ("channel.delete", admin_user, str(shop.pk)),
    ]
    assert not Channel.objects.filter(pk=shop.pk).exists()


def test_a_confirmed_delete_counts_the_content_that_went(tenant, admin_user, only_row):  # R22
    web = Channel.objects.get(tenant=tenant, code="web")
    category_create(tenant=tenant, channel=web, name="Kitchen")
    AuditEvent.objects.all().delete()
    services.channel_delete(channel=web, user=admin_user, confirm=True)
    row = only_row()
    assert row.action == "channel.delete"
    assert row.detail == {"code": "web", "name": "WEB", "confirmed": True, "content_deleted": 1}


def test_locale_through_the_api_one_row_each(tenant, admin_user, client_for, audit_rows):
    client = client_for(admin_user)
    created = client.post(f"{API}/locales/", {"code": "it-it", "name": "Italian"}, format="json")
    renamed = client.patch(f"{API}/locales/it-it/", {"name": "Italiano"}, format="json")
    deleted = client.delete(f"{API}/locales/it-it/")

    assert (created.status_code, renamed.status_code, deleted.status_code) == (201, 200, 204)
    assert [(r.action, r.user, r.object_label, r.detail) for r in audit_rows()] == [
        ("locale.create", admin_user, "it-it", {"code": "it-it", "name": "Italian"}),
        ("locale.update", admin_user, "it-it", {"name": {"old": "Italian", "new": "Italiano"}}),
        ("locale.delete", admin_user, "it-it", {"code": "it-it", "name": "Italiano"}),
    ]


def test_locale_through_the_admin_writes_one_row(tenant, admin_user, only_row):
    response = staff_client(admin_user).post(
        "/admin/tenants/locale/add/", {"tenant": tenant.pk, "code": "it-it", "name": "Italian"}
    )
    assert response.status_code == 302
    row = only_row()
    assert (row.action, row.user, row.object_label) == ("locale.create", admin_user, "it-it")


# --- memberships --------------------------------------------------------------------------


def test_memberships_through_the_api(tenant, other_tenant, admin_user, client_for, audit_rows):
    # R1a: the actor is the admin; the member is named in the label and the detail.
    colleague = UserFactory(username="colleague")
    Membership.objects.create(tenant=other_tenant, user=colleague, role=Role.EDITOR)
    Membership.objects.create(tenant=other_tenant, user=admin_user, role=Role.ADMIN)
    client = client_for(admin_user)
    added = client.post(
        f"{API}/members/", {"username": "colleague", "role": "viewer"}, format="json"
    )
    promoted = client.post(
        f"{API}/members/", {"username": "colleague", "role": "publisher"}, format="json"
    )
    removed = client.delete(f"{API}/members/colleague/")

    assert (added.status_code, promoted.status_code, removed.status_code) == (201, 201, 204)
    rows = audit_rows(tenant=tenant)
    assert [(r.action, r.user, r.object_type, r.object_label) for r in rows] == [
        ("membership.create", admin_user, "membership", "colleague"),
        ("membership.update", admin_user, "membership", "colleague"),
        ("membership.delete", admin_user, "membership", "colleague"),
    ]
    assert [r.detail for r in rows] == [
        {"user": "colleague", "role": "viewer"},
        {"user": "colleague", "role": {"old": "viewer", "new": "publisher"}},
        {"user": "colleague", "role": "publisher"},
    ]
    assert audit_rows(tenant=other_tenant) == []


def test_membership_admin_change_writes_one_row(tenant, admin_user, editor, only_row):
    membership = Membership.objects.get(tenant=tenant, user=editor)
    response = staff_client(admin_user).post(
        f"/admin/tenants/membership/{membership.pk}/change/", {"role": "publisher"}
    )
    assert response.status_code == 302
    row = only_row()
    assert (row.action, row.user, row.object_id) == (
        "membership.update",
        admin_user,
        str(membership.pk),
    )
    assert row.detail == {"user": "eddie", "role": {"old": "editor", "new": "publisher"}}


# --- tenants ------------------------------------------------------------------------------


def test_tenant_create_and_rename_in_the_admin(db, audit_rows):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(root)
    added = client.post("/admin/tenants/tenant/add/", {"slug": "initech", "name": "Initech"})
    initech = Tenant.objects.get(slug="initech")
    renamed = client.post(f"/admin/tenants/tenant/{initech.pk}/change/", {"name": "Initrode"})

    assert (added.status_code, renamed.status_code) == (302, 302)
    assert [(r.action, r.user, r.object_label, r.detail) for r in audit_rows()] == [
        ("tenant.create", root, "initech", {"slug": "initech", "name": "Initech"}),
        ("tenant.update", root, "initech", {"name": {"old": "Initech", "new": "Initrode"}}),
    ]
    assert Tenant.objects.get(pk=initech.pk).name == "Initrode"


def test_setup_without_a_user_is_recorded_as_system(db, audit_rows):  # demo loader, factories
    globex = services.tenant_create(slug="globex", name="Globex")
    services.channel_create(tenant=globex, code="web")
    assert [(r.action, r.username, r.user) for r in audit_rows()] == [
        ("tenant.create", "system", None),
        ("channel.create", "system", None),
    ]


# --- refusals and rollbacks ---------------------------------------------------------------


def test_refused_calls_write_no_row(tenant, admin_user, editor, client_for, audit_rows):  # R1a
    web = Channel.objects.get(tenant=tenant, code="web")
    omni = Channel.objects.get(tenant=tenant, is_omnichannel=True)
    with pytest.raises(PermissionDenied):
        services.channel_create(tenant=tenant, user=editor, code="shop")
    with pytest.raises(PermissionDenied):
        services.channel_update(channel=web, user=editor, name="Renamed")
    with pytest.raises(PermissionDenied):
        services.locale_delete(locale=Locale.objects.get(tenant=tenant, code="fr-fr"), user=editor)
    with pytest.raises(PermissionDenied):
        services.tenant_create(slug="initech", name="Initech", user=admin_user)  # operators only
    with pytest.raises(Conflict):
        services.channel_create(tenant=tenant, user=admin_user, code="web")
    with pytest.raises(DomainError):
        services.channel_delete(channel=omni, user=admin_user)
    with pytest.raises(Conflict):  # R30: the last admin stays
        services.membership_set(tenant=tenant, user=admin_user, role=Role.EDITOR, by=admin_user)
    with pytest.raises(PermissionDenied):
        services.membership_remove(tenant=tenant, user=admin_user, by=editor)
    category_create(tenant=tenant, channel=web, name="Kitchen")
    AuditEvent.objects.all().delete()
    with pytest.raises(Conflict):  # R22: content uses it, not confirmed
        services.channel_delete(channel=web, user=admin_user)
    refused = client_for(editor).post(f"{API}/channels/", {"code": "shop"}, format="json")

    assert refused.status_code == 403
    assert audit_rows() == []
    assert Channel.objects.filter(pk=web.pk, name="WEB").exists()


def test_a_rolled_back_transaction_leaves_no_row(tenant, admin_user, editor, audit_rows):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.channel_create(tenant=tenant, user=admin_user, code="shop")
        services.membership_set(tenant=tenant, user=editor, role=Role.PUBLISHER, by=admin_user)
        raise RuntimeError
    assert audit_rows() == []
    assert Membership.objects.get(tenant=tenant, user=editor).role == Role.EDITOR
