"""R21-R24: the read model is a live projection; every ordinary change shows at once.

Each test changes something through the API (as an admin, the workspace or a client would)
and reads the shop API right after, the way a shop does: anonymous, cached, ETag-aware.
"""

import pytest

from assignments.models import AssignmentEntry, DocumentVersion
from publishing import read_cache
from publishing.models import AnswerBody, AnswerChange, ShopAnswer
from tests.publishing import builders as b

pytestmark = pytest.mark.django_db

SHOP = "/api/v1/tenants/acme/channels/{channel}/products/{number}/media?locale={locale}"


@pytest.fixture
def api(client_for, django_capture_on_commit_callbacks):
    """api(user, method, path, body) -> response, with the commit's drains run."""

    def _call(user, method, path, body=None, **query):
        client = client_for(user)
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(client, method)(f"/api/v1/tenants/acme/{path}", body, format="json")

    return _call


@pytest.fixture
def read(client_for):
    def _read(number, channel="web", locale="en-us"):
        return client_for(None).get(SHOP.format(channel=channel, number=number, locale=locale))

    return _read


@pytest.fixture
def shirt(tenant, editor, publish, django_capture_on_commit_callbacks):
    """SHIRT-001 with master media, a Blue combination and a colour swatch, published."""
    with django_capture_on_commit_callbacks(execute=True):
        product = b.shirt(tenant)
    media = {name: b.image(tenant, editor, name) for name in ("front", "back", "blue", "sw")}
    b.checkin(
        tenant,
        product,
        editor,
        {
            "matrix": ["color"],
            "master": b.slots(
                [media["front"], media["back"]],
                swatches=[
                    {"dimension": "color", "value": "Blue", "hex": "#0000ff"},
                    {"dimension": "color", "value": "Red", "media": media["sw"].pk},
                ],
            ),
            "dimensions": [{"values": {"color": "Blue"}, **b.slots([media["blue"]])}],
        },
    )
    assert publish("SHIRT-001", publish_dependencies=True).json()["status"] == "succeeded"
    return product, media


def ids(body):
    return [m["id"] for m in body["primary"]]


def test_new_variant_reads_its_fallback_at_once(shirt, api, admin_user, read):  # R21
    _, media = shirt
    response = api(
        admin_user,
        "post",
        "products/SHIRT-001/variants/",
        {
            "number": "SHIRT-001-BLUE-L-SLIM",
            "values": {"color": "Blue", "size": "L", "style": "Slim"},
        },
    )
    if response.status_code == 400:  # L is not offered yet: offer it, then add the variant
        api(admin_user, "patch", "products/SHIRT-001/", {"dimensions": {"size": ["L"]}})
        response = api(
            admin_user,
            "post",
            "products/SHIRT-001/variants/",
            {
                "number": "SHIRT-001-BLUE-L-SLIM",
                "values": {"color": "Blue", "size": "L", "style": "Slim"},
            },
        )
    assert response.status_code == 201, response.content
    assert ids(read("SHIRT-001-BLUE-L-SLIM").json()) == [media["blue"].pk]


def test_removed_variant_answers_404(shirt, api, admin_user, read):  # R22
    assert read("SHIRT-001-RED-S-SLIM").status_code == 200
    assert (
        api(admin_user, "delete", "products/SHIRT-001/variants/SHIRT-001-RED-S-SLIM/").status_code
        == 204
    )
    assert read("SHIRT-001-RED-S-SLIM").status_code == 404
    assert read("SHIRT-001-RED-M-SLIM").status_code == 200


