"""R30: drafts' bytes are never served without a member's permission, in any set-up.

The default set-up runs with DEBUG on (config.settings.local), where the URLconf used to
mount Django's unchecked `static()` route on /media/; the `debug_urls` fixture rebuilds
the URLconf that way. The export's MediaPreviewURL is a signed, expiring link instead.
"""

from __future__ import annotations

import importlib
import io
import time

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import clear_url_caches

from assignments.manifests.export import ExportSelection, manifest_write
from media_library.models import MediaStatus
from media_library.services import media_item_publish
from tenants.models import Role
from tests.factories import make_member
from tests.manifests.helpers import records
from tests.publishing import builders

pytestmark = pytest.mark.django_db


@pytest.fixture
def debug_urls(settings):
    """The URLconf as `scripts/demo` builds it (DEBUG on)."""
    import config.urls

    settings.DEBUG = True
    importlib.reload(config.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(config.urls)
    clear_url_caches()


@pytest.fixture
def draft(tenant, editor, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = builders.image(tenant, editor, "draft")
    assert item.status == MediaStatus.DRAFT and item.renditions.exists()
    return item


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def test_a_draft_file_is_404_to_the_public_and_to_other_tenants(
    debug_urls, draft, other_tenant
):  # R30
    outsider = make_member(other_tenant, Role.ADMIN, "olga")
    urls = [draft.file.url] + [r.file.url for r in draft.renditions.all()]
    assert all(url.startswith("/media/tenants/") for url in urls)
    for url in urls:
        assert _client().get(url).status_code == 404, url
        assert _client(outsider).get(url).status_code == 404, url


def test_members_of_any_role_see_their_drafts_privately(debug_urls, draft, member):  # R30
    viewer = member(Role.VIEWER, username="vic")
    response = _client(viewer).get(draft.file.url)
    assert response.status_code == 200
    assert _body(response) == draft.file.open("rb").read()
    assert response["Content-Type"] == "image/jpeg"
    assert "private" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_published_files_and_renditions_are_public(debug_urls, draft, editor):  # R30, R6
    media_item_publish(item=draft, user=None)
    for url in [draft.file.url] + [r.file.url for r in draft.renditions.all()]:
        # the private path of a published file points anyone at its public copy
        response = _client().get(url)
        assert response.status_code == 302, url
        assert "/media-public/media/" in response["Location"]
        public = _client().get(response["Location"])
        assert public.status_code == 200, url
        assert "public" in public["Cache-Control"] and "immutable" in public["Cache-Control"]


def test_other_tenant_files_are_for_members_only(debug_urls, tenant, member):  # R30
    job_file = default_storage.save(
        f"tenants/{tenant.pk}/jobs/1/media-export.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18)
    )
    manifest = default_storage.save(
        f"tenants/{tenant.pk}/manifests/abc/in.tsv", ContentFile(b"EntityType\n")
    )
    viewer = member(Role.VIEWER, username="vic")
    for name in (job_file, manifest):
        url = f"/media/{name}"
        assert _client().get(url).status_code == 404
        response = _client(viewer).get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")  # never run as a page


def test_paths_outside_tenant_folders_are_404(debug_urls, tenant, member, settings, tmp_path):
    # R30
    (tmp_path / "media").mkdir(exist_ok=True)
    (tmp_path / "media" / "loose.txt").write_text("loose")
    (tmp_path / "secret.txt").write_text("secret")
    viewer = member(Role.VIEWER, username="vic")
    for url in (
        "/media/loose.txt",
        f"/media/tenants/{tenant.pk}/../../secret.txt",
        f"/media/tenants/{tenant.pk}/%2e%2e/%2e%2e/secret.txt",
        f"/media/tenants/{tenant.pk}/media/nope.jpg",
    ):
        assert _client(viewer).get(url).status_code == 404, url


def _preview_url(tenant) -> str:
    out = io.StringIO()
    manifest_write(tenant=tenant, selection=ExportSelection(kind="media"), out=out)
    (row,) = records(out.getvalue())
    return row["MediaPreviewURL"]


def test_the_export_preview_url_is_signed_and_serves_the_draft(draft, tenant):  # R30
    url = _preview_url(tenant)
    assert url.startswith("/p/s/") and draft.public_id.hex in url
    response = _client().get(url)
    assert response.status_code == 200
    assert _body(response) == draft.file.open("rb").read()
    assert "no-store" in response["Cache-Control"]
    token = url.split("/")[3]
    tampered = url.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    assert _client().get(tampered).status_code == 404
    unsigned = url.replace(token, draft.public_id.hex)
    assert _client().get(unsigned).status_code == 404


def test_the_preview_url_expires(draft, tenant, settings):  # R30
    from media_library.serving import PREVIEW_SALT

    class Yesterday(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(int(time.time()) - 86400)

    token = Yesterday(salt=PREVIEW_SALT).sign(draft.public_id.hex)
    settings.MEDIA_PREVIEW_URL_SECONDS = 3600
    expired = _client().get(f"/p/s/{token}/draft.jpg")
    assert expired.status_code == 410 and b"expired" in expired.content
    assert b"export again" in expired.content and draft.title.encode() not in expired.content
    settings.MEDIA_PREVIEW_URL_SECONDS = 2 * 86400
    assert _client().get(f"/p/s/{token}/draft.jpg").status_code == 200


def test_the_preview_url_is_absolute_with_a_public_base(draft, tenant, settings):  # R30
    settings.MEDIA_PUBLIC_BASE_URL = "https://media.example.com/"
    assert _preview_url(tenant).startswith("https://media.example.com/p/s/")


def test_files_sit_in_a_two_digit_folder_and_older_ones_are_still_served(
    debug_urls, draft, editor
):  # R30, R6 (issue 16: a million items are not a million folders in one)
    public_id = str(draft.public_id)
    assert draft.file.name.startswith(
        f"tenants/{draft.tenant_id}/media/{public_id[:2]}/{public_id}/"
    )
    for rendition in draft.renditions.all():
        assert f"/renditions/{public_id[:2]}/{public_id}/" in rendition.file.name
    # A file stored before the two-digit level keeps its name, and its row says where.
    older = f"tenants/{draft.tenant_id}/media/{public_id}/{draft.original_filename}"
    with draft.file.open("rb") as handle:
        older = default_storage.save(older, ContentFile(handle.read()))
    type(draft).objects.filter(pk=draft.pk).update(file=older)
    draft.refresh_from_db()
    assert _client().get(f"/media/{older}").status_code == 404
    media_item_publish(item=draft, user=None)
    response = _client().get(f"/media/{older}")
    assert response.status_code == 302 and "/media-public/media/" in response["Location"]
