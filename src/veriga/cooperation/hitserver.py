"""Hit/no-hit matching between two servers, so that the filter never leaves its publisher.

The publisher runs :class:`HitServer` (HTTPS, TLS 1.2 or later, a client certificate signed
by the parties' certificate authority required: mutual authentication); the other party
sends the keyed hashes of its own identifiers (:func:`veriga.cooperation.hits.digest`, under
the key the parties share) with :func:`query`, in batches, and gets back those the filter
holds. Each client (by its certificate's subject) may send at most ``per_hour`` hashes an
hour and ``per_minute`` requests a minute; a dictionary attack becomes a refused, audited
stream of queries. Every answer and refusal is handed to ``audit`` (client, counts).

Name encodings are not matched over the wire: sending Bloom filters would tell the server
more than hashes do; fuzzy names are matched with a filter file (``veriga hits match
--filter``).
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib import request as urlrequest
from urllib.error import HTTPError, URLError

from veriga.cooperation.hits import DIGEST_BYTES, VERSION
from veriga.errors import VerigaError

PATH = "/veriga/hits/v1/match"
#: Hashes in one request at most (a client sends more in several).
MAX_BATCH = 5_000
#: A request body larger than this is refused before it is read.
MAX_BODY = MAX_BATCH * (DIGEST_BYTES * 2 + 4) + 4096

Audit = Callable[[str, str, dict[str, Any]], None]  # action, client, detail


@dataclass(frozen=True)
class Limits:
    per_hour: int = 1_000_000  # hashes per client
    per_minute: int = 600  # requests per client


def server_context(cert: Path, key: Path, client_ca: Path) -> ssl.SSLContext:
    """TLS for the publisher: its certificate, and a client certificate signed by the
    parties' authority required."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(cert), str(key))
    ctx.load_verify_locations(str(client_ca))
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def client_context(cert: Path, key: Path, server_ca: Path) -> ssl.SSLContext:
    """TLS for the querying party: its certificate, and the publisher's checked against the
    parties' authority (host name included)."""
    ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=str(server_ca))
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.load_cert_chain(str(cert), str(key))
    return ctx


class _Clients:
    """The hashes and requests of each client over the last hour and minute."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.lock = threading.Lock()
        self.hashes: dict[str, deque[tuple[float, int]]] = {}
        self.requests: dict[str, deque[float]] = {}

    def admit(self, client: str, n: int) -> str | None:
        """None if the client may send ``n`` hashes now, else why not."""
        now = time.monotonic()
        with self.lock:
            reqs = self.requests.setdefault(client, deque())
            while reqs and reqs[0] < now - 60:
                reqs.popleft()
            sent = self.hashes.setdefault(client, deque())
            while sent and sent[0][0] < now - 3600:
                sent.popleft()
            if len(reqs) >= self.limits.per_minute:
                return f"more than {self.limits.per_minute} requests a minute"
            if sum(c for _, c in sent) + n > self.limits.per_hour:
                return f"more than {self.limits.per_hour} hashes an hour"
            reqs.append(now)
            sent.append((now, n))
        return None


class HitServer(ThreadingHTTPServer):
    """Answers which of the hashes sent are in ``exact`` (the publisher's filter)."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], context: ssl.SSLContext, exact: set[bytes],
                 key_id: str, audit: Audit, limits: Limits | None = None) -> None:
        super().__init__(address, _Handler)
        self.context = context
        self.exact, self.key_id, self.audit = exact, key_id, audit
        self.clients = _Clients(limits or Limits())

    def get_request(self) -> tuple[Any, Any]:
        """The connection, its TLS handshake left to the request's own thread (a slow or
        hostile client holds up only that thread)."""
        sock, address = self.socket.accept()
        return self.context.wrap_socket(sock, server_side=True,
                                        do_handshake_on_connect=False), address

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A failed handshake (no or a foreign certificate) or a dropped connection: the
        client learns nothing more, and nothing goes to the log."""


class _Handler(BaseHTTPRequestHandler):
    server: HitServer
    protocol_version = "HTTP/1.1"
    timeout = 30  # seconds a connection may stay silent (handshake included)

    def setup(self) -> None:
        self.request.settimeout(self.timeout)
        self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        """Nothing to the log: requests are audited instead."""

    def _client(self) -> str:
        cert = self.connection.getpeercert() or {}
        subject = dict(part[0] for part in cert.get("subject", ()))
        return str(subject.get("commonName") or subject.get("organizationName") or "?")

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802 - the name http.server calls
        client = self._client()
        if self.path != PATH:
            self._answer(404, {"error": "no such endpoint"})
            return
        length = int(self.headers.get("Content-Length") or 0)
        if length <= 0 or length > MAX_BODY:
            self._answer(413, {"error": f"a request holds at most {MAX_BATCH} hashes"})
            return
        try:
            body = json.loads(self.rfile.read(length))
            hashes = [bytes.fromhex(h) for h in body["hashes"]]
            version, key_id = body["version"], body["key_id"]
        except (ValueError, KeyError, TypeError):
            self._answer(400, {"error": "send {version, key_id, hashes: [hex...]}"})
            return
        if version != VERSION or key_id != self.server.key_id:
            self.server.audit("hits.served.refused", client, {"reason": "key or version"})
            self._answer(409, {"error": f"this filter is of version {VERSION} under key id "
                                        f"{self.server.key_id}"})
            return
        if len(hashes) > MAX_BATCH or any(len(h) != DIGEST_BYTES for h in hashes):
            self._answer(400, {"error": f"at most {MAX_BATCH} hashes of {DIGEST_BYTES} bytes"})
            return
        refused = self.server.clients.admit(client, len(hashes))
        if refused:
            self.server.audit("hits.served.refused", client, {"reason": refused,
                                                              "hashes": len(hashes)})
            self._answer(429, {"error": f"rate limit: {refused}"})
            return
        hits = [h.hex() for h in hashes if h in self.server.exact]
        self.server.audit("hits.served", client, {"hashes": len(hashes), "hits": len(hits)})
        self._answer(200, {"hits": hits})


def query(url: str, context: ssl.SSLContext, key_id: str, hashes: Iterable[bytes],
          timeout: float = 60.0) -> set[bytes]:
    """The hashes of ``hashes`` the server's filter holds (sent in batches)."""
    todo = list(dict.fromkeys(hashes))
    found: set[bytes] = set()
    for start in range(0, len(todo), MAX_BATCH):
        batch = todo[start:start + MAX_BATCH]
        data = json.dumps({"version": VERSION, "key_id": key_id,
                           "hashes": [h.hex() for h in batch]}).encode()
        req = urlrequest.Request(url.rstrip("/") + PATH, data=data, method="POST",
                                 headers={"Content-Type": "application/json"})
        try:
            with urlrequest.urlopen(req, context=context, timeout=timeout) as resp:
                answer = json.loads(resp.read())
        except HTTPError as exc:
            try:
                why = json.loads(exc.read()).get("error", exc.reason)
            except ValueError:
                why = exc.reason
            raise VerigaError(f"{url}: refused ({exc.code}): {why}") from None
        except (URLError, ssl.SSLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise VerigaError(f"{url}: no connection ({reason})") from None
        found |= {bytes.fromhex(h) for h in answer.get("hits", ())}
    return found