def test_deleting_a_variant_never_rewrites_an_older_version(
    tenant, shirt, api, admin_user, editor, publish
):  # R22: history is immutable
    product, media = shirt
    b.checkin(
        tenant,
        product,
        editor,
        {"variants": [{"variant": "SHIRT-001-RED-S-SLIM", **b.slots([media["back"]])}]},
    )
    version = DocumentVersion.objects.filter(document__product=product).order_by("-number").first()
    before = list(
        AssignmentEntry.objects.filter(content_set=version.content).values_list(
            "pk", "scope", "variant_id", "variant_number", "media_id"
        )
    )
    assert any(row[3] == "SHIRT-001-RED-S-SLIM" for row in before)
    assert (
        api(admin_user, "delete", "products/SHIRT-001/variants/SHIRT-001-RED-S-SLIM/").status_code
        == 204
    )
    after = list(
        AssignmentEntry.objects.filter(content_set=version.content).values_list(
            "pk", "scope", "variant_id", "variant_number", "media_id"
        )
    )
    assert after == before
    # ...and the document is still editable: the next working copy leaves the ghost out.
    b.checkin(tenant, product, editor, {"master": b.slots([media["front"]])})


def test_new_channel_and_locale_read_the_fallback_and_write_nothing(
    shirt, api, admin_user, read
):  # R21, R23
    _, media = shirt
    rows = ShopAnswer.objects.count()
    assert (
        api(admin_user, "post", "channels/", {"code": "kiosk", "name": "Kiosk"}).status_code == 201
    )
    assert (
        api(admin_user, "post", "locales/", {"code": "it-it", "name": "Italian"}).status_code == 201
    )
    assert ShopAnswer.objects.count() == rows  # adding a context writes nothing per product
    assert ids(read("SHIRT-001-RED-S-SLIM", "kiosk", "it-it").json()) == [
        media["front"].pk,
        media["back"].pk,
    ]


def test_removed_channel_and_locale_answer_404(shirt, api, admin_user, read):  # R22
    assert read("SHIRT-001", "pos", "de-de").status_code == 200
    assert api(admin_user, "delete", "channels/pos/").status_code == 204
    assert read("SHIRT-001", "pos", "de-de").status_code == 404
    assert api(admin_user, "delete", "locales/de-de/").status_code == 204
    assert read("SHIRT-001", "web", "de-de").status_code == 404
    assert read("SHIRT-001", "web", "en-us").status_code == 200


def test_deleting_a_channel_with_documents_is_refused_listing_them(
    tenant, shirt, api, admin_user, editor, publish, read
):  # R22
    product, media = shirt
    b.checkin(tenant, product, editor, {"master": b.slots([media["back"]])}, "web", "en-us")
    publish("SHIRT-001", channel="web", locale="en-us")
    assert ids(read("SHIRT-001").json()) == [media["back"].pk]
    response = api(admin_user, "delete", "channels/web/")
    assert response.status_code == 409
    assert any("SHIRT-001 (web/en-us)" in usage for usage in response.json()["used_by"])
    assert read("SHIRT-001").status_code == 200
    response = api(admin_user, "delete", "channels/web/?confirm=true")
    assert response.status_code == 204
    assert read("SHIRT-001").status_code == 404
    assert not ShopAnswer.objects.filter(channel_code="web").exists()
    assert ids(read("SHIRT-001", "pos", "en-us").json()) == [media["front"].pk, media["back"].pk]


def test_deleted_product_answers_404_and_leaves_no_rows(shirt, api, admin_user, read):  # R22
    assert api(admin_user, "delete", "products/SHIRT-001/").status_code == 204
    for number in ("SHIRT-001", "SHIRT-001-BLUE-S-SLIM"):
        assert read(number).status_code == 404
    assert not ShopAnswer.objects.exists() and not AnswerBody.objects.exists()
    gone = AnswerChange.objects.filter(event="answer", etag__isnull=True, number="SHIRT-001")
    assert gone.exists()


def test_unpublishing_media_in_use_is_refused_then_forced_drops_it(
    shirt, api, publisher, read, client_for
):  # R22
    _, media = shirt
    front = media["front"]
    response = api(publisher, "post", f"media/{front.pk}/unpublish/")
    assert response.status_code == 409
    assert any("SHIRT-001" in usage for usage in response.json()["used_by"])
    assert read("SHIRT-001").json()["default_image"]["id"] == front.pk

    response = api(publisher, "post", f"media/{front.pk}/unpublish/", {"force": True})
    assert response.status_code == 200
    body = read("SHIRT-001").json()
    assert ids(body) == [media["back"].pk]
    assert body["default_image"]["id"] == media["back"].pk  # recomputed, never a dead URL
    urls = [m["url"] for m in body["primary"]]
    assert all(client_for(None).get(url).status_code != 404 for url in urls)


