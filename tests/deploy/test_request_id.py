"""A request id on every response, in every log record of the request, and in the Celery
tasks it sends."""

import json
import logging
import re
import sys

import pytest
from celery import Celery
from celery.contrib.testing.worker import start_worker
from rest_framework.response import Response
from rest_framework.test import APIClient

from config.logging import JsonFormatter, RequestIdFilter, request_id_var
from tenants.api.views import HealthApi


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records: list[logging.LogRecord] = []
        self.addFilter(RequestIdFilter())

    def emit(self, record):
        self.records.append(record)


@pytest.fixture
def records():
    """Records of `tests.deploy` and `mediahub.request` (INFO), through the request id filter."""
    handler = _Records()
    loggers = [logging.getLogger("tests.deploy"), logging.getLogger("mediahub.request")]
    previous = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    yield handler.records
    for logger, level in zip(loggers, previous, strict=True):
        logger.removeHandler(handler)
        logger.setLevel(level)


def test_a_request_gets_an_id_on_its_response():
    response = APIClient().get("/api/v1/health")
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])
    assert APIClient().get("/api/v1/health")["X-Request-ID"] != response["X-Request-ID"]


def test_a_sane_incoming_request_id_is_kept():
    response = APIClient().get("/api/v1/health", HTTP_X_REQUEST_ID="lb-7f3a9c2e-0001")
    assert response["X-Request-ID"] == "lb-7f3a9c2e-0001"


@pytest.mark.parametrize(
    "given",
    ["short", "x" * 129, "has spaces in it", "new\nline-injected", "<script>alert</script>"],
)
def test_an_insane_incoming_request_id_is_replaced(given):
    response = APIClient().get("/api/v1/health", HTTP_X_REQUEST_ID=given)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_every_log_record_of_the_request_carries_its_id(monkeypatch, records):
    def get(self, request):
        logging.getLogger("tests.deploy").warning("inside the view")
        return Response({"status": "ok"})

    monkeypatch.setattr(HealthApi, "get", get)
    response = APIClient().get("/api/v1/health", HTTP_X_REQUEST_ID="req-0123456789")
    assert response["X-Request-ID"] == "req-0123456789"
    by_logger = {r.name: r for r in records}
    assert by_logger["tests.deploy"].request_id == "req-0123456789"
    line = by_logger["mediahub.request"]
    assert (line.request_id, line.method, line.path, line.status) == (
        "req-0123456789",
        "GET",
        "/api/v1/health",
        200,
    )
    # and outside a request, no id
    logging.getLogger("tests.deploy").warning("after")
    assert records[-1].request_id == "-"


def test_json_formatter_writes_one_object_per_line():
    formatter = JsonFormatter()
    token = request_id_var.set("req-json-0001")
    try:
        try:
            raise ValueError("boom")
        except ValueError:
            record = logging.getLogger("tests.deploy").makeRecord(
                "tests.deploy",
                logging.ERROR,
                __file__,
                1,
                "failed %s",
                ("x",),
                sys.exc_info(),
                extra={"job_id": 7},
            )
        line = formatter.format(record)
    finally:
        request_id_var.reset(token)
    assert "\n" not in line
    entry = json.loads(line)
    assert entry["message"] == "failed x"
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "tests.deploy"
    assert entry["request_id"] == "req-json-0001"
    assert entry["job_id"] == 7
    assert "ValueError: boom" in entry["exception"]


@pytest.fixture
def celery_app():
    """A Celery app of its own over an in-memory broker, with a threaded worker: the
    request-id signal receivers (connected in config/celery.py) are global, as in production."""
    import config.celery  # noqa: F401 - connects the receivers

    app = Celery("request-id-test", broker="memory://", backend="cache+memory://")
    app.conf.task_always_eager = False

    @app.task(name="tests.deploy.request_id_seen")
    def request_id_seen():
        logging.getLogger("tests.deploy").warning("in the task")
        return request_id_var.get()

    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield app, request_id_seen


def test_a_task_sent_during_a_request_runs_with_its_request_id(celery_app, records):
    app, task = celery_app
    # given a request being served
    token = request_id_var.set("req-celery-0042")
    try:
        result = task.delay()  # before_task_publish adds the id to the message headers
    finally:
        request_id_var.reset(token)
    # then the worker ran the task with it (task_prerun), and its log lines carry it
    assert result.get(timeout=20) == "req-celery-0042"
    assert [r.request_id for r in records if r.getMessage() == "in the task"] == ["req-celery-0042"]
    # and a task sent outside any request has none
    assert task.delay().get(timeout=20) is None
