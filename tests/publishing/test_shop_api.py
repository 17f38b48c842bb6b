"""The shop read API (SPEC §3, R15): cached, ETag-aware, precise 404s, many default images at once."""

import pytest

from tests.publishing import builders as b

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(tenant, editor, publish):
    product = b.mug(tenant)
    photo = b.image(tenant, editor, "photo")
    b.checkin(tenant, product, editor, {"master": b.slots([photo])})
    assert publish("MUG-001", publish_dependencies=True).status_code == 202
    return photo


URL = "/api/v1/tenants/acme/channels/web/products/MUG-001/media?locale=en-us"


def test_etag_and_if_none_match(published, client_for):
    client = client_for(None)
    first = client.get(URL)
    assert first.status_code == 200 and first["ETag"]
    again = client.get(URL, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    # "*" matches any current representation (RFC 9110); another tag does not.
    assert client.get(URL, HTTP_IF_NONE_MATCH="*").status_code == 304
    assert client.get(URL, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_channel_and_locale_codes_are_read_in_any_case(published, client_for):
    """Codes are stored lower-case (`Kiosk` is created as `kiosk`): a shop URL naming them
    otherwise finds them, for the channel as for the locale."""
    client = client_for(None)
    lower = client.get(URL)
    for url in (URL.replace("/web/", "/WEB/"), URL.replace("en-us", "EN-US")):
        upper = client.get(url)
        assert upper.status_code == 200, upper.content
        assert upper.json() == lower.json()
    batch = client.get("/api/v1/tenants/acme/channels/Web/products/media?numbers=MUG-001")
    assert batch.status_code == 200 and batch.json()["results"][0]["default_image"]


def test_publish_invalidates_the_cache(tenant, editor, published, publish, client_for):
    client = client_for(None)
    before = client.get(URL)
    other = b.image(tenant, editor, "other")
    b.checkin(
        tenant,
        published.assignment_entries.first().content_set.document.product,
        editor,
        {"master": b.slots([other])},
    )
    publish("MUG-001", publish_dependencies=True)
    after = client.get(URL, HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()["primary"][0]["id"] == other.pk


def test_reads_do_not_touch_the_database_when_cached(
    published, client_for, django_assert_num_queries, settings
):
    # Within the poll interval a warm read is served from the process without a query.
    settings.SHOP_CHANGE_POLL_SECONDS = 60
    client = client_for(None)
    client.get(URL)
    with django_assert_num_queries(0):
        assert client.get(URL).status_code == 200


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/tenants/acme/channels/nowhere/products/MUG-001/media", "channel"),
        ("/api/v1/tenants/acme/channels/web/products/MUG-001/media?locale=xx-yy", "locale"),
        ("/api/v1/tenants/acme/channels/web/products/NOPE/media", "product"),
        ("/api/v1/tenants/nobody/channels/web/products/MUG-001/media", "tenant"),
    ],
)
def test_unknown_parts_answer_404_naming_them(published, client_for, url, field):
    response = client_for(None).get(url)
    assert response.status_code == 404
    assert response.json()["errors"][0]["field"] == field


def test_known_but_unpublished_product_answers_empty(
    tenant, published, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        b.shirt(tenant)
    body = (
        client_for(None)
        .get("/api/v1/tenants/acme/channels/web/products/SHIRT-001-RED-S-SLIM/media")
        .json()
    )
    assert body["primary"] == [] and body["default_image"] is None and body["published_at"] is None


def test_default_images_for_many_products(
    tenant, published, client_for, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        b.shirt(tenant)
    response = client_for(None).get(
        "/api/v1/tenants/acme/channels/web/products/media?locale=en-us&numbers=MUG-001,SHIRT-001,NOPE"
    )
    results = {r["product"]: r for r in response.json()["results"]}
    assert results["MUG-001"]["default_image"]["id"] == published.pk
    assert results["SHIRT-001"]["default_image"] is None
    assert results["NOPE"]["error"] == "unknown product"


def test_default_images_need_numbers(published, client_for):
    response = client_for(None).get("/api/v1/tenants/acme/channels/web/products/media")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "numbers"


def test_category_media_publish_and_read(
    tenant, editor, publisher, client_for, django_capture_on_commit_callbacks
):
    # R10: a category has one default image per channel.
    from assignments.services import category_media_set
    from catalog.services import category_create
    from tenants.models import Channel

    web = Channel.objects.get(tenant=tenant, code="web")
    category = category_create(tenant=tenant, channel=web, name="Mugs")
    banner = b.image(tenant, editor, "banner")
    category_media_set(tenant=tenant, category=category, media_id=banner.pk, user=editor)
    url = f"/api/v1/tenants/acme/categories/{category.pk}/media/publish?channel=web"
    assert (
        client_for(publisher).post(url, {}, format="json").status_code == 409
    )  # banner unpublished
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(publisher).post(url, {"publish_dependencies": True}, format="json")
    assert response.status_code == 200
    body = (
        client_for(None)
        .get(f"/api/v1/tenants/acme/channels/web/categories/{category.pk}/media")
        .json()
    )
    assert body["default_image"]["id"] == banner.pk and body["path"] == "Mugs"
    assert (
        client_for(None)
        .get(f"/api/v1/tenants/acme/channels/pos/categories/{category.pk}/media")
        .status_code
        == 404
    )
