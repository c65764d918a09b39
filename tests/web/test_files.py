"""Imports from the browser and exports of the case."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case

from veriga.demo import example_files


def test_upload_imports_files_and_reports_rejects(client: TestClient, site: Site) -> None:
    log_in(client)
    token = open_case(client, "amber", "adding new evidence")
    files = example_files()
    before = len(site.ws.records.sources("amber"))
    with files["people"].open("rb") as a:
        page = client.post("/cases/amber/import", data={"csrf": token, "handling": "H1"},
                           files=[("files", ("../../people.ftm.json", a, "application/json"))])
    assert page.status_code == 200 and "people.ftm.json" in page.text
    sources = site.ws.records.sources("amber")
    assert len(sources) == before + 1
    assert sources[-1]["file_name"] == "people.ftm.json" and sources[-1]["handling"] == "H1"


def test_upload_of_unknown_files_is_refused(client: TestClient) -> None:
    log_in(client)
    token = open_case(client, "amber", "adding new evidence")
    page = client.post("/cases/amber/import", data={"csrf": token},
                       files=[("files", ("notes.bin", b"\x00\x01", "application/octet-stream"))])
    assert page.status_code == 400


def test_export_downloads_the_case(client: TestClient) -> None:
    log_in(client)
    open_case(client, "amber", "disclosure to the prosecutor")
    got = client.get("/cases/amber/export", params={"format": "ftm"})
    assert got.status_code == 200 and "attachment" in got.headers["content-disposition"]
    first = json.loads(got.text.splitlines()[0])
    assert first["schema"] and first["id"]
    assert client.get("/cases/amber/export", params={"format": "pdf"}).status_code == 422
    page = client.get("/cases/amber/files")
    assert 'data-testid="export-ftm"' in page.text
    assert 'data-testid="export-goaml"' not in page.text  # made from findings, not a download
    assert client.get("/cases/amber/export", params={"format": "goaml"}).status_code == 422


# One MT940 statement with a value date of 30 February (a warning: the entry is kept) and a
# counterparty IBAN whose checksum is wrong (a rejected value: the entry is kept without it).
STATEMENT = """\
:20:FILES1
:25:LV39BANK0000000000001
:28C:1
:60F:C260227EUR100,00
:61:2602300302CR10,00NTRFNONREF//K1
:86:/IBAN/LV81BANK0000435195001/NAME/Dora Fake/REMI/rent/
:62F:C260302EUR110,00
"""


def test_upload_shows_warnings_and_the_rejects_stay_readable(client: TestClient,
                                                             site: Site) -> None:
    """The import's warnings are shown beside its rejects; later, the files table counts the
    rejected values and links to each one with its line and value, for those who import."""
    site.ws.cases.create("mending")
    log_in(client)
    token = open_case(client, "mending", "adding new evidence")
    page = client.post("/cases/mending/import", data={"csrf": token},
                       files=[("files", ("march.sta", STATEMENT.encode(), "text/plain"))])
    assert page.status_code == 200
    assert 'data-testid="import-warnings"' in page.text and "260230" in page.text
    assert 'data-testid="import-rejects"' in page.text
    files = client.get("/cases/mending/files")
    assert 'data-testid="rejects-link"' in files.text
    [source] = site.ws.records.sources("mending")
    assert source["reject_count"] == 1
    listed = client.get(f"/cases/mending/files/{source['id']}/rejects")
    assert listed.status_code == 200
    assert "line 5" in listed.text and "LV81BANK0000435195001" in listed.text
    by_name = client.get("/cases/mending/files/march.sta/rejects")
    assert by_name.status_code == 200 and "LV81BANK0000435195001" in by_name.text
    assert client.get("/cases/mending/files/other.sta/rejects").status_code == 404
    assert sum(e["action"] == "rejects.read" for e in site.dpo.audit.log("mending")) == 2


def test_rejected_values_are_not_for_those_who_cannot_import(client: TestClient,
                                                             site: Site) -> None:
    """An NGO reader of the shared case sees the files table, never the rejected values."""
    [source, *_] = site.ws.records.sources("amber")
    log_in(client, "ilze")
    open_case(client, "amber", "support of a victim")
    got = client.get(f"/cases/amber/files/{source['id']}/rejects")
    assert got.status_code in (403, 404)


def test_files_in_pages_by_name_and_order(client: TestClient, site: Site,
                                          monkeypatch) -> None:
    """A case of many files: the list in pages, narrowed by name, sorted as asked."""
    import re

    from veriga.web.views import files

    log_in(client, "liga")
    open_case(client, "amber", "which files were imported")
    every = site.ws.records.sources("amber")
    assert len(every) > 3
    monkeypatch.setattr(files, "FILES_PER_PAGE", 2)
    page = client.get("/cases/amber/files", params={"sort": "name"}).text
    names = re.findall(r'data-testid="source-row"[^>]*><td>(?:<s>)?([^<]+)', page)
    assert names == sorted((s["file_name"] for s in every), key=str.casefold)[:2]
    assert 'data-testid="next-page"' in page and f"({len(every)})" in page
    last = -(-len(every) // 2)
    tail = client.get("/cases/amber/files", params={"sort": "name", "page": last}).text
    assert 'rel="prev"' in tail and 'data-testid="next-page"' not in tail
    word = every[0]["file_name"][:4]
    matching = [s for s in every if word.casefold() in s["file_name"].casefold()]
    found = client.get("/cases/amber/files", params={"q": word}).text
    assert f"{len(matching)} files whose name contains {word}" in found
    most = client.get("/cases/amber/files", params={"sort": "rejects"}).text
    counts = [s.get("reject_count") or 0 for s in every]
    first = re.findall(r'data-testid="source-row" data-source="([^"]+)"', most)[0]
    assert next(s.get("reject_count") or 0 for s in every if s["id"] == first) == max(counts)
