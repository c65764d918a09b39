"""Attacks on the upload: a body sent by someone who may not import, or larger than the limit,
must be refused before it is read, and never reach the disk beyond the limit."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case

from veriga.demo import example_files
from veriga.web.views import files as files_view

BOUNDARY = "veriga-attack-boundary"
CHUNK = 64 * 1024


@pytest.fixture
def tmp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """The temporary folder of the process (uploads, spooled form parts): watched."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder


def _used(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def _multipart(token: str, size: int, csrf_first: bool = True) -> bytes:
    csrf = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n"
            f"{token}\r\n").encode()
    upload = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; "
              f"filename=\"statement.csv\"\r\nContent-Type: text/csv\r\n\r\n").encode()
    upload += b"a,b\r\n" * (size // 5) + b"\r\n"
    end = f"--{BOUNDARY}--\r\n".encode()
    return (csrf + upload if csrf_first else upload + csrf) + end


@dataclass
class Sent:
    status: int
    read: int  # bytes of the body the application asked for
    most_on_disk: int  # the most bytes in the temporary folder while the body was read
    body: bytes = b""
    _chunks: list[bytes] = field(default_factory=list)


def _post(client: TestClient, path: str, body: bytes, watch: Path,
          length: int | None = -1, csrf_header: str | None = None) -> Sent:
    """POST ``body`` to the ASGI application in chunks, as a server would hand it over,
    counting what the application reads and what lands on the disk meanwhile."""
    headers = [(b"host", b"testserver"),
               (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
               (b"cookie", f"veriga_session={client.cookies['veriga_session']}".encode())]
    if length is not None:
        headers.append((b"content-length", str(len(body) if length == -1 else length).encode()))
    if csrf_header:
        headers.append((b"x-csrf-token", csrf_header.encode()))
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "https", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": headers,
             "client": ("10.66.0.1", 50000), "server": ("testserver", 443)}
    chunks = [body[i:i + CHUNK] for i in range(0, len(body), CHUNK)]
    sent = Sent(0, 0, 0)
    replied = asyncio.Event()

    async def receive() -> dict:
        sent.most_on_disk = max(sent.most_on_disk, _used(watch))
        if not chunks:
            await replied.wait()
            return {"type": "http.disconnect"}
        chunk = chunks.pop(0)
        sent.read += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": bool(chunks)}

    async def send(message: dict) -> None:
        if message["type"] == "http.response.start":
            sent.status = message["status"]
        elif message["type"] == "http.response.body":
            sent.body += message.get("body", b"")
            if not message.get("more_body"):
                replied.set()

    asyncio.run(client.app(scope, receive, send))  # type: ignore[arg-type]
    sent.most_on_disk = max(sent.most_on_disk, _used(watch))
    return sent


@pytest.mark.parametrize("user, status", [("outsider", 404), ("ilze", 403)])
def test_an_upload_without_the_right_to_import_is_not_read(
        client: TestClient, site: Site, tmp_dir: Path, user: str, status: int) -> None:
    """Before: the body was parsed and spooled to the temporary folder (a 700 MB upload
    wrote 1.2 GB) before the refusal."""
    log_in(client, user)
    if user == "ilze":  # she may read the case, not import into it
        token = open_case(client, site.case, "support for a victim")
    else:
        page = client.get("/cases")
        token = page.text.split('name="csrf" value="')[1].split('"')[0]
    sources = len(site.ws.records.sources(site.case))
    sent = _post(client, f"/cases/{site.case}/import", _multipart(token, 3 * 2**20), tmp_dir)
    assert sent.status == status, sent.body[:300]
    assert sent.read == 0, "not a byte of the body is read"
    assert sent.most_on_disk == 0 and _used(tmp_dir) == 0
    assert len(site.ws.records.sources(site.case)) == sources


def test_an_upload_declared_over_the_limit_is_not_read(client: TestClient, site: Site,
                                                       tmp_dir: Path) -> None:
    log_in(client)
    token = open_case(client, site.case, "adding new evidence")
    sent = _post(client, f"/cases/{site.case}/import", _multipart(token, 2**20), tmp_dir,
                 length=files_view.MAX_UPLOAD + 1)
    assert sent.status == 413 and sent.read == 0 and sent.most_on_disk == 0


@pytest.mark.parametrize("declared", [None, 1000], ids=["chunked", "lying"])
def test_an_upload_over_the_limit_stops_at_the_limit(
        client: TestClient, site: Site, tmp_dir: Path, monkeypatch: pytest.MonkeyPatch,
        declared: int | None) -> None:
    """Without (or with a false) Content-Length the body is streamed to disk only up to the
    limit; then refused with 413 and the partial file removed."""
    limit = 256 * 1024
    monkeypatch.setattr(files_view, "MAX_UPLOAD", limit)
    log_in(client)
    token = open_case(client, site.case, "adding new evidence")
    sources = len(site.ws.records.sources(site.case))
    sent = _post(client, f"/cases/{site.case}/import", _multipart(token, 4 * 2**20), tmp_dir,
                 length=declared)
    assert sent.status == 413, sent.body[:300]
    assert sent.read <= limit + CHUNK
    assert 0 < sent.most_on_disk <= limit
    assert _used(tmp_dir) == 0 and not list(tmp_dir.iterdir())
    assert len(site.ws.records.sources(site.case)) == sources


def test_a_forged_upload_writes_nothing(client: TestClient, site: Site,
                                        tmp_dir: Path) -> None:
    """A form from another site (no CSRF token before the file) is refused at the first
    file part."""
    log_in(client)
    open_case(client, site.case, "adding new evidence")
    sent = _post(client, f"/cases/{site.case}/import", _multipart("forged", 2**20), tmp_dir)
    assert sent.status == 403 and sent.most_on_disk == 0
    late = _post(client, f"/cases/{site.case}/import",
                 _multipart("whatever", 2**20, csrf_first=False), tmp_dir)
    assert late.status == 403 and late.most_on_disk == 0


def test_a_streamed_upload_is_imported(client: TestClient, site: Site, tmp_dir: Path) -> None:
    log_in(client)
    token = open_case(client, site.case, "adding new evidence")
    people = example_files()["people"].read_bytes()
    head = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
            f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"files\"; "
            f"filename=\"../people-upload.ftm.json\"\r\n\r\n").encode()
    tail = (f"\r\n--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"handling\"\r\n\r\n"
            f"H1\r\n--{BOUNDARY}--\r\n").encode()
    sent = _post(client, f"/cases/{site.case}/import", head + people + tail, tmp_dir,
                 csrf_header=None)
    assert sent.status == 200, sent.body[:500]
    assert b"people-upload.ftm.json" in sent.body
    assert not list(tmp_dir.iterdir()), "the upload folder is removed"


@pytest.mark.browser
def test_the_upload_form_streams_with_its_progress_bar(server: str, browser: object,
                                                       site: Site, tmp_path: Path) -> None:
    """The page's script sends the CSRF token as a header; the streamed body imports."""
    from browserhelpers import log_in as browser_log_in

    source = tmp_path / "browser-upload.ftm.json"
    source.write_text('{"id": "p-browser", "schema": "Person", '
                      '"properties": {"name": ["Browser Upload"]}}\n', encoding="utf-8")
    page = browser.new_page()  # type: ignore[attr-defined]
    browser_log_in(page, server, "liga", site.case, "adding new evidence by upload")
    page.goto(f"{server}/cases/{site.case}/files")
    page.set_input_files("[data-testid=upload-files]", str(source))
    page.click("[data-testid=upload]")
    page.wait_for_selector("[data-testid=import-results]")
    assert "browser-upload.ftm.json" in page.inner_text("[data-testid=import-results]")
    page.close()
