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
