"""One place that turns every error into `{"detail": ..., "errors": [{"field", "reason"}]}`."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
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


def exception_handler(exc, context):
    if isinstance(exc, ValidationFailed):
        errors = [{"field": f, "reason": r} for f, r in exc.errors]
        return Response(error_body(exc.message, errors, "invalid", **exc.extra), status=400)
    if isinstance(exc, DomainError):
        errors = [{"field": exc.field, "reason": exc.message}]
        return Response(
            error_body(exc.message, errors, exc.code, **exc.extra), status=exc.status_code
        )
    if isinstance(exc, DjangoValidationError):
        exc = drf_exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        )
    if isinstance(exc, Http404):
        exc = drf_exceptions.NotFound(str(exc) or "Not found.")
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
