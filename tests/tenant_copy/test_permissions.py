"""R1, R1a, R19: only an admin of both tenants copies; a source the user cannot see answers
like a missing one; bad bodies answer 400 naming the field. Nothing is queued or written."""

import pytest
from django.core.management.base import CommandError

from tenants.models import Job, Membership, Role
from tenants.tasks import job_run
from tests.factories import make_member
from tests.tenant_copy.conftest import snapshot

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/globex/jobs/"


def _post(client_for, user, body):
    return client_for(user).post(URL, {"kind": "copy", **body}, format="json")


def test_a_source_the_user_does_not_belong_to_answers_404(  # R1, R19
    other_tenant, source, client_for
):
    outsider = make_member(other_tenant, Role.ADMIN, "outsider")  # admin of globex only

    for slug in ("acme", "no-such-tenant"):
        response = _post(client_for, outsider, {"source": slug})
        assert response.status_code == 404
        assert response.json()["errors"][0]["field"] == "source"
        assert response.json()["detail"] == f"Source tenant '{slug}' not found."
    assert not Job.objects.exists()


def test_a_member_below_admin_of_the_source_is_refused_with_403(  # R1a, R19
    tenant, other_tenant, source, client_for
):
    user = make_member(other_tenant, Role.ADMIN, "half")
    make_member(tenant, Role.PUBLISHER, "half")

    response = _post(client_for, user, {"source": "acme"})

    assert response.status_code == 403
    assert "admin role in the source tenant 'acme'" in response.json()["detail"]
    assert "you are a publisher" in response.json()["detail"]
    assert not Job.objects.exists()


def test_a_destination_member_below_admin_is_refused_with_403(  # R1a, R19
    tenant, other_tenant, source, client_for
):
    user = make_member(other_tenant, Role.PUBLISHER, "pub")
    make_member(tenant, Role.ADMIN, "pub")

    response = _post(client_for, user, {"source": "acme"})

    assert response.status_code == 403
    assert "admin role in tenant 'globex'" in response.json()["detail"]
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "source"),
        ({"source": "acme", "conflict": "sometimes"}, "conflict"),
        ({"source": "acme", "versions": "all"}, "versions"),
        ({"source": "acme", "channel_map": ["web"]}, "channel_map"),
        ({"source": "acme", "drop_locales": "de-de"}, "drop_locales"),
        ({"source": "acme", "dry_run": "yes"}, "dry_run"),
        ({"source": "acme", "colour": "blue"}, "colour"),
        ({"source": "acme", "channel_map": {"web": "nowhere"}}, "channel_map"),
        ({"source": "globex"}, "source"),
    ],
)
def test_bad_bodies_answer_400_naming_the_field(  # R19
    source, root, client_for, body, field
):
    response = _post(client_for, root, body)

    assert response.status_code == 400, response.content
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Job.objects.exists()


def test_the_command_refuses_a_user_without_rights_on_the_source(  # R1a, R19
    tenant, other_tenant, source, copy_command
):
    make_member(other_tenant, Role.ADMIN, "globex-only")
    make_member(tenant, Role.EDITOR, "acme-editor")
    make_member(other_tenant, Role.ADMIN, "acme-editor")
    before = snapshot(other_tenant)

    with pytest.raises(CommandError, match="Source tenant 'acme' not found"):
        copy_command("--user", "globex-only")
    with pytest.raises(CommandError, match="admin role in the source tenant 'acme'"):
        copy_command("--user", "acme-editor")
    with pytest.raises(CommandError, match="Unknown user 'nobody'"):
        copy_command("--user", "nobody")

    assert snapshot(other_tenant) == before
    assert not Job.objects.exists()


def test_rights_are_checked_again_when_the_queued_job_runs(  # R1a, R19
    tenant, other_tenant, source, root, client_for
):
    response = _post(client_for, root, {"source": "acme"})  # queued; not run (no commit)
    assert response.status_code == 202
    Membership.objects.filter(tenant=tenant, user=root).update(role=Role.VIEWER)
    before = snapshot(other_tenant)

    job_run(response.json()["id"])

    job = Job.objects.get()
    assert job.status == "failed"
    assert "admin role in the source tenant 'acme'" in job.errors[-1]
    assert snapshot(other_tenant) == before
