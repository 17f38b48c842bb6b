"""Issue 15: the publish groups page: login and tenant scoping as every workspace page; the
create form only for publishers; the scheduler warning shown when no scheduler runs."""

import pytest
from django.test import Client
from django.urls import reverse

from tenants.models import Role

pytestmark = pytest.mark.django_db

PATH = "/workspace/acme/publish-groups/"


def browser(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_the_page_needs_a_login(tenant):
    response = browser().get(PATH)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_another_tenants_page_is_404(tenant, other_tenant, member):
    stranger = member(Role.ADMIN, username="otto", in_tenant=other_tenant)
    assert browser(stranger).get(PATH).status_code == 404


def test_publishers_get_the_create_form_and_editors_do_not(tenant, editor, publisher):
    # R1a: editors read groups; creating and publishing them is the publisher's.
    mine = browser(publisher).get(PATH).content.decode()
    theirs = browser(editor).get(PATH).content.decode()
    assert 'id="group-create"' in mine and 'id="group-create"' not in theirs
    assert "needs the publisher role" in theirs
    assert 'aria-current="page">Publish groups' in mine


def test_no_scheduler_is_said_on_the_page(tenant, publisher):
    html = browser(publisher).get(PATH).content.decode()
    assert "No scheduler (Celery beat) has been seen" in html
