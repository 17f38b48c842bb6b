"""R1, R1a, R30 in the Django admin: every registered model admin, tried by each role of
tenant acme with globex's ids, refuses and changes nothing.

The admins are read from `admin.site._registry`, so a newly registered admin is covered
without touching this file; it only needs a globex row of its model in `globex_rows`
(`test_every_registered_admin_has_a_foreign_row` names a missing one).
"""

from __future__ import annotations

import pytest
from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from rest_framework.authtoken.models import Token, TokenProxy

from assignments.models import (
    AssignmentDocument,
    CategoryMedia,
    ContentSet,
    DocumentEvent,
    DocumentVersion,
)
from catalog.services import category_create, product_create
from media_library.models import MediaItem, MediaTag
from media_library.services import renditions_ensure
from publishing.groups import group_create
from tenants.admin_base import OwnTokenAdminMixin, SuperuserOnlyAdminMixin, TenantScopedAdmin
from tenants.jobs.scheduler import scheduler_seen
from tenants.jobs.services import job_create
from tenants.models import Channel, Locale, Membership, Role, SchedulerBeat, Tenant
from tests.factories import make_member
from tests.publishing import builders as b
from tests.webhooks.helpers import webhook_with_delivery

pytestmark = pytest.mark.django_db

ROLES = [Role.VIEWER, Role.EDITOR, Role.PUBLISHER, Role.ADMIN]
FOREIGN_WORDS = ("globex",)  # in the other tenant's slug, names and its member's username


def _registered():
    return sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)


def _url(model, view: str, *args) -> str:
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _snapshot() -> dict:
    """Every row of every model with an admin, plus memberships and tokens."""
    models = {model for model, _ in _registered()} | {Membership, Token}
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in models
        if not model._meta.proxy
    }


@pytest.fixture
def globex_rows(other_tenant):
    """One globex row for every kind of row the admin shows."""
    gina = make_member(other_tenant, Role.ADMIN, "globex-gina")
    shirt = product_create(
        tenant=other_tenant,
        number="G-SHIRT",
        name="Globex shirt",
        kind="master",
        dimensions={"color": ["Blue"]},
        variants=[{"number": "G-SHIRT-BLUE", "values": {"color": "Blue"}}],
    )
    image = b.image(other_tenant, gina, "globex-photo")
    renditions_ensure(item=image)
    MediaTag.objects.create(tenant=other_tenant, name="globex-tag")
    web = Channel.objects.get(tenant=other_tenant, code="web")
    Channel.objects.create(tenant=other_tenant, code="globex-partner", name="Globex partner")
    category = category_create(tenant=other_tenant, channel=web, name="Globex shirts")
    # Documents with the ORM: this suite is about the admin, not the editing flow.
    omni = Channel.objects.get(tenant=other_tenant, code="omnichannel")
    neutral = Locale.objects.get(tenant=other_tenant, code="neutral")
    document = AssignmentDocument.objects.create(
        tenant=other_tenant, product=shirt, channel=omni, locale=neutral
    )
    content_set = ContentSet.objects.create(tenant=other_tenant, document=document, created_by=gina)
    document.draft = content_set
    document.version = 1
    document.save()
    DocumentVersion.objects.create(
        tenant=other_tenant, document=document, number=1, content=content_set, created_by=gina
    )
    DocumentEvent.objects.create(
        tenant=other_tenant, document=document, action="checkin", user=gina, version=1
    )
    CategoryMedia.objects.create(tenant=other_tenant, category=category, draft_media=image)
    job_create(tenant=other_tenant, kind="import", user=gina, description="Globex import")
    group_create(tenant=other_tenant, user=gina, name="Globex launch", products=["G-SHIRT"])
    scheduler_seen(holder="globex-beat")  # operators' row: no tenant sees it
    Token.objects.create(user=gina)
    Group.objects.create(name="globex-ops")
    webhook_with_delivery(other_tenant)
    return {"gina": gina, "tenant": other_tenant}


