"""Request id and Content-Security-Policy: cross-cutting headers every response gets."""

from __future__ import annotations

import logging
import re
import time
import uuid

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from config.logging import request_id_var

request_log = logging.getLogger("mediahub.request")

# A caller's (or the proxy's) id is kept when it is short and plain, so it can be searched
# for in the logs of every system it crossed; anything else is replaced, never echoed.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:@/+=-]{8,128}$")


def request_id_from(request: HttpRequest) -> str:
    given = request.META.get("HTTP_X_REQUEST_ID", "")
    return given if _SANE_REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestIdMiddleware:
    """Takes X-Request-ID when sane, else makes one; every log record of the request (and of
    the Celery tasks it sends) carries it, the response header returns it, and one
    `mediahub.request` line (INFO) records the method, path, status and duration."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request)
        request.request_id = request_id
        token = request_id_var.set(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            if request_log.isEnabledFor(logging.INFO):
                request_log.info(
                    "%s %s %s",
                    request.method,
                    request.path,
                    response.status_code,
                    extra={
                        "method": request.method,
                        "path": request.path,
                        "status": response.status_code,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    },
                )
            return response
        finally:
            request_id_var.reset(token)


def csp_header_value(policy: dict[str, list[str]]) -> str:
    return "; ".join(
        " ".join([directive, *sources]) if sources else directive
        for directive, sources in policy.items()
    )


class ContentSecurityPolicyMiddleware:
    """Sets `Content-Security-Policy` from settings.CONTENT_SECURITY_POLICY (directive ->
    sources), with the directives of the first matching CONTENT_SECURITY_POLICY_PATHS prefix
    replacing the base ones (the API docs page loads Swagger UI from its CDN).

    Not sent with DEBUG on: Django's debug pages use inline scripts and styles. Not sent
    with JSON. A response that already has the header (a view that set its own) keeps it.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        base = getattr(settings, "CONTENT_SECURITY_POLICY", {}) or {}
        self.default = csp_header_value(base) if base else ""
        self.by_prefix = [
            (prefix, csp_header_value({**base, **overrides}))
            for prefix, overrides in (
                getattr(settings, "CONTENT_SECURITY_POLICY_PATHS", {}) or {}
            ).items()
        ]
        self.report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", False)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if settings.DEBUG or not self.default:
            return response
        header = (
            "Content-Security-Policy-Report-Only" if self.report_only else "Content-Security-Policy"
        )
        # JSON (the API, the shop's hot path) is never rendered as a document: no header.
        if header not in response and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            value = self.default
            for prefix, policy in self.by_prefix:
                if request.path.startswith(prefix):
                    value = policy
                    break
            response[header] = value
        return response
