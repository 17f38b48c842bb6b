"""R26: where-used lists every current use of an item (working copy, draft, published content,
category images) and history apart; history never blocks deleting an item, and an old
version that referenced a deleted item restores with that entry reported missing."""

import pytest

from assignments import services as assignment_services
from assignments.models import AssignmentDocument, AssignmentEntry
from catalog.models import Category
from media_library.models import MediaItem
from tenants.models import Channel, Locale
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db


def _publish(api_call, publisher):
    response = api_call(
        publisher,
        "post",
        "products/MUG-001/media/publish?channel=omnichannel&locale=neutral",
        {"publish_dependencies": True},
    )
    assert response.status_code == 202, response.content


def _states(usage: dict) -> list[tuple]:
    return sorted(
        (u["product"], u["channel"], u["locale"], u["state"], u["slot"], u["position"])
        for u in usage["current"]
        if u["type"] == "assignment entry"
    )


def test_usage_lists_current_uses_and_history_apart(
    tenant, published_mug, api_call, editor, publisher, viewer
):  # R26
    product, media = published_mug
    front, back = media["front"], media["back"]
    shirts = Category.objects.create(
        tenant=tenant,
        channel=Channel.objects.get(tenant=tenant, code="web"),
        name="Mugs",
        path="Mugs",
    )
    shirts.products.add(product)
    # A new draft without the front image; then a working copy that puts it back second.
    b.checkin(tenant, product, editor, {"master": b.slots([back])})
    document = assignment_services.document_checkout(
        tenant=tenant,
        product=product,
        channel=Channel.objects.get(tenant=tenant, code="omnichannel"),
        locale=Locale.objects.get(tenant=tenant, code="neutral"),
        user=editor,
    )
    assignment_services.document_working_replace(
        document=document,
        user=editor,
        content={"matrix": [], "master": b.slots([back, front]), "dimensions": [], "variants": []},
    )
    assignment_services.category_media_set(
        tenant=tenant, category=shirts, media_id=front.pk, user=editor
    )

    response = api_call(viewer, "get", f"media/{front.pk}/usage")

    assert response.status_code == 200
    usage = response.json()
    assert set(usage) == {"current", "history"}
    assert _states(usage) == [
        ("MUG-001", "omnichannel", "neutral", "published", "primary", 0),
        ("MUG-001", "omnichannel", "neutral", "working", "primary", 1),
    ]
    entry = next(u for u in usage["current"] if u["state"] == "published")
    assert entry["scope"] == "master" and entry["categories"] == [
        {"path": "Mugs", "channel": "web"}
    ]
    category = [u for u in usage["current"] if u["type"] == "category media"]
    assert [(c["state"], c["channel"], c["category"]["path"]) for c in category] == [
        ("draft", "web", "Mugs")
    ]
    # History: version 1 (published) used it; version 2 (the draft) does not.
    assert [(h["product"], h["version"], h["slots"]) for h in usage["history"]] == [
        ("MUG-001", 1, ["primary"])
    ]
    assert usage["history"][0]["checked_in_by"] == editor.username
    assert api_call(viewer, "get", f"media/{back.pk}/usage").json()["history"]


