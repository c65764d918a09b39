"""The case report in the browser app: the page, the printable document and the PDF
download, in the user's language, audited, with pseudonyms for the NGO."""

from __future__ import annotations

import io
import time

from fastapi.testclient import TestClient
from pypdf import PdfReader
from webhelpers import Site, copy_of, log_in, open_case

from veriga.reports.gather import SECTIONS

PURPOSE = "preparing the file for the prosecutor"


def _victim_name(site: Site) -> str:
    return site.ws.entities.by_id(site.case, [site.victim])[0].caption


def build(client: TestClient, case: str, token: str, **form: str | list[str]
          ) -> tuple[str, str]:
    """Build the report as the page does: a background job, followed until ready; the
    job's id and the page."""
    started = client.post(f"/cases/{case}/report/jobs", data={"csrf": token, **form},
                          follow_redirects=False)
    assert started.status_code == 303, started.text
    job = started.headers["location"].split("job=")[1]
    for _ in range(600):
        page = client.get(f"/cases/{case}/report", params={"job": job})
        assert page.status_code == 200
        if 'data-testid="report-building"' not in page.text:
            return job, page.text
        assert 'http-equiv="refresh"' in page.text  # the page follows the job
        time.sleep(0.5)
    raise AssertionError("the report was not built in 300 s")


def test_the_report_page_in_the_app(client: TestClient, site: Site) -> None:
    log_in(client, "liga")
    token = open_case(client, site.case, PURPOSE)
    assert client.post(f"/cases/{site.case}/report/jobs").status_code == 403  # no CSRF token
    # every section, the persons the case marks among them (the victim, whom no confirmed
    # finding names)
    job, text = build(client, site.case, token, choosing="sections", section=list(SECTIONS))
    assert 'data-testid="report-ready"' in text
    page = client.get(f"/cases/{site.case}/report")  # the latest report, later
    assert 'data-testid="report"' in page.text and "Case report" in page.text
    assert f"/cases/{site.case}/report/jobs/{job}/report.pdf" in page.text
    pdf = client.get(f"/cases/{site.case}/report/jobs/{job}/report.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert _victim_name(site) in client.get(
        f"/cases/{site.case}/report/jobs/{job}/report.html").text
    assert "<script" not in page.text.split('data-testid="report"')[1]
    assert _victim_name(site) in page.text  # the investigator sees the victim's name
    assert "victim" in page.text
    audit = site.dpo.audit.log(site.case)
    assert any(e["action"] == "finding.list" and e["purpose"] == PURPOSE for e in audit)
    # reading the victim for the report is recorded, with its purpose
    assert any(e["action"] == "entity.read" and e["purpose"] == PURPOSE
               for e in site.dpo.audit.who_accessed(site.case, site.victim))


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
    done = client.get(f"/cases/{site.case}/report.pdf",
                      params={"sections": ",".join(SECTIONS)})
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
    token = open_case(client, site.case, "support of a victim")
    job, text = build(client, site.case, token, section=list(SECTIONS))
    assert 'data-testid="report"' in text and 'data-testid="others"' in text
    assert _victim_name(site) not in text
    assert 'data-testid="minimised"' in text
    assert site.victim not in text  # not even the real entity id
    assert "Cietušais" in text  # her pseudonyms read in her language (Latvian)
    pdf = client.get(f"/cases/{site.case}/report/jobs/{job}/report.pdf").content
    assert _victim_name(site) not in "".join(
        p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)


def test_a_report_job_is_its_owners_alone(client: TestClient, site: Site) -> None:
    log_in(client, "liga")
    token = open_case(client, site.case, PURPOSE)
    job, _ = build(client, site.case, token, unreviewed="true")
    log_in(client, "ilze")
    open_case(client, site.case, "support of a victim")
    for name in ("fragment.html", "report.html", "report.pdf"):
        assert client.get(f"/cases/{site.case}/report/jobs/{job}/{name}").status_code == 404
    assert job not in client.get(f"/cases/{site.case}/report", params={"job": job}).text
    assert client.get(f"/cases/{site.case}/report/jobs/{job}/../../v.db").status_code == 404


def test_the_report_needs_a_purpose(client: TestClient, site: Site) -> None:
    log_in(client, "liga")
    first = client.get(f"/cases/{site.case}/report.pdf", follow_redirects=False,
                       headers={"Accept": "text/html"})  # a browser: asked for the purpose
    assert first.status_code == 303 and "/open" in first.headers["location"]
    program = client.get(f"/cases/{site.case}/report.pdf", follow_redirects=False)
    assert program.status_code == 428 and "purpose" in program.json()["detail"]


def test_the_user_chooses_the_sections(client: TestClient, site: Site) -> None:
    """Only the sections ticked are built (and numbered in order); what the confirmed
    findings rest on is listed, the persons the case marks besides in an annex on request."""
    log_in(client, "liga")
    token = open_case(client, site.case, PURPOSE)
    form = client.get(f"/cases/{site.case}/report").text
    for name in SECTIONS:  # offered, the default ones ticked
        box = form.split(f'data-testid="section-{name}"')[0].rsplit("<input", 1)[1]
        assert ("checked" in box) == (name != "others"), name
    _, text = build(client, site.case, token, choosing="sections", section=["transactions"])
    assert 'id="sec-summary"' in text and 'id="sec-findings"' in text
    assert 'id="sec-sources"' in text and 'id="sec-transactions"' in text
    for left_out in ("sec-chain", "sec-proceeds", "sec-parties", "sec-facts", "sec-others"):
        assert f'id="{left_out}"' not in text, left_out
    assert "<h2>3. Source files</h2>" in text  # summary 1, findings 2, sources 3
    assert "Annex A: Transactions cited" in text
    _, none = build(client, site.case, token, choosing="sections")
    assert 'id="sec-transactions"' not in none and 'id="sec-findings"' in none
    assert client.get(f"/cases/{site.case}/report.html",
                      params={"sections": "chain,nonsense"}).status_code == 422



def test_the_ngo_report_shows_no_account_number_of_a_victim(site: Site, tmp_path) -> None:
    """A victim's account number is hers as much as her name: not in an NGO worker's report
    (not in the proceeds' source and application of funds either)."""
    from veriga.findings import ReviewState
    from veriga.model.holdings import holdings
    from veriga.reports import build_report
    from veriga.web import create_app
    from veriga.web.i18n import translations
    from veriga.workspace import Workspace

    settings = copy_of(site, tmp_path)
    police = Workspace(settings).as_user("liga", "marking the victims")
    for f in police.findings.list(site.case):
        if f.score >= 0.5:
            police.findings.review(site.case, f.id, ReviewState.CONFIRMED, "checked")
    rep = build_report(police, site.case, translations("en").gettext)
    assert rep.proceeds is not None and rep.proceeds.estimate.holders
    held = {h.account for h in rep.proceeds.estimate.holders}
    owners = {h.owner_id: set(h.numbers) for h in holdings(police.entities.list(
        site.case, ["BankAccount", "Ownership"])) if set(h.numbers) & held}
    assert owners
    for owner in owners:
        police.entities.set_subject_role(site.case, owner, "victim")
    numbers = {n for ns in owners.values() for n in ns}
    police.close()
    with TestClient(create_app(settings), base_url="https://testserver") as ngo:
        log_in(ngo, "ilze")
        token = open_case(ngo, site.case, "support of a victim")
        _, text = build(ngo, site.case, token, section=list(SECTIONS))
    assert 'data-testid="report"' in text
    for number in numbers:
        assert number not in text
