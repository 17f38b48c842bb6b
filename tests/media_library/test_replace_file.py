"""R25: new bytes for an existing item keep the item (id, assignments, link); each file
version is kept and restorable; renditions are remade and published answers updated at once.
Bad input (another kind, another item's bytes, a role too low) changes nothing, files included.
"""

import pytest
from django.conf import settings

from assignments.models import AssignmentEntry
from media_library.models import MediaFileVersion, MediaItem, Rendition
from publishing.models import AnswerChange
from tests.media_library.samples import image_bytes, stored_files, tiny_pdf, upload_file

pytestmark = pytest.mark.django_db


def _put_file(api_call, user, item, content: bytes, name: str = "new.png"):
    return api_call(
        user, "put", f"media/{item.pk}/file", {"file": upload_file(name, content)}, fmt="multipart"
    )


RECORDED: list[tuple[str, list[int]]] = []


@pytest.fixture
def events(settings):
    """Domain events told to hooks (webhooks listen the same way), as (event, ids)."""
    settings.DOMAIN_EVENT_HOOKS = [
        *settings.DOMAIN_EVENT_HOOKS,
        "tests.media_library.test_replace_file.record_event",
    ]
    RECORDED.clear()
    return RECORDED


def record_event(*, tenant_id: int, event: str, ids: list[int]) -> None:
    RECORDED.append((event, ids))


def test_replace_keeps_item_and_assignments_and_updates_the_shop_at_once(
    published_mug, api_call, publisher, shop_read, events
):  # R25, R21
    _, media = published_mug
    front = media["front"]
    before = shop_read("MUG-001").json()
    assert before["default_image"]["id"] == front.pk
    old_renditions = set(Rendition.objects.filter(media=front).values_list("pk", "checksum"))
    assert old_renditions
    cursor = AnswerChange.objects.order_by("-pk").values_list("pk", flat=True).first()

    new_bytes = image_bytes(90, 60, "PNG", color=(10, 200, 30))
    response = _put_file(api_call, publisher, front, new_bytes, "front-v2.png")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["id"] == front.pk and body["file_version"] == 2
    assert (body["mime_type"], body["width"], body["height"]) == ("image/png", 90, 60)
    front.refresh_from_db()
    assert front.public_id == MediaItem.objects.get(pk=front.pk).public_id
    assert AssignmentEntry.objects.filter(media=front).exists()
    # Renditions remade from the new bytes.
    new_renditions = set(Rendition.objects.filter(media=front).values_list("pk", "checksum"))
    assert new_renditions and not (new_renditions & old_renditions)
    # The shop answer changed at once: same id, the new file's URL and size.
    after = shop_read("MUG-001").json()
    assert after["default_image"]["id"] == front.pk
    assert after["default_image"]["url"] != before["default_image"]["url"]
    assert (after["default_image"]["width"], after["default_image"]["height"]) == (90, 60)
    renditions = (before["default_image"]["renditions"], after["default_image"]["renditions"])
    assert set(renditions[1]) == set(renditions[0])
    assert not set(renditions[1].values()) & set(renditions[0].values())
    assert AnswerChange.objects.filter(pk__gt=cursor or 0).exists()
    assert ("media.replaced", [front.pk]) in events
    # The version is recorded: who, when, checksum.
    versions = api_call(publisher, "get", f"media/{front.pk}/versions").json()
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["current"] and versions[0]["created_by"] == publisher.username
    assert versions[0]["checksum"] == front.checksum and versions[0]["action"] == "replace"
    assert versions[1]["action"] == "upload" and not versions[1]["current"]


def test_restore_an_older_version(published_mug, api_call, publisher, shop_read):  # R25
    _, media = published_mug
    front = media["front"]
    original = (front.checksum, shop_read("MUG-001").json()["default_image"]["url"])
    assert _put_file(api_call, publisher, front, image_bytes(50, 50, "PNG")).status_code == 200

    response = api_call(publisher, "post", f"media/{front.pk}/versions/1/restore")

    assert response.status_code == 200, response.content
    assert response.json()["checksum"] == original[0]
    assert response.json()["file_version"] == 3
    # Same bytes, same content-hashed public name: the shop is handed the original URL again.
    assert shop_read("MUG-001").json()["default_image"]["url"] == original[1]
    versions = api_call(publisher, "get", f"media/{front.pk}/versions").json()
    assert [(v["number"], v["action"], v["restored_from"]) for v in versions] == [
        (3, "restore", 1),
        (2, "replace", None),
        (1, "upload", None),
    ]
    missing = api_call(publisher, "post", f"media/{front.pk}/versions/9/restore")
    assert missing.status_code == 404


