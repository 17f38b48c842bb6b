"""Issue 11: the bulk forms of check-in, publish and discard (R12, R14, R21) write what the
single-document services write (versions, audit events, check-in hooks, outbox rows),
with the same role and holder checks, in a fixed number of statements."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from assignments import services
from assignments.models import (
    AssignmentDocument,
    AssignmentEntry,
    CategoryMedia,
    ContentSet,
    DocumentEvent,
    DocumentVersion,
)
from assignments.selectors import content_sets_load
from assignments.services import ContentItem
from assignments.validation import content_validate
from tenants.exceptions import Conflict, NotFound, PermissionDenied, ValidationFailed
from tenants.models import ChangeOutbox, OutboxKind, Role
from tests.assignments.factories import (
    check_in,
    content,
    context,
    make_category,
    make_master,
    make_media,
    make_simple,
    slots,
)
from tests.factories import make_member

pytestmark = pytest.mark.django_db

HOOK_CALLS: list = []


def recording_hook(*, document) -> None:
    HOOK_CALLS.append(("one", document.pk))


def _bulk(*, documents) -> None:
    HOOK_CALLS.append(("bulk", sorted(d.pk for d in documents)))


def bulk_hook(*, document) -> None:  # pragma: no cover - the bulk form is used
    HOOK_CALLS.append(("one", document.pk))


bulk_hook.bulk = _bulk


@pytest.fixture
def hooks(settings):
    """hooks(*paths) -> the list of hook calls, with only those hooks installed."""

    def _install(*paths: str) -> list:
        settings.ASSIGNMENT_CHECKIN_HOOKS = list(paths)
        HOOK_CALLS.clear()
        return HOOK_CALLS

    yield _install
    HOOK_CALLS.clear()


@pytest.fixture
def images(tenant):
    return [make_media(tenant) for _ in range(3)]


def _item(tenant, product, body, channel="omnichannel", locale="neutral", document=None):
    """A check-in item as the importer and tenant copy build them: validated rows."""
    valid = content_validate(tenant=tenant, product=product, data=body)
    channel_row, locale_row = context(tenant, channel, locale)
    if document is None:
        document = AssignmentDocument.objects.filter(
            tenant=tenant, product=product, channel=channel_row, locale=locale_row
        ).first() or AssignmentDocument(
            tenant=tenant, product=product, channel=channel_row, locale=locale_row
        )
    return ContentItem(document=document, rows=valid.rows, matrix=valid.matrix)


def _audit(document) -> dict:
    document.refresh_from_db()
    return {
        "document": (
            document.version,
            document.published_version,
            document.draft_id == document.published_id,
            document.checked_out_by_id,
            document.working_id,
            document.published_by_id,
        ),
        "draft": content_sets_load(tenant=document.tenant, set_ids=[document.draft_id])[
            document.draft_id
        ].as_dict(),
        "versions": list(
            DocumentVersion.objects.filter(document=document)
            .order_by("number")
            .values_list("number", "note", "created_by_id")
        ),
        "events": [
            (e.action, e.version, e.user_id, e.detail.get("unchanged"))
            for e in DocumentEvent.objects.filter(
                document=document, action__in=("checkin", "publish")
            ).order_by("pk")
        ],
        "outbox": ChangeOutbox.objects.filter(
            tenant_id=document.tenant_id, kind=OutboxKind.PRODUCT, object_id=document.product_id
        ).count(),
    }


def test_bulk_checkin_and_publish_leave_what_the_single_services_leave(
    tenant, images, publisher, hooks
):  # R12, R14, R21
    calls = hooks("tests.assignments.test_bulk_services.recording_hook")
    one, two = make_simple(tenant, "MUG-001"), make_simple(tenant, "MUG-002")
    body = content(master=slots(primary=[images[0].pk, images[1].pk]))

    single = check_in(tenant, one, publisher, body, publish_as=publisher)
    item = _item(tenant, two, body)
    result = services.documents_checkin_bulk(tenant=tenant, user=publisher, items=[item])
    services.documents_publish_bulk(tenant=tenant, user=publisher, documents=result.documents)

    assert result.entries == 2
    assert _audit(item.document) == _audit(single)
    assert calls == [("one", single.pk), ("one", item.document.pk)]
    checkin = DocumentEvent.objects.get(document=item.document, action="checkin")
    assert checkin.detail == {"unchanged": False, "entries": 2}


def test_bulk_checkin_of_many_documents_and_contexts(tenant, images, editor, hooks):  # R8, R12
    calls = hooks("tests.assignments.test_bulk_services.recording_hook")
    shirt = make_master(tenant)
    mug = make_simple(tenant)
    check_in(tenant, mug, editor, content(master=slots(primary=[images[0].pk])))
    shirt_body = content(
        matrix=["color"],
        master=slots(primary=[images[0].pk]),
        dimensions=[{"values": {"color": "Blue"}, **slots(primary=[images[1].pk])}],
        variants=[{"variant": "SHIRT-001-RED-M-SLIM", **slots(primary=[images[2].pk])}],
    )
    items = [
        _item(tenant, shirt, shirt_body),
        _item(tenant, shirt, shirt_body, channel="web", locale="en-us"),
        _item(tenant, mug, content(master=slots(primary=[images[1].pk]))),
    ]
    result = services.documents_checkin_bulk(
        tenant=tenant, user=editor, items=items, note="manifest import"
    )
    assert [d.version for d in result.documents] == [1, 1, 2]
    assert result.entries == 7
    shirt_doc = items[0].document
    draft = content_sets_load(tenant=tenant, set_ids=[shirt_doc.draft_id])[shirt_doc.draft_id]
    assert draft.as_dict()["variants"][0]["variant"] == "SHIRT-001-RED-M-SLIM"
    assert AssignmentEntry.objects.filter(
        content_set_id=shirt_doc.draft_id, variant_number="SHIRT-001-RED-M-SLIM"
    ).exists()
    assert {v.note for v in DocumentVersion.objects.filter(document__in=result.documents)} >= {
        "manifest import"
    }
    assert len([c for c in calls if c[0] == "one"]) == 1 + 3  # the single check-in, then 3
    # a check-in is not a publish: nothing for the read model yet
    assert not ChangeOutbox.objects.filter(tenant=tenant, kind=OutboxKind.PRODUCT).exists()


def test_a_bulk_hook_is_called_once_with_every_document(tenant, images, editor, hooks):
    calls = hooks("tests.assignments.test_bulk_services.bulk_hook")
    products = [make_simple(tenant, f"MUG-{n}") for n in range(3)]
    items = [_item(tenant, p, content(master=slots(primary=[images[0].pk]))) for p in products]
    services.documents_checkin_bulk(tenant=tenant, user=editor, items=items)
    assert calls == [("bulk", sorted(i.document.pk for i in items))]


def test_bulk_checkin_refuses_a_document_held_by_someone_else(
    tenant, images, editor, publisher
):  # R12
    mug = make_simple(tenant)
    channel, locale = context(tenant)
    document = services.document_checkout(
        tenant=tenant, product=mug, channel=channel, locale=locale, user=editor
    )
    other = make_simple(tenant, "MUG-002")
    items = [
        _item(tenant, other, content(master=slots(primary=[images[0].pk]))),
        _item(tenant, mug, content(master=slots(primary=[images[1].pk])), document=document),
    ]
    before = (ContentSet.objects.count(), DocumentVersion.objects.count())
    for user in (publisher, None):
        with pytest.raises(Conflict) as caught:
            services.documents_checkin_bulk(tenant=tenant, user=user, items=items)
        assert "checked out by eddie" in caught.value.message
    # and the holder themself cannot check content in over their own working copy
    with pytest.raises(Conflict) as caught:
        services.documents_checkin_bulk(tenant=tenant, user=editor, items=items[1:])
    assert "while you hold the document" in caught.value.message
    assert (ContentSet.objects.count(), DocumentVersion.objects.count()) == before
    assert not AssignmentDocument.objects.filter(product=other).exists()  # all or nothing
    document.refresh_from_db()
    assert document.checked_out_by == editor and document.version == 0


def test_bulk_publish_refuses_held_documents_and_unchecked_in_ones(
    tenant, images, editor, publisher
):  # R12
    mug = make_simple(tenant)
    document = check_in(tenant, mug, editor, content(master=slots(primary=[images[0].pk])))
    channel, locale = context(tenant)
    services.document_checkout(
        tenant=tenant, product=mug, channel=channel, locale=locale, user=editor
    )
    with pytest.raises(Conflict) as caught:
        services.documents_publish_bulk(tenant=tenant, user=publisher, documents=[document])
    assert "eddie" in caught.value.message
    empty = AssignmentDocument.objects.create(
        tenant=tenant, product=make_simple(tenant, "MUG-002"), channel=channel, locale=locale
    )
    with pytest.raises(Conflict, match="Nothing has been checked in"):
        services.documents_publish_bulk(tenant=tenant, user=None, documents=[empty])
    assert not DocumentEvent.objects.filter(action="publish").exists()
    assert not ChangeOutbox.objects.filter(tenant=tenant, kind=OutboxKind.PRODUCT).exists()


def test_bulk_publish_records_the_published_products_in_the_outbox(
    tenant, images, editor, publisher
):  # R21
    products = [make_simple(tenant, f"MUG-{n}") for n in range(3)]
    documents = [
        check_in(tenant, p, editor, content(master=slots(primary=[images[0].pk]))) for p in products
    ]
    result = services.documents_publish_bulk(
        tenant=tenant, user=publisher, documents=documents[:2], detail={"source": "test"}
    )
    assert result.documents == documents[:2]
    assert set(
        ChangeOutbox.objects.filter(tenant=tenant, kind=OutboxKind.PRODUCT).values_list(
            "object_id", flat=True
        )
    ) == {products[0].pk, products[1].pk}
    events = DocumentEvent.objects.filter(action="publish").order_by("pk")
    assert [(e.document_id, e.user_id, e.detail) for e in events] == [
        (d.pk, publisher.pk, {"source": "test"}) for d in documents[:2]
    ]
    # publishing what is already published changes nothing (R14): no event, no outbox row
    ChangeOutbox.objects.all().delete()
    again = services.documents_publish_bulk(tenant=tenant, user=None, documents=documents[:2])
    assert again.documents == [] and events.count() == 2
    assert not ChangeOutbox.objects.filter(kind=OutboxKind.PRODUCT).exists()


def test_bulk_services_check_roles(tenant, images, member, editor):  # R1a
    viewer = member(Role.VIEWER, username="vic")
    mug = make_simple(tenant)
    item = _item(tenant, mug, content(master=slots(primary=[images[0].pk])))
    with pytest.raises(PermissionDenied):
        services.documents_checkin_bulk(tenant=tenant, user=viewer, items=[item])
    result = services.documents_checkin_bulk(tenant=tenant, user=editor, items=[item])
    with pytest.raises(PermissionDenied, match="publisher"):
        services.documents_publish_bulk(tenant=tenant, user=editor, documents=result.documents)
    # None is a system action (operator command): no role check
    services.documents_publish_bulk(tenant=tenant, user=None, documents=result.documents)
    result.documents[0].refresh_from_db()
    assert result.documents[0].published_by is None
    assert result.documents[0].published_id == result.documents[0].draft_id


def test_bulk_services_stay_inside_the_tenant(tenant, other_tenant, images):  # R1
    mug = make_simple(tenant)
    foreign = make_media(other_tenant)
    channel, locale = context(tenant)
    row = _item(tenant, mug, content(master=slots(primary=[images[0].pk]))).rows[0]
    new_document = AssignmentDocument(tenant=tenant, product=mug, channel=channel, locale=locale)
    with pytest.raises(ValidationFailed):
        services.documents_checkin_bulk(
            tenant=tenant,
            user=None,
            items=[ContentItem(document=new_document, rows=[{**row, "media_id": foreign.pk}])],
        )
    other_mug = make_simple(other_tenant)
    other_channel, other_locale = context(other_tenant)
    crossed = AssignmentDocument(
        tenant=tenant, product=other_mug, channel=other_channel, locale=other_locale
    )
    with pytest.raises(NotFound):
        services.documents_checkin_bulk(
            tenant=tenant, user=None, items=[ContentItem(document=crossed, rows=[])]
        )
    owner = make_member(other_tenant, Role.EDITOR, "olga")
    document = check_in(other_tenant, other_mug, owner, content(master=slots([foreign.pk])))
    with pytest.raises(NotFound):
        services.documents_publish_bulk(tenant=tenant, user=None, documents=[document])
    assert not AssignmentDocument.objects.filter(tenant=tenant).exists()


def test_bulk_discard_audits_the_holder_and_needs_publisher_for_others(
    tenant, images, editor, publisher, member
):  # R1a, R12
    channel, locale = context(tenant)
    mugs = [make_simple(tenant, f"MUG-{n}") for n in range(2)]
    documents = [
        services.document_checkout(
            tenant=tenant, product=m, channel=channel, locale=locale, user=editor
        )
        for m in mugs
    ]
    other_editor = member(Role.EDITOR, username="olga")
    with pytest.raises(PermissionDenied, match="discard the edits of eddie"):
        services.documents_discard_bulk(tenant=tenant, user=other_editor, documents=documents)
    working = [d.working_id for d in documents]
    services.documents_discard_bulk(
        tenant=tenant, user=publisher, documents=documents, detail={"source": "manifest import"}
    )
    assert not ContentSet.objects.filter(pk__in=working).exists()
    for document in documents:
        document.refresh_from_db()
        assert document.checked_out_by_id is None and document.working_id is None
    assert [e.detail for e in DocumentEvent.objects.filter(action="discard")] == [
        {"holder": "eddie", "source": "manifest import"}
    ] * 2
    with pytest.raises(Conflict, match="not checked out"):
        services.documents_discard_bulk(tenant=tenant, user=publisher, documents=documents)


def test_bulk_checkin_and_publish_cost_the_same_statements_for_2_or_12_documents(
    tenant, images, publisher, hooks
):
    hooks("tests.assignments.test_bulk_services.bulk_hook")

    def statements(count: int, offset: int) -> int:
        products = [make_simple(tenant, f"P-{offset + n}") for n in range(count)]
        for product in products[: count // 2]:  # half exist already, half are created
            check_in(tenant, product, publisher, content(master=slots(primary=[images[0].pk])))
        items = [
            _item(tenant, p, content(master=slots(primary=[images[1].pk, images[2].pk])))
            for p in products
        ]
        with CaptureQueriesContext(connection) as queries:
            result = services.documents_checkin_bulk(tenant=tenant, user=publisher, items=items)
            services.documents_publish_bulk(
                tenant=tenant, user=publisher, documents=result.documents
            )
        assert result.entries == 2 * count
        return len(queries)

    assert statements(2, 0) == statements(12, 100)


def test_category_bulk_forms_check_images_and_record_the_outbox(
    tenant, images, editor, publisher
):  # R10, R21
    categories = [make_category(tenant, path=f"Shirts{n}") for n in range(3)]
    services.category_media_set(
        tenant=tenant, category=categories[0], media_id=images[0].pk, user=editor
    )
    staged = services.category_media_set_bulk(
        tenant=tenant,
        user=editor,
        items=[(c, images[1].pk) for c in categories],
    )
    assert [s.draft_media_id for s in staged] == [images[1].pk] * 3
    assert CategoryMedia.objects.filter(tenant=tenant).count() == 3
    with pytest.raises(ValidationFailed):
        services.category_media_set_bulk(
            tenant=tenant, user=editor, items=[(categories[0], make_media(tenant, "video").pk)]
        )
    with pytest.raises(PermissionDenied):
        services.category_media_publish_bulk(tenant=tenant, user=editor, categories=categories)
    published = services.category_media_publish_bulk(
        tenant=tenant, user=publisher, categories=categories[:2]
    )
    assert [p.published_media_id for p in published] == [images[1].pk] * 2
    assert set(
        ChangeOutbox.objects.filter(tenant=tenant, kind=OutboxKind.CATEGORY).values_list(
            "object_id", flat=True
        )
    ) == {categories[0].pk, categories[1].pk}


def test_a_bulk_checkin_adds_no_product_to_any_group(tenant, images, editor):
    # Issue 15: publish-group membership is explicit; imports and copies add nothing either.
    from publishing.groups import group_create

    group = group_create(tenant=tenant, user=None, name="open group")
    products = [make_simple(tenant, f"MUG-{n}") for n in range(2)]
    services.documents_checkin_bulk(
        tenant=tenant,
        user=editor,
        items=[_item(tenant, p, content(master=slots(primary=[images[0].pk]))) for p in products],
    )
    assert not group.products.exists()
