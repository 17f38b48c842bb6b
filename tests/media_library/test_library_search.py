"""Issue 14 (library workspace): search with filters, facet counts, sort, paging (R5, R26),
and bad filters refused with a 400 naming the parameter."""

import datetime as dt

import pytest
from django.utils import timezone

from media_library.models import MediaItem
from media_library.services import media_item_publish, media_item_upload
from tests.assignments.factories import check_in, content, make_master, slots
from tests.media_library.samples import fake_mp4, image_bytes, tiny_pdf, upload_file

pytestmark = pytest.mark.django_db

URL = "/api/v1/tenants/acme/media/"


@pytest.fixture
def library(tenant, editor, publisher):
    def add(name, data, user=editor, **meta):
        return media_item_upload(tenant=tenant, file=upload_file(name, data), user=user, **meta)[0]

    items = {
        "shirt": add(
            "shirt.jpg", image_bytes(10, 10), title="Oxford shirt", alt_text="Blue", tags=["Summer"]
        ),
        "hat": add(
            "hat.png",
            image_bytes(11, 10, "PNG"),
            user=publisher,
            title="Sun hat",
            alt_text="Straw",
            tags=["summer", "hats"],
        ),
        "clip": add("clip.mp4", fake_mp4(), title="Runway clip"),
        "manual": add("manual.pdf", tiny_pdf(), title="Care guide"),
    }
    # An image without alt text, as an import would leave it (uploads require one).
    MediaItem.objects.filter(pk=items["shirt"].pk).update(alt_text="  ")
    # One item uploaded last year.
    MediaItem.objects.filter(pk=items["manual"].pk).update(
        created_at=timezone.make_aware(dt.datetime(2025, 3, 15, 12)), created_by=None
    )
    media_item_publish(item=items["hat"], user=None)
    # The hat is used by a checked-in draft; the clip only by history (an older version).
    product = make_master(tenant, "SHIRT-001")
    check_in(tenant, product, editor, content(master=slots(primary=[items["clip"].pk])))
    check_in(tenant, product, editor, content(master=slots(primary=[items["hat"].pk])))
    return items


