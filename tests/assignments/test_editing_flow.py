"""R12, R13: checkout, working copy, save, checkin, discard, versions, restore, reset, audit."""

import pytest

from assignments import services
from assignments.models import (
    AssignmentDocument,
    AssignmentEntry,
    ContentSet,
    DocumentEvent,
    DocumentVersion,
)
from assignments.selectors import document_view
from tenants.exceptions import Conflict, PermissionDenied
from tenants.models import Role

from .factories import check_in, content, context, make_master, make_media, slots

pytestmark = pytest.mark.django_db


@pytest.fixture
def shirt(tenant):
    return make_master(tenant, "SHIRT-001")


@pytest.fixture
def images(tenant):
    return [make_media(tenant) for _ in range(4)]


def checkout(tenant, product, user, channel="omnichannel", locale="neutral"):
    channel_row, locale_row = context(tenant, channel, locale)
    return services.document_checkout(
        tenant=tenant, product=product, channel=channel_row, locale=locale_row, user=user
    )


def view(tenant, product, user, channel="omnichannel", locale="neutral"):
    channel_row, locale_row = context(tenant, channel, locale)
    return document_view(
        tenant=tenant, product=product, channel=channel_row, locale=locale_row, user=user
    )


def actions(document):
    return list(
        DocumentEvent.objects.filter(document=document).values_list("action", "user__username")
    )


def test_checkout_edit_checkin_creates_numbered_versions(tenant, shirt, images, editor):
    # R12
    document = checkout(tenant, shirt, editor)
    assert view(tenant, shirt, editor)["state"] == "checked_out"
    body = content(master=slots(primary=[images[0].pk, images[1].pk]))
    services.document_working_replace(document=document, user=editor, content=body)
    shown = view(tenant, shirt, editor)
    assert shown["working"]["master"]["primary"] == [images[0].pk, images[1].pk]
    assert shown["draft"] is None
    services.document_checkin(document=document, user=editor)

    shown = view(tenant, shirt, editor)
    assert shown["state"] == "draft" and shown["version"] == 1
    assert shown["checked_out_by"] is None and shown["working"] is None
    assert shown["draft"]["master"]["primary"] == [images[0].pk, images[1].pk]

    document = checkout(tenant, shirt, editor)
    body["master"]["primary"] = [images[2].pk]
    services.document_working_replace(document=document, user=editor, content=body)
    services.document_checkin(document=document, user=editor)
    assert view(tenant, shirt, editor)["version"] == 2
    assert list(
        DocumentVersion.objects.filter(document=document).values_list("number", flat=True)
    ) == [2, 1]
    assert actions(document) == [
        ("checkout", "eddie"),
        ("edit", "eddie"),
        ("checkin", "eddie"),
        ("checkout", "eddie"),
        ("edit", "eddie"),
        ("checkin", "eddie"),
    ]


def test_second_user_gets_409_naming_the_holder(tenant, shirt, editor, member):
    # R12
    other = member(Role.EDITOR, username="olga")
    checkout(tenant, shirt, editor)
    with pytest.raises(Conflict) as caught:
        checkout(tenant, shirt, other)
    assert "eddie" in caught.value.message
    assert caught.value.extra["checked_out_by"] == "eddie"
    assert view(tenant, shirt, other)["working"] is None  # only the holder sees it


def test_checkout_twice_by_holder_is_idempotent(tenant, shirt, editor):
    first = checkout(tenant, shirt, editor)
    second = checkout(tenant, shirt, editor)
    assert first.pk == second.pk and first.working_id == second.working_id
    assert ContentSet.objects.filter(document=first).count() == 1


def test_unchanged_checkin_releases_without_new_version(tenant, shirt, images, editor):
    check_in(tenant, shirt, editor, content(master=slots(primary=[images[0].pk])))
    document = checkout(tenant, shirt, editor)
    document = services.document_checkin(document=document, user=editor)
    assert document.version == 1 and document.checked_out_by is None
    assert DocumentEvent.objects.filter(document=document, action="checkin").last().detail == {
        "unchanged": True
    }


def test_save_stamps_saved_at_and_can_write_content(tenant, shirt, images, editor):
    # R12: the holder may save without checking in
    document = checkout(tenant, shirt, editor)
    document = services.document_save(
        document=document, user=editor, content=content(master=slots(primary=[images[0].pk]))
    )
    assert document.saved_at is not None
    shown = view(tenant, shirt, editor)
    assert shown["state"] == "checked_out" and shown["saved_at"] is not None
    assert shown["working"]["master"]["primary"] == [images[0].pk]
    assert shown["draft"] is None  # not checked in
    save = DocumentEvent.objects.get(document=document, action="save")
    assert save.detail["entries"] == 1 and save.user == editor


