"""Write fetched exchanges as WARC records (request + response pairs, gzip per record).

Each response record carries the capture time (WARC-Date), the address contacted
(WARC-IP-Address), the SHA-256 of the payload as ``WARC-Payload-Digest: sha256:<hex>`` and
``WARC-Truncated`` when the body was cut, so that a page can be shown as it was captured.
"""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import IO, Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from veriga import __version__
from veriga.osint.fetch import Exchange

#: Headers that describe the transfer, not the payload: kept under another name.
HOP_BY_HOP = {"transfer-encoding", "content-encoding", "content-length", "connection",
              "keep-alive"}


def payload_sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _warc_date(exchange: Exchange) -> str:
    return exchange.captured_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class WarcArchive:
    """An open WARC file; records are flushed one by one so nothing written is lost."""

    def __init__(self, path: Path, info: dict[str, str] | None = None) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fh: IO[bytes] = path.open("ab")
        self._writer = WARCWriter(self._fh, gzip=path.name.endswith(".gz"))
        fields = {"software": f"Veriga/{__version__}", "format": "WARC File Format 1.1"}
        fields.update(info or {})
        self._writer.write_record(self._writer.create_warcinfo_record(path.name, fields))
        self._fh.flush()

    def write(self, exchange: Exchange) -> str:
        """Write the request and response of one exchange; returns the payload's SHA-256."""
        digest = payload_sha256(exchange.body)
        headers: list[tuple[str, str]] = []
        for name, value in exchange.headers:
            if name.lower() in HOP_BY_HOP:
                headers.append((f"X-Archive-Orig-{name}", value))
            else:
                headers.append((name, value))
        headers.append(("Content-Length", str(len(exchange.body))))
        http = StatusAndHeaders(f"{exchange.status} {exchange.reason}", headers,
                                protocol=exchange.http_version)
        warc_headers: dict[str, Any] = {
            "WARC-Date": _warc_date(exchange),
            "WARC-IP-Address": exchange.ip,
            "WARC-Payload-Digest": f"sha256:{digest}",
        }
        if exchange.truncated:
            warc_headers["WARC-Truncated"] = exchange.truncated
        response = self._writer.create_warc_record(
            exchange.url, "response", payload=io.BytesIO(exchange.body),
            length=len(exchange.body), http_headers=http, warc_headers_dict=warc_headers)
        req_http = StatusAndHeaders(exchange.request_line, exchange.request_headers,
                                    is_http_request=True)
        request = self._writer.create_warc_record(
            exchange.url, "request", payload=io.BytesIO(b""), length=0, http_headers=req_http,
            warc_headers_dict={"WARC-Date": _warc_date(exchange)})
        self._writer.write_request_response_pair(request, response)
        self._fh.flush()
        return digest

    def close(self) -> None:
        self._fh.close()

    def __enter__(self) -> WarcArchive:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
