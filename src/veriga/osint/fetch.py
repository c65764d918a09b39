"""A safe HTTP fetcher for evidence collection.

Every request and every redirect hop is resolved first; each resolved address must be public
(no private, loopback, link-local, multicast, reserved or unspecified address, IPv4 or IPv6,
IPv4-mapped IPv6 included) unless ``allow_private`` is set, and the connection goes to the
address that was checked, so that a second DNS answer cannot lead elsewhere (DNS rebinding).
Responses are streamed and cut at a size limit; time and redirect limits apply to each fetch.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

from veriga import __version__

USER_AGENT = f"Veriga/{__version__} (+evidence collection; contact in the crawl record)"
REDIRECTS = {301, 302, 303, 307, 308}
CHUNK = 64 * 1024

#: ``resolve(host, port)`` returns the IP addresses a host name stands for.
Resolver = Callable[[str, int], list[str]]


class FetchRefused(Exception):
    """A URL the fetcher will not request (scheme, address, limits); ``reason`` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def system_resolve(host: str, port: int) -> list[str]:
    """The addresses of ``host`` from the system resolver, in its order, without repeats."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    seen: list[str] = []
    for info in infos:
        ip = str(info[4][0])
        if ip not in seen:
            seen.append(ip)
    return seen


def fixed_resolver(hosts: dict[str, str], fallback: Resolver = system_resolve) -> Resolver:
    """A resolver answering ``hosts`` (host name -> IP address) itself, others by
    ``fallback`` (as ``curl --resolve``: a copy of a site served under its own name)."""
    def resolve(host: str, port: int) -> list[str]:
        ip = hosts.get(host.lower())
        return [ip] if ip else fallback(host, port)
    return resolve


def address_problem(ip: str) -> str | None:
    """Why ``ip`` may not be contacted without ``allow_private``, or ``None`` if it is public."""
    addr: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(ip.split("%")[0])
    if isinstance(addr, ipaddress.IPv6Address):
        inner = addr.ipv4_mapped or addr.sixtofour or (addr.teredo[1] if addr.teredo else None)
        if inner is not None:
            problem = address_problem(str(inner))
            if problem:
                return f"{problem} (inside IPv6 {ip})"
    for test, name in (("is_unspecified", "unspecified"), ("is_loopback", "loopback"),
                       ("is_link_local", "link-local"), ("is_multicast", "multicast"),
                       ("is_private", "private"), ("is_reserved", "reserved")):
        if getattr(addr, test):
            return f"{name} address {ip}"
    if not addr.is_global:
        return f"non-public address {ip}"
    return None


@dataclass(frozen=True)
class FetchLimits:
    """Bounds on one fetch: bytes of body kept, seconds in all, redirects followed."""

    max_bytes: int = 10 * 1024 * 1024
    timeout: float = 30.0
    max_redirects: int = 5


@dataclass
class Exchange:
    """One HTTP request and its response, as sent and received."""

    url: str
    ip: str
    request_line: str
    request_headers: list[tuple[str, str]]
    status: int
    reason: str
    headers: list[tuple[str, str]]
    body: bytes
    captured_at: datetime
    http_version: str = "HTTP/1.1"
    truncated: str | None = None  # "length" or "time" when the body was cut
    note: str | None = None

    def header(self, name: str) -> str | None:
        low = name.lower()
        return next((v for k, v in self.headers if k.lower() == low), None)

    @property
    def content_type(self) -> str:
        return (self.header("Content-Type") or "").split(";")[0].strip().lower()


@dataclass
class FetchResult:
    """What one fetch brought: every hop (redirects first) and, if it failed, why."""

    url: str
    hops: list[Exchange] = field(default_factory=list)
    error: str | None = None

    @property
    def final(self) -> Exchange | None:
        return self.hops[-1] if self.hops else None


class _PinnedHTTP(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._ip = ip

    def connect(self) -> None:
        self.sock = socket.create_connection((self._ip, self.port), self.timeout)


class _PinnedHTTPS(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, ip: str, timeout: float,
                 context: ssl.SSLContext) -> None:
        super().__init__(host, port, timeout=timeout, context=context)
        self._ip = ip
        self._ctx = context

    def connect(self) -> None:
        sock = socket.create_connection((self._ip, self.port), self.timeout)
        self.sock = self._ctx.wrap_socket(sock, server_hostname=self.host)


class Fetcher:
    """GET URLs safely; see the module docstring for what is refused."""

    def __init__(self, allow_private: bool = False, limits: FetchLimits | None = None,
                 user_agent: str = USER_AGENT, resolve: Resolver = system_resolve,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.allow_private = allow_private
        self.limits = limits or FetchLimits()
        self.user_agent = user_agent
        self.resolve = resolve
        self.clock = clock
        self._tls = ssl.create_default_context()

    def check(self, url: str) -> tuple[str, int, str]:
        """(host, port, address to connect to) for ``url``, or :class:`FetchRefused`."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchRefused(f"scheme {parts.scheme or '(none)'!r} is not http or https")
        host = parts.hostname
        if not host:
            raise FetchRefused("URL has no host")
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            raise FetchRefused("URL has an invalid port") from None
        try:
            ipaddress.ip_address(host)
            ips = [host]
        except ValueError:
            try:
                ips = self.resolve(host, port)
            except (OSError, UnicodeError) as exc:
                raise FetchRefused(f"cannot resolve {host}: {exc}") from None
        if not ips:
            raise FetchRefused(f"{host} resolves to no address")
        if not self.allow_private:
            for ip in ips:
                problem = address_problem(ip)
                if problem:
                    raise FetchRefused(f"{host} resolves to a {problem}; refused "
                                       "(allow_private is off)")
        return host, port, ips[0]

    def fetch(self, url: str) -> FetchResult:
        """GET ``url``, following redirects within the limits; never raises for the network."""
        result = FetchResult(url)
        start = self.clock()
        seen = {url}
        current = url
        while True:
            try:
                hop = self._one(current, start)
            except FetchRefused as exc:
                result.error = exc.reason
                return result
            except (OSError, http.client.HTTPException, ssl.SSLError) as exc:
                result.error = f"network error: {type(exc).__name__}: {exc}"
                return result
            result.hops.append(hop)
            location = hop.header("Location")
            if hop.status not in REDIRECTS or not location:
                return result
            nxt = urljoin(current, location.strip()).split("#", 1)[0]
            if nxt in seen:
                result.error = f"redirect loop at {nxt}"
                return result
            if len(result.hops) > self.limits.max_redirects:
                result.error = f"more than {self.limits.max_redirects} redirects"
                return result
            seen.add(nxt)
            current = nxt

    def _one(self, url: str, start: float) -> Exchange:
        host, port, ip = self.check(url)
        left = self.limits.timeout - (self.clock() - start)
        if left <= 0:
            raise FetchRefused(f"time limit of {self.limits.timeout:g}s reached")
        parts = urlsplit(url)
        conn: http.client.HTTPConnection
        if parts.scheme == "https":
            conn = _PinnedHTTPS(host, port, ip, left, self._tls)
        else:
            conn = _PinnedHTTP(host, port, ip, left)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        default = 443 if parts.scheme == "https" else 80
        host_header = host if port == default else f"{host}:{port}"
        if ":" in host and not host.startswith("["):
            host_header = f"[{host}]" if port == default else f"[{host}]:{port}"
        headers = [("Host", host_header), ("User-Agent", self.user_agent),
                   ("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,"
                              "image/*;q=0.8,*/*;q=0.5"),
                   ("Accept-Encoding", "identity"), ("Connection", "close")]
        try:
            captured = datetime.now(UTC)
            conn.request("GET", path, headers=dict(headers))
            resp = conn.getresponse()
            body, truncated = self._read(resp, start)
            version = "HTTP/1.0" if resp.version == 10 else "HTTP/1.1"
            return Exchange(url=url, ip=ip, request_line=f"GET {path} HTTP/1.1",
                            request_headers=headers, status=resp.status, reason=resp.reason,
                            headers=list(resp.getheaders()), body=body, captured_at=captured,
                            http_version=version, truncated=truncated)
        finally:
            conn.close()

    def _read(self, resp: http.client.HTTPResponse, start: float) -> tuple[bytes, str | None]:
        most = self.limits.max_bytes
        parts: list[bytes] = []
        got = 0
        while True:
            if self.clock() - start > self.limits.timeout:
                return b"".join(parts), "time"
            block = resp.read(min(CHUNK, most + 1 - got))
            if not block:
                return b"".join(parts), None
            parts.append(block)
            got += len(block)
            if got > most:
                return b"".join(parts)[:most], "length"