def test_discard_returns_to_last_checked_in_state(tenant, shirt, images, editor):
    # R12
    check_in(tenant, shirt, editor, content(master=slots(primary=[images[0].pk])))
    document = checkout(tenant, shirt, editor)
    assert view(tenant, shirt, editor)["working"]["master"]["primary"] == [images[0].pk]
    services.document_working_replace(
        document=document, user=editor, content=content(master=slots(primary=[images[1].pk]))
    )
    services.document_discard(document=document, user=editor)
    shown = view(tenant, shirt, editor)
    assert shown["state"] == "draft" and shown["working"] is None
    assert shown["draft"]["master"]["primary"] == [images[0].pk]
    assert ContentSet.objects.filter(document=document).count() == 1


def test_publisher_discards_anyones_edits_editor_cannot(tenant, shirt, editor, publisher, member):
    # R1a
    other_editor = member(Role.EDITOR, username="olga")
    document = checkout(tenant, shirt, editor)
    with pytest.raises(PermissionDenied) as caught:
        services.document_discard(document=document, user=other_editor)
    assert "publisher" in caught.value.message
    services.document_discard(document=document, user=publisher)
    assert AssignmentDocument.objects.get(pk=document.pk).checked_out_by is None
    assert DocumentEvent.objects.get(document=document, action="discard").detail == {
        "holder": "eddie"
    }


def test_viewer_cannot_check_out(tenant, shirt, viewer):
    # R1a
    with pytest.raises(PermissionDenied):
        checkout(tenant, shirt, viewer)
    assert not AssignmentDocument.objects.exists()


def test_first_channel_checkout_starts_from_inherited_content(tenant, shirt, images, editor):
    # R12: the first edit of a channel/locale document copies what that context inherited
    body = content(
        matrix=["color"],
        master=slots(
            primary=[images[0].pk], additional=[{"media": images[3].pk, "purpose": "manual"}]
        ),
        dimensions=[{"values": {"color": "Blue"}, **slots(primary=[images[1].pk])}],
    )
    check_in(tenant, shirt, editor, body)
    check_in(
        tenant, shirt, editor, content(master=slots(primary=[images[2].pk])), locale="en-us"
    )  # omnichannel/en-us: governs web/en-us before the web document exists
    shown = view(tenant, shirt, editor, "web", "en-us")
    assert shown["state"] == "empty"
    assert shown["inherited_from"] == {"channel": "omnichannel", "locale": "en-us"}

    checkout(tenant, shirt, editor, "web", "fr-fr")
    working = view(tenant, shirt, editor, "web", "fr-fr")["working"]
    assert working["matrix"] == ["color"]
    assert working["master"]["primary"] == [images[0].pk]
    assert working["dimensions"][0]["primary"] == [images[1].pk]
    event = DocumentEvent.objects.get(document__channel__code="web", action="checkout")
    assert event.detail == {"started_from": "inherited from omnichannel/neutral"}

    checkout(tenant, shirt, editor, "web", "en-us")
    assert view(tenant, shirt, editor, "web", "en-us")["working"]["master"]["primary"] == [
        images[2].pk
    ]


def test_restore_version_as_new_working_copy(tenant, shirt, images, editor):
    # R12
    check_in(tenant, shirt, editor, content(master=slots(primary=[images[0].pk])))
    document = check_in(tenant, shirt, editor, content(master=slots(primary=[images[1].pk])))
    document = services.document_version_restore(document=document, user=editor, number=1)
    shown = view(tenant, shirt, editor)
    assert shown["state"] == "checked_out" and shown["checked_out_by"] == "eddie"
    assert shown["working"]["master"]["primary"] == [images[0].pk]
    assert shown["draft"]["master"]["primary"] == [images[1].pk]
    services.document_checkin(document=document, user=editor)
    shown = view(tenant, shirt, editor)
    assert shown["version"] == 3 and shown["draft"]["master"]["primary"] == [images[0].pk]
    # the old versions are untouched
    assert AssignmentEntry.objects.filter(content_set__versions__number=2).get().media == images[1]
    assert DocumentEvent.objects.get(document=document, action="restore").detail == {"restored": 1}


def test_restore_refused_while_someone_else_holds(tenant, shirt, images, editor, member):
    other = member(Role.EDITOR, username="olga")
    document = check_in(tenant, shirt, editor, content(master=slots(primary=[images[0].pk])))
    checkout(tenant, shirt, other)
    with pytest.raises(Conflict):
        services.document_version_restore(document=document, user=editor, number=1)


def test_publish_content_moves_draft_to_published(tenant, shirt, images, editor, publisher):
    document = check_in(tenant, shirt, editor, content(master=slots(primary=[images[0].pk])))
    with pytest.raises(PermissionDenied):
        services.document_publish_content(document=document, user=editor)
    services.document_publish_content(document=document, user=publisher)
    shown = view(tenant, shirt, editor)
    assert shown["state"] == "published"
    assert shown["published"] == shown["draft"]
    assert shown["published_version"] == 1
    assert DocumentEvent.objects.filter(document=document, action="publish").count() == 1


def test_system_publish_without_user(tenant, shirt, images, editor):
    # operator commands and scheduled publish groups act without a user
    document = check_in(tenant, shirt, editor, content(master=slots(primary=[images[0].pk])))
    document = services.document_publish_content(document=document, user=None)
    assert document.published_id == document.draft_id and document.published_by is None
    checkout(tenant, shirt, editor)
    with pytest.raises(Conflict) as caught:
        services.document_publish_content(document=document, user=None)
    assert "eddie" in caught.value.message


