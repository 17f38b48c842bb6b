"""Issue 14 (library workspace): bulk actions on a selection are the bulk forms of the item
services: role-checked (R1a), all or nothing with a reason per refused item; and a PDF's
first page is previewed for members only (R30)."""

import io

import pytest
from PIL import Image

from media_library.models import MediaItem, MediaStatus
from media_library.services import media_item_upload
from tests.assignments.factories import check_in, content, make_master, slots
from tests.media_library.samples import image_bytes, tiny_pdf, upload_file

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/acme/media/"


@pytest.fixture
def items(tenant, editor):
    out = []
    for n, colour in enumerate([(200, 0, 0), (0, 200, 0), (0, 0, 200)], start=1):
        out.append(
            media_item_upload(
                tenant=tenant,
                file=upload_file(f"look-{n}.jpg", image_bytes(20, 20, color=colour)),
                user=editor,
                title=f"Look {n}",
                alt_text=f"Look {n}",
                tags=["Autumn"],
            )[0]
        )
    return out


def bulk(client, action, ids, **params):
    return client.post(URL + "bulk", {"action": action, "ids": ids, **params}, format="json")


def state(items):
    return [
        (i.title, i.alt_text, i.status, sorted(t.name for t in i.tags.all()))
        for i in MediaItem.objects.filter(pk__in=[x.pk for x in items]).order_by("pk")
    ]


def test_tags_alt_text_and_title_pattern(client_for, editor, items):
    client = client_for(editor)
    ids = [i.pk for i in items]
    response = bulk(client, "tags_add", ids, tags=["Sale", "autumn"])
    assert response.status_code == 200, response.json()
    assert response.json()["count"] == 3
    assert all(sorted(r["tags"]) == ["Autumn", "Sale"] for r in response.json()["results"])
    assert bulk(client, "tags_remove", ids[:1], tags=["AUTUMN"]).status_code == 200
    assert bulk(client, "alt_text", ids, alt_text="A model in a coat").status_code == 200
    twice = bulk(client, "alt_text", [ids[0], ids[0]], alt_text="A model in a coat")
    assert twice.json()["count"] == 1  # an id named twice is one item
    response = bulk(client, "title", [ids[2], ids[0]], title_pattern="Coat {n} ({name})")
    assert response.status_code == 200, response.json()
    assert state(items) == [
        ("Coat 2 (look-1)", "A model in a coat", "draft", ["Sale"]),
        ("Look 2", "A model in a coat", "draft", ["Autumn", "Sale"]),
        ("Coat 1 (look-3)", "A model in a coat", "draft", ["Autumn", "Sale"]),
    ]


def test_one_refused_item_changes_nothing_and_says_why(client_for, editor, items):
    client = client_for(editor)
    before = state(items)
    # Clearing alt text is refused for images (R6): every item says so, nothing changes.
    response = bulk(client, "alt_text", [items[0].pk, items[1].pk, 999999], alt_text="")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "bulk_refused"
    reasons = {r["id"]: r["reason"] for r in body["items"]}
    assert reasons[items[0].pk] == "Alt text is required for images."
    assert reasons[999999] == "No such media item."
    assert state(items) == before


def test_publish_needs_a_publisher_R1a(client_for, editor, publisher, items):
    ids = [i.pk for i in items]
    response = bulk(client_for(editor), "publish", ids)
    assert response.status_code == 403
    assert [s for _, _, s, _ in state(items)] == ["draft", "draft", "draft"]
    response = bulk(client_for(publisher), "publish", ids)
    assert response.status_code == 200, response.json()
    assert {r["status"] for r in response.json()["results"]} == {"published"}
    response = bulk(client_for(publisher), "unpublish", ids[:2])
    assert response.status_code == 200
    assert [s for _, _, s, _ in state(items)] == ["draft", "draft", "published"]


def test_viewer_may_not_bulk_edit(client_for, viewer, items):
    response = bulk(client_for(viewer), "tags_add", [items[0].pk], tags=["x"])
    assert response.status_code == 403
    assert state(items)[0][3] == ["Autumn"]


