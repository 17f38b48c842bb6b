"""SPEC §4: files on any S3-compatible store through django-storages (moto's server here)."""

import uuid

import pytest

from media_library.models import MediaItem
from media_library.selectors import media_public_urls
from media_library.services import media_item_publish
from tests.media_library.samples import image_bytes

pytestmark = [pytest.mark.s3, pytest.mark.django_db]

CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "region_name": "us-east-1",
}


@pytest.fixture
def s3_bucket(moto_endpoint, settings):
    import boto3

    bucket = f"media-{uuid.uuid4().hex[:8]}"
    client = boto3.client("s3", endpoint_url=moto_endpoint, **CREDENTIALS)
    client.create_bucket(Bucket=bucket)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": bucket,
                "endpoint_url": moto_endpoint,
                "access_key": "testing",
                "secret_key": "testing",
                "region_name": "us-east-1",
                "querystring_auth": False,
                "file_overwrite": False,
            },
        },
    }
    return client, bucket


def test_upload_and_renditions_land_in_the_bucket(s3_bucket, api_upload, editor, client):
    s3, bucket = s3_bucket
    content = image_bytes(800, 600)
    response = api_upload(editor, "shirt.jpg", content, title="Shirt", alt_text="A shirt")
    assert response.status_code == 201, response.json()
    item = MediaItem.objects.get(pk=response.json()["id"])

    original = s3.get_object(Bucket=bucket, Key=item.file.name)["Body"].read()
    assert original == content
    thumb = item.renditions.get(name="thumb")
    from io import BytesIO

    from PIL import Image

    data = s3.get_object(Bucket=bucket, Key=thumb.file.name)["Body"].read()
    assert Image.open(BytesIO(data)).size == (200, 200)

    # the public URL redirects to the bucket rather than streaming through Django
    media_item_publish(item=item, user=None)
    redirect = client.get(media_public_urls(item).url)
    assert redirect.status_code == 302
    assert redirect["Location"].startswith(s3.meta.endpoint_url)
    assert item.file.name in redirect["Location"]
