"""Structured logs: one JSON object per line in production, each carrying the request id.

The id of the request being served lives in a contextvar (set by
config.middleware.RequestIdMiddleware); `RequestIdFilter` copies it onto every record, so
any logger's lines of one request can be found together. Celery carries it along: the
process that sends a task puts it in the message headers (`before_task_publish`), the
worker sets it while the task runs (`task_prerun` / `task_postrun`). The signal receivers
are connected in config/celery.py.
"""

from __future__ import annotations

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)

REQUEST_ID_HEADER = "request_id"  # the Celery message header

# Attributes every LogRecord has; anything else on a record came from `extra=` and is kept.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "request_id",
}


class RequestIdFilter(logging.Filter):
    """Puts the current request id (or "-") on the record as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            record.request_id = request_id_var.get() or "-"
        return True


def _request_id_of(record: logging.LogRecord) -> str | None:
    value = getattr(record, "request_id", None)
    return value if value and value != "-" else request_id_var.get()


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id", ...extra, "exception"}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": _request_id_of(record),
            "process": record.process,
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


# Celery signal receivers (connected in config/celery.py).


def task_publish_add_request_id(headers: dict | None = None, **kwargs) -> None:
    """before_task_publish: a task sent while serving a request carries that request's id."""
    request_id = request_id_var.get()
    if request_id and headers is not None:
        headers.setdefault(REQUEST_ID_HEADER, request_id)


_task_tokens: dict[str, Any] = {}


def task_prerun_set_request_id(task_id: str | None = None, task=None, **kwargs) -> None:
    """task_prerun: the task's log lines carry the id of the request that started it.

    An eager task (run inline by the request itself) has no such header and keeps the
    request's id as it is.
    """
    request = getattr(task, "request", None)
    request_id = getattr(request, REQUEST_ID_HEADER, None) or (
        (getattr(request, "headers", None) or {}).get(REQUEST_ID_HEADER)
    )
    if request_id and task_id:
        _task_tokens[task_id] = request_id_var.set(str(request_id))


def task_postrun_reset_request_id(task_id: str | None = None, **kwargs) -> None:
    token = _task_tokens.pop(task_id, None) if task_id else None
    if token is not None:
        request_id_var.reset(token)
