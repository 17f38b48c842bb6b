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
    b.mug(tenant)
    add = client_for(editor).post(
        f"{BASE}/{group.pk}/add", {"products": ["MUG-001"]}, format="json"
    )
    assert add.status_code == 403 and not group.products.exists()


def test_adding_needs_the_publisher_role_in_the_service_too(tenant, editor):
    # R30: one check at every door, the service included (a command or task calling it).
    from publishing.groups import group_products_add
    from tenants.exceptions import PermissionDenied

    group = group_create(tenant=tenant, user=None, name="G")
    b.mug(tenant)
    with pytest.raises(PermissionDenied):
        group_products_add(group=group, user=editor, products=["MUG-001"])
    assert group_products_add(group=group, user=None, products=["MUG-001"]).products.count() == 1


def test_other_tenants_groups_are_invisible(tenant, other_tenant, publisher, client_for):
    theirs = group_create(tenant=other_tenant, user=None, name="Theirs")
    assert client_for(publisher).get(f"{BASE}/{theirs.pk}/").status_code == 404
    assert client_for(publisher).delete(f"{BASE}/{theirs.pk}/").status_code == 404
    assert PublishGroup.objects.filter(pk=theirs.pk).exists()


def test_checking_in_never_adds_a_product_to_a_group(tenant, editor, publisher):
    # Issue 15: a group made for 2 products grew to 10 and published drafts nobody put in
    # it. Membership is explicit: a check-in (in any context) adds nothing.
    from tenants.models import Channel

    web = Channel.objects.get(tenant=tenant, code="web")
    mug, shirt = b.mug(tenant), b.shirt(tenant)
    web_group = group_create(tenant=tenant, user=publisher, name="Web launch", channel=web)
    every_context = group_create(
        tenant=tenant, user=publisher, name="Everything", products=["SHIRT-001"]
    )

    b.checkin(tenant, mug, editor, {"master": b.slots([b.image(tenant, editor, "a")])})
    b.checkin(
        tenant, mug, editor, {"master": b.slots([b.image(tenant, editor, "b")])}, "web", "en-us"
    )
    assert not web_group.products.exists()
    assert list(every_context.products.all()) == [shirt]


def test_products_join_and_leave_only_when_someone_adds_or_removes_them(
    tenant, two_products, publisher, client_for
):
    client = client_for(publisher)
    group = client.post(f"{BASE}/", {"name": "Explicit"}, format="json").json()
    added = client.post(
        f"{BASE}/{group['id']}/add",
        {"products": ["MUG-001", "SHIRT-001-RED-S-SLIM"]},
        format="json",
    )
    assert added.status_code == 200 and added.json()["products"] == ["MUG-001", "SHIRT-001"]
    assert added.json()["items"][0] == {"number": "MUG-001", "name": "Mug"}
    # The product page asks which groups hold its product.
    listed = client.get(f"{BASE}/", {"product": "MUG-001"}).json()["results"]
    assert [g["name"] for g in listed] == ["Explicit"]
    assert client.get(f"{BASE}/", {"product": "NOPE"}).json()["results"] == []

    removed = client.post(f"{BASE}/{group['id']}/remove", {"products": ["MUG-001"]}, format="json")
    assert removed.json()["products"] == ["SHIRT-001"]

    bad = client.post(f"{BASE}/{group['id']}/add", {"products": ["NOPE"]}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "products"
    empty = client.post(f"{BASE}/{group['id']}/add", {"products": []}, format="json")
    assert empty.status_code == 400
    assert PublishGroup.objects.get(pk=group["id"]).products.count() == 1


def test_validate_lists_every_problem_per_product(
    tenant, two_products, publisher, editor, client_for
):
    from assignments.services import document_checkout
    from catalog.services import product_create
    from tenants.models import Channel, Locale

    product_create(tenant=tenant, number="CUP-001", name="Cup", kind="simple")  # no draft
    client = client_for(publisher)
    group = client.post(
        f"{BASE}/",
        {"name": "Check", "products": ["MUG-001", "SHIRT-001", "CUP-001"]},
        format="json",
    ).json()
    document_checkout(
        tenant=tenant,
        product=two_products[1],
        channel=Channel.objects.get(tenant=tenant, code="omnichannel"),
        locale=Locale.objects.get(tenant=tenant, code="neutral"),
        user=editor,
    )
    report = client.post(f"{BASE}/{group['id']}/validate").json()
    assert not report["valid"]
    rows = {row["product"]: row for row in report["by_product"]}
    assert [p["field"] for p in rows["MUG-001"]["problems"]] == ["dependencies"]
    assert "not published" in rows["MUG-001"]["problems"][0]["reason"]
    assert [p["field"] for p in rows["SHIRT-001"]["problems"]] == ["checked_out"]
    assert "checked out by eddie" in rows["SHIRT-001"]["problems"][0]["reason"]
    assert (
        rows["CUP-001"]["problems"] == [] and "Nothing checked in" in rows["CUP-001"]["warnings"][0]
    )
    assert {p["product"] for p in report["problems"]} == {"MUG-001", "SHIRT-001"}


def test_a_scheduled_group_past_its_time_without_a_scheduler_says_so(
    tenant, two_products, publisher, client_for
):
    group = group_create(tenant=tenant, user=publisher, name="Late", products=["MUG-001"])
    PublishGroup.objects.filter(pk=group.pk).update(
        status="scheduled", scheduled_at=timezone.now() - timedelta(minutes=5)
    )
    body = client_for(publisher).get(f"{BASE}/{group.pk}/").json()
    assert body["overdue"] is True
    assert "scheduled time has passed" in body["scheduler_warning"]
    assert "No scheduler" in body["scheduler_warning"]