@pytest.fixture
def acme_rows(tenant, globex_rows):
    """acme's own rows, so its lists are not empty (the refusals are not vacuous)."""
    owner = make_member(tenant, Role.ADMIN, "owner")
    product_create(tenant=tenant, number="A-MUG", name="Acme mug", kind="simple")
    b.image(tenant, owner, "acme-photo")
    return owner


def _foreign_row(model, rows):
    """globex's row of `model` (a tenant-owned model), or the account-level equivalent."""
    gina, globex = rows["gina"], rows["tenant"]
    if model is Tenant:
        return globex
    if model is get_user_model():
        return gina
    if model is Group:
        return Group.objects.get(name="globex-ops")
    if model is TokenProxy:
        return TokenProxy.objects.get(user=gina)
    if model is SchedulerBeat:
        return SchedulerBeat.objects.get()
    return model._default_manager.filter(tenant=globex).order_by("pk").first()


def _object_id(model, obj) -> int:
    return obj.user_id if model is TokenProxy else obj.pk  # DRF's token admin keys on the user


@pytest.fixture
def staff_of_acme(tenant, acme_rows):
    """staff_of_acme(role) -> a client of a staff user with that role in acme, holding every
    Django model permission (so the role is what decides, not Django's permissions)."""
    every_permission = list(Permission.objects.all())

    def _make(role):
        user = make_member(tenant, role, f"acme-{role}")
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        user.user_permissions.set(every_permission)
        client = Client()
        client.force_login(user)
        return client

    return _make


def test_every_registered_admin_uses_the_one_permission_model():
    # R30: the role decides everywhere; an admin outside these bases would fall back on
    # Django's per-model permissions, which know nothing of tenants.
    for model, model_admin in _registered():
        assert isinstance(
            model_admin, TenantScopedAdmin | OwnTokenAdminMixin | SuperuserOnlyAdminMixin
        ), f"{model._meta.label}'s admin must derive from TenantScopedAdmin"


def test_every_registered_admin_has_a_foreign_row(globex_rows):
    for model, _ in _registered():
        assert _foreign_row(model, globex_rows) is not None, (
            f"add a globex {model._meta.label} to globex_rows: its admin is not tried otherwise"
        )


def _refused(response) -> bool:
    """403, 404 or a redirect (the admin's 'does not exist' and login redirects)."""
    return response.status_code in (302, 403, 404)


def _no_foreign_words(response, where: str) -> None:
    text = response.content.decode().lower()
    for word in FOREIGN_WORDS:
        assert word not in text, f"{where} shows '{word}'"


@pytest.mark.parametrize("role", ROLES)
def test_another_tenants_rows_are_refused_in_every_admin(role, staff_of_acme, globex_rows):
    client = staff_of_acme(role)
    before = _snapshot()
    for model, _ in _registered():
        foreign = _foreign_row(model, globex_rows)
        object_id = _object_id(model, foreign)
        label = f"{role} on {model._meta.label}"

        listing = client.get(_url(model, "changelist"))
        assert listing.status_code in (200, 403), label
        if listing.status_code == 200:
            shown = {row.pk for row in listing.context["cl"].result_list}
            assert foreign.pk not in shown, f"{label}: the changelist shows globex's row"
            _no_foreign_words(listing, f"{label} changelist")
            searched = client.get(_url(model, "changelist"), {"q": "globex"})
            assert foreign.pk not in {row.pk for row in searched.context["cl"].result_list}

        for view in ("change", "delete", "history"):
            response = client.get(_url(model, view, object_id))
            assert _refused(response), f"{label}: GET {view} -> {response.status_code}"
        for view, body in (
            ("change", {"name": "pwned", "role": "admin", "title": "pwned", "code": "pwned"}),
            ("delete", {"post": "yes"}),
        ):
            response = client.post(_url(model, view, object_id), body)
            assert _refused(response), f"{label}: POST {view} -> {response.status_code}"

        if listing.status_code == 200:
            client.post(
                _url(model, "changelist"),
                {"action": "delete_selected", "_selected_action": [foreign.pk], "post": "yes"},
            )
        client.post(
            _url(model, "add"),
            {
                "tenant": globex_rows["tenant"].pk,
                "user": globex_rows["gina"].pk,
                "role": "admin",
                "code": "pwned",
                "name": "pwned",
                "number": "PWNED",
                "kind": "simple",
            },
        )
    assert _snapshot() == before


