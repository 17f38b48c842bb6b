"""R1, R1a: viewers read, editors write; another tenant's ids answer 404 and change nothing."""

import pytest

from media_library.models import MediaItem, MediaStatus
from tests.media_library.samples import image_bytes, tiny_pdf

pytestmark = pytest.mark.django_db


def test_viewer_reads_but_cannot_upload(api_upload, client_for, viewer, image_item):
    # R1a
    response = api_upload(viewer, "a.pdf", tiny_pdf())
    assert response.status_code == 403
    assert "editor" in response.json()["detail"]
    client = client_for(viewer)
    assert client.get("/api/v1/tenants/acme/media/").status_code == 200
    assert client.get(f"/api/v1/tenants/acme/media/{image_item.pk}/").status_code == 200
    assert (
        client.patch(
            f"/api/v1/tenants/acme/media/{image_item.pk}/", {"title": "x"}, format="json"
        ).status_code
        == 403
    )
    assert client.post(f"/api/v1/tenants/acme/media/{image_item.pk}/publish/").status_code == 403
    assert client.delete(f"/api/v1/tenants/acme/media/{image_item.pk}/").status_code == 403


def test_anonymous_is_refused(client_for, tenant):
    assert client_for(None).get("/api/v1/tenants/acme/media/").status_code in (401, 403)


def test_another_tenants_item_is_404_everywhere(client_for, image_item, other_tenant, member):
    # R1: a globex editor addressing an acme id through globex's URL.
    outsider = client_for(member("editor", username="olga", in_tenant=other_tenant))
    base = f"/api/v1/tenants/globex/media/{image_item.pk}/"
    before = MediaItem.objects.values().get(pk=image_item.pk)
    assert outsider.get(base).status_code == 404
    assert outsider.patch(base, {"title": "hacked"}, format="json").status_code == 404
    assert outsider.post(base + "publish/").status_code == 404
    assert outsider.post(base + "unpublish/").status_code == 404
    assert outsider.delete(base).status_code == 404
    assert outsider.get("/api/v1/tenants/globex/media/").json()["count"] == 0
    assert outsider.get(f"/api/v1/tenants/acme/media/{image_item.pk}/").status_code == 404
    assert MediaItem.objects.values().get(pk=image_item.pk) == before
    assert before["status"] == MediaStatus.DRAFT


def test_editor_updates_metadata(client_for, editor, image_item):
    response = client_for(editor).patch(
        f"/api/v1/tenants/acme/media/{image_item.pk}/",
        {"title": "New", "tags": "a, b", "display_name": "Shirt front"},
        format="json",
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["title"], body["tags"], body["display_name"]) == ("New", ["a", "b"], "Shirt front")
    assert body["version"] == 2


def test_update_cannot_blank_an_images_alt_text(client_for, editor, image_item):
    # R6
    response = client_for(editor).patch(
        f"/api/v1/tenants/acme/media/{image_item.pk}/", {"alt_text": ""}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "alt_text"


def test_rename_to_a_taken_display_name_is_409(api_upload, client_for, editor, image_item):
    other = api_upload(editor, "b.png", image_bytes(fmt="PNG"), title="T", alt_text="A").json()
    response = client_for(editor).patch(
        f"/api/v1/tenants/acme/media/{other['id']}/", {"display_name": "shirt.jpg"}, format="json"
    )
    assert response.status_code == 409
