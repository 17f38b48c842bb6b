"""R20 with an S3 prefix as SOURCE (moto's server on loopback), configured by S3_* settings."""

import uuid
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from media_library.models import MediaItem
from tests.legacy.conftest import CREDENTIALS, TREE

pytestmark = [pytest.mark.s3, pytest.mark.django_db]


@pytest.fixture
def legacy_bucket(moto_endpoint, settings):
    import boto3

    settings.S3_ENDPOINT_URL = moto_endpoint
    settings.S3_ACCESS_KEY_ID = "testing"
    settings.S3_SECRET_ACCESS_KEY = "testing"
    settings.S3_REGION = "us-east-1"
    bucket = f"legacy-{uuid.uuid4().hex[:8]}"
    client = boto3.client("s3", endpoint_url=moto_endpoint, **CREDENTIALS)
    client.create_bucket(Bucket=bucket)
    for relative, data in TREE.items():
        client.put_object(Bucket=bucket, Key=f"exports/2019/{relative}", Body=data)
    client.put_object(Bucket=bucket, Key="elsewhere/Products/MUG-001_000_009.png", Body=b"x")
    return bucket


def migrate(source, **options):
    out = StringIO()
    call_command("migrate_legacy_media", source, stdout=out, stderr=StringIO(), **options)
    return out.getvalue()


def test_an_s3_prefix_migrates_like_a_folder(tenant, catalog, legacy_bucket, editor):
    out = migrate(f"s3://{legacy_bucket}/exports/2019", tenant="acme", user="eddie")
    assert "Files: 27 seen, 20 matched, 7 matching no entity." in out
    assert "Products: 4 assigned" in out and "Categories: 2 assigned" in out
    assert MediaItem.objects.count() == 12
    again = migrate(f"s3://{legacy_bucket}/exports/2019/", tenant="acme", user="eddie")
    assert "Products: 0 assigned, 4 unchanged" in again and MediaItem.objects.count() == 12


def test_an_unreachable_bucket_is_bad_input(tenant, catalog, legacy_bucket, editor):
    with pytest.raises(CommandError, match="Cannot list"):
        migrate("s3://no-such-bucket-here/x", tenant="acme", user="eddie")