def test_same_bytes_as_another_item_is_refused_naming_it(
    published_mug, api_call, publisher
):  # R25, R5
    _, media = published_mug
    front, back = media["front"], media["back"]
    files = stored_files(settings.MEDIA_ROOT)
    with back.file.open("rb") as handle:
        back_bytes = handle.read()

    response = _put_file(api_call, publisher, front, back_bytes, "back-copy.jpg")

    assert response.status_code == 409, response.content
    assert response.json()["media"] == back.pk
    assert str(back.pk) in response.json()["detail"]
    front_after = MediaItem.objects.get(pk=front.pk)
    assert (front_after.checksum, front_after.file_version) == (front.checksum, 1)
    assert not MediaFileVersion.objects.filter(media=front, number__gt=1).exists()
    assert stored_files(settings.MEDIA_ROOT) == files


def test_a_file_of_another_kind_cannot_replace_an_image(
    published_mug, api_call, publisher, shop_read
):  # R25: clear 4xx, nothing changed, files included
    _, media = published_mug
    front = media["front"]
    files = stored_files(settings.MEDIA_ROOT)
    answer = shop_read("MUG-001").json()

    response = _put_file(api_call, publisher, front, tiny_pdf(), "sheet.pdf")

    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == "file"
    assert "image" in response.json()["detail"]
    front_after = MediaItem.objects.get(pk=front.pk)
    assert (front_after.checksum, front_after.mime_type) == (front.checksum, front.mime_type)
    assert not MediaFileVersion.objects.filter(media=front).exists()
    assert stored_files(settings.MEDIA_ROOT) == files
    assert shop_read("MUG-001").json() == answer
    empty = api_call(publisher, "put", f"media/{front.pk}/file", {}, fmt="multipart")
    assert empty.status_code == 400 and empty.json()["errors"][0]["field"] == "file"


def test_roles(published_mug, api_call, viewer, editor, publisher, image_item):  # R1a, R30
    _, media = published_mug
    front = media["front"]
    refused = _put_file(api_call, viewer, front, image_bytes(20, 20, "PNG"))
    assert refused.status_code == 403
    # A published item's bytes reach shops at once: a publisher's call.
    refused = _put_file(api_call, editor, front, image_bytes(21, 21, "PNG"))
    assert refused.status_code == 403 and "publisher" in refused.json()["detail"]
    assert MediaItem.objects.get(pk=front.pk).file_version == 1
    # A draft's new bytes are an editor's upload.
    assert image_item.status == "draft"
    allowed = _put_file(api_call, editor, image_item, image_bytes(22, 22, "PNG"))
    assert allowed.status_code == 200, allowed.content
    assert allowed.json()["file_version"] == 2
    # Viewers read the versions, never restore them.
    assert api_call(viewer, "get", f"media/{image_item.pk}/versions").status_code == 200
    assert api_call(viewer, "post", f"media/{image_item.pk}/versions/1/restore").status_code == 403


def test_same_bytes_as_itself_change_nothing(api_call, editor, image_item):  # R25
    with image_item.file.open("rb") as handle:
        content = handle.read()
    response = _put_file(api_call, editor, image_item, content, "shirt.jpg")
    assert response.status_code == 200
    assert response.json()["file_version"] == 1
    assert not MediaFileVersion.objects.filter(media=image_item).exists()


def test_delete_removes_every_file_version(
    api_call, editor, image_item, django_capture_on_commit_callbacks
):  # R25: versions go with their item
    assert _put_file(api_call, editor, image_item, image_bytes(33, 33, "PNG")).status_code == 200
    assert MediaFileVersion.objects.filter(media=image_item).count() == 2
    assert api_call(editor, "delete", f"media/{image_item.pk}/").status_code == 204
    assert stored_files(settings.MEDIA_ROOT) == []


def test_webhooks_hear_replaced_and_expired(published_mug, api_call, publisher, editor, tenant):
    # R28: the media events go through the same domain-event hook as published/unpublished.
    import json
    from datetime import timedelta

    from django.utils import timezone

    from webhooks.models import WebhookEndpoint, WebhookMessage

    WebhookEndpoint.objects.create(
        tenant=tenant,
        url="https://hooks.acme.example/in",
        events=["media.replaced", "media.expired"],
        secret="whsec_" + "A" * 44,
    )
    _, media = published_mug
    front = media["front"]
    assert _put_file(api_call, publisher, front, image_bytes(44, 44, "PNG")).status_code == 200
    past = (timezone.now() - timedelta(minutes=1)).isoformat()
    assert (
        api_call(publisher, "patch", f"media/{front.pk}/", {"expires_at": past}).status_code == 200
    )
    messages = {m.event: json.loads(m.body) for m in WebhookMessage.objects.filter(tenant=tenant)}
    assert set(messages) == {"media.replaced", "media.expired"}
    assert messages["media.replaced"]["data"]["media"]["id"] == front.pk
    assert messages["media.replaced"]["data"]["media"]["file_version"] == 2
    assert messages["media.expired"]["data"]["media"]["expires_at"]
