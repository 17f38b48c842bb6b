"""Retrying a job needs the role that may start a job of its kind (R1a, R30), at every door:
the API (403 with the reason) and the admin's action; and only failed jobs are retried."""

from __future__ import annotations

import pytest
from django.test import Client

from tenants.jobs.services import job_create
from tenants.models import Job, JobKind, JobStatus, Role
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _failed(tenant, kind, user=None, **params) -> Job:
    job = job_create(tenant=tenant, kind=kind, user=user, params=params)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, attempts=1)
    job.refresh_from_db()
    return job


def _retry(client, job):
    return client.post(f"/api/v1/tenants/acme/jobs/{job.pk}/retry/")


@pytest.mark.parametrize(
    ("kind", "role", "needed"),
    [
        (JobKind.PUBLISH, Role.VIEWER, "publisher"),
        (JobKind.PUBLISH, Role.EDITOR, "publisher"),
        (JobKind.IMPORT, Role.PUBLISHER, "admin"),
        (JobKind.COPY, Role.PUBLISHER, "admin"),
        (JobKind.SYNC, Role.PUBLISHER, "admin"),  # a kind no app registers: admins only
    ],
)
def test_a_role_below_the_kinds_start_role_is_refused_with_the_reason(
    tenant, member, client_for, kind, role, needed
):
    job = _failed(tenant, kind, source="globex")
    user = member(role, username=f"someone-{role}")

    response = _retry(client_for(user), job)

    assert response.status_code == 403
    body = response.json()
    assert body["code"] == "permission_denied"
    assert f"You need the {needed} role in tenant 'acme'" in body["detail"]
    held = {"viewer": "a viewer", "editor": "an editor", "publisher": "a publisher"}[role]
    assert f"you are {held}." in body["detail"]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and [e["event"] for e in job.history] == ["queued"]


@pytest.mark.parametrize(
    ("kind", "role"),
    [
        (JobKind.PUBLISH, Role.PUBLISHER),
        (JobKind.EXPORT, Role.VIEWER),
        (JobKind.IMPORT, Role.ADMIN),
    ],
)
def test_the_start_role_may_retry(
    tenant, member, client_for, kind, role, django_capture_on_commit_callbacks
):
    user = member(role, username=f"someone-{role}")
    job = _failed(tenant, kind, user=user)

    with django_capture_on_commit_callbacks(execute=False):  # queued, not run here
        response = _retry(client_for(user), job)

    assert response.status_code == 202
    assert response.json()["status"] == JobStatus.QUEUED
    retried = response.json()["history"][-1]
    assert retried["event"] == "retried" and retried["by"] == user.username


def test_a_copy_retry_also_needs_admin_of_its_source(tenant, other_tenant, admin_user, client_for):
    make_member(other_tenant, Role.EDITOR, "ada")  # ada only edits in the source
    copy = _failed(tenant, JobKind.COPY, user=admin_user, source="globex")
    by_operator = _failed(tenant, JobKind.COPY, source="globex", as_operator=True)

    refused = _retry(client_for(admin_user), copy)
    operator = _retry(client_for(admin_user), by_operator)

    assert refused.status_code == 403 and "retry a copy from it" in refused.json()["detail"]
    assert operator.status_code == 403 and "an operator retries it" in operator.json()["detail"]
    assert set(Job.objects.values_list("status", flat=True)) == {JobStatus.FAILED}


def test_only_a_failed_job_is_retried(tenant, publisher, client_for):
    job = job_create(tenant=tenant, kind=JobKind.PUBLISH, user=publisher)
    Job.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING)

    response = _retry(client_for(publisher), job)

    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "status"
    assert "this one is running" in response.json()["detail"]


def test_another_tenants_job_is_not_found(other_tenant, publisher, client_for):
    theirs = _failed(other_tenant, JobKind.PUBLISH)

    response = _retry(client_for(publisher), theirs)

    assert response.status_code == 404
    assert Job.objects.get(pk=theirs.pk).status == JobStatus.FAILED


def test_the_admin_retries_through_the_same_check(
    tenant, member, django_capture_on_commit_callbacks
):
    pia = member(Role.PUBLISHER, username="pia-staff")
    pia.is_staff = True
    pia.save(update_fields=["is_staff"])
    publish = _failed(tenant, JobKind.PUBLISH, user=pia)
    an_import = _failed(tenant, JobKind.IMPORT)
    client = Client()
    client.force_login(pia)

    with django_capture_on_commit_callbacks(execute=False):
        response = client.post(
            "/admin/tenants/job/",
            {"action": "retry_selected", "_selected_action": [publish.pk, an_import.pk]},
            follow=True,
        )

    texts = [str(m) for m in response.context["messages"]]
    assert any(f"Job #{an_import.pk}: You need the admin role" in t for t in texts), texts
    assert "Queued 1 job(s) again." in texts
    assert Job.objects.get(pk=publish.pk).status == JobStatus.QUEUED
    assert Job.objects.get(pk=an_import.pk).status == JobStatus.FAILED
