import pytest

from tests.media_library.samples import image_bytes, upload_file


@pytest.fixture
def api_upload(client_for, django_capture_on_commit_callbacks):
    """api_upload(user, name, content, **fields) -> response; on-commit work (renditions) runs."""

    def _upload(
        user, name: str, content: bytes, *, tenant: str = "acme", content_type=None, **fields
    ):
        data = {"file": upload_file(name, content, content_type or "application/octet-stream")}
        data.update(fields)
        with django_capture_on_commit_callbacks(execute=True):
            return client_for(user).post(
                f"/api/v1/tenants/{tenant}/media/", data, format="multipart"
            )

    return _upload


@pytest.fixture
def image_item(tenant, editor, django_capture_on_commit_callbacks):
    """A 300x200 JPEG item with its renditions made."""
    from media_library.services import media_item_upload

    with django_capture_on_commit_callbacks(execute=True):
        item, _ = media_item_upload(
            tenant=tenant,
            file=upload_file("shirt.jpg", image_bytes(300, 200)),
            user=editor,
            title="Shirt",
            alt_text="A blue shirt",
            tags=["Summer", "shirts"],
        )
    return item


SHOP = "/api/v1/tenants/acme/channels/{channel}/products/{number}/media?locale={locale}"


@pytest.fixture
def shop_read(client_for):
    """shop_read(number) -> the shop API's answer (anonymous, as a shop reads it)."""

    def _read(number, channel="web", locale="en-us"):
        return client_for(None).get(SHOP.format(channel=channel, number=number, locale=locale))

    return _read


@pytest.fixture
def api_call(client_for, django_capture_on_commit_callbacks):
    """api_call(user, method, path, body=None, fmt="json") -> response; on-commit work runs."""

    def _call(user, method, path, body=None, fmt="json"):
        with django_capture_on_commit_callbacks(execute=True):
            return getattr(client_for(user), method)(
                f"/api/v1/tenants/acme/{path}", body, format=fmt
            )

    return _call


@pytest.fixture
def published_mug(tenant, editor, publisher, client_for, django_capture_on_commit_callbacks):
    """MUG-001 with two published images in its primary media (front first), published;
    returns (product, {"front": item, "back": item})."""
    from tests.publishing import builders as b

    with django_capture_on_commit_callbacks(execute=True):
        product = b.mug(tenant)
        media = {name: b.image(tenant, editor, name) for name in ("front", "back")}
    b.checkin(tenant, product, editor, {"master": b.slots([media["front"], media["back"]])})
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(publisher).post(
            "/api/v1/tenants/acme/products/MUG-001/media/publish?channel=omnichannel&locale=neutral",
            {"publish_dependencies": True},
            format="json",
        )
    assert response.status_code == 202, response.content
    for item in media.values():
        item.refresh_from_db()
    return product, media
