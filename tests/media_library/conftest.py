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
