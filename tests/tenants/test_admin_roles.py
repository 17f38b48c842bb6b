"""R1a, R30 in the admin: one permission model with the API, writes through the services,
a tenant always keeps an admin; API tokens are their owner's; the members API and job
retries follow the same roles."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.test import Client
from rest_framework.authtoken.models import Token

from assignments.models import Purpose
from tenants import services
from tenants.exceptions import Conflict, PermissionDenied
from tenants.jobs.services import job_create
from tenants.models import Channel, Job, Locale, Membership, Role
from tests.factories import UserFactory, make_member

pytestmark = pytest.mark.django_db


def _staff_client(user) -> Client:
    """A staff login holding every Django model permission: only the role may decide."""
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.user_permissions.set(Permission.objects.all())
    client = Client()
    client.force_login(user)
    return client


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def _memberships() -> list[tuple]:
    return sorted(Membership.objects.values_list("tenant_id", "user_id", "role"))


def _contexts() -> tuple:
    return (
        sorted(Channel.objects.values_list("tenant_id", "code", "name")),
        sorted(Locale.objects.values_list("tenant_id", "code", "name")),
        sorted(Purpose.objects.values_list("tenant_id", "code", "name")),
    )


# --- 1. API tokens --------------------------------------------------------------------------


def test_token_admin_shows_and_offers_only_ones_own_token(tenant, other_tenant, editor):
    # Given tokens of a colleague and of another tenant's user
    colleague = make_member(tenant, Role.ADMIN, "colleague")
    stranger = make_member(other_tenant, Role.ADMIN, "stranger")
    mine = Token.objects.create(user=editor)
    Token.objects.create(user=colleague)
    theirs = Token.objects.create(user=stranger)
    client = _staff_client(editor)

    listing = client.get("/admin/authtoken/tokenproxy/")
    adding = client.get("/admin/authtoken/tokenproxy/add/")
    foreign_page = client.get(f"/admin/authtoken/tokenproxy/{stranger.pk}/change/")
    client.post(f"/admin/authtoken/tokenproxy/{stranger.pk}/delete/", {"post": "yes"})

    assert [t.key for t in listing.context["cl"].result_list] == [mine.key]
    assert theirs.key not in listing.content.decode()
    assert list(adding.context["adminform"].form.fields["user"].queryset) == [editor]
    assert foreign_page.status_code == 302
    assert Token.objects.filter(key=theirs.key).exists()


def test_token_admin_refuses_a_token_for_someone_else_and_deletes_ones_own(tenant, editor):
    colleague = make_member(tenant, Role.ADMIN, "colleague")
    client = _staff_client(editor)

    refused = client.post("/admin/authtoken/tokenproxy/add/", {"user": colleague.pk})
    created = client.post("/admin/authtoken/tokenproxy/add/", {"user": editor.pk})
    deleted = client.post(f"/admin/authtoken/tokenproxy/{editor.pk}/delete/", {"post": "yes"})

    assert refused.status_code == 200 and "user" in refused.context["adminform"].form.errors
    assert created.status_code == 302 and deleted.status_code == 302
    assert not Token.objects.exists()


def test_superusers_see_every_token(tenant, other_tenant, editor):
    stranger = make_member(other_tenant, Role.ADMIN, "stranger")
    Token.objects.create(user=editor)
    Token.objects.create(user=stranger)
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    listing = client.get("/admin/authtoken/tokenproxy/")

    assert listing.context["cl"].result_count == 2


def test_staff_cannot_edit_accounts(tenant, admin_user):
    # Accounts span tenants: a tenant admin must not edit another tenant's user, nor make
    # themself a superuser, whatever Django permissions they were given.
    client = _staff_client(admin_user)

    page = client.get(f"/admin/auth/user/{admin_user.pk}/change/")
    client.post(f"/admin/auth/user/{admin_user.pk}/change/", {"is_superuser": "on"})

    assert page.status_code == 403
    admin_user.refresh_from_db()
    assert not admin_user.is_superuser


# --- 2. one permission model ----------------------------------------------------------------


def test_a_staff_editor_cannot_promote_themself(tenant, editor):
    client = _staff_client(editor)
    own = Membership.objects.get(tenant=tenant, user=editor)
    before = _memberships()

    listing = client.get("/admin/tenants/membership/")
    page = client.get(f"/admin/tenants/membership/{own.pk}/change/")
    posted = client.post(f"/admin/tenants/membership/{own.pk}/change/", {"role": "admin"})
    added = client.post(
        "/admin/tenants/membership/add/", {"tenant": tenant.pk, "user": editor.pk, "role": "admin"}
    )

    assert (listing.status_code, page.status_code, posted.status_code) == (403, 403, 403)
    assert added.status_code == 403
    assert _memberships() == before


@pytest.mark.parametrize("role", [Role.EDITOR, Role.PUBLISHER])
def test_below_admin_cannot_manage_channels_locales_purposes(tenant, member, role):
    client = _staff_client(member(role, username="staffer"))
    omni = Channel.objects.get(tenant=tenant, code="omnichannel")
    pos = Channel.objects.get(tenant=tenant, code="pos")
    before = _contexts()

    answers = [
        client.post("/admin/tenants/channel/add/", {"tenant": tenant.pk, "code": "x", "name": "X"}),
        client.post("/admin/tenants/locale/add/", {"tenant": tenant.pk, "code": "it-it"}),
        client.post("/admin/assignments/purpose/add/", {"tenant": tenant.pk, "code": "x"}),
        client.post(f"/admin/tenants/channel/{omni.pk}/delete/", {"post": "yes"}),
        client.post(f"/admin/tenants/channel/{pos.pk}/change/", {"name": "Renamed"}),
        client.post(
            "/admin/tenants/channel/",
            {"action": "delete_selected", "_selected_action": [pos.pk], "post": "yes"},
        ),
    ]

    assert [a.status_code for a in answers[:5]] == [403] * 5
    assert _contexts() == before
    # They still see their tenant's channels (read-only), as the API lets members read them.
    assert client.get("/admin/tenants/channel/").status_code == 200
    page = client.get(f"/admin/tenants/channel/{pos.pk}/change/")
    assert page.status_code == 200 and not page.context["has_change_permission"]


def test_what_each_role_may_do_in_the_admin(tenant, member):
    # R1a: editors and publishers work on media and the catalog, admins also on members,
    # channels, locales and purposes; viewers have nothing to do in the admin.
    pages = {
        "product": "/admin/catalog/product/add/",
        "media": "/admin/media_library/mediaitem/add/",
        "purpose": "/admin/assignments/purpose/add/",
        "channel": "/admin/tenants/channel/add/",
        "membership": "/admin/tenants/membership/add/",
        "documents": "/admin/assignments/assignmentdocument/",
    }
    expected = {
        Role.VIEWER: {"product": 403, "media": 403, "purpose": 403, "channel": 403},
        Role.EDITOR: {"product": 200, "media": 200, "purpose": 403, "channel": 403},
        Role.PUBLISHER: {"product": 200, "media": 200, "purpose": 403, "channel": 403},
        Role.ADMIN: {"product": 200, "media": 200, "purpose": 200, "channel": 200},
    }
    for role, answers in expected.items():
        client = _staff_client(member(role, username=f"staff-{role}"))
        got = {name: client.get(pages[name]).status_code for name in answers}
        membership = client.get(pages["membership"]).status_code
        documents = client.get(pages["documents"]).status_code
        assert got == answers, role
        assert membership == (200 if role == Role.ADMIN else 403), role
        assert documents == (403 if role == Role.VIEWER else 200), role


def test_rights_are_per_tenant_not_per_user(tenant, other_tenant, member):
    # Admin of acme, editor of globex: globex's channels are read-only for them.
    user = member(Role.ADMIN, username="split")
    Membership.objects.create(tenant=other_tenant, user=user, role=Role.EDITOR)
    client = _staff_client(user)
    their_pos = Channel.objects.get(tenant=other_tenant, code="pos")
    my_pos = Channel.objects.get(tenant=tenant, code="pos")

    page = client.get(f"/admin/tenants/channel/{their_pos.pk}/change/")
    rename = client.post(f"/admin/tenants/channel/{their_pos.pk}/change/", {"name": "Renamed"})
    bulk = client.post(
        "/admin/tenants/channel/",
        {"action": "delete_selected", "_selected_action": [their_pos.pk, my_pos.pk], "post": "yes"},
        follow=True,
    )
    adding = client.get("/admin/tenants/channel/add/")

    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert rename.status_code == 403
    assert Channel.objects.filter(pk=their_pos.pk, name="POS").exists()
    assert not Channel.objects.filter(pk=my_pos.pk).exists()
    assert any("skipped" in m for m in _messages(bulk))
    assert list(adding.context["adminform"].form.fields["tenant"].queryset) == [tenant]


# --- writes through the services ----------------------------------------------------------


def test_admin_channel_and_locale_writes_go_through_the_services(tenant, admin_user):
    client = _staff_client(admin_user)

    added = client.post(
        "/admin/tenants/channel/add/", {"tenant": tenant.pk, "code": "Shop", "name": "Shop"}
    )
    refused = client.post(
        "/admin/tenants/channel/add/", {"tenant": tenant.pk, "code": "a_b", "name": "Bad"}
    )
    locale = client.post(
        "/admin/tenants/locale/add/", {"tenant": tenant.pk, "code": "it-IT", "name": "Italian"}
    )

    assert added.status_code == 302
    assert Channel.objects.filter(tenant=tenant, code="shop").exists()  # normalised by the service
    assert refused.status_code == 200 and refused.context["adminform"].form.errors
    assert not Channel.objects.filter(tenant=tenant, name="Bad").exists()
    assert locale.status_code == 302
    assert Locale.objects.get(tenant=tenant, code="it-it").language == "it"


def test_admin_purpose_is_created_by_purpose_create(tenant, admin_user):
    client = _staff_client(admin_user)

    response = client.post(
        "/admin/assignments/purpose/add/", {"tenant": tenant.pk, "code": "Fitting", "name": "Fit"}
    )

    assert response.status_code == 302
    purpose = Purpose.objects.get(tenant=tenant, code="fitting")
    assert purpose.position == Purpose.objects.filter(tenant=tenant).count() - 1  # goes last


def test_pseudo_channel_and_locale_are_never_deleted_in_the_admin(tenant, admin_user):
    client = _staff_client(admin_user)
    omni = Channel.objects.get(tenant=tenant, code="omnichannel")
    neutral = Locale.objects.get(tenant=tenant, code="neutral")
    pos = Channel.objects.get(tenant=tenant, code="pos")

    single = client.post(f"/admin/tenants/channel/{omni.pk}/delete/", {"post": "yes"}, follow=True)
    locale = client.post(f"/admin/tenants/locale/{neutral.pk}/delete/", {"post": "yes"})
    bulk = client.post(
        "/admin/tenants/channel/",
        {"action": "delete_selected", "_selected_action": [omni.pk, pos.pk], "post": "yes"},
        follow=True,
    )

    assert Channel.objects.filter(pk=omni.pk).exists() and Locale.objects.filter(pk=neutral.pk)
    assert any("cannot be deleted" in m for m in _messages(single))
    assert not any("successfully" in m.lower() for m in _messages(single))
    assert locale.status_code == 302 and Locale.objects.filter(pk=neutral.pk).exists()
    assert not Channel.objects.filter(pk=pos.pk).exists()  # the rest of the selection goes
    assert any("cannot be deleted" in m for m in _messages(bulk))
    # A refused delete leaves no "deleted" line in the admin log.
    assert not LogEntry.objects.filter(object_id=str(omni.pk), action_flag=3).exists()


# --- 3. a tenant always keeps an admin -----------------------------------------------------


def test_the_last_admin_cannot_be_demoted_or_removed(tenant, admin_user, editor):
    with pytest.raises(Conflict, match="last admin"):
        services.membership_set(tenant=tenant, user=admin_user, role=Role.EDITOR)
    with pytest.raises(Conflict, match="last admin"):
        services.membership_remove(tenant=tenant, user=admin_user)
    assert Membership.objects.get(tenant=tenant, user=admin_user).role == Role.ADMIN

    services.membership_set(tenant=tenant, user=editor, role=Role.ADMIN)
    services.membership_set(tenant=tenant, user=admin_user, role=Role.VIEWER)
    with pytest.raises(Conflict):
        services.membership_remove(tenant=tenant, user=editor)
    assert Membership.objects.get(tenant=tenant, user=admin_user).role == Role.VIEWER


def test_membership_services_check_the_acting_user(tenant, admin_user, editor, viewer):
    with pytest.raises(PermissionDenied):
        services.membership_set(tenant=tenant, user=editor, role=Role.ADMIN, by=editor)
    with pytest.raises(PermissionDenied):
        services.membership_remove(tenant=tenant, user=viewer, by=editor)

    services.membership_set(tenant=tenant, user=viewer, role=Role.PUBLISHER, by=admin_user)
    assert Membership.objects.get(tenant=tenant, user=viewer).role == Role.PUBLISHER


def test_admin_membership_pages_go_through_the_services(tenant, admin_user, editor):
    client = _staff_client(admin_user)
    own = Membership.objects.get(tenant=tenant, user=admin_user)
    theirs = Membership.objects.get(tenant=tenant, user=editor)

    demote_self = client.post(f"/admin/tenants/membership/{own.pk}/change/", {"role": "viewer"})
    remove_self = client.post(
        f"/admin/tenants/membership/{own.pk}/delete/", {"post": "yes"}, follow=True
    )
    promote = client.post(f"/admin/tenants/membership/{theirs.pk}/change/", {"role": "publisher"})

    assert demote_self.status_code == 200
    assert "last admin" in str(demote_self.context["adminform"].form.errors)
    assert any("last admin" in m for m in _messages(remove_self))
    assert Membership.objects.get(pk=own.pk).role == Role.ADMIN
    assert promote.status_code == 302
    assert Membership.objects.get(pk=theirs.pk).role == Role.PUBLISHER


def test_membership_add_offers_only_people_of_ones_tenants(tenant, other_tenant, admin_user):
    # ada administers acme and globex; a user in neither is not offered, nor accepted.
    Membership.objects.create(tenant=other_tenant, user=admin_user, role=Role.ADMIN)
    colleague = make_member(other_tenant, Role.EDITOR, "colleague")
    outsider = UserFactory(username="outsider")
    client = _staff_client(admin_user)

    page = client.get("/admin/tenants/membership/add/")
    refused = client.post(
        "/admin/tenants/membership/add/",
        {"tenant": tenant.pk, "user": outsider.pk, "role": "viewer"},
    )
    added = client.post(
        "/admin/tenants/membership/add/",
        {"tenant": tenant.pk, "user": colleague.pk, "role": "viewer"},
    )

    offered = set(page.context["adminform"].form.fields["user"].queryset)
    assert colleague in offered and outsider not in offered
    assert refused.status_code == 200 and "user" in refused.context["adminform"].form.errors
    assert added.status_code == 302
    assert Membership.objects.get(tenant=tenant, user=colleague).role == Role.VIEWER
    assert not Membership.objects.filter(user=outsider).exists()


# --- 4. the members API and job retries -----------------------------------------------------


def test_members_api_does_not_reveal_which_accounts_exist(
    tenant, other_tenant, admin_user, client_for
):
    make_member(other_tenant, Role.EDITOR, "elsewhere")  # exists, in a tenant ada is not in
    client = client_for(admin_user)

    def answer(username: str):
        response = client.post(
            "/api/v1/tenants/acme/members/", {"username": username, "role": "viewer"}, format="json"
        )
        body = response.json()
        return response.status_code, body["code"], body["detail"].replace(username, "?")

    def removal(username: str):
        response = client.delete(f"/api/v1/tenants/acme/members/{username}/")
        return response.status_code, response.json()["detail"].replace(username, "?")

    assert answer("elsewhere") == answer("nobody-at-all")
    assert answer("elsewhere")[0] == 400
    assert removal("elsewhere") == removal("nobody-at-all")
    assert not Membership.objects.filter(tenant=tenant, user__username="elsewhere").exists()


def test_members_api_adds_people_of_a_tenant_the_admin_administers(
    tenant, other_tenant, admin_user, client_for
):
    Membership.objects.create(tenant=other_tenant, user=admin_user, role=Role.ADMIN)
    make_member(other_tenant, Role.EDITOR, "colleague")

    response = client_for(admin_user).post(
        "/api/v1/tenants/acme/members/", {"username": "colleague", "role": "editor"}, format="json"
    )

    assert response.status_code == 201 and response.json()["username"] == "colleague"


def test_members_api_keeps_the_last_admin(tenant, admin_user, client_for):
    client = client_for(admin_user)

    demote = client.post(
        "/api/v1/tenants/acme/members/", {"username": "ada", "role": "viewer"}, format="json"
    )
    remove = client.delete("/api/v1/tenants/acme/members/ada/")

    assert (demote.status_code, remove.status_code) == (409, 409)
    assert Membership.objects.get(tenant=tenant, user=admin_user).role == Role.ADMIN


def _failed_job(tenant, kind: str, user, **params) -> Job:
    job = job_create(tenant=tenant, kind=kind, user=user, params=params)
    Job.objects.filter(pk=job.pk).update(status="failed")
    return job


@pytest.mark.parametrize(
    ("kind", "publisher_may"),
    # An export is started by any member (a read, R1a), an import by admins only, a kind no
    # app registers (sync) by admins only.
    [("import", False), ("export", True), ("sync", False), ("publish", True)],
)
def test_retrying_a_job_needs_the_role_that_starts_it(
    tenant, admin_user, publisher, client_for, kind, publisher_may
):
    job = _failed_job(tenant, kind, admin_user)

    response = client_for(publisher).post(f"/api/v1/tenants/acme/jobs/{job.pk}/retry/")

    assert response.status_code == (202 if publisher_may else 403)
    assert Job.objects.get(pk=job.pk).status == ("queued" if publisher_may else "failed")


def test_an_admin_retries_an_import(tenant, admin_user, client_for):
    job = _failed_job(tenant, "import", admin_user)

    response = client_for(admin_user).post(f"/api/v1/tenants/acme/jobs/{job.pk}/retry/")

    assert response.status_code == 202


def test_retrying_a_copy_needs_admin_of_its_source(tenant, other_tenant, admin_user, client_for):
    make_member(other_tenant, Role.EDITOR, "ada")  # ada only edits in the source
    copy = _failed_job(tenant, "copy", admin_user, source="globex")
    by_operator = _failed_job(tenant, "copy", None, source="globex", as_operator=True)

    refused = client_for(admin_user).post(f"/api/v1/tenants/acme/jobs/{copy.pk}/retry/")
    operator = client_for(admin_user).post(f"/api/v1/tenants/acme/jobs/{by_operator.pk}/retry/")

    assert (refused.status_code, operator.status_code) == (403, 403)
    assert set(Job.objects.values_list("status", flat=True)) == {"failed"}
