"""A real HTTP receiver on loopback (127.0.0.9, allowlisted in the test settings) and
helpers to register webhooks through the API, as an admin would."""

from __future__ import annotations

import http.server
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.conf import settings

# A tenant copy's fixtures, for the events a copy sends (test_other_writers.py).
from tests.tenant_copy.conftest import copy_command, root, source  # noqa: F401

RECEIVER_HOST = "127.0.0.9"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """Records every POST; answers from `statuses` in turn (then 200). While `hold` is
    cleared, requests wait (up to 30 s) before answering: a receiver that hangs."""

    host: str
    port: int = 0
    statuses: list[int] = field(default_factory=list)
    requests: list[Received] = field(default_factory=list)
    hold: threading.Event = field(default_factory=threading.Event)
    arrived: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.hold.set()

    def url(self, path: str = "/hooks") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def of_type(self, event: str) -> list[Received]:
        return [r for r in self.requests if r.json["type"] == event]


def _handler(receiver: Receiver):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            return None

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length)
            receiver.requests.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            receiver.arrived.set()
            receiver.hold.wait(30)
            status = receiver.statuses.pop(0) if receiver.statuses else 200
            answer = b'{"ok": true}' if status < 400 else b"receiver says no"
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    assert RECEIVER_HOST in settings.OUTBOUND_FETCH_ALLOWLIST, "test settings allowlist it"
    found = Receiver(RECEIVER_HOST)
    httpd = http.server.ThreadingHTTPServer((RECEIVER_HOST, 0), _handler(found))
    httpd.daemon_threads = True
    found.port = httpd.server_address[1]
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield found
    found.hold.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def register(client_for, admin_user):
    """register(url, events, **fields) -> the API's answer (JSON with the secret)."""

    def _register(url: str, events: list[str], *, user=None, **fields) -> dict:
        response = client_for(user or admin_user).post(
            "/api/v1/tenants/acme/webhooks/",
            {"url": url, "events": events, **fields},
            format="json",
        )
        assert response.status_code == 201, response.content
        return response.json()

    return _register