def test_editors_cannot_unpublish_or_publish_media(shirt, api, editor):  # R1a
    _, media = shirt
    assert (
        api(editor, "post", f"media/{media['front'].pk}/unpublish/", {"force": True}).status_code
        == 403
    )
    assert api(editor, "post", f"media/{media['front'].pk}/publish/").status_code == 403


def test_media_metadata_edit_shows_without_a_republish(shirt, api, editor, read):  # R21
    _, media = shirt
    etag = read("SHIRT-001")["ETag"]
    response = api(editor, "patch", f"media/{media['front'].pk}/", {"alt_text": "Front, fixed"})
    assert response.status_code == 200
    after = read("SHIRT-001")
    assert after.json()["default_image"]["alt_text"] == "Front, fixed"
    assert after["ETag"] != etag


def test_withdrawing_a_dimension_value_in_use_is_refused_listing_where(
    tenant, api, admin_user, editor, publish, django_capture_on_commit_callbacks
):  # R22
    with django_capture_on_commit_callbacks(execute=True):
        product = b.shirt(tenant)
    api(admin_user, "patch", "products/SHIRT-001/", {"dimensions": {"color": ["Green"]}})
    photo = b.image(tenant, editor, "green")
    b.checkin(
        tenant,
        product,
        editor,
        {
            "matrix": ["color"],
            "dimensions": [{"values": {"color": "Green"}, **b.slots([photo])}],
            "master": b.slots(
                swatches=[{"dimension": "color", "value": "Green", "hex": "#00ff00"}]
            ),
        },
    )
    response = api(
        admin_user, "patch", "products/SHIRT-001/", {"remove_dimensions": {"color": ["Green"]}}
    )
    assert response.status_code == 409, response.content
    used_by = response.json()["used_by"]
    assert any("swatch color=Green" in u for u in used_by)
    assert any("color=Green" in u and "draft" in u for u in used_by)


def test_the_admins_offered_values_refuse_a_value_in_use_too(
    tenant, api, admin_user, editor, django_capture_on_commit_callbacks
):  # R22: the admin inline's validation and its service check what the API checks
    from catalog import services as catalog_services
    from catalog.models import ProductDimensionValue
    from tenants.exceptions import Conflict

    with django_capture_on_commit_callbacks(execute=True):
        product = b.shirt(tenant)
    api(admin_user, "patch", "products/SHIRT-001/", {"dimensions": {"color": ["Green"]}})
    photo = b.image(tenant, editor, "green")
    b.checkin(
        tenant,
        product,
        editor,
        {"matrix": ["color"], "dimensions": [{"values": {"color": "Green"}, **b.slots([photo])}]},
    )
    errors = catalog_services.product_dimension_changes_errors(
        product=product, remove={"color": ["Green"]}
    )
    assert [f for f, _ in errors] == ["remove_dimensions"]
    assert "Still used by media assignments" in errors[0][1] and "color=Green" in errors[0][1]
    green = ProductDimensionValue.objects.get(
        product=product, dimension_value__dimension="color", dimension_value__value="Green"
    )
    with pytest.raises(Conflict):
        catalog_services.product_offered_values_save(
            product=product, save=[], delete=[green], user=admin_user
        )
    assert ProductDimensionValue.objects.filter(pk=green.pk).exists()


def test_a_variant_with_its_own_gallery_carries_the_product_swatches(shirt, read):  # R24
    body = read("SHIRT-001-BLUE-S-SLIM").json()
    assert body["provenance"]["primary"]["scope"] == "dimension"
    assert [s["value"] for s in body["swatches"]] == ["Blue", "Red"]
    assert body["swatches"][1]["media"]["id"]
    assert body["provenance"]["swatches"]["scope"] == "master"