def names(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200, response.json()
    return [r["display_name"] for r in response.json()["results"]]


def test_filters_R5_R26(client_for, viewer, library):
    client = client_for(viewer)
    assert set(names(client, unused="true")) == {"shirt.jpg", "clip.mp4", "manual.pdf"}
    assert names(client, unused="false") == ["hat.png"]
    assert names(client, missing_alt="true") == ["shirt.jpg"]
    assert set(names(client, missing_alt="false")) == {"hat.png", "clip.mp4", "manual.pdf"}
    assert set(names(client, uploaded_by=library["hat"].created_by.username)) == {"hat.png"}
    assert names(client, uploaded_by="") == ["manual.pdf"]
    assert names(client, uploaded_before="2025-03-15") == ["manual.pdf"]  # the day included
    assert names(client, uploaded_after="2025-03-16", kind="document") == []
    assert names(client, tag=["summer", "HATS"]) == ["hat.png"]  # every tag given
    assert names(client, q="manual") == ["manual.pdf"]  # the file name
    assert names(client, kind="image", status="draft") == ["shirt.jpg"]


def test_sort_orders(client_for, viewer, library):
    client = client_for(viewer)
    assert names(client, sort="name") == ["clip.mp4", "hat.png", "manual.pdf", "shirt.jpg"]
    assert names(client, sort="oldest")[0] == "manual.pdf"
    assert names(client, sort="newest")[-1] == "manual.pdf"
    body = client.get(URL, {"sort": "largest"}).json()
    sizes = [r["size"] for r in body["results"]]
    assert sizes == sorted(sizes, reverse=True)


def test_pages_cover_every_item_once(client_for, viewer, library):
    client = client_for(viewer)
    seen = []
    for page in (1, 2, 3):
        body = client.get(URL, {"page_size": 2, "page": page, "sort": "name"}).json()
        if page == 3:
            assert body.get("results") is None or body["results"] == []
            break
        seen += [r["display_name"] for r in body["results"]]
        assert body["count"] == 4
    assert seen == ["clip.mp4", "hat.png", "manual.pdf", "shirt.jpg"]


def test_facets_count_each_ignoring_its_own_filter(client_for, viewer, library):
    client = client_for(viewer)
    body = client.get(URL + "facets", {"kind": "image"}).json()
    assert body["total"] == 2
    kinds = {f["value"]: f["count"] for f in body["kind"]}
    assert kinds == {"image": 2, "video": 1, "document": 1, "other": 0}
    assert {f["value"]: f["count"] for f in body["status"]} == {"draft": 1, "published": 1}
    assert {f["value"]: f["count"] for f in body["tag"]} == {"Summer": 2, "hats": 1}
    assert body["unused"] == {"true": 1, "false": 1}
    assert body["missing_alt"] == {"true": 1, "false": 1}
    months = {f["value"]: f["count"] for f in body["month"]}
    assert months == {timezone.now().strftime("%Y-%m"): 2}
    uploaders = {f["value"]: f["count"] for f in body["uploaded_by"]}
    assert uploaders == {
        library["shirt"].created_by.username: 1,
        library["hat"].created_by.username: 1,
    }


def test_facets_can_be_chosen(client_for, viewer, library):
    body = client_for(viewer).get(URL + "facets", {"facet": "kind,unused"}).json()
    assert set(body) == {"total", "kind", "unused"}
    assert body["unused"] == {"true": 3, "false": 1}


@pytest.mark.parametrize(
    "path, params, field",
    [
        ("", {"kind": "hologram"}, "kind"),
        ("", {"colour": "red"}, "colour"),
        ("", {"unused": "maybe"}, "unused"),
        ("", {"sort": "random"}, "sort"),
        ("", {"uploaded_after": "yesterday"}, "uploaded_after"),
        ("", {"uploaded_after": "2026-02-01", "uploaded_before": "2026-01-01"}, "uploaded_before"),
        ("", {"uploaded_before": "9999-12-31"}, "uploaded_before"),
        ("facets", {"uploaded_before": "9999-12-31"}, "uploaded_before"),
        ("facets", {"facet": "kind,flavour"}, "facet"),
        ("facets", {"status": "lost"}, "status"),
        ("facets", {"bogus": "1"}, "bogus"),
    ],
)
def test_unknown_filters_and_facets_are_400_naming_them(
    client_for, viewer, library, path, params, field
):
    response = client_for(viewer).get(URL + path, params)
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["errors"][0]["field"] == field
    assert field in body["detail"] or body["errors"][0]["reason"]


def test_outsiders_see_nothing_R1(client_for, library, other_tenant):
    from tests.factories import make_member

    outsider = make_member(other_tenant)
    assert client_for(outsider).get(URL + "facets").status_code == 404
    assert client_for(outsider).get(URL, {"unused": "true"}).status_code == 404
    assert client_for(None).get(URL + "facets").status_code in (401, 403)


def test_uploaded_by_is_in_the_item(client_for, viewer, library):
    body = client_for(viewer).get(f"{URL}{library['hat'].pk}/").json()
    assert body["uploaded_by"] == library["hat"].created_by.username


def test_search_and_facets_take_a_fixed_number_of_queries(
    client_for, viewer, library, django_assert_max_num_queries
):
    client = client_for(viewer)
    with django_assert_max_num_queries(8):
        assert client.get(URL, {"unused": "true", "page_size": 50}).status_code == 200
    with django_assert_max_num_queries(18):  # one COUNT per facet value group, not per item
        assert client.get(URL + "facets").status_code == 200


def test_availability_filter_and_facet_R27(client_for, viewer, library):
    now = timezone.now()
    MediaItem.objects.filter(pk=library["shirt"].pk).update(expires_at=now - dt.timedelta(days=1))
    MediaItem.objects.filter(pk=library["clip"].pk).update(
        available_from=now + dt.timedelta(days=3)
    )
    client = client_for(viewer)
    assert names(client, availability="expired") == ["shirt.jpg"]
    assert names(client, availability="scheduled") == ["clip.mp4"]
    assert set(names(client, availability="available")) == {"hat.png", "manual.pdf"}
    body = client.get(URL + "facets", {"availability": "expired"}).json()
    assert {f["value"]: f["count"] for f in body["availability"]} == {
        "available": 2,
        "scheduled": 1,
        "expired": 1,
    }
    assert client.get(URL, {"availability": "soon"}).status_code == 400


def test_unused_agrees_with_where_used_R26(client_for, viewer, tenant, library):
    # A central dimension-value swatch is a current use (where-used lists it, delete is
    # refused), so the library must not call that item unused.
    from catalog.models import DimensionValue

    DimensionValue.objects.create(
        tenant=tenant, dimension="color", value="Sand", swatch_media=library["shirt"]
    )
    client = client_for(viewer)
    assert set(names(client, unused="true")) == {"clip.mp4", "manual.pdf"}
    usage = client.get(f"{URL}{library['shirt'].pk}/usage").json()
    assert [u["type"] for u in usage["current"]] == ["dimension value"]
