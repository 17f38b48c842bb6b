"""R5: uploads of every kind, MIME from the bytes, duplicates, display names, R6 rules."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from media_library import services
from media_library.models import MediaItem
from tests.media_library.samples import (
    fake_mp4,
    glb_bytes,
    image_bytes,
    tiny_pdf,
    zip_bytes,
)

pytestmark = pytest.mark.django_db

IMAGE_META = {"title": "A title", "alt_text": "Some alt text"}


@pytest.mark.parametrize(
    ("name", "content", "kind", "mime", "meta"),
    [
        ("a.jpg", image_bytes(fmt="JPEG"), "image", "image/jpeg", IMAGE_META),
        ("b.png", image_bytes(fmt="PNG"), "image", "image/png", IMAGE_META),
        ("c.gif", image_bytes(fmt="GIF"), "image", "image/gif", IMAGE_META),
        ("d.webp", image_bytes(fmt="WEBP"), "image", "image/webp", IMAGE_META),
        ("e.tiff", image_bytes(fmt="TIFF"), "image", "image/tiff", IMAGE_META),
        ("f.mp4", fake_mp4(), "video", "video/mp4", {"title": "Clip"}),
        ("g.pdf", tiny_pdf(), "document", "application/pdf", {}),
        ("h.csv", b"sku,name\nA-1,Shirt\n", "other", "text/csv", {}),
        ("i.txt", "Größentabelle\n".encode(), "other", "text/plain", {}),
        ("j.zip", zip_bytes(), "other", "application/zip", {}),
        ("k.glb", glb_bytes(), "other", "model/gltf-binary", {}),
    ],
)
def test_upload_each_kind_with_mime_from_bytes(api_upload, editor, name, content, kind, mime, meta):
    # R5: the client claims text/plain for everything; the bytes decide.
    response = api_upload(editor, name, content, content_type="text/plain", **meta)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["kind"], body["mime_type"], body["size"]) == (kind, mime, len(content))
    assert body["duplicate"] is False
    assert body["status"] == "draft"
    item = MediaItem.objects.get(pk=body["id"])
    assert item.file.read() == content


def test_image_upload_records_size_checksum_and_metadata(api_upload, editor):
    # R5
    content = image_bytes(320, 240, "PNG")
    response = api_upload(
        editor, "shirt.png", content, title="Shirt", alt_text="Blue shirt",
        caption="Front", description="Long text", tags="Summer, shirts",
    )  # fmt: skip
    body = response.json()
    assert (body["width"], body["height"]) == (320, 240)
    assert len(body["checksum"]) == 64
    assert body["tags"] == ["shirts", "Summer"]
    assert (body["focal_x"], body["focal_y"]) == (0.5, 0.5)
    assert body["display_name"] == "shirt.png"
    assert body["public_url"].startswith("http://testserver/p/")


def test_tags_as_repeated_multipart_field(api_upload, editor):
    response = api_upload(editor, "a.pdf", tiny_pdf(), tags=["spec", "manual, EN"])
    assert sorted(response.json()["tags"]) == ["EN", "manual", "spec"]


def test_same_bytes_twice_return_the_existing_item(api_upload, editor):
    # R5: the checksum finds the same item; nothing new is stored.
    content = image_bytes(50, 50, "PNG")
    first = api_upload(editor, "one.png", content, **IMAGE_META)
    second = api_upload(editor, "two.png", content)  # metadata not even needed
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["duplicate"] is True
    assert second.json()["id"] == first.json()["id"]
    assert MediaItem.objects.count() == 1


def test_same_bytes_in_another_tenant_are_another_item(api_upload, editor, other_tenant, member):
    # R1: checksums are per tenant.
    outsider = member("editor", username="olga", in_tenant=other_tenant)
    content = tiny_pdf()
    assert api_upload(editor, "a.pdf", content).status_code == 201
    assert api_upload(outsider, "a.pdf", content, tenant="globex").status_code == 201


def test_images_need_title_and_alt_text(api_upload, editor):
    # R6
    response = api_upload(editor, "a.png", image_bytes(fmt="PNG"))
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"title", "alt_text"}
    assert MediaItem.objects.count() == 0


def test_videos_need_a_title(api_upload, editor):
    # R6
    response = api_upload(editor, "a.mp4", fake_mp4())
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["title"]


def test_documents_need_no_title(api_upload, editor):
    assert api_upload(editor, "a.pdf", tiny_pdf()).status_code == 201


def test_defaulted_display_name_gets_a_suffix(api_upload, editor):
    # R5: display names are unique per tenant.
    names = [
        api_upload(editor, "spec.pdf", tiny_pdf() + bytes([i])).json()["display_name"]
        for i in range(3)
    ]
    assert names == ["spec.pdf", "spec (2).pdf", "spec (3).pdf"]


def test_explicit_display_name_taken_is_409(api_upload, editor):
    api_upload(editor, "a.pdf", tiny_pdf(), display_name="Size chart")
    response = api_upload(editor, "b.pdf", tiny_pdf() + b" ", display_name="Size chart")
    assert response.status_code == 409
    assert response.json()["errors"][0]["field"] == "display_name"
    assert MediaItem.objects.count() == 1


def test_filename_field_overrides_the_part_name(api_upload, editor):
    response = api_upload(editor, "blob", tiny_pdf(), filename="manual.pdf")
    assert response.json()["original_filename"] == "manual.pdf"


def test_a_defaulted_name_is_found_past_many_taken_ones_by_the_unique_index(
    api_upload, editor, tenant
):
    # R5: the candidates are looked up by name (the unique index), never with a LIKE
    # that reads every item of the tenant; past a whole batch of taken ones too.
    taken = ["spec.pdf"] + [f"spec ({n}).pdf" for n in range(2, services.NAME_CANDIDATES + 6)]
    taken.append(f"spec ({services.NAME_CANDIDATES + 7}).pdf")
    for i, name in enumerate(taken):
        response = api_upload(editor, "x.pdf", tiny_pdf() + bytes([i]), display_name=name)
        assert response.status_code == 201, response.json()

    with CaptureQueriesContext(connection) as queries:
        chosen = services.display_name_choose(tenant=tenant, explicit="", filename="spec.pdf")

    assert chosen == f"spec ({services.NAME_CANDIDATES + 6}).pdf"
    assert len(queries) == 2
    assert not any("LIKE" in q["sql"].upper() for q in queries)
