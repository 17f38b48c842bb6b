"""SPEC §4 "Files" on an S3-compatible store (moto's server on loopback): private and public
storages kept apart; nothing private is ever readable without a signature (R30); published
files and renditions are public under content-hashed names, cacheable forever (R6)."""

from io import BytesIO, StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import transaction
from PIL import Image

from media_library.models import MediaItem, Rendition
from media_library.selectors import media_public_urls
from media_library.services import media_item_publish, media_item_unpublish
from media_library.storage import PUBLIC_CACHE_CONTROL, private_storage, public_storage
from tenants.models import Role
from tests.media_library.samples import image_bytes, rendition_names
from tests.s3 import http_get, operations, unsigned

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


@pytest.fixture
def uploaded(s3_media, api_upload, editor):
    """An image uploaded through the API into S3 (separate private and public buckets)."""
    private, public = s3_media()
    content = image_bytes(800, 600)
    response = api_upload(editor, "shirt.jpg", content, title="Shirt", alt_text="A shirt")
    assert response.status_code == 201, response.json()
    return MediaItem.objects.get(pk=response.json()["id"]), content, private, public


def _acl_public(s3_client, bucket: str, key: str) -> bool:
    grants = s3_client.get_object_acl(Bucket=bucket, Key=key)["Grants"]
    return any(g["Grantee"].get("URI", "").endswith("/AllUsers") for g in grants)


def test_upload_and_renditions_land_in_the_private_bucket(uploaded, s3_client):
    item, content, private, public = uploaded
    assert s3_client.get_object(Bucket=private, Key=item.file.name)["Body"].read() == content
    thumb = item.renditions.get(name="thumb")
    data = s3_client.get_object(Bucket=private, Key=thumb.file.name)["Body"].read()
    assert Image.open(BytesIO(data)).size == (200, 200)
    assert s3_client.list_objects_v2(Bucket=public).get("KeyCount", 0) == 0  # a draft


def test_nothing_private_is_readable_without_a_signature(uploaded, s3_client):  # R30
    item, content, private, _ = uploaded
    names = [item.file.name, *item.renditions.values_list("file", flat=True)]
    job_file = f"tenants/{item.tenant_id}/jobs/1/export.zip"
    names.append(private_storage().save(job_file, ContentFile(b"PK")))
    for name in names:
        assert not _acl_public(s3_client, private, name), name
        signed = private_storage().url(name)
        assert "Signature=" in signed and "Expires=" in signed
        status, _, _ = http_get(unsigned(signed))
        assert status == 403, name
        assert http_get(signed)[0] == 200, name
    # still private once the item is published: the public copies are other objects
    media_item_publish(item=item, user=None)
    assert http_get(unsigned(private_storage().url(item.file.name)))[0] == 403


def test_publish_copies_into_the_public_bucket_server_side(uploaded, s3_client, s3_calls):  # R6
    item, content, private, public = uploaded
    s3_calls.clear()
    media_item_publish(item=item, user=None)
    done = operations(s3_calls)
    assert done.count("CopyObject") == 1 + len(rendition_names(800))  # original, renditions
    assert "GetObject" not in done and "PutObject" not in done  # no bytes through us

    item = MediaItem.objects.get(pk=item.pk)
    urls = media_public_urls(item)
    assert urls.url == f"{s3_client.meta.endpoint_url}/{public}/{item.public_name}"
    assert item.public_name.endswith(f"/{item.checksum[:16]}/shirt.jpg")
    status, headers, body = http_get(urls.url)
    assert (status, body) == (200, content)
    assert headers["Cache-Control"] == PUBLIC_CACHE_CONTROL
    assert headers["Content-Type"] == "image/jpeg"
    assert _acl_public(s3_client, public, item.public_name)
    for name, url in urls.renditions.items():
        assert "?" not in url  # stable, unsigned: what a CDN caches
        status, headers, _ = http_get(url)
        assert status == 200 and headers["Cache-Control"] == PUBLIC_CACHE_CONTROL, name


def test_unpublish_removes_the_public_objects_keeps_the_private(
    uploaded, s3_client, django_capture_on_commit_callbacks
):
    item, content, private, public = uploaded
    media_item_publish(item=item, user=None)
    urls = media_public_urls(MediaItem.objects.get(pk=item.pk))
    with django_capture_on_commit_callbacks(execute=True):
        media_item_unpublish(item=item, user=None)
    for url in [urls.url, *urls.renditions.values()]:
        assert http_get(url)[0] in (403, 404), url
    assert s3_client.list_objects_v2(Bucket=public).get("KeyCount", 0) == 0
    assert s3_client.get_object(Bucket=private, Key=item.file.name)["Body"].read() == content


