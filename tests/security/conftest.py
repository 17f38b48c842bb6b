"""Real HTTP servers on loopback for the outbound-fetch tests (never any other address)."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from tests.manifests.conftest import catalog, files_dir  # noqa: F401 - shared fixtures

# path -> (status, headers, body) or a callable(handler) that answers itself
Route = tuple[int, dict[str, str], bytes] | Callable


@dataclass
class LoopbackServer:
    host: str
    port: int
    routes: dict[str, Route]
    hits: list[str] = field(default_factory=list)

    def url(self, path: str = "/") -> str:
        return f"http://{self.host}:{self.port}{path}"


def _handler(server: LoopbackServer):
    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):
            return None

        def do_GET(self):
            server.hits.append(self.path)
            route = server.routes.get(self.path.split("?", 1)[0])
            if route is None:
                self.send_error(404)
                return
            if callable(route):
                route(self)
                return
            status, headers, body = route
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    return Handler


@pytest.fixture
def loopback_server():
    """loopback_server(routes, host="127.0.0.1", port=0) -> a running LoopbackServer."""
    running: list[http.server.ThreadingHTTPServer] = []

    def _start(routes: dict[str, Route], *, host: str = "127.0.0.1", port: int = 0):
        assert host.startswith("127."), "tests only ever talk to loopback"
        server = LoopbackServer(host, 0, routes)
        httpd = http.server.ThreadingHTTPServer((host, port), _handler(server))
        httpd.daemon_threads = True
        server.port = httpd.server_address[1]
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        running.append(httpd)
        return server

    yield _start
    for httpd in running:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
