"""OpenAPI post-processing: the shared error answers, documented once for every operation.

Every error under /api/ has one shape (tenants.api.errors); rather than repeating the same
400/401/403/404/409 in each view's `extend_schema`, this drf-spectacular hook adds the ones
an operation can give and has not documented itself (a view's own, more precise entry wins).
`scripts/fuzz` checks the answers against this schema: any status not listed fails it.
"""

from __future__ import annotations

ERROR_COMPONENT = "Error"
ERROR_SCHEMA = {
    "type": "object",
    "description": "Every error: a summary, a machine-readable code and each field's reason. "
    "Some errors add context (e.g. `used_by` on a 409 listing where something is used).",
    "properties": {
        "detail": {"type": "string"},
        "code": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string", "nullable": True},
                    "reason": {"type": "string"},
                },
                "required": ["field", "reason"],
            },
        },
    },
    "required": ["detail", "code", "errors"],
    "additionalProperties": True,
}

ERRORS = {
    "400": "Invalid input; `errors` names each field and its reason.",
    "401": "Not authenticated (a token or a session is needed).",
    "403": "The caller's role in the tenant does not allow this (R1a); the reason says which.",
    "404": "No such tenant for the caller, or no such object in it (another tenant's ids too).",
    "409": "Refused by the current state: in use (R22), checked out by someone, a name taken, "
    "a job already running; the body says which.",
    "503": "The job queue is unavailable; nothing was changed, try again in a moment.",
}
WRITE_METHODS = ("post", "put", "patch", "delete")


def _codes(path: str, method: str, operation: dict) -> list[str]:
    codes = ["400"]
    if any(requirement for requirement in operation.get("security", [])):
        codes += ["401", "403"]  # public reads ([{}]) answer anyone
    codes.append("404")  # a path parameter naming nothing, or a list page out of range
    if method in WRITE_METHODS:
        codes.append("409")
    if "202" in operation.get("responses", {}):
        codes.append("503")  # starts a job: refused while the queue is unreachable
    return codes


def error_responses_add(result, generator, request, public):
    """drf-spectacular POSTPROCESSING_HOOKS entry (see SPECTACULAR_SETTINGS)."""
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    reference = {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}
    for path, operations in result.get("paths", {}).items():
        for method, operation in operations.items():
            if method not in ("get", *WRITE_METHODS):
                continue
            responses = operation.setdefault("responses", {})
            for code in _codes(path, method, operation):
                responses.setdefault(
                    code,
                    {
                        "description": ERRORS[code],
                        "content": {"application/json": {"schema": reference}},
                    },
                )
    return result