@pytest.mark.parametrize("role", ROLES)
def test_add_forms_offer_nothing_of_another_tenant(role, staff_of_acme, globex_rows):
    client = staff_of_acme(role)
    globex = globex_rows["tenant"]
    for model, _ in _registered():
        response = client.get(_url(model, "add"))
        label = f"{role} adding {model._meta.label}"
        if response.status_code != 200:
            assert _refused(response), label
            continue
        for name, field in response.context["adminform"].form.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            for choice in field.queryset:
                owner = choice.pk if isinstance(choice, Tenant) else getattr(choice, "tenant_id", 0)
                assert owner != globex.pk, f"{label}: field {name} offers {choice!r}"
                if isinstance(choice, get_user_model()):
                    assert choice != globex_rows["gina"], f"{label}: field {name} offers gina"


@pytest.mark.parametrize("role", ROLES)
def test_list_filters_name_no_other_tenant(role, staff_of_acme, globex_rows):
    client = staff_of_acme(role)
    for model, _ in _registered():
        listing = client.get(_url(model, "changelist"))
        if listing.status_code != 200:
            continue
        for spec in listing.context["cl"].filter_specs:
            for choice in spec.choices(listing.context["cl"]):
                text = str(choice.get("display", "")).lower()
                assert all(word not in text for word in FOREIGN_WORDS), (
                    f"{role} on {model._meta.label}: filter '{spec.title}' offers '{text}'"
                )
                assert "globex-partner" not in text


def test_viewers_see_nothing_in_the_admin_but_their_own_token(staff_of_acme, globex_rows):
    client = staff_of_acme(Role.VIEWER)
    for model, _ in _registered():
        if model is TokenProxy:
            continue  # their own token only: test_admin_roles.py
        assert client.get(_url(model, "changelist")).status_code == 403, model._meta.label
        assert client.get(_url(model, "add")).status_code == 403, model._meta.label


def test_superusers_still_see_every_tenant(tenant, acme_rows, globex_rows):
    root = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client = Client()
    client.force_login(root)
    for model, _ in _registered():
        listing = client.get(_url(model, "changelist"))
        assert listing.status_code == 200, model._meta.label
        shown = {row.pk for row in listing.context["cl"].result_list}
        assert _foreign_row(model, globex_rows).pk in shown, model._meta.label


def test_admin_manifest_import_refuses_another_tenant(staff_of_acme, globex_rows):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tenants.models import Job

    client = staff_of_acme(Role.ADMIN)
    before = Job.objects.count()
    response = client.post(
        "/admin/manifests/import/",
        {
            "tenant": globex_rows["tenant"].pk,
            "manifest": SimpleUploadedFile("m.tsv", b"kind\n"),
            "on_error": "abort",
        },
    )
    assert response.status_code == 200 and "tenant" in response.context["form"].errors
    assert Job.objects.count() == before


def test_a_foreign_media_file_is_not_reachable_from_the_media_admin(staff_of_acme, globex_rows):
    # The media change page embeds previews; globex's item must not be one of them.
    client = staff_of_acme(Role.EDITOR)
    item = MediaItem.objects.get(tenant=globex_rows["tenant"])
    response = client.get(_url(MediaItem, "change", item.pk))
    assert _refused(response)
    listing = client.get(_url(MediaItem, "changelist"))
    assert str(item.public_id) not in listing.content.decode()