def test_only_history_never_blocks_delete_and_restore_reports_missing(
    tenant, published_mug, api_call, editor, publisher, shop_read
):  # R26
    product, media = published_mug
    front, back = media["front"], media["back"]
    b.checkin(tenant, product, editor, {"master": b.slots([back])})
    # Published content still shows it: the delete is refused, listing where.
    refused = api_call(editor, "delete", f"media/{front.pk}/")
    assert refused.status_code == 409
    assert [u["description"] for u in refused.json()["used_by"]] == [
        "MUG-001 (omnichannel/neutral) published: master primary #1"
    ]
    _publish(api_call, publisher)
    assert [m["id"] for m in shop_read("MUG-001").json()["primary"]] == [back.pk]
    usage = api_call(editor, "get", f"media/{front.pk}/usage").json()
    assert usage["current"] == [] and [h["version"] for h in usage["history"]] == [1]

    deleted = api_call(editor, "delete", f"media/{front.pk}/")

    assert deleted.status_code == 204, deleted.content
    assert not MediaItem.objects.filter(pk=front.pk).exists()
    # History is immutable: version 1 still names the deleted item.
    assert AssignmentEntry.objects.filter(
        content_set__versions__number=1, media_id=front.pk
    ).exists()
    restored = api_call(
        editor,
        "post",
        "products/MUG-001/media/versions/1/restore?channel=omnichannel&locale=neutral",
    )
    assert restored.status_code == 200, restored.content
    body = restored.json()
    assert [(m["media"], m["slot"], m["position"]) for m in body["missing"]] == [
        (front.pk, "primary", 0)
    ]
    assert body["working"]["master"]["primary"] == [back.pk]
    # ...and the restored working copy checks in and publishes without the missing entry.
    document = AssignmentDocument.objects.get(product=product)
    assignment_services.document_checkin(document=document, user=editor)
    _publish(api_call, publisher)
    assert [m["id"] for m in shop_read("MUG-001").json()["primary"]] == [back.pk]


def test_a_working_copy_blocks_delete(tenant, api_call, editor, image_item):  # R26
    product = b.mug(tenant)
    document = assignment_services.document_checkout(
        tenant=tenant,
        product=product,
        channel=Channel.objects.get(tenant=tenant, code="omnichannel"),
        locale=Locale.objects.get(tenant=tenant, code="neutral"),
        user=editor,
    )
    assignment_services.document_working_replace(
        document=document,
        user=editor,
        content={"matrix": [], "master": b.slots([image_item]), "dimensions": [], "variants": []},
    )
    refused = api_call(editor, "delete", f"media/{image_item.pk}/")
    assert refused.status_code == 409
    assert "working" in refused.json()["used_by"][0]["description"]
    assert MediaItem.objects.filter(pk=image_item.pk).exists()


def test_the_library_unused_filter_and_where_used_agree_on_every_kind_of_use(
    tenant, published_mug, api_call, editor, publisher, viewer
):  # R26: one rule, two readers (media_in_use for the library's filter, media_usages)
    from catalog.models import DimensionValue

    product, media = published_mug
    front, back = media["front"], media["back"]
    items = {name: b.image(tenant, editor, name) for name in ("draft", "working", "cat", "swatch")}
    items["history-only"], items["never"] = front, b.image(tenant, editor, "never")
    # Version 2, published, drops front (history only from then on); version 3, checked in
    # and not published, adds the draft item; the working copy adds the working item.
    b.checkin(tenant, product, editor, {"master": b.slots([back])})
    _publish(api_call, publisher)
    b.checkin(tenant, product, editor, {"master": b.slots([back, items["draft"]])})
    document = assignment_services.document_checkout(
        tenant=tenant,
        product=product,
        channel=Channel.objects.get(tenant=tenant, code="omnichannel"),
        locale=Locale.objects.get(tenant=tenant, code="neutral"),
        user=editor,
    )
    assignment_services.document_working_replace(
        document=document,
        user=editor,
        content={
            "matrix": [],
            "master": b.slots([back, items["working"]]),
            "dimensions": [],
            "variants": [],
        },
    )
    category = Category.objects.create(
        tenant=tenant, channel=Channel.objects.get(tenant=tenant, code="web"), name="M", path="M"
    )
    assignment_services.category_media_set(
        tenant=tenant, category=category, media_id=items["cat"].pk, user=editor
    )
    DimensionValue.objects.create(
        tenant=tenant, dimension="color", value="Sand", swatch_media=items["swatch"]
    )
    everything = {"back": back, **items}

    listed = api_call(viewer, "get", "media/?unused=true&page_size=100").json()
    unused = {row["id"] for row in listed["results"]}
    in_use = {
        name
        for name, item in everything.items()
        if api_call(viewer, "get", f"media/{item.pk}/usage").json()["current"]
    }

    assert in_use == {"back", "draft", "working", "cat", "swatch"}
    assert {name for name, item in everything.items() if item.pk in unused} == {
        "history-only",
        "never",
    }