def test_publish_refused_while_checked_out_naming_holder(tenant, shirt, images, editor, publisher):
    # R12: only checked-in content can be published
    document = check_in(tenant, shirt, editor, content(master=slots(primary=[images[0].pk])))
    checkout(tenant, shirt, editor)
    with pytest.raises(Conflict) as caught:
        services.document_publish_content(document=document, user=publisher)
    assert "eddie" in caught.value.message


def test_reset_stages_empty_draft_and_falls_back_after_publish(
    tenant, shirt, images, editor, publisher
):
    # R13: reset a channel document -> the context inherits again, in preview at once and
    # in published content once published.
    check_in(
        tenant, shirt, editor, content(master=slots(primary=[images[0].pk])), publish_as=publisher
    )
    document = check_in(
        tenant,
        shirt,
        editor,
        content(master=slots(primary=[images[1].pk])),
        channel="web",
        locale="en-us",
        publish_as=publisher,
    )
    assert view(tenant, shirt, editor, "web", "en-us")["inherited_from"] is None
    channel_row, locale_row = context(tenant, "web", "en-us")
    document = services.document_reset(
        tenant=tenant, product=shirt, channel=channel_row, locale=locale_row, user=editor
    )
    shown = view(tenant, shirt, editor, "web", "en-us")
    assert shown["state"] == "draft" and shown["version"] == 2
    assert shown["draft"]["master"]["primary"] == []
    assert shown["published"]["master"]["primary"] == [images[1].pk]
    assert shown["inherited_from"] == {"channel": "omnichannel", "locale": "neutral"}
    services.document_publish_content(document=document, user=publisher)
    shown = view(tenant, shirt, editor, "web", "en-us")
    assert shown["state"] == "empty" and shown["published"]["master"]["primary"] == []
    # a new first edit starts from the inherited content again
    checkout(tenant, shirt, editor, "web", "en-us")
    assert view(tenant, shirt, editor, "web", "en-us")["working"]["master"]["primary"] == [
        images[0].pk
    ]


def test_reset_default_context_is_clear_all_and_keeps_matrix(tenant, shirt, images, editor):
    # R13
    body = content(
        matrix=["color"],
        master=slots(primary=[images[0].pk]),
        dimensions=[{"values": {"color": "Red"}, **slots(primary=[images[1].pk])}],
        variants=[{"variant": "SHIRT-001-RED-S-SLIM", **slots(primary=[images[2].pk])}],
    )
    check_in(tenant, shirt, editor, body)
    channel_row, locale_row = context(tenant)
    services.document_reset(
        tenant=tenant, product=shirt, channel=channel_row, locale=locale_row, user=editor
    )
    draft = view(tenant, shirt, editor)["draft"]
    assert draft == {"matrix": ["color"], "master": slots(), "dimensions": [], "variants": []}


def test_reset_refused_while_another_user_holds_and_drops_own_working(
    tenant, shirt, images, editor, member
):
    other = member(Role.EDITOR, username="olga")
    check_in(tenant, shirt, editor, content(master=slots(primary=[images[0].pk])))
    channel_row, locale_row = context(tenant)
    checkout(tenant, shirt, other)
    with pytest.raises(Conflict) as caught:
        services.document_reset(
            tenant=tenant, product=shirt, channel=channel_row, locale=locale_row, user=editor
        )
    assert "olga" in caught.value.message
    document = services.document_reset(
        tenant=tenant, product=shirt, channel=channel_row, locale=locale_row, user=other
    )
    assert document.checked_out_by is None and document.working is None
    assert DocumentEvent.objects.filter(document=document, action="reset").get().detail == {
        "cleared": True,
        "discarded_working": True,
    }


def test_primary_ordering_operations(tenant, shirt, images, editor):
    # R7: insert, remove, move up/down, move to position on top of the whole-content write
    document = checkout(tenant, shirt, editor)
    a, b, c, d = (m.pk for m in images)
    for media in (a, b, c):
        services.document_primary_change(
            document=document, user=editor, operation="insert", media=media
        )
    services.document_primary_change(
        document=document, user=editor, operation="insert", media=d, position=0
    )
    services.document_primary_change(document=document, user=editor, operation="move_down", media=d)
    services.document_primary_change(document=document, user=editor, operation="move_up", media=c)
    services.document_primary_change(
        document=document, user=editor, operation="move_to", media=a, position=3
    )
    services.document_primary_change(document=document, user=editor, operation="remove", media=b)
    assert view(tenant, shirt, editor)["working"]["master"]["primary"] == [d, c, a]
    services.document_primary_change(
        document=document,
        user=editor,
        operation="insert",
        media=a,
        variant="SHIRT-001-BLUE-S-SLIM",
    )
    assert view(tenant, shirt, editor)["working"]["variants"] == [
        {"variant": "SHIRT-001-BLUE-S-SLIM", **slots(primary=[a])}
    ]
