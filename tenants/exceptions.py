"""Domain errors shared by every app; the API maps them to HTTP once (tenants.api.errors)."""

from __future__ import annotations


class DomainError(Exception):
    """A refusal with a reason a user can act on. `field` names the offending input, if any."""

    status_code = 400
    code = "invalid"

    def __init__(self, message: str, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}


class ValidationFailed(DomainError):
    """Several field errors at once: errors is a list of (field, reason)."""

    def __init__(self, errors: list[tuple[str, str]], message: str = "Validation failed."):
        # `field` is the first error's, for callers that report one field per refusal.
        super().__init__(message, field=errors[0][0] if errors else None)
        self.errors = errors


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class PermissionDenied(DomainError):
    status_code = 403
    code = "permission_denied"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"
