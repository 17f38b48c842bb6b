"""R5: the library is searched by kind, tag, status and text."""

import pytest

from media_library.services import media_item_publish, media_item_upload
from tests.media_library.samples import fake_mp4, image_bytes, tiny_pdf, upload_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def library(tenant, editor):
    def add(name, content, **meta):
        return media_item_upload(
            tenant=tenant, file=upload_file(name, content), user=editor, **meta
        )[0]

    items = {
        "shirt": add(
            "shirt.jpg",
            image_bytes(10, 10),
            title="Oxford shirt",
            alt_text="Blue shirt",
            tags=["Summer"],
        ),
        "hat": add(
            "hat.png",
            image_bytes(10, 10, "PNG"),
            title="Sun hat",
            alt_text="Straw",
            caption="Beach",
            tags=["summer", "hats"],
        ),
        "clip": add("clip.mp4", fake_mp4(), title="Runway clip"),
        "manual": add("manual.pdf", tiny_pdf(), title="Care guide"),
    }
    media_item_publish(item=items["hat"], user=None)
    return items


def _ids(client, **params):
    response = client.get("/api/v1/tenants/acme/media/", params)
    assert response.status_code == 200, response.json()
    return {r["display_name"] for r in response.json()["results"]}


def test_filters(client_for, viewer, library):
    client = client_for(viewer)
    assert _ids(client) == {"shirt.jpg", "hat.png", "clip.mp4", "manual.pdf"}
    assert _ids(client, kind="image") == {"shirt.jpg", "hat.png"}
    assert _ids(client, kind="document") == {"manual.pdf"}
    assert _ids(client, status="published") == {"hat.png"}
    assert _ids(client, tag="SUMMER") == {"shirt.jpg", "hat.png"}
    assert _ids(client, tag="hats") == {"hat.png"}
    assert _ids(client, q="shirt") == {"shirt.jpg"}
    assert _ids(client, q="straw") == {"hat.png"}  # alt text
    assert _ids(client, q="beach") == {"hat.png"}  # caption
    assert _ids(client, q="summ") == {"shirt.jpg", "hat.png"}  # tags
    assert _ids(client, q="runway clip") == {"clip.mp4"}  # every word must match
    assert _ids(client, q="sun", kind="video") == set()


def test_bad_filter_is_400(client_for, viewer, library):
    response = client_for(viewer).get("/api/v1/tenants/acme/media/", {"kind": "hologram"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "kind"


def test_list_is_paginated_in_a_fixed_number_of_queries(
    client_for, viewer, library, django_assert_max_num_queries
):
    client = client_for(viewer)
    with django_assert_max_num_queries(10):
        body = client.get("/api/v1/tenants/acme/media/", {"page_size": 2}).json()
    assert body["count"] == 4 and len(body["results"]) == 2 and body["next"]
