"""R29: the outbound-fetch guard (tenants/outbound.py), against real servers on 127.0.0.1."""

from __future__ import annotations

import io
import ipaddress
import socket

import pytest

from tenants import outbound
from tenants.outbound import (
    AddressNotAllowed,
    OutboundFetchError,
    ResponseTooLarge,
    address_is_internal,
    outbound_fetch,
)

NOT_ALLOWED = "could not fetch URL: address not allowed"
GENERIC = "could not fetch URL"


def _fetch(url: str) -> bytes:
    out = io.BytesIO()
    outbound_fetch(url, out=out)
    return out.getvalue()


def test_loopback_is_refused_by_default_without_a_request(loopback_server):  # R29
    server = loopback_server({"/secret": (200, {}, b"internal secret")})
    for url in (server.url("/secret"), f"http://localhost:{server.port}/secret"):
        with pytest.raises(AddressNotAllowed) as refused:
            _fetch(url)
        assert str(refused.value) == NOT_ALLOWED
    assert server.hits == []


def test_allowlisted_hosts_and_networks_are_fetched(loopback_server, settings):  # R29
    server = loopback_server({"/file": (200, {}, b"hello")})
    settings.OUTBOUND_FETCH_ALLOWLIST = ["127.0.0.0/8"]
    assert _fetch(server.url("/file")) == b"hello"
    settings.OUTBOUND_FETCH_ALLOWLIST = ["localhost"]
    # localhost may resolve to ::1 first, where nothing listens: the next address is tried.
    assert _fetch(f"http://localhost:{server.port}/file") == b"hello"
    settings.OUTBOUND_FETCH_ALLOWLIST = ["127.0.0.2/32", "files.example.com"]
    with pytest.raises(AddressNotAllowed):
        _fetch(server.url("/file"))


def test_redirects_are_followed_and_each_hop_is_vetted(loopback_server, settings):  # R29
    inner = loopback_server({"/secret": (200, {}, b"inner secret")}, host="127.0.0.2")
    server = loopback_server(
        {
            "/file": (200, {}, b"payload"),
            "/hop": (302, {"Location": "/file"}, b""),
            "/to-private": (302, {"Location": inner.url("/secret")}, b""),
            "/to-metadata": (
                307,
                {"Location": "http://169.254.169.254/latest/meta-data/iam/"},
                b"",
            ),
            "/to-file-scheme": (302, {"Location": "file:///etc/hostname"}, b""),
            "/loop": (302, {"Location": "/loop"}, b""),
        }
    )
    settings.OUTBOUND_FETCH_ALLOWLIST = ["127.0.0.1/32"]
    assert _fetch(server.url("/hop")) == b"payload"
    for path in ("/to-private", "/to-metadata", "/to-file-scheme"):
        with pytest.raises(AddressNotAllowed) as refused:
            _fetch(server.url(path))
        assert str(refused.value) == NOT_ALLOWED
    assert inner.hits == []
    with pytest.raises(OutboundFetchError) as looped:
        _fetch(server.url("/loop"))
    assert str(looped.value) == GENERIC
    assert server.hits.count("/loop") == outbound.MAX_REDIRECTS + 1


def test_oversized_bodies_are_refused(loopback_server, settings):  # R29
    def undeclared(handler):  # no Content-Length: the size is only known while reading
        handler.send_response(200)
        handler.send_header("Connection", "close")
        handler.end_headers()
        for _ in range(20):
            handler.wfile.write(b"x" * 500)

    server = loopback_server(
        {
            "/small": (200, {}, b"x" * 1000),
            "/declared": (200, {}, b"x" * 5000),
            "/undeclared": undeclared,
        }
    )
    settings.OUTBOUND_FETCH_ALLOWLIST = ["127.0.0.1"]
    settings.MEDIA_MAX_UPLOAD_BYTES = 1000
    assert len(_fetch(server.url("/small"))) == 1000
    for path in ("/declared", "/undeclared"):
        with pytest.raises(ResponseTooLarge):
            _fetch(server.url(path))


def test_failures_read_the_same_whatever_the_cause(
    loopback_server, closed_port, settings, caplog
):  # R29: a caller cannot tell an open port from a closed one or a slow one
    server = loopback_server({"/boom": (500, {}, b"stack trace"), "/missing": (404, {}, b"")})
    settings.OUTBOUND_FETCH_ALLOWLIST = ["127.0.0.1"]
    settings.OUTBOUND_FETCH_TIMEOUT_SECONDS = 0.5
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        urls = [
            f"http://127.0.0.1:{closed_port}/x",
            f"http://127.0.0.1:{silent.getsockname()[1]}/x",
            server.url("/boom"),
            server.url("/missing"),
        ]
        messages = set()
        for url in urls:
            with pytest.raises(OutboundFetchError) as failed:
                _fetch(url)
            messages.add(str(failed.value))
    assert messages == {GENERIC}
    # The detail stays in the server log.
    assert str(closed_port) in caplog.text and "HTTP 500" in caplog.text


def test_the_connection_goes_to_the_vetted_address(loopback_server, settings, monkeypatch):
    # R29: DNS rebinding. The first answer for the name is vetted; a later answer pointing
    # at another (here: not allowlisted) address must never be used.
    vetted = loopback_server({"/file": (200, {}, b"vetted")})
    rebound = loopback_server({"/file": (200, {}, b"rebound")}, host="127.0.0.2", port=vetted.port)
    real = socket.getaddrinfo
    answers = []

    def rebinding_dns(host, *args, **kwargs):
        if host == "rebind.test":
            answers.append(host)
            ip = "127.0.0.1" if len(answers) == 1 else "127.0.0.2"
            return real(ip, *args, **kwargs)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    settings.OUTBOUND_FETCH_ALLOWLIST = ["127.0.0.1/32"]
    assert _fetch(f"http://rebind.test:{vetted.port}/file") == b"vetted"
    assert answers == ["rebind.test"] and rebound.hits == []


@pytest.mark.parametrize(
    "url",
    ["file:///etc/hostname", "ftp://127.0.0.1/x", "gopher://127.0.0.1/", "http://u:p@8.8.8.8/"],
)
def test_other_schemes_and_credentials_are_refused_before_any_lookup(url, monkeypatch):
    def no_dns(*args, **kwargs):
        raise AssertionError("no lookup expected")

    monkeypatch.setattr(socket, "getaddrinfo", no_dns)
    with pytest.raises(OutboundFetchError):
        _fetch(url)


@pytest.mark.parametrize(
    "address,internal",
    [
        ("127.0.0.1", True),
        ("10.1.2.3", True),
        ("172.16.0.1", True),
        ("192.168.1.1", True),
        ("100.64.0.1", True),
        ("169.254.169.254", True),
        ("169.254.1.1", True),
        ("224.0.0.1", True),
        ("0.0.0.0", True),
        ("240.0.0.1", True),
        ("::1", True),
        ("::", True),
        ("fe80::1", True),
        ("fd00:ec2::254", True),
        ("ff02::1", True),
        ("::ffff:127.0.0.1", True),
        ("::ffff:10.0.0.1", True),
        ("64:ff9b::a00:1", True),
        ("2002:7f00:1::", True),
        ("8.8.8.8", False),
        ("2606:4700:4700::1111", False),
    ],
)
def test_internal_address_classification(address, internal):  # R29 (no traffic)
    assert address_is_internal(ipaddress.ip_address(address)) is internal
