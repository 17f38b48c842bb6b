"""R14: unpublished media block a publish (listed) unless 'publish all'; held documents block it."""

import pytest

from media_library.models import MediaStatus
from publishing.models import ShopAnswer
from tenants.models import Job
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def drafted(tenant, editor):
    product = b.mug(tenant)
    photo, manual = b.image(tenant, editor, "photo"), b.image(tenant, editor, "manual")
    b.checkin(
        tenant, product, editor, {"master": b.slots([photo], additional=[(manual, "manual")])}
    )
    return product, photo, manual


def test_unpublished_media_refuse_publish_with_the_list(drafted, publish):
    product, photo, manual = drafted
    response = publish("MUG-001")
    assert response.status_code == 409
    body = response.json()
    assert body["errors"][0]["field"] == "publish_dependencies"
    assert sorted(d["id"] for d in body["dependencies"]) == sorted([photo.pk, manual.pk])
    # Nothing happened: no job, no read-model rows, media still drafts.
    assert Job.objects.count() == 0
    assert not ShopAnswer.objects.exists()
    photo.refresh_from_db()
    assert photo.status == MediaStatus.DRAFT


def test_publish_all_publishes_dependencies_first(drafted, publish, shop):
    product, photo, manual = drafted
    response = publish("MUG-001", publish_dependencies=True)
    assert response.status_code == 202
    job = response.json()
    assert job["status"] == "succeeded" and job["counts"]["media_published"] == 2
    photo.refresh_from_db()
    assert photo.status == MediaStatus.PUBLISHED
    assert shop("MUG-001")["default_image"]["id"] == photo.pk


def test_checked_out_document_cannot_be_published(tenant, drafted, editor, publish):
    from assignments.services import document_checkout
    from tenants.models import Channel, Locale

    product, _, _ = drafted
    document_checkout(
        tenant=tenant,
        product=product,
        channel=Channel.objects.get(tenant=tenant, code="omnichannel"),
        locale=Locale.objects.get(tenant=tenant, code="neutral"),
        user=editor,
    )
    response = publish("MUG-001", publish_dependencies=True)
    assert response.status_code == 409
    assert "eddie" in response.json()["detail"]
    assert response.json()["checked_out"][0]["checked_out_by"] == "eddie"


def test_editors_cannot_publish(drafted, publish, editor):
    # R1a: publishing needs the publisher role.
    response = publish("MUG-001", user=editor, publish_dependencies=True)
    assert response.status_code == 403
    assert "publisher" in response.json()["detail"]


@pytest.mark.parametrize(
    ("query", "field"),
    [("channel=nowhere&locale=neutral", "channel"), ("channel=web&locale=xx-yy", "locale")],
)
def test_unknown_context_is_refused(drafted, client_for, publisher, query, field):
    response = client_for(publisher).post(
        f"/api/v1/tenants/acme/products/MUG-001/media/publish?{query}", {}, format="json"
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == field


def test_unknown_product_and_other_tenant_answer_404(
    drafted, other_tenant, client_for, publisher, member
):
    from tenants.models import Role

    assert (
        client_for(publisher)
        .post("/api/v1/tenants/acme/products/NOPE/media/publish", {})
        .status_code
        == 404
    )
    # R1: a publisher of acme cannot publish in globex.
    assert (
        client_for(publisher)
        .post("/api/v1/tenants/globex/products/MUG-001/media/publish", {})
        .status_code
        == 404
    )
    member(Role.PUBLISHER, username="gus", in_tenant=other_tenant)