def test_stable_links_redirect_to_public_or_signed_urls(uploaded, client, member):  # R6, R30
    item, content, private, public = uploaded
    stable = media_public_urls(item).url
    assert client.get(stable).status_code == 404  # a draft, to the public
    client.force_login(member(Role.VIEWER, username="vic"))
    preview = client.get(stable)
    assert preview.status_code == 302 and "Signature=" in preview["Location"]
    assert "no-store" in preview["Cache-Control"]
    assert http_get(preview["Location"])[:3:2] == (200, content)
    client.logout()

    media_item_publish(item=item, user=None)
    published = client.get(stable)
    assert published.status_code == 302
    assert published["Location"] == media_public_urls(MediaItem.objects.get(pk=item.pk)).url
    assert "Signature" not in published["Location"]


def test_private_paths_redirect_members_to_signed_urls(s3_media, client, tenant, member):  # R30
    s3_media()
    name = private_storage().save(
        f"tenants/{tenant.pk}/manifests/abc/in.tsv", ContentFile(b"EntityType\n")
    )
    url = f"/media/{name}"
    assert client.get(url).status_code == 404
    client.force_login(member(Role.VIEWER, username="vic"))
    response = client.get(url)
    assert response.status_code == 302 and "no-store" in response["Cache-Control"]
    status, headers, body = http_get(response["Location"])
    assert (status, body) == (200, b"EntityType\n")
    assert headers["Content-Disposition"].startswith("attachment")  # a download, not a page
    assert http_get(unsigned(response["Location"]))[0] == 403
    assert client.get(f"/media/tenants/{tenant.pk}/manifests/abc/missing.tsv").status_code == 404


def test_one_bucket_with_a_public_prefix(s3_media, api_upload, editor, s3_client):
    private, public = s3_media(shared_bucket=True)
    assert private == public
    response = api_upload(editor, "shirt.jpg", image_bytes(300, 200), title="S", alt_text="S")
    item = media_item_publish(item=MediaItem.objects.get(pk=response.json()["id"]), user=None)
    item = MediaItem.objects.get(pk=item.pk)
    assert s3_client.head_object(Bucket=public, Key=f"public/{item.public_name}")
    assert http_get(media_public_urls(item).url)[0] == 200
    assert http_get(unsigned(private_storage().url(item.file.name)))[0] == 403


def test_a_publish_that_rolls_back_leaves_no_public_object(uploaded, s3_client):
    item, content, private, public = uploaded

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        media_item_publish(item=item, user=None)
        assert s3_client.list_objects_v2(Bucket=public)["KeyCount"] == 1 + len(rendition_names(800))
        raise Abort
    assert s3_client.list_objects_v2(Bucket=public).get("KeyCount", 0) == 0
    assert MediaItem.objects.get(pk=item.pk).public_name == ""
    assert not public_storage().exists(f"media/{item.public_id.hex}/{item.checksum[:16]}/shirt.jpg")


def test_sync_after_the_upgrade_copies_server_side(uploaded, s3_client, s3_calls):
    item, content, private, public = uploaded
    media_item_publish(item=item, user=None)
    for entry in s3_client.list_objects_v2(Bucket=public)["Contents"]:  # as before the split
        s3_client.delete_object(Bucket=public, Key=entry["Key"])
    MediaItem.objects.update(public_name="")
    Rendition.objects.update(public_name="")
    s3_calls.clear()

    call_command("media_public_sync", "--no-progress", stdout=StringIO())

    assert operations(s3_calls).count("CopyObject") == 1 + len(
        rendition_names(800)
    ) and "GetObject" not in operations(s3_calls)
    item = MediaItem.objects.get(pk=item.pk)
    assert http_get(media_public_urls(item).url)[:3:2] == (200, content)
    assert http_get(unsigned(private_storage().url(item.file.name)))[0] == 403


def test_publishing_an_item_whose_object_is_lost_is_a_409(
    uploaded, s3_client, client_for, publisher
):
    item, content, private, public = uploaded
    s3_client.delete_object(Bucket=private, Key=item.file.name)
    response = client_for(publisher).post(f"/api/v1/tenants/acme/media/{item.pk}/publish/")
    assert response.status_code == 409 and response.json()["code"] == "media_file_missing"
    assert s3_client.list_objects_v2(Bucket=public).get("KeyCount", 0) == 0


def test_an_export_preview_link_redirects_to_a_signed_url(uploaded, client, tenant):  # R30
    from media_library.serving import media_preview_url

    item, content, private, public = uploaded
    response = client.get(media_preview_url(item))  # anyone holding the export's link
    assert response.status_code == 302 and "no-store" in response["Cache-Control"]
    assert "Signature=" in response["Location"]
    assert http_get(response["Location"])[:3:2] == (200, content)
    assert http_get(unsigned(response["Location"]))[0] == 403
