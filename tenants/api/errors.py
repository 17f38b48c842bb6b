"""One place that turns every error into `{"detail": ..., "errors": [{"field", "reason"}]}`.

DRF views go through `exception_handler`; everything else under /api/ (unmatched paths,
Django's own 404/405/403/500 answers) through `error_response`, by way of
`handler404`/`handler500` below and tenants.api.middleware.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from rest_framework import exceptions as drf_exceptions
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from tenants.exceptions import DomainError, ValidationFailed


def _flatten(detail, prefix: str = "") -> list[dict]:
    """Nested serializer errors become field paths like `variants[0].values.color`."""
    out: list[dict] = []
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key == "non_field_errors":
                name = prefix or "non_field_errors"
            elif isinstance(key, int) or (isinstance(key, str) and key.isdigit()):
                name = f"{prefix}[{key}]"  # a ListField's item: the same path as a list's
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
            out.extend(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            out.extend({"field": prefix or None, "reason": str(item)} for item in detail)
        else:
            for index, item in enumerate(detail):
                if item:
                    out.extend(_flatten(item, f"{prefix}[{index}]"))
    else:
        out.append({"field": prefix or None, "reason": str(detail)})
    return out


def error_body(detail: str, errors: list[dict], code: str, **extra) -> dict:
    return {"detail": detail, "code": code, "errors": errors, **extra}


def domain_error_body(exc: DomainError) -> dict:
    return error_body(
        exc.message, [{"field": exc.field, "reason": exc.message}], exc.code, **exc.extra
    )


def domain_error_response(exc: DomainError) -> JsonResponse:
    """A domain error answered outside DRF (the shop read's fast path), in the same shape."""
    return JsonResponse(domain_error_body(exc), status=exc.status_code)


# What a non-DRF error status says under /api/: (code, detail). Never the exception text.
STATUS_ERRORS = {
    400: ("invalid", "Bad request."),
    401: ("not_authenticated", "Authentication credentials were not provided."),
    403: ("permission_denied", "You do not have permission to perform this action."),
    404: ("not_found", "No such resource."),
    405: ("method_not_allowed", "Method not allowed."),
    413: ("too_large", "The request body is too large."),
    500: ("server_error", "Internal server error."),
}


def error_response(status: int, detail: str | None = None, code: str | None = None, **extra):
    """A JsonResponse in the shared error format, for code outside DRF."""
    default_code, default_detail = STATUS_ERRORS.get(
        status, ("server_error", "Internal server error.") if status >= 500 else ("error", "Error.")
    )
    detail = detail or default_detail
    body = error_body(detail, [{"field": None, "reason": detail}], code or default_code, **extra)
    return JsonResponse(body, status=status)


def is_api_path(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def handler404(request: HttpRequest, exception=None) -> HttpResponse:
    """Unmatched API paths (e.g. a non-numeric id) answer JSON like every other API error."""
    if is_api_path(request):
        return error_response(404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    """No traceback, ever: JSON under /api/, Django's plain page elsewhere."""
    if is_api_path(request):
        return error_response(500)
    from django.views.defaults import server_error

    return server_error(request)


USED_BY_LIMIT = 100


def _still_used(exc: ProtectedError | RestrictedError) -> Response:
    """A delete that something still references (on_delete=PROTECT/RESTRICT): 409 naming
    what, never a 500, whichever service forgot to say it more precisely."""
    blocking = list(getattr(exc, "protected_objects", None) or exc.restricted_objects)
    used_by = [
        {"type": str(obj._meta.verbose_name), "model": obj._meta.label_lower, "id": obj.pk}
        for obj in blocking[:USED_BY_LIMIT]
    ]
    detail = f"Still used by {len(blocking)} other object(s); remove or change those first."
    return Response(
        error_body(detail, [{"field": None, "reason": detail}], "conflict", used_by=used_by),
        status=409,
    )


_DJANGO_NOT_FOUND = re.compile(r"No (?P<model>\w+) matches the given query\.")


def _not_found_detail(message: str, context: dict) -> str:
    """Django's `get_object_or_404` says "No WebhookEndpoint matches the given query.": a
    class name. Said in words, with the id asked for, like the services' own 404s."""
    match = _DJANGO_NOT_FOUND.fullmatch(message)
    if match is None:
        return message or "Not found."
    name = re.sub(r"(?<!^)(?=[A-Z])", " ", match["model"]).lower()
    kwargs = context.get("kwargs") or {}
    asked = f" {kwargs['pk']}" if kwargs.get("pk") else ""
    return f"No {name}{asked}{' in this tenant' if 'tenant' in kwargs else ''}."


def exception_handler(exc, context):
    if isinstance(exc, ProtectedError | RestrictedError):
        return _still_used(exc)
    if isinstance(exc, ValidationFailed):
        errors = [{"field": f, "reason": r} for f, r in exc.errors]
        return Response(error_body(exc.message, errors, "invalid", **exc.extra), status=400)
    if isinstance(exc, DomainError):
        return Response(domain_error_body(exc), status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound(_not_found_detail(str(exc), context))
    if isinstance(exc, DjangoPermissionDenied):
        exc = drf_exceptions.PermissionDenied(str(exc) or None)

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, drf_exceptions.ValidationError):
        errors = _flatten(exc.detail)
        first = errors[0] if errors else {"field": None, "reason": "Invalid input."}
        summary = f"{first['field']}: {first['reason']}" if first["field"] else first["reason"]
        response.data = error_body(summary, errors, "invalid")
    elif isinstance(exc, drf_exceptions.APIException):
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        response.data = error_body(
            str(detail),
            [{"field": None, "reason": str(detail)}],
            exc.get_codes() if isinstance(exc.get_codes(), str) else "error",
        )
    return response
