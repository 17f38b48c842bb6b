"""Liveness stays cheap; readiness checks the database, cache, broker and storage."""

import os
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from tests.deploy.helpers import closed_port

pytestmark = pytest.mark.django_db

READY = "/api/v1/health/ready"


def test_liveness_answers_without_touching_anything(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = APIClient().get("/api/v1/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readiness_answers_200_with_each_check(settings):
    # given working services (the broker is optional: checked when configured)
    response = APIClient().get(READY)
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["status"] == "ok"
    assert {name: check["status"] for name, check in body["checks"].items()} == {
        "database": "ok",
        "cache": "ok",
        "broker": "ok" if settings.CELERY_BROKER_URL else "skipped",
        "storage": "ok",
    }
    assert response["Cache-Control"] == "no-store"


def test_readiness_leaves_no_probe_object_behind(settings):
    APIClient().get(READY)
    probes = Path(settings.MEDIA_ROOT) / "health"
    assert not probes.exists() or os.listdir(probes) == []


def test_readiness_names_an_unreachable_broker(settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    response = APIClient().get(READY)
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "not_ready"
    assert body["detail"] == "Not ready: broker failed."
    assert [e["field"] for e in body["errors"]] == ["broker"]
    assert body["checks"]["broker"]["status"] == "error"
    assert body["checks"]["database"]["status"] == "ok"
    # the exception's class only: its text may name internal hosts
    assert "127.0.0.1" not in response.content.decode()


def test_readiness_names_an_unreachable_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
    settings.CELERY_BROKER_URL = ""
    response = APIClient().get(READY)
    assert response.status_code == 503
    body = response.json()
    assert [e["field"] for e in body["errors"]] == ["cache"]
    assert body["checks"]["broker"]["status"] == "skipped"


def test_readiness_names_storage_it_cannot_write(settings, tmp_path):
    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("x")
    settings.MEDIA_ROOT = str(not_a_folder)
    response = APIClient().get(READY)
    assert response.status_code == 503
    assert [e["field"] for e in response.json()["errors"]] == ["storage"]