def test_storage_is_sparse_and_identical_bodies_are_stored_once(tenant, shirt):  # R23
    product, _ = shirt
    # 5 entities, only Omnichannel + Neutral authored: one row each, whatever the contexts.
    assert ShopAnswer.objects.filter(product_id=product.pk).count() == 5
    # master and Red variants share the master gallery; Blue variants share the combination's.
    assert AnswerBody.objects.filter(product_id=product.pk).count() == 2


def test_publishing_one_product_leaves_another_products_cache_warm(
    tenant, shirt, editor, publish, read
):  # R23
    mug = b.mug(tenant)
    b.checkin(tenant, mug, editor, {"master": b.slots([b.image(tenant, editor, "mug")])})
    publish("MUG-001", publish_dependencies=True)
    read("SHIRT-001-BLUE-S-SLIM")
    contexts = read_cache.contexts_get("acme")
    assert read_cache.answer_get(contexts.tenant_id, "SHIRT-001-BLUE-S-SLIM", ("web", "en-us"))
    b.checkin(tenant, mug, editor, {"master": b.slots([b.image(tenant, editor, "mug2")])})
    publish("MUG-001", publish_dependencies=True)
    read("MUG-001")  # the next read follows the feed
    assert read_cache.answer_get(contexts.tenant_id, "SHIRT-001-BLUE-S-SLIM", ("web", "en-us"))
    assert read_cache.answer_get(contexts.tenant_id, "MUG-001", ("web", "en-us"))


def test_another_process_write_is_seen_through_the_feed(
    shirt, api, editor, read, monkeypatch
):  # R21: a write whose process is not this one (no local eviction) shows on the next poll
    _, media = shirt
    read("SHIRT-001")
    from publishing import projection

    monkeypatch.setattr(projection, "_evict_locally", lambda evictions: None)
    api(editor, "patch", f"media/{media['front'].pk}/", {"alt_text": "From elsewhere"})
    assert read("SHIRT-001").json()["default_image"]["alt_text"] == "From elsewhere"


def test_change_feed_lists_changes_in_order_and_pages(
    shirt, api, editor, viewer, client_for
):  # R24
    _, media = shirt
    start = client_for(viewer).get("/api/v1/tenants/acme/changes").json()
    events = [r["event"] for r in start["results"]]
    assert events[0] == "channel_added" and "answer" in events  # the tenant's set-up, then SHIRT
    cursor = start["next"]
    api(editor, "patch", f"media/{media['blue'].pk}/", {"alt_text": "Blue, fixed"})
    page = client_for(viewer).get(f"/api/v1/tenants/acme/changes?since={cursor}").json()
    numbers = {r["number"] for r in page["results"]}
    assert numbers == {"SHIRT-001-BLUE-S-SLIM", "SHIRT-001-BLUE-M-SLIM"}
    assert all(r["etag"] for r in page["results"])
    first = client_for(viewer).get(f"/api/v1/tenants/acme/changes?since={cursor}&limit=1").json()
    assert len(first["results"]) == 1 and first["more"] is True
    empty = client_for(viewer).get(f"/api/v1/tenants/acme/changes?since={page['next']}").json()
    assert empty["results"] == [] and empty["next"] == page["next"]


def test_change_feed_needs_a_member_and_a_good_cursor(
    shirt, client_for, viewer, member, other_tenant
):
    assert client_for(None).get("/api/v1/tenants/acme/changes").status_code in (401, 403)
    response = client_for(viewer).get("/api/v1/tenants/acme/changes?since=abc")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "since"
    # A cursor no change ever had (another database's, a restored backup's): a 410 telling
    # the follower to read again, not an empty page it would wait on forever.
    latest = client_for(viewer).get("/api/v1/tenants/acme/changes").json()["next"]
    ahead = client_for(viewer).get(f"/api/v1/tenants/acme/changes?since={int(latest) + 10**6}")
    assert ahead.status_code == 410 and ahead.json()["code"] == "cursor_expired"
    assert "ahead of the feed" in ahead.json()["detail"]
    outsider = member("viewer", username="olga", in_tenant=other_tenant)
    assert client_for(outsider).get("/api/v1/tenants/acme/changes").status_code == 404


