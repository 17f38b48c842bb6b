"""Helpers of the S3 tests (moto's server on loopback; fixtures in tests/conftest.py)."""

from __future__ import annotations

import hashlib
import urllib.error
import urllib.request
from email.message import Message

S3_CREDENTIALS = {
    "aws_access_key_id": "testing",
    "aws_secret_access_key": "testing",
    "region_name": "us-east-1",
}


def s3_storage_options(endpoint: str, bucket: str, **extra) -> dict:
    """OPTIONS of one S3 storage on moto's server, as config/settings/base.py builds them."""
    return {
        "endpoint_url": endpoint,
        "access_key": S3_CREDENTIALS["aws_access_key_id"],
        "secret_key": S3_CREDENTIALS["aws_secret_access_key"],
        "region_name": S3_CREDENTIALS["region_name"],
        "bucket_name": bucket,
        **extra,
    }


def http_get(url: str, headers: dict | None = None) -> tuple[int, Message, bytes]:
    """A plain anonymous GET (no AWS credentials): (status, headers (any case), body)."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def unsigned(url: str) -> str:
    """The URL without its query string (a signed URL with its signature taken away)."""
    return url.split("?", 1)[0]


def object_sha256(client, bucket: str, key: str) -> str:
    body = client.get_object(Bucket=bucket, Key=key)["Body"].read()
    return hashlib.sha256(body).hexdigest()


def operations(calls: list[tuple[str, dict]]) -> list[str]:
    return [name for name, _ in calls]
