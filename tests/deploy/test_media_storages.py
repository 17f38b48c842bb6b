"""SPEC §4 "Files": the settings split media into a private and a public storage, on local
disk by default and on S3 with MEDIA_STORAGE=s3 (separate buckets, or one bucket with a
public prefix); nothing private is configured public-read or unsigned (R30)."""

import json

from tests.deploy.helpers import production_env, run_python

READ_STORAGES = (
    "import json, config.settings.production as s; "
    "print(json.dumps({k: v for k, v in s.STORAGES.items() if k != 'staticfiles'}))"
)


def _storages(tmp_path, **env) -> dict:
    result = run_python(READ_STORAGES, production_env(tmp_path, **env))
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_local_disk_by_default(tmp_path):
    storages = _storages(tmp_path)
    assert storages["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage"
    assert storages["public"]["BACKEND"] == "media_library.storage.PublicFileSystemStorage"


def test_s3_with_a_bucket_each(tmp_path):
    storages = _storages(
        tmp_path,
        MEDIA_STORAGE="s3",
        S3_BUCKET="media-private",
        S3_PUBLIC_BUCKET="media-public",
        S3_PUBLIC_CUSTOM_DOMAIN="cdn.example.com",
        MEDIA_PRIVATE_URL_SECONDS="120",
    )
    private, public = storages["default"], storages["public"]
    assert private["BACKEND"] == "media_library.storage.PrivateS3Storage"
    assert private["OPTIONS"]["bucket_name"] == "media-private"
    assert private["OPTIONS"]["querystring_expire"] == 120
    assert public["BACKEND"] == "media_library.storage.PublicS3Storage"
    assert public["OPTIONS"]["bucket_name"] == "media-public"
    assert public["OPTIONS"]["location"] == ""
    assert public["OPTIONS"]["default_acl"] == "public-read"
    assert public["OPTIONS"]["custom_domain"] == "cdn.example.com"


def test_s3_with_one_bucket_keeps_public_files_under_a_prefix(tmp_path):
    storages = _storages(tmp_path, MEDIA_STORAGE="s3", S3_BUCKET="media", S3_PUBLIC_ACL="")
    assert storages["public"]["OPTIONS"]["bucket_name"] == "media"
    assert storages["public"]["OPTIONS"]["location"] == "public"
    assert storages["public"]["OPTIONS"]["default_acl"] is None  # a bucket policy instead
    assert storages["default"]["OPTIONS"]["location"] == ""


def test_private_s3_storage_is_private_and_signed_whatever_it_is_given():  # R30
    from media_library.storage import PrivateS3Storage, PublicS3Storage

    private = PrivateS3Storage(bucket_name="b", default_acl="public-read", querystring_auth=False)
    assert private.default_acl == "private" and private.querystring_auth is True
    public = PublicS3Storage(bucket_name="b")
    assert public.querystring_auth is False and public.file_overwrite is True
    assert public.get_object_parameters("media/x/0123/notes.txt") == {
        "CacheControl": "public, max-age=31536000, immutable",
        "ContentType": "text/plain",
        "ContentDisposition": 'attachment; filename="notes.txt"',
    }
    assert public.get_object_parameters("media/x/0123/shirt.jpg")["ContentType"] == "image/jpeg"


def test_public_s3_urls_are_the_ones_django_storages_makes():
    """PublicS3Storage builds unsigned URLs itself (fast); they must not differ."""
    from storages.backends.s3 import S3Storage

    from media_library.storage import PublicS3Storage

    for options in (
        {"endpoint_url": "http://127.0.0.1:9000"},
        {"endpoint_url": "http://127.0.0.1:9000", "location": "public"},
        {},  # AWS, virtual-hosted
        {"region_name": "eu-west-1", "location": "pub/lic"},
        {"custom_domain": "cdn.example.com", "location": "public"},
    ):
        settings = {"bucket_name": "media-public", "region_name": "us-east-1", **options}
        ours = PublicS3Storage(**settings)
        theirs = S3Storage(**settings, querystring_auth=False)
        for name in ("media/0a1b/0123456789abcdef/thumb.jpg", "media/x y/ä+é/(1)~!.jpg"):
            assert ours.url(name) == theirs.url(name), options
