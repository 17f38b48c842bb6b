"""R14, R15, R18: EntityAssignmentAction PublishNow publishes the document (and the media it
uses) and the shop read API serves it; Unpublish / UnpublishAndDelete take entries out."""

from __future__ import annotations

from assignments.models import AssignmentDocument
from tests.manifests.helpers import run_import, tsv
from tests.manifests.test_validation import HEADER, row

SHOP = "/api/v1/tenants/acme/channels/web/products/{}/media?locale=en-us"
ACTION_HEADER = [*HEADER, "EntityAssignmentAction"]


def _shop(client, number):
    response = client.get(SHOP.format(number))
    return response.status_code, (response.json() if response.status_code == 200 else None)


def test_publish_now_makes_the_shop_api_serve_it(
    tenant, viewer, client_for, catalog, images
):  # R15
    front, back, _ = images
    text = tsv(
        ACTION_HEADER,
        [*row(front, MediaDisplayOrder="1"), "PublishNow"],
        [*row(back, MediaDisplayOrder="2"), "PublishNow"],
    )
    report, rows = run_import(tenant, text)
    assert report.ok, report.errors
    assert "published" in rows[0]["ResultDescription"]
    document = AssignmentDocument.objects.get(tenant=tenant, product__number="SHIRT-001")
    assert document.published_id == document.draft_id and document.published_version == 1
    front.refresh_from_db()
    assert front.status == "published"  # dependencies published with it (R14)
    status, body = _shop(client_for(viewer), "SHIRT-001-BLUE-M-SLIM")
    assert status == 200
    assert [m["id"] for m in body["primary"]] == [front.pk, back.pk]
    assert body["default_image"]["id"] == front.pk
    # importing the same again publishes nothing new
    report, rows = run_import(tenant, text)
    assert {r["Result"] for r in rows} == {"Skipped"}


def test_draft_then_publish_now_publishes_the_existing_draft(tenant, catalog, images):  # R14
    text = tsv(ACTION_HEADER, [*row(images[0]), "Draft"])
    run_import(tenant, text)
    document = AssignmentDocument.objects.get(tenant=tenant, product__number="SHIRT-001")
    assert document.published_id is None
    report, rows = run_import(tenant, tsv(ACTION_HEADER, [*row(images[0]), "PublishNow"]))
    document.refresh_from_db()
    assert rows[0]["Result"] == "Succeeded" and document.version == 1
    assert document.published_id == document.draft_id


def test_unpublish_takes_an_entry_out_of_the_shop(
    tenant, viewer, client_for, catalog, images
):  # R18
    front, back, _ = images
    run_import(
        tenant,
        tsv(ACTION_HEADER, [*row(front), "PublishNow"], [*row(back), "PublishNow"]),
    )
    report, rows = run_import(tenant, tsv(ACTION_HEADER, [*row(back), "Unpublish"]))
    assert rows[0]["Result"] == "Succeeded", rows[0]["ResultDescription"]
    status, body = _shop(client_for(viewer), "SHIRT-001-BLUE-M-SLIM")
    assert [m["id"] for m in body["primary"]] == [front.pk]
    document = AssignmentDocument.objects.get(tenant=tenant, product__number="SHIRT-001")
    assert document.draft_id != document.published_id  # the draft still has it
    report, rows = run_import(tenant, tsv(ACTION_HEADER, [*row(back), "UnpublishAndDelete"]))
    document.refresh_from_db()
    assert document.version == 2 and document.draft_id == document.published_id
