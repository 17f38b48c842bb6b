"""R16: publish groups of up to 2,000 products: validated, scheduled, published as one job."""

from datetime import timedelta

import pytest
from django.utils import timezone

from publishing.groups import group_create, groups_run_due
from publishing.models import PublishGroup
from tenants.models import Job
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db

BASE = "/api/v1/tenants/acme/publish-groups"


@pytest.fixture
def two_products(tenant, editor):
    mug, shirt = b.mug(tenant), b.shirt(tenant)
    b.checkin(tenant, mug, editor, {"master": b.slots([b.image(tenant, editor, "mug")])})
    b.checkin(tenant, shirt, editor, {"master": b.slots([b.image(tenant, editor, "shirt")])})
    return mug, shirt


def test_create_validate_and_publish_a_group(
    two_products, client_for, publisher, shop, django_capture_on_commit_callbacks
):
    client = client_for(publisher)
    response = client.post(
        f"{BASE}/", {"name": "Spring drop", "products": ["MUG-001", "SHIRT-001"]}, format="json"
    )
    assert response.status_code == 201, response.json()
    group = response.json()
    assert group["products"] == ["MUG-001", "SHIRT-001"] and group["status"] == "open"

    report = client.post(f"{BASE}/{group['id']}/validate").json()
    assert not report["valid"] and len(report["dependencies"]) == 2
    assert client.post(f"{BASE}/{group['id']}/publish").status_code == 400

    client.patch(f"{BASE}/{group['id']}/", {"publish_dependencies": True}, format="json")
    assert client.post(f"{BASE}/{group['id']}/validate").json()["valid"]
    with django_capture_on_commit_callbacks(execute=True):
        job = client.post(f"{BASE}/{group['id']}/publish").json()
    assert Job.objects.get(pk=job["id"]).status == "succeeded"
    assert PublishGroup.objects.get(pk=group["id"]).status == "published"
    assert shop("MUG-001")["default_image"] is not None
    assert shop("SHIRT-001-RED-S-SLIM")["default_image"] is not None


def test_schedule_unschedule_and_run_when_due(
    tenant, two_products, publisher, client_for, django_capture_on_commit_callbacks
):
    client = client_for(publisher)
    group = client.post(
        f"{BASE}/",
        {"name": "Tonight", "products": ["MUG-001"], "publish_dependencies": True},
        format="json",
    ).json()
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    response = client.post(f"{BASE}/{group['id']}/schedule", {"scheduled_at": past}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "scheduled_at"

    when = timezone.now() + timedelta(hours=2)
    assert (
        client.post(
            f"{BASE}/{group['id']}/schedule", {"scheduled_at": when.isoformat()}, format="json"
        ).json()["status"]
        == "scheduled"
    )
    assert client.post(f"{BASE}/{group['id']}/unschedule").json()["status"] == "open"
    client.post(f"{BASE}/{group['id']}/schedule", {"scheduled_at": when.isoformat()}, format="json")

    assert groups_run_due(now=timezone.now()) == []  # not yet
    with django_capture_on_commit_callbacks(execute=True):
        started = groups_run_due(now=when + timedelta(seconds=1))
    assert len(started) == 1
    assert Job.objects.get(pk=started[0]).status == "succeeded"
    assert PublishGroup.objects.get(pk=group["id"]).status == "published"


def test_a_group_that_became_invalid_fails_at_its_time_with_the_reason(
    tenant, two_products, publisher, editor
):
    from assignments.services import document_checkout
    from tenants.models import Channel, Locale

    group = group_create(
        tenant=tenant, user=publisher, name="Later", products=["MUG-001"], publish_dependencies=True
    )
    PublishGroup.objects.filter(pk=group.pk).update(status="scheduled", scheduled_at=timezone.now())
    document_checkout(
        tenant=tenant,
        product=two_products[0],
        channel=Channel.objects.get(tenant=tenant, code="omnichannel"),
        locale=Locale.objects.get(tenant=tenant, code="neutral"),
        user=editor,
    )
    assert groups_run_due() == []
    group.refresh_from_db()
    assert group.status == "failed" and "checked out by eddie" in group.last_job.errors[0]


def test_group_limits_and_bad_input(tenant, two_products, publisher, client_for):
    client = client_for(publisher)
    response = client.post(f"{BASE}/", {"name": "x", "products": ["NOPE"]}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "products"
    response = client.post(f"{BASE}/", {"name": "x", "products": ["MUG-001"] * 2001}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"].startswith(
        "products"
    )
    client.post(f"{BASE}/", {"name": "dup"}, format="json")
    assert client.post(f"{BASE}/", {"name": "dup"}, format="json").status_code == 409
    assert not PublishGroup.objects.filter(name="x").exists()


def test_editors_read_groups_but_cannot_manage_them(tenant, publisher, editor, client_for):
    group = group_create(tenant=tenant, user=publisher, name="G")
    assert client_for(editor).get(f"{BASE}/{group.pk}/").status_code == 200
    assert client_for(editor).post(f"{BASE}/{group.pk}/publish").status_code == 403


def test_other_tenants_groups_are_invisible(tenant, other_tenant, publisher, client_for):
    theirs = group_create(tenant=other_tenant, user=None, name="Theirs")
    assert client_for(publisher).get(f"{BASE}/{theirs.pk}/").status_code == 404
    assert client_for(publisher).delete(f"{BASE}/{theirs.pk}/").status_code == 404
    assert PublishGroup.objects.filter(pk=theirs.pk).exists()


def test_checking_in_a_product_in_the_groups_context_adds_it(tenant, editor, publisher):
    # R16: editing a product inside an open group's context adds it to the group.
    from tenants.models import Channel

    web = Channel.objects.get(tenant=tenant, code="web")
    web_group = group_create(tenant=tenant, user=publisher, name="Web launch", channel=web)
    every_context = group_create(tenant=tenant, user=publisher, name="Everything")
    mug = b.mug(tenant)

    b.checkin(
        tenant, mug, editor, {"master": b.slots([b.image(tenant, editor, "a")])}
    )  # omnichannel/neutral
    assert list(every_context.products.all()) == [mug]
    assert not web_group.products.exists()

    b.checkin(
        tenant, mug, editor, {"master": b.slots([b.image(tenant, editor, "b")])}, "web", "en-us"
    )
    assert list(web_group.products.all()) == [mug]
