"""Readiness: `/api/v1/health/ready` checks what a request may need before a load balancer
sends it traffic. `/api/v1/health` (tenants.api.views.HealthApi) stays the cheap liveness
answer and checks nothing.

Each check answers "ok", "skipped" (not configured here) or "error". A failure answers 503
in the shared error format, naming the checks that failed; the exception's class is shown,
its text (which may name internal hosts) only logged.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import caches
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import connections
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from .errors import error_body

logger = logging.getLogger(__name__)

BROKER_TIMEOUT_SECONDS = 2.0


def database_check() -> str:
    for alias in connections:
        with connections[alias].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    return "ok"


def cache_check() -> str:
    key, value = f"health:ready:{uuid.uuid4().hex}", "ok"
    for alias in settings.CACHES:
        cache = caches[alias]
        cache.set(key, value, timeout=10)
        if cache.get(key) != value:
            raise RuntimeError(f"cache {alias!r} did not return what was written")
        cache.delete(key)
    return "ok"


def broker_check() -> str:
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url:
        return "skipped"
    from kombu import Connection

    with Connection(url, connect_timeout=BROKER_TIMEOUT_SECONDS) as connection:
        connection.ensure_connection(
            max_retries=1, interval_start=0, interval_step=0, timeout=BROKER_TIMEOUT_SECONDS
        )
        connection.default_channel  # noqa: B018 - opening a channel talks to the broker
    return "ok"


def storage_check() -> str:
    """Writes and deletes a tiny probe object in every file storage but static files."""
    for alias in settings.STORAGES:
        if alias == "staticfiles":
            continue
        storage = storages[alias]
        name = storage.save(f"health/probe-{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
        storage.delete(name)
    return "ok"


CHECKS: dict[str, Callable[[], str]] = {
    "database": database_check,
    "cache": cache_check,
    "broker": broker_check,
    "storage": storage_check,
}


def readiness_run() -> tuple[dict[str, dict], list[str]]:
    results: dict[str, dict] = {}
    failed: list[str] = []
    for name, check in CHECKS.items():
        started = time.perf_counter()
        try:
            results[name] = {"status": check()}
        except Exception as exc:
            logger.warning("readiness check %s failed: %r", name, exc)
            results[name] = {"status": "error", "error": type(exc).__name__}
            failed.append(name)
        results[name]["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return results, failed


class HealthReadyApi(APIView):
    """Readiness for load balancers and orchestrators: 200 when the database, the cache,
    the broker (when configured) and file storage all answer, else 503 naming what failed."""

    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, 503: OpenApiTypes.OBJECT})
    def get(self, request):
        checks, failed = readiness_run()
        headers = {"Cache-Control": "no-store"}
        if not failed:
            return Response({"status": "ok", "checks": checks}, headers=headers)
        detail = f"Not ready: {', '.join(failed)} failed."
        body = error_body(
            detail,
            [{"field": name, "reason": checks[name]["error"]} for name in failed],
            "not_ready",
            status="unavailable",
            checks=checks,
        )
        return Response(body, status=503, headers=headers)
