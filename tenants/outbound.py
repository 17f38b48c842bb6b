"""The one outbound-fetch guard (R29): every server-side request to a URL a user gave
(manifest MediaImportPath URLs, webhooks) goes through `outbound_request`.

- http and https only, no credentials in the URL;
- the host is resolved once per hop and every address it resolves to must be public:
  loopback, private, shared (CGNAT), link-local, multicast, reserved, unspecified and
  cloud-metadata addresses are refused, also when embedded in IPv6 (mapped, 6to4,
  Teredo, NAT64);
- the connection goes to the vetted address itself (the Host header and TLS name stay
  the URL's), so a second DNS answer cannot swap in an internal address (DNS rebinding);
- redirects are followed here, by hand, a bounded number of times, each hop vetted again;
- the body is capped (MEDIA_MAX_UPLOAD_BYTES by default) and the whole exchange bounded
  in time (OUTBOUND_FETCH_TIMEOUT_SECONDS);
- OUTBOUND_FETCH_ALLOWLIST (hostnames, `.suffix` for a domain and its subdomains, IPs or
  CIDRs) lets a deployment reach named internal hosts; it is empty by default.

Errors shown to users never describe the internal network: an address refused reads
"could not fetch URL: address not allowed"; every other failure (refused connection,
closed port, timeout, TLS, HTTP status) reads "could not fetch URL". The detail is logged.
"""

from __future__ import annotations

import http.client
import ipaddress
import logging
import socket
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO
from urllib.parse import urljoin, urlsplit, urlunsplit

from django.conf import settings

logger = logging.getLogger(__name__)

SCHEMES = {"http": 80, "https": 443}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
USER_AGENT = "Mediahub-outbound/1"

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Named even though the generic checks below already catch them: these are the addresses an
# attacker aims at first (AWS/GCP/Azure/OpenStack, AWS over IPv6, Alibaba, Oracle).
METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(a)
    for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200", "192.0.0.192")
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_SHARED = ipaddress.ip_network("100.64.0.0/10")


class OutboundFetchError(Exception):
    """A fetch that did not happen or did not finish. `str()` is safe to show a user."""

    public_message = "could not fetch URL"

    def __init__(self, detail: str = ""):
        super().__init__(self.public_message)
        self.detail = detail  # for the server log only

    def __str__(self) -> str:
        return self.public_message


class AddressNotAllowed(OutboundFetchError):
    public_message = "could not fetch URL: address not allowed"


class ResponseTooLarge(OutboundFetchError):
    public_message = "could not fetch URL: the file is larger than the upload limit"


@dataclass
class OutboundResponse:
    url: str  # the final URL, after redirects
    status: int
    headers: http.client.HTTPMessage
    size: int
    body: bytes | None  # None when the body went to `out`


@dataclass(frozen=True)
class _Allowlist:
    hosts: frozenset[str]
    suffixes: tuple[str, ...]
    networks: tuple[IPNetwork, ...]

    def host_allowed(self, host: str) -> bool:
        return host in self.hosts or any(host == s[1:] or host.endswith(s) for s in self.suffixes)

    def address_allowed(self, ip: IPAddress) -> bool:
        return any(ip.version == n.version and ip in n for n in self.networks)


def _allowlist() -> _Allowlist:
    hosts: set[str] = set()
    suffixes: list[str] = []
    networks: list[IPNetwork] = []
    for raw in getattr(settings, "OUTBOUND_FETCH_ALLOWLIST", None) or ():
        entry = str(raw).strip().lower().rstrip(".")
        if not entry:
            continue
        try:
            networks.append(ipaddress.ip_network(entry.strip("[]"), strict=False))
            continue
        except ValueError:
            pass
        if entry.startswith("*."):
            entry = entry[1:]
        if entry.startswith("."):
            suffixes.append(entry)
        else:
            hosts.add(entry)
    return _Allowlist(frozenset(hosts), tuple(suffixes), tuple(networks))


