"""What callers see when something goes wrong, whatever DEBUG says (R30).

- Every error under /api/ is JSON in the shared format (tenants.api.errors): DRF views
  already answer so; Django's own answers (a 404 from a non-DRF view, a 405, a CSRF 403,
  the DEBUG 404 and 500 pages) are replaced here, without the traceback or exception text.
- Elsewhere, a 500 under DEBUG shows Django's traceback page only to an active superuser
  who is staff; everyone else gets the plain 500 page.
- `api_path_unmatched` is the last URL pattern under /api/: a path that matches nothing is
  tried once with its trailing slash added (or removed) and dispatched there, so
  `POST .../media` works like `POST .../media/` (APPEND_SLASH cannot redirect a POST);
  anything else answers the JSON 404.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from django.views.defaults import server_error

from .errors import error_body, error_response, is_api_path

logger = logging.getLogger(__name__)

# Headers of the replaced answer that still mean something to the caller.
KEPT_HEADERS = ("Allow", "WWW-Authenticate", "Retry-After", "Vary")


def _may_see_traceback(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(
        user is not None
        and getattr(user, "is_active", False)
        and getattr(user, "is_superuser", False)
        and getattr(user, "is_staff", False)
    )


def _is_json(response: HttpResponse) -> bool:
    return "json" in response.get("Content-Type", "")


class CallerSafeErrorsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if is_api_path(request):
            refused = _nul_in_query(request)
            if refused is not None:
                return refused
        response = self.get_response(request)
        status = response.status_code
        if status < 400:
            return response
        if is_api_path(request):
            # DRF Responses carry the shared format already (the browsable API renders it
            # as HTML on purpose); anything else is Django's HTML and is replaced.
            if getattr(response, "data", None) is not None or _is_json(response):
                return response
            replacement = error_response(status)
            for header in KEPT_HEADERS:
                if response.has_header(header):
                    replacement[header] = response[header]
            return replacement
        if status >= 500 and settings.DEBUG and not _may_see_traceback(request):
            return server_error(request)
        return response


def _nul_in_query(request: HttpRequest) -> HttpResponse | None:
    """A NUL character in a query parameter is a 400 naming it: no lookup can match it, and
    PostgreSQL refuses it in any text comparison (a 500 otherwise, wherever a view reads it)."""
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            field = name.replace("\x00", "")
            reason = "Contains a NUL character, which no value may hold."
            body = error_body(reason, [{"field": field, "reason": reason}], "invalid")
            return JsonResponse(body, status=400)
    return None


def _resolve_alternate(request: HttpRequest):
    path = request.path_info
    alternate = path[:-1] if path.endswith("/") else f"{path}/"
    try:
        match = resolve(alternate, getattr(request, "urlconf", None))
    except Resolver404:
        return None, alternate
    if match.func is api_path_unmatched:
        return None, alternate
    return match, alternate


@csrf_exempt  # the view it dispatches to gets its own CSRF check below
def api_path_unmatched(request: HttpRequest, *args, **kwargs) -> HttpResponse:
    match, alternate = _resolve_alternate(request)
    if match is None:
        return error_response(404)
    if request.path.endswith("/"):
        request.path = request.path[:-1]
    else:
        request.path = f"{request.path}/"
    request.path_info = alternate
    request.resolver_match = match
    refused = CsrfViewMiddleware(lambda r: None).process_view(
        request, match.func, match.args, match.kwargs
    )
    if refused is not None:
        return refused
    return match.func(request, *match.args, **match.kwargs)
