"""R19: a full copy brings media, purposes, documents and category images across, published
where the source's are, and the destination's shop read API serves them (R15)."""

import pytest

from assignments.models import AssignmentDocument, CategoryMedia, Purpose
from assignments.selectors import content_sets_load
from media_library.models import MediaStatus
from tenants.models import Job, JobKind, JobStatus
from tests.tenant_copy.conftest import dest_item, snapshot, upload

pytestmark = pytest.mark.django_db


def _content(tenant, document, state):
    set_id = getattr(document, f"{state}_id")
    return content_sets_load(tenant=tenant, set_ids=[set_id])[set_id].as_dict()


def test_copy_brings_every_kind_of_content_across(  # R19
    tenant, other_tenant, source, copy_command
):
    before_source = snapshot(tenant)

    out = copy_command()

    assert "Copied (job #" in out
    # The source is only read.
    assert snapshot(tenant) == before_source
    after = snapshot(other_tenant)
    # Every media item (draft ones too), each once, with its renditions and tags; draft
    # items get theirs from the usual derivatives task.
    assert after["media"] == before_source["media"] == 6
    front = dest_item(other_tenant, source.front)
    assert sorted(r.name for r in front.renditions.all()) == sorted(
        r.name for r in source.front.renditions.all()
    )
    assert (front.title, front.alt_text, front.caption) == ("front", "front", "Front view")
    assert sorted(t.name for t in front.tags.all()) == ["Summer", "hero"]
    assert front.status == MediaStatus.PUBLISHED
    assert dest_item(other_tenant, source.draft_only).status == MediaStatus.DRAFT
    # Files are copied, not shared: the destination's own path, the same bytes.
    assert front.file.name != source.front.file.name
    assert f"tenants/{other_tenant.pk}/" in front.file.name
    with front.file.open("rb") as copied, source.front.file.open("rb") as original:
        assert copied.read() == original.read()
    # The source's own purpose exists in the destination.
    assert Purpose.objects.filter(tenant=other_tenant, code="care-label").exists()
    # Both SHIRT documents; MUG-001 has no product in the destination: reported, not invented.
    assert AssignmentDocument.objects.filter(tenant=other_tenant).count() == 2
    job = Job.objects.get(tenant=other_tenant, kind=JobKind.COPY)
    assert job.status == JobStatus.SUCCEEDED
    assert job.counts["documents_created"] == 2
    assert job.counts["unmatched_products"] == 1
    assert any("MUG-001" in note for note in job.errors)
    assert "MUG-001" in out


def test_published_documents_are_published_and_mapped_to_destination_ids(  # R19
    other_tenant, source, copy_command
):
    copy_command()

    document = AssignmentDocument.objects.get(
        tenant=other_tenant, channel__code="omnichannel", locale__code="neutral"
    )
    ids = {
        name: dest_item(other_tenant, getattr(source, name)).pk
        for name in ("front", "back", "blue", "manual")
    }
    published = _content(other_tenant, document, "published")
    assert published["matrix"] == ["color"]
    assert published["master"]["primary"] == [ids["front"], ids["back"]]
    assert published["master"]["additional"] == [{"media": ids["manual"], "purpose": "care-label"}]
    assert published["dimensions"][0]["values"] == {"color": "Blue"}
    assert published["dimensions"][0]["primary"] == [ids["back"]]
    variant = published["variants"][0]
    assert variant["variant"] == "SHIRT-001-BLUE-S-SLIM" and variant["primary"] == [ids["blue"]]
    assert variant["swatches"][0]["media"] == ids["blue"]
    assert variant["swatches"][0]["crop"] == {"x": 0, "y": 0, "width": 10, "height": 10}
    # Published only: the destination's draft is the published content, one version.
    assert document.draft_id == document.published_id
    assert (document.version, document.published_version) == (1, 1)
    assert document.checked_out_by_id is None and document.working_id is None
    assert document.versions.get().note.startswith("copy of acme")


def test_destination_shop_api_serves_copied_published_media(  # R15, R19
    other_tenant, source, copy_command, client_for
):
    copy_command()

    ids = {
        name: dest_item(other_tenant, getattr(source, name)).pk
        for name in ("front", "back", "blue")
    }
    client = client_for(None)
    variant = client.get(
        "/api/v1/tenants/globex/channels/pos/products/SHIRT-001-BLUE-S-SLIM/media?locale=fr-fr"
    ).json()
    assert [m["id"] for m in variant["primary"]] == [ids["blue"]]
    assert variant["default_image"]["id"] == ids["blue"]
    assert variant["primary"][0]["url"]
    red = client.get(
        "/api/v1/tenants/globex/channels/pos/products/SHIRT-001-RED-M-SLIM/media?locale=fr-fr"
    ).json()
    assert [m["id"] for m in red["primary"]] == [ids["front"], ids["back"]]
    assert set(red["primary"][0]["renditions"]) >= {"thumb"}
    # The web/en-us document governs its own context (R10).
    web = client.get(
        "/api/v1/tenants/globex/channels/web/products/SHIRT-001-RED-M-SLIM/media?locale=en-us"
    ).json()
    assert [m["id"] for m in web["primary"]] == [ids["back"]]
    # Its published media file is public.
    assert client.get(red["primary"][0]["url"]).status_code == 200


def test_category_image_is_copied_by_channel_and_path(  # R10, R19
    other_tenant, source, copy_command, client_for
):
    copy_command()

    assignment = CategoryMedia.objects.get(tenant=other_tenant)
    front = dest_item(other_tenant, source.front)
    assert assignment.category.path == "Shirts" and assignment.category.channel.code == "web"
    assert assignment.published_media_id == assignment.draft_media_id == front.pk
    response = client_for(None).get(
        f"/api/v1/tenants/globex/channels/web/categories/{assignment.category_id}/media"
    )
    assert response.status_code == 200
    assert response.json()["default_image"]["id"] == front.pk


def test_a_taken_display_name_gets_a_suffix_not_a_clash(  # R5, R19
    other_tenant, source, root, copy_command
):
    # A different image already called front.jpg in the destination.
    upload(other_tenant, root, 99, "front")

    copy_command()

    assert dest_item(other_tenant, source.front).display_name == "front (2).jpg"
    assert dest_item(other_tenant, source.back).display_name == "back.jpg"