def test_delete_all_or_nothing_when_one_is_used(client_for, tenant, editor, items, settings):
    check_in(tenant, make_master(tenant), editor, content(master=slots(primary=[items[1].pk])))
    client = client_for(editor)
    response = bulk(client, "delete", [i.pk for i in items])
    assert response.status_code == 409
    refused = response.json()["items"]
    assert [r["id"] for r in refused] == [items[1].pk]
    assert "still used" in refused[0]["reason"]
    assert MediaItem.objects.filter(pk__in=[i.pk for i in items]).count() == 3
    for item in items:
        assert item.file.storage.exists(item.file.name)
    response = bulk(client, "delete", [items[0].pk, items[2].pk])
    assert response.status_code == 200
    assert list(MediaItem.objects.values_list("pk", flat=True)) == [items[1].pk]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"action": "paint", "ids": [1]}, "action"),
        ({"action": "publish", "ids": []}, "ids"),
        ({"action": "publish", "ids": ["x"]}, "ids"),
        ({"action": "tags_add", "ids": [1]}, "tags"),
        ({"action": "title", "ids": [1], "title_pattern": "Look {colour}"}, "title_pattern"),
        ({"action": "title", "ids": [1], "title_pattern": "Look {"}, "title_pattern"),
        ({"action": "title", "ids": [1], "title_pattern": "{title:>999999999}"}, "title_pattern"),
        ({"action": "title", "ids": [1], "title_pattern": "{n!z}"}, "title_pattern"),
        ({"action": "publish", "ids": [2**64]}, "ids"),
    ],
)
def test_bad_bulk_input_is_400_and_changes_nothing(client_for, publisher, items, body, field):
    before = state(items)
    body = {**body, "ids": [items[0].pk if i == 1 else i for i in body["ids"]]}
    response = client_for(publisher).post(URL + "bulk", body, format="json")
    assert response.status_code == 400, response.json()
    assert response.json()["errors"][0]["field"].startswith(field)
    assert state(items) == before


def test_a_pattern_making_too_long_a_title_is_refused_in_words(client_for, editor, items):
    MediaItem.objects.filter(pk=items[0].pk).update(title="T" * 200)
    before = state(items)
    response = bulk(client_for(editor), "title", [items[0].pk], title_pattern="{title} {title}")
    assert response.status_code == 400, response.json()
    assert response.json()["items"] == [
        {
            "id": items[0].pk,
            "name": "look-1.jpg",
            "field": "title",
            "reason": "The title is longer than 300 characters.",
        }
    ]
    assert state(items) == before


def pdf_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), (0, 90, 200)).save(out, "PDF")
    return out.getvalue()


def test_pdf_first_page_preview_for_members_R30(client_for, tenant, editor, viewer, other_tenant):
    from tests.factories import make_member

    pdf = media_item_upload(
        tenant=tenant, file=upload_file("spec.pdf", pdf_bytes()), user=editor, title="Spec"
    )[0]
    response = client_for(viewer).get(f"{URL}{pdf.pk}/preview")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    image = Image.open(io.BytesIO(b"".join(response)))
    assert image.width > 100 and image.getpixel((image.width // 2, image.height // 2))[2] > 150
    assert client_for(make_member(other_tenant)).get(f"{URL}{pdf.pk}/preview").status_code == 404
    assert pdf.status == MediaStatus.DRAFT
    assert client_for(None).get(f"{URL}{pdf.pk}/preview").status_code in (401, 403)


def test_preview_of_unreadable_or_non_pdf_is_400(client_for, tenant, editor, items):
    broken = media_item_upload(
        tenant=tenant, file=upload_file("empty.pdf", tiny_pdf()), user=editor, title="Empty"
    )[0]
    for item in (broken, items[0]):
        response = client_for(editor).get(f"{URL}{item.pk}/preview")
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "media"