def address_is_internal(ip: IPAddress) -> bool:
    """True for every address an outbound fetch must not reach unless allowlisted."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is not None and address_is_internal(embedded):
            return True
    return (
        ip in METADATA_ADDRESSES
        or ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in _SHARED)
        or not ip.is_global
    )


@dataclass(frozen=True)
class _Target:
    scheme: str
    host: str
    port: int
    request_path: str
    addresses: tuple[str, ...]  # vetted, in resolver order


def _split(url: str) -> tuple[str, str, int, str]:
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError as exc:
        raise OutboundFetchError(f"malformed URL {url!r}: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise AddressNotAllowed(f"scheme {scheme!r} refused in {url!r}")
    if parts.username is not None or parts.password is not None:
        raise OutboundFetchError(f"credentials in URL {url!r}")
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise OutboundFetchError(f"no host in {url!r}")
    path = urlunsplit(("", "", parts.path or "/", parts.query, ""))
    return scheme, host, port or SCHEMES[scheme], path


def _resolve(host: str, port: int) -> list[IPAddress]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise OutboundFetchError(f"cannot resolve {host!r}: {exc}") from None
    addresses: list[IPAddress] = []
    for family, *_rest, sockaddr in infos:
        if family not in (socket.AF_INET, socket.AF_INET6):
            continue
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in addresses:
            addresses.append(ip)
    if not addresses:
        raise OutboundFetchError(f"no address for {host!r}")
    return addresses


def url_vet(url: str) -> _Target:
    """Parse, resolve and vet one URL: AddressNotAllowed unless every address it resolves
    to may be reached. Webhook registration can call it to refuse a URL up front."""
    scheme, host, port, path = _split(url)
    allow = _allowlist()
    addresses = _resolve(host, port)
    if not allow.host_allowed(host):
        refused = [
            ip for ip in addresses if address_is_internal(ip) and not allow.address_allowed(ip)
        ]
        if refused:
            raise AddressNotAllowed(f"{host!r} resolves to {', '.join(map(str, refused))}")
    return _Target(scheme, host, port, path, tuple(str(ip) for ip in addresses))


def _connection(target: _Target, ip: str, timeout: float) -> http.client.HTTPConnection:
    """An HTTP(S) connection to the URL's host whose socket goes to `ip`, already vetted:
    no second DNS lookup. TLS still checks the certificate against the host name."""
    if target.scheme == "https":
        connection: http.client.HTTPConnection = http.client.HTTPSConnection(
            target.host, target.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(target.host, target.port, timeout=timeout)

    def create_connection(address, timeout=None, source_address=None):
        return socket.create_connection((ip, address[1]), timeout, source_address)

    connection._create_connection = create_connection  # type: ignore[attr-defined]
    return connection


def _remaining(deadline: float, url: str) -> float:
    left = deadline - time.monotonic()
    if left <= 0:
        raise OutboundFetchError(f"time limit reached fetching {url!r}")
    return left


def _exchange(
    target: _Target,
    *,
    method: str,
    body: bytes | None,
    headers: dict[str, str],
    deadline: float,
    url: str,
) -> tuple[http.client.HTTPConnection, http.client.HTTPResponse, socket.socket]:
    last: Exception | None = None
    for ip in target.addresses:
        connection = _connection(target, ip, _remaining(deadline, url))
        try:
            connection.request(method, target.request_path, body=body, headers=headers)
            # Kept to tighten the timeout while the body streams: with "Connection: close"
            # http.client hands the socket to the response and forgets it.
            sock = connection.sock
            return connection, connection.getresponse(), sock
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            last = exc
    raise OutboundFetchError(f"{method} {url!r} failed: {last!r}")


def _read_body(
    response: http.client.HTTPResponse,
    sock: socket.socket,
    *,
    out: IO[bytes] | None,
    limit: int,
    deadline: float,
    url: str,
) -> tuple[int, bytes | None]:
    declared = response.getheader("Content-Length")
    if declared and declared.strip().isdigit() and int(declared) > limit:
        raise ResponseTooLarge(f"{url!r} declares {declared} bytes (limit {limit})")
    chunks: list[bytes] = []
    size = 0
    while not response.isclosed():  # it closes itself once the declared length is read
        sock.settimeout(_remaining(deadline, url))
        chunk = response.read(CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit:
            raise ResponseTooLarge(f"{url!r} sent more than {limit} bytes")
        if out is not None:
            out.write(chunk)
        else:
            chunks.append(chunk)
    return size, (None if out is not None else b"".join(chunks))


def outbound_request(
    url: str,
    *,
    method: str = "GET",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    out: IO[bytes] | None = None,
    max_bytes: int | None = None,
    timeout: float | None = None,
    max_redirects: int = MAX_REDIRECTS,
    success: Iterable[int] = range(200, 300),
    follow_redirects: bool = True,
) -> OutboundResponse:
    """Send one request through the guard and return the final response (its body written
    to `out`, else kept in memory). A final status outside `success` raises
    OutboundFetchError; pass `success=range(100, 600)` to inspect any status.
    `follow_redirects=False` returns a redirect as the final response (webhooks: a POST
    must not turn into a GET elsewhere, and the receiver's 3xx is what gets logged)."""
    limit = max_bytes if max_bytes is not None else settings.MEDIA_MAX_UPLOAD_BYTES
    seconds = (
        timeout
        if timeout is not None
        else float(getattr(settings, "OUTBOUND_FETCH_TIMEOUT_SECONDS", 20))
    )
    deadline = time.monotonic() + seconds
    send = {"User-Agent": USER_AGENT, "Accept-Encoding": "identity", "Connection": "close"}
    send.update(headers or {})
    allowed = set(success)
    current = url
    try:
        for _hop in range(max_redirects + 1):
            target = url_vet(current)
            connection, response, sock = _exchange(
                target, method=method, body=body, headers=send, deadline=deadline, url=current
            )
            try:
                location = response.getheader("Location")
                if follow_redirects and response.status in REDIRECT_STATUSES and location:
                    response.read(CHUNK)  # a redirect's own body is not wanted
                    current = urljoin(current, location.strip())
                    if response.status == 303 or (
                        response.status in (301, 302) and method not in ("GET", "HEAD")
                    ):
                        method, body = "GET", None
                    continue
                if response.status not in allowed:
                    raise OutboundFetchError(f"{current!r} answered HTTP {response.status}")
                size, content = _read_body(
                    response, sock, out=out, limit=limit, deadline=deadline, url=current
                )
                return OutboundResponse(current, response.status, response.headers, size, content)
            finally:
                connection.close()
        raise OutboundFetchError(f"more than {max_redirects} redirects from {url!r}")
    except OutboundFetchError as exc:
        logger.warning("outbound fetch refused or failed: %s", exc.detail or exc)
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        logger.warning("outbound fetch of %r failed: %r", current, exc)
        raise OutboundFetchError(f"{current!r}: {exc!r}") from None


def outbound_fetch(url: str, *, out: IO[bytes], max_bytes: int | None = None) -> OutboundResponse:
    """GET a file a user named into `out` (manifest MediaImportPath URLs)."""
    return outbound_request(url, out=out, max_bytes=max_bytes)