def test_deleting_a_published_product_needs_a_publisher(shirt, api, editor, publisher, read):
    # R1a: an editor may not take a product off every shop.
    assert api(editor, "delete", "products/SHIRT-001/").status_code == 403
    assert read("SHIRT-001").status_code == 200
    assert api(publisher, "delete", "products/SHIRT-001/").status_code == 204


# --- the same through the admin --------------------------------------------------------


@pytest.fixture
def staff_admin(tenant, member):
    from tenants.models import Role

    user = member(Role.ADMIN, username="adam")
    user.is_staff = True
    user.save()
    return user


def _admin_post(client, user, url, data, capture):
    client.force_login(user)
    with capture(execute=True):
        return client.post(url, data, follow=True)


def test_admin_unpublish_refuses_media_in_use_and_force_drops_it(
    shirt, staff_admin, client, read, django_capture_on_commit_callbacks
):  # R22 in the admin
    _, media = shirt
    front = media["front"]
    url = "/admin/media_library/mediaitem/"
    response = _admin_post(
        client,
        staff_admin,
        url,
        {"action": "unpublish_selected", "_selected_action": [front.pk]},
        django_capture_on_commit_callbacks,
    )
    assert "shown by published content" in response.content.decode()
    assert read("SHIRT-001").json()["default_image"]["id"] == front.pk
    _admin_post(
        client,
        staff_admin,
        url,
        {"action": "unpublish_selected_force", "_selected_action": [front.pk]},
        django_capture_on_commit_callbacks,
    )
    assert read("SHIRT-001").json()["default_image"]["id"] == media["back"].pk


def test_admin_variant_and_channel_deletes_reach_the_shop(
    tenant, shirt, staff_admin, client, read, django_capture_on_commit_callbacks
):  # R22 in the admin
    from catalog.models import Variant
    from tenants.models import Channel

    variant = Variant.objects.get(number="SHIRT-001-RED-S-SLIM")
    _admin_post(
        client,
        staff_admin,
        f"/admin/catalog/variant/{variant.pk}/delete/",
        {"post": "yes"},
        django_capture_on_commit_callbacks,
    )
    assert read("SHIRT-001-RED-S-SLIM").status_code == 404
    pos = Channel.objects.get(tenant=tenant, code="pos")
    _admin_post(
        client,
        staff_admin,
        f"/admin/tenants/channel/{pos.pk}/delete/",
        {"post": "yes"},
        django_capture_on_commit_callbacks,
    )
    assert read("SHIRT-001", "pos").status_code == 404


def test_admin_channel_delete_lists_its_content_and_needs_a_tick(
    tenant, shirt, editor, publish, staff_admin, client, read, django_capture_on_commit_callbacks
):  # R22 in the admin: confirmed only by the explicit tick, as the API by ?confirm=true
    from tenants.models import Channel

    product, media = shirt
    b.checkin(tenant, product, editor, {"master": b.slots([media["back"]])}, "web", "en-us")
    publish("SHIRT-001", channel="web", locale="en-us")
    web = Channel.objects.get(tenant=tenant, code="web")
    url = f"/admin/tenants/channel/{web.pk}/delete/"
    client.force_login(staff_admin)
    page = client.get(url).content.decode()
    assert "SHIRT-001 (web/en-us)" in page and 'name="confirm_content_loss"' in page

    refused = _admin_post(
        client, staff_admin, url, {"post": "yes"}, django_capture_on_commit_callbacks
    )
    assert "is still used" in refused.content.decode()
    assert Channel.objects.filter(pk=web.pk).exists()
    assert ids(read("SHIRT-001").json()) == [media["back"].pk]

    _admin_post(
        client,
        staff_admin,
        url,
        {"post": "yes", "confirm_content_loss": "on"},
        django_capture_on_commit_callbacks,
    )
    assert not Channel.objects.filter(pk=web.pk).exists()
    assert read("SHIRT-001").status_code == 404
