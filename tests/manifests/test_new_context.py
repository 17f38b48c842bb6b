"""R12 (issue 16): a manifest row for a context with no content of its own starts from the
content that context inherited, exactly like the first edit through the API: the slots
the rows name are replaced, everything else is carried over."""

from __future__ import annotations

from assignments import services as assignment_services
from assignments.models import AssignmentDocument, DocumentEvent
from assignments.selectors import content_sets_load
from tenants.models import Channel, Locale
from tests.manifests.helpers import run_import, tsv
from tests.manifests.test_validation import HEADER, row
from tests.publishing import builders


def _neutral(tenant, shirt, user, images) -> dict:
    front, back, detail = images
    content = {
        "matrix": ["color"],
        "master": builders.slots(
            primary=[front, back],
            additional=[(detail, "manual")],
            swatches=[{"dimension": "color", "value": "Blue", "hex": "#0000ff"}],
        ),
        "dimensions": [{"values": {"color": "Red"}, **builders.slots(primary=[back])}],
        "variants": [{"variant": "SHIRT-001-BLUE-S-SLIM", **builders.slots(primary=[detail])}],
    }
    builders.checkin(tenant, shirt, user, content)
    return content


def _draft(tenant, locale="de-de", channel="omnichannel") -> dict:
    document = AssignmentDocument.objects.get(
        tenant=tenant, product__number="SHIRT-001", channel__code=channel, locale__code=locale
    )
    return content_sets_load(tenant=tenant, set_ids=[document.draft_id])[
        document.draft_id
    ].as_dict()


def test_one_row_for_a_new_context_edits_what_it_inherited(
    tenant, admin_user, catalog, images
):  # R12
    _neutral(tenant, catalog["shirt"], admin_user, images)
    detail = images[2]
    text = tsv(HEADER, row(detail, EntityLocale="de-de", MediaDisplayOrder="1"))

    report, rows = run_import(tenant, text, dry_run=True)
    assert (
        "starting from the content inherited from omnichannel/neutral"
        in (rows[0]["ResultDescription"])
    )
    report, rows = run_import(tenant, text, user=admin_user)
    assert report.ok, report.errors
    imported = _draft(tenant)

    # The same edit through the API's editing flow, in another locale.
    channel = Channel.objects.get(tenant=tenant, code="omnichannel")
    locale = Locale.objects.get(tenant=tenant, code="fr-fr")
    document = assignment_services.document_checkout(
        tenant=tenant, product=catalog["shirt"], channel=channel, locale=locale, user=admin_user
    )
    working = content_sets_load(tenant=tenant, set_ids=[document.working_id])[
        document.working_id
    ].as_dict()
    working["master"]["primary"] = [detail.pk]
    assignment_services.document_working_replace(
        document=document, user=admin_user, content=working
    )
    assignment_services.document_checkin(document=document, user=admin_user)

    assert imported == _draft(tenant, locale="fr-fr")
    assert imported["master"]["primary"] == [detail.pk]
    assert imported["master"]["additional"] and imported["master"]["swatches"]
    assert imported["dimensions"] and imported["variants"]
    event = DocumentEvent.objects.filter(document__locale__code="de-de", action="checkin").latest(
        "pk"
    )
    assert event.detail["started_from"] == "inherited from omnichannel/neutral"


def test_a_new_matrix_drops_the_inherited_combinations(tenant, admin_user, catalog, images):
    # R8, R12
    _neutral(tenant, catalog["shirt"], admin_user, images)
    back = images[1]
    text = tsv(
        HEADER,
        row(
            back,
            EntityType="Product|DimensionMatrix",
            EntityKeyValue="Color:Blue|Size:S",
            EntityLocale="de-de",
        ),
    )
    report, rows = run_import(tenant, text)
    assert report.ok, report.errors
    content = _draft(tenant)
    assert content["matrix"] == ["color", "size"]
    assert [d["values"] for d in content["dimensions"]] == [{"color": "Blue", "size": "S"}]
    assert content["master"]["primary"] == [images[0].pk, back.pk]  # carried over


def test_a_context_with_content_of_its_own_is_replaced_whole(
    tenant, admin_user, catalog, images
):  # R12, R18
    _neutral(tenant, catalog["shirt"], admin_user, images)
    builders.checkin(
        tenant,
        catalog["shirt"],
        admin_user,
        {"master": builders.slots(primary=[images[0]])},
        locale="de-de",
    )
    report, rows = run_import(tenant, tsv(HEADER, row(images[2], EntityLocale="de-de")))
    assert report.ok, report.errors
    content = _draft(tenant)
    assert content["master"]["primary"] == [images[2].pk]
    assert not content["dimensions"] and not content["variants"]
    assert "starting from" not in rows[0]["ResultDescription"]


def test_the_default_context_inherits_nothing(tenant, admin_user, catalog, images):  # R10
    builders.checkin(
        tenant,
        catalog["shirt"],
        admin_user,
        {"master": builders.slots(primary=[images[0], images[1]])},
        locale="de-de",
    )
    report, rows = run_import(tenant, tsv(HEADER, row(images[2])))
    assert report.ok, report.errors
    assert _draft(tenant, locale="neutral")["master"]["primary"] == [images[2].pk]
