"""Imported files kept as evidence: a WARC import keeps its file by case and SHA-256, an
import that fails keeps nothing, other formats are not kept."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest
from veriga.osint.archive import WarcArchive
from veriga.osint.fetch import Exchange
from veriga.store.originals import Originals

PAGE = (b'<html lang="en"><body><article data-ad-id="X1"><h1>Anna 22</h1>'
        b'<p class="text">call 0401234567</p></article></body></html>')


def _warc(path: Path) -> Path:
    archive = WarcArchive(path)
    archive.write(Exchange(url="http://site.example/ad/X1.html", ip="127.0.0.1",
                           request_line="GET /ad/X1.html HTTP/1.1", request_headers=[],
                           status=200, reason="OK", headers=[("Content-Type", "text/html")],
                           body=PAGE, captured_at=datetime(2026, 3, 1, tzinfo=UTC)))
    archive.close()
    return path


def test_warc_import_keeps_its_file(ws, examples, tmp_path):  # type: ignore[no-untyped-def]
    warc = _warc(tmp_path / "crawl.warc.gz")
    sha = hashlib.sha256(warc.read_bytes()).hexdigest()
    ws.cases.create("c")
    ws.records.import_files("c", [ImportRequest(warc), ImportRequest(examples["people"])])
    case_id = ws.cases.get("c")["id"]
    kept = list((ws.settings.home / "originals").rglob("*"))
    assert [p for p in kept if p.is_file()] == [ws.originals.path(case_id, sha)]
    assert ws.originals.verify(case_id, sha)
    ws.originals.path(case_id, sha).write_bytes(b"altered")
    assert not ws.originals.verify(case_id, sha)


def test_failed_import_keeps_nothing(ws, tmp_path):  # type: ignore[no-untyped-def]
    warc = _warc(tmp_path / "crawl.warc.gz")
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    ws.cases.create("c")
    with pytest.raises(ImportFailed):
        ws.records.import_files("c", [ImportRequest(warc), ImportRequest(bad)])
    assert not [p for p in (ws.settings.home / "originals").rglob("*") if p.is_file()]


def test_names_are_checked(tmp_path: Path) -> None:
    originals = Originals(tmp_path)
    with pytest.raises(ValueError):
        originals.path("case-1", "../../etc/passwd")
    with pytest.raises(ValueError):
        originals.path("../x", "0" * 64)


def test_check_finds_a_missing_altered_or_orphaned_kept_file(  # type: ignore[no-untyped-def]
        ws, tmp_path, monkeypatch):
    from veriga.store import integrity
    from veriga.store.integrity import check_store

    monkeypatch.setattr(integrity, "RUNNING_IMPORT_SECONDS", -60)  # no import is running
    warc = _warc(tmp_path / "crawl.warc.gz")
    sha = hashlib.sha256(warc.read_bytes()).hexdigest()
    ws.cases.create("c")
    [result] = ws.records.import_files("c", [ImportRequest(warc)])
    case_id = ws.cases.get("c")["id"]

    def check(repair: bool = False) -> integrity.IntegrityReport:
        return check_store(ws.store, ws.bulk, repair=repair, originals=ws.originals,
                           kept_formats=["warc"])

    assert check().ok, check().problems
    kept = ws.originals.path(case_id, sha)
    kept.write_bytes(b"altered")
    assert check().problems == [f"source {result.source_id} (crawl.warc.gz): the kept original "
                                f"file no longer has the SHA-256 it was imported with ({sha})"]
    kept.unlink()
    assert check().problems == [
        f"source {result.source_id} (crawl.warc.gz): the kept original file is missing"]
    orphan = ws.originals.path(case_id, "f" * 64)
    orphan.write_bytes(b"x")
    (orphan.parent / f".{'f' * 64}.1234.tmp").write_bytes(b"half")
    report = check()
    assert f"orphaned kept file {case_id}/{'f' * 64}: no committed source has its SHA-256 " \
           "(--repair removes it)" in report.problems
    assert report.recovered == [f"removed unfinished kept file {case_id}/.{'f' * 64}.1234.tmp"]
    report = check(repair=True)
    assert not orphan.exists() and report.repaired == [f"removed orphaned kept file "
                                                       f"{case_id}/{'f' * 64}"]
