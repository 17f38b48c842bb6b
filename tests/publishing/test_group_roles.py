"""R30 (R1a): every publish-group service checks the publisher role itself, so the API, the
workspace page (which calls the API), the admin, `publish_media --user` and scheduled runs
(as the user who scheduled) all get the one decision, and a refusal writes nothing."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from assignments.models import AssignmentDocument
from publishing import groups
from publishing.models import PublishGroup, PublishGroupStatus
from tenants.exceptions import PermissionDenied
from tenants.jobs.services import job_retry
from tenants.models import Job, Membership, Role
from tests.factories import UserFactory
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db

LATER = timedelta(hours=2)


@pytest.fixture
def mug(tenant, editor):
    product = b.mug(tenant)
    b.checkin(tenant, product, editor, {"master": b.slots([b.image(tenant, editor, "mug")])})
    return product


@pytest.fixture
def group(tenant, mug, publisher):
    return groups.group_create(
        tenant=tenant, user=publisher, name="Drop", products=["MUG-001"], publish_dependencies=True
    )


@pytest.fixture
def scheduled(group, publisher):
    return groups.group_schedule(group=group, user=publisher, when=timezone.now() + LATER)


def _state() -> tuple:
    """Everything a publish-group service could write."""
    rows = list(
        PublishGroup.objects.order_by("pk").values(
            "pk",
            "name",
            "status",
            "scheduled_at",
            "scheduled_by",
            "publish_dependencies",
            "last_job",
        )
    )
    members = sorted(PublishGroup.products.through.objects.values_list("publishgroup", "product"))
    return rows, members, list(Job.objects.order_by("pk").values_list("pk", "status"))


SERVICES = {
    "create": lambda g, user: groups.group_create(tenant=g.tenant, user=user, name="New"),
    "update": lambda g, user: groups.group_update(group=g, user=user, name="Renamed"),
    "update products": lambda g, user: groups.group_update(group=g, user=user, products=[]),
    "add": lambda g, user: groups.group_products_add(group=g, user=user, products=["MUG-001"]),
    "remove": lambda g, user: groups.group_products_remove(
        group=g, user=user, products=["MUG-001"]
    ),
    "schedule": lambda g, user: groups.group_schedule(
        group=g, user=user, when=timezone.now() + LATER
    ),
    "publish now": lambda g, user: groups.group_publish(group=g, user=user),
    "delete": lambda g, user: groups.group_delete(group=g, user=user),
}


@pytest.mark.parametrize("service", SERVICES)
def test_an_editor_calling_any_group_service_is_refused_and_nothing_is_written(
    service, group, editor
):  # R30
    before = _state()
    with pytest.raises(PermissionDenied) as refused:
        SERVICES[service](group, editor)
    assert "publisher role" in refused.value.message and "an editor" in refused.value.message
    assert _state() == before


def test_an_editor_cannot_unschedule(scheduled, editor):  # R30
    before = _state()
    with pytest.raises(PermissionDenied):
        groups.group_unschedule(group=scheduled, user=editor)
    assert _state() == before
    assert PublishGroup.objects.get(pk=scheduled.pk).status == PublishGroupStatus.SCHEDULED


def test_a_non_member_is_refused_too(group, other_tenant, member):  # R1, R30
    outsider = member(Role.ADMIN, username="gina", in_tenant=other_tenant)
    before = _state()
    with pytest.raises(PermissionDenied) as refused:
        groups.group_delete(group=group, user=outsider)
    assert "not a member" in refused.value.message
    assert _state() == before


def test_the_publisher_may_call_every_group_service(
    tenant, group, publisher, django_capture_on_commit_callbacks
):  # R1a
    other = groups.group_create(tenant=tenant, user=publisher, name="Other")
    groups.group_update(group=other, user=publisher, name="Other 2", publish_dependencies=True)
    groups.group_products_add(group=other, user=publisher, products=["MUG-001"])
    other = groups.group_schedule(group=other, user=publisher, when=timezone.now() + LATER)
    assert other.scheduled_by == publisher
    other = groups.group_unschedule(group=other, user=publisher)
    assert other.status == PublishGroupStatus.OPEN and other.scheduled_by is None
    other = groups.group_products_remove(group=other, user=publisher, products=["MUG-001"])
    assert not other.products.exists()
    groups.group_delete(group=other, user=publisher)
    assert not PublishGroup.objects.filter(pk=other.pk).exists()

    with django_capture_on_commit_callbacks(execute=True):
        job = groups.group_publish(group=group, user=publisher)
    job.refresh_from_db()
    assert job.status == "succeeded" and job.created_by == publisher
    assert PublishGroup.objects.get(pk=group.pk).status == PublishGroupStatus.PUBLISHED


def test_a_scheduled_run_publishes_as_the_user_who_scheduled(
    tenant, group, publisher, member, django_capture_on_commit_callbacks
):  # R30
    creator_is_not_scheduler = member(Role.PUBLISHER, username="paul")
    group = groups.group_schedule(
        group=group, user=creator_is_not_scheduler, when=timezone.now() + LATER
    )
    with django_capture_on_commit_callbacks(execute=True):
        started = groups.groups_run_due(now=timezone.now() + LATER + timedelta(seconds=1))
    job = Job.objects.get(pk=started[0])
    assert job.created_by == creator_is_not_scheduler and job.status == "succeeded"


def test_a_scheduled_run_whose_scheduler_lost_the_role_fails_with_the_reason(
    tenant, scheduled, publisher, editor, django_capture_on_commit_callbacks
):  # R30: beat starts it as the scheduler, through the same check
    Membership.objects.filter(tenant=tenant, user=publisher).update(role=Role.EDITOR)
    with django_capture_on_commit_callbacks(execute=True):
        assert groups.groups_run_due(now=timezone.now() + LATER + timedelta(seconds=1)) == []
    scheduled.refresh_from_db()
    assert scheduled.status == PublishGroupStatus.FAILED
    job = scheduled.last_job
    assert job.status == "failed" and job.created_by == publisher
    assert "publisher role" in job.errors[0]
    assert not AssignmentDocument.objects.filter(tenant=tenant, published__isnull=False).exists()
    # Its retry goes through the job runner's own role check: an editor is refused.
    with pytest.raises(PermissionDenied):
        job_retry(job=job, user=editor)


def test_publish_media_group_with_an_editor_user_is_refused(tenant, group, editor):  # R30
    before = _state()
    with pytest.raises(CommandError, match="publisher role"):
        call_command("publish_media", tenant="acme", group="Drop", user="eddie")
    assert _state() == before


def _staff(user):
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    client = Client()
    client.force_login(user)
    return client


ADMIN = "/admin/publishing/publishgroup/"


def test_the_admin_refuses_an_editor(group, editor):  # R30
    client = _staff(editor)
    before = _state()
    assert client.get(ADMIN).status_code == 403
    assert client.get(f"{ADMIN}{group.pk}/delete/").status_code == 403
    assert client.post(f"{ADMIN}{group.pk}/delete/", {"post": "yes"}).status_code == 403
    response = client.post(
        ADMIN, {"action": "delete_selected", "_selected_action": [group.pk], "post": "yes"}
    )
    assert response.status_code == 403
    assert _state() == before


def test_the_admin_deletes_through_the_service(group, publisher):  # R30
    client = _staff(publisher)  # publishers see groups in the admin; deleting is operators'
    assert client.get(f"{ADMIN}{group.pk}/change/").status_code == 200
    assert client.post(f"{ADMIN}{group.pk}/delete/", {"post": "yes"}).status_code == 403

    root = _staff(UserFactory(username="root", is_superuser=True))
    PublishGroup.objects.filter(pk=group.pk).update(status=PublishGroupStatus.RUNNING)
    root.post(f"{ADMIN}{group.pk}/delete/", {"post": "yes"})
    assert PublishGroup.objects.filter(pk=group.pk).exists()  # the service's refusal
    PublishGroup.objects.filter(pk=group.pk).update(status=PublishGroupStatus.OPEN)
    assert root.post(f"{ADMIN}{group.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not PublishGroup.objects.filter(pk=group.pk).exists()


def test_a_scheduled_run_whose_scheduler_was_deleted_fails_with_the_reason(
    tenant, scheduled, publisher, django_capture_on_commit_callbacks
):  # R30: never an unchecked system run
    assert scheduled.scheduled_by_name == publisher.username
    publisher.delete()
    with django_capture_on_commit_callbacks(execute=True):
        assert groups.groups_run_due(now=timezone.now() + LATER + timedelta(seconds=1)) == []
    scheduled.refresh_from_db()
    assert scheduled.status == PublishGroupStatus.FAILED
    assert "no longer exists" in scheduled.last_job.errors[0]
    assert not AssignmentDocument.objects.filter(tenant=tenant, published__isnull=False).exists()


def test_a_group_scheduled_by_an_operator_command_still_runs(
    tenant, group, django_capture_on_commit_callbacks
):  # a system action (manage.py without --user) has no user and no name
    group = groups.group_schedule(group=group, user=None, when=timezone.now() + LATER)
    assert group.scheduled_by_name == ""
    with django_capture_on_commit_callbacks(execute=True):
        started = groups.groups_run_due(now=timezone.now() + LATER + timedelta(seconds=1))
    assert Job.objects.get(pk=started[0]).status == "succeeded"
