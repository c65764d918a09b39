"""The case report in the browser app: the page, the printable document and the PDF
download, in the user's language, audited, with pseudonyms for the NGO."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from pypdf import PdfReader
from webhelpers import Site, log_in, open_case

PURPOSE = "preparing the file for the prosecutor"


def _victim_name(site: Site) -> str:
    return site.ws.entities.by_id(site.case, [site.victim])[0].caption


def test_the_report_page_in_the_app(client: TestClient, site: Site) -> None:
    log_in(client, "liga")
    open_case(client, site.case, PURPOSE)
    page = client.get(f"/cases/{site.case}/report")
    assert page.status_code == 200
    assert 'data-testid="report"' in page.text and "Case report" in page.text
    assert f"/cases/{site.case}/report.pdf" in page.text
    assert "<script" not in page.text.split('data-testid="report"')[1]
    assert _victim_name(site) in page.text  # the investigator sees the victim's name
    assert "victim" in page.text
    audit = site.dpo.audit.log(site.case)
    assert any(e["action"] == "finding.list" and e["purpose"] == PURPOSE for e in audit)
    assert any(e["action"] == "entity.read" and e["target"] == site.victim
               and e["purpose"] == PURPOSE for e in audit)


def test_the_printable_document_stands_alone(client: TestClient, site: Site) -> None:
    log_in(client, "liga")
    open_case(client, site.case, PURPOSE)
    page = client.get(f"/cases/{site.case}/report.html?unreviewed=true")
    assert page.status_code == 200 and page.text.startswith("<!doctype html>")
    assert "/static/" not in page.text and "http" not in page.text.split("<body")[0]
    assert 'id="sec-unreviewed"' in page.text and "not reviewed, not evidence" in page.text


def test_the_pdf_downloads_in_the_users_language(client: TestClient, site: Site) -> None:
    log_in(client, "ilze")  # an NGO worker whose interface is in Latvian
    open_case(client, site.case, "support of a victim")
    done = client.get(f"/cases/{site.case}/report.pdf")
    assert done.status_code == 200 and done.headers["content-type"] == "application/pdf"
    disposition = done.headers["content-disposition"]
    assert disposition.startswith("attachment;") and ".pdf" in disposition
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(done.content)).pages)
    assert _victim_name(site) not in text  # pseudonymised for the NGO
    assert "Victim " in text  # the pseudonym label
    audit = site.dpo.audit.log(site.case)
    assert any(e["actor"] == "ilze" and e["action"] == "finding.list"
               and e["purpose"] == "support of a victim" for e in audit)


def test_the_ngo_page_shows_the_pseudonym_not_the_name(client: TestClient, site: Site) -> None:
    log_in(client, "ilze")
    open_case(client, site.case, "support of a victim")
    page = client.get(f"/cases/{site.case}/report")
    assert page.status_code == 200
    assert _victim_name(site) not in page.text
    assert 'data-testid="minimised"' in page.text
    assert site.victim not in page.text  # not even the real entity id


def test_the_report_needs_a_purpose(client: TestClient, site: Site) -> None:
    log_in(client, "liga")
    first = client.get(f"/cases/{site.case}/report.pdf", follow_redirects=False,
                       headers={"Accept": "text/html"})  # a browser: asked for the purpose
    assert first.status_code == 303 and "/open" in first.headers["location"]
    program = client.get(f"/cases/{site.case}/report.pdf", follow_redirects=False)
    assert program.status_code == 428 and "purpose" in program.json()["detail"]
