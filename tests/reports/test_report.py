"""The case report for prosecutors: confirmed findings only, each fact with its source, the
proceeds as finance computes them, and a PDF that opens, with page numbers and Cyrillic."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from veriga.config import Settings
from veriga.finance import CaseRun
from veriga.findings import Finding, ReviewState
from veriga.ingest import ImportRequest, expand
from veriga.model.holdings import holdings
from veriga.reports import build_report, render_html, render_pdf
from veriga.reports.gather import PROCEEDS_KINDS
from veriga.simulate import simulate
from veriga.web.i18n import translations
from veriga.workspace import Workspace

DESCRIPTION = "Дело за трафик на хора, Варна — Рига"
SHOTS = Path(__file__).resolve().parents[2] / "test-screenshots"


@dataclass
class Case:
    ws: Workspace
    name: str
    run: CaseRun
    confirmed: list[Finding]
    new: list[Finding]
    dismissed: list[Finding]


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    """A tiny mixed world, analysed. Every finding scoring 0.5 or more is confirmed except
    two that the proceeds estimate does not rest on (left unreviewed); a weak one dismissed."""
    root = tmp_path_factory.mktemp("report")
    simulate("mixed", "tiny", 3, root / "world")
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    ws = Workspace.local(settings, purpose="prosecution of case LV-2026-17", username="tester")
    ws.cases.create("amber", DESCRIPTION)
    folders = [root / "world" / d for d in ("bank", "police", "registers", "labour")]
    requests, _ = expand([f for f in folders if f.exists()], ImportRequest(path=Path(".")))
    ws.records.import_files("amber", requests)
    run = ws.analyses.run("amber", ["finance"])["finance"].detail
    everything = ws.findings.list("amber")
    strong = [f for f in everything if f.score >= 0.5]
    weak = [f for f in everything if f.score < 0.5]
    aside = [f for f in strong if f.kind not in PROCEEDS_KINDS][-2:]
    assert weak and len(aside) == 2, "the tiny world should give weak and other findings"
    confirmed = [f for f in strong if f not in aside]
    for f in confirmed:
        ws.findings.review("amber", f.id, ReviewState.CONFIRMED,
                           "checked against the bank statement")
    ws.findings.review("amber", weak[0].id, ReviewState.DISMISSED, "a legitimate employer")
    yield Case(ws, "amber", run, confirmed, aside + weak[1:], weak[:1])
    ws.close()


def _english(case: Case, unreviewed: bool = False) -> str:
    rep = build_report(case.ws, case.name, translations("en").gettext, "en", unreviewed)
    return render_html(rep)


def test_the_report_shows_every_confirmed_finding_and_nothing_unconfirmed(case: Case) -> None:
    html = _english(case)
    for f in case.confirmed:
        assert f'id="{f.id}"' in html, f.title
    for f in case.new + case.dismissed:
        assert f.id not in html, f"unreviewed or dismissed finding shown: {f.title}"
    assert "not reviewed, not evidence" not in html


def test_unreviewed_findings_only_on_request_and_marked(case: Case) -> None:
    html = _english(case, unreviewed=True)
    annex = html.split('id="sec-unreviewed"')[1]
    for f in case.new:
        assert f'id="{f.id}"' in annex
    assert annex.count("not reviewed, not evidence") >= len(case.new)
    for f in case.dismissed:
        assert f.id not in html


def test_every_cited_source_file_is_named_with_its_checksum(case: Case) -> None:
    html = _english(case)
    sources = {s["id"]: s for s in case.ws.records.sources(case.name)}
    cited = {s for f in case.confirmed for s in f.evidence.source_ids}
    assert cited
    for source_id in cited:
        assert sources[source_id]["file_name"] in html
        assert sources[source_id]["sha256"] in html
    assert "Facts and their sources" in html and "/Document/" in html  # camt.053 entry paths


def test_the_proceeds_figure_is_the_finance_estimate(case: Case) -> None:
    rep = build_report(case.ws, case.name, translations("en").gettext, "en")
    assert rep.proceeds is not None and rep.proceeds.estimate.lines
    # every finding the estimate rests on (its kinds, score ≥ 0.5) is confirmed: the same
    assert rep.proceeds.total == case.run.estimate.total > 0
    html = render_html(rep)
    assert f'data-eur="{case.run.estimate.total:.2f}"' in html
    assert f"{case.run.estimate.total:,.2f} EUR" in html
    assert not rep.proceeds.not_reproduced


def test_the_reads_are_audited_with_the_purpose(case: Case) -> None:
    with case.ws.store.begin() as conn:
        before = len(case.ws.store.list_audit(conn))
    _english(case)
    with case.ws.store.begin() as conn:
        recent = case.ws.store.list_audit(conn)[before:]
    actions = {r["action"] for r in recent}
    assert {"finding.list", "entity.read", "records.read"} <= actions
    assert all(r["purpose"] == "prosecution of case LV-2026-17" for r in recent
               if r["action"] in ("finding.list", "entity.read", "records.read"))


@pytest.mark.slow
def test_the_pdf_opens_with_page_numbers_and_bulgarian_text(case: Case, tmp_path: Path) -> None:
    bg = translations("bg")
    rep = build_report(case.ws, case.name, bg.gettext, "bg")
    data, pages = render_pdf(rep)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == pages > 3
    first = reader.pages[0].extract_text()
    assert DESCRIPTION in first  # Cyrillic extracted intact
    chain = bg.gettext("The trafficking chain")
    text = "".join(p.extract_text() for p in reader.pages[:4])
    assert chain in text and chain != "The trafficking chain"
    last = reader.pages[-1].extract_text()
    assert str(pages) in last.split()[-1] or f"{pages}" in last
    assert "amber" in first
    out = tmp_path / "report.pdf"
    out.write_bytes(data)
    if shutil.which("pdftoppm"):
        SHOTS.mkdir(exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile",
                        str(out), str(SHOTS / "report-page1")], check=True)
        assert (SHOTS / "report-page1.png").stat().st_size > 10_000


@pytest.mark.slow
def test_an_english_pdf_says_page_x_of_y(case: Case) -> None:
    rep = build_report(case.ws, case.name, translations("en").gettext, "en")
    data, pages = render_pdf(rep)
    reader = PdfReader(io.BytesIO(data))
    assert f"Page 1 of {pages}" in reader.pages[0].extract_text()
    assert f"Page {pages} of {pages}" in reader.pages[-1].extract_text()
    assert reader.metadata is not None and "amber" in (reader.metadata.title or "")


def test_a_case_without_confirmed_findings_says_so(sqlite_ws: Workspace, examples: dict
                                                    ) -> None:
    sqlite_ws.cases.create("empty")
    sqlite_ws.records.import_files("empty", [ImportRequest(examples["people"])])
    rep = build_report(sqlite_ws, "empty", translations("en").gettext, "en")
    html = render_html(rep)
    assert not rep.findings and rep.proceeds is None
    assert "has been confirmed yet" in html
    assert rep.parties == [] and rep.transactions == {}


def test_sections_left_out_are_not_read(case: Case, monkeypatch: pytest.MonkeyPatch) -> None:
    """A report of the findings and their transactions only: the financial analysis is not
    re-run for the proceeds, no facts are gathered, the sections are numbered as shown."""
    def no_run(*args: object, **kwargs: object) -> None:
        raise AssertionError("the proceeds were left out: nothing to re-run")

    monkeypatch.setattr(case.ws.analyses, "run", no_run)
    rep = build_report(case.ws, case.name, translations("en").gettext, "en",
                       sections={"transactions"})
    assert rep.proceeds is None and rep.transactions
    assert all(not p.facts for p in rep.parties + rep.accounts)
    html = render_html(rep)
    assert 'id="sec-proceeds"' not in html and 'id="sec-facts"' not in html
    assert "<h2>2. Confirmed findings</h2>" in html and "<h2>3. Source files</h2>" in html
    with pytest.raises(ValueError, match="unknown report sections: gossip"):
        build_report(case.ws, case.name, translations("en").gettext, "en",
                     sections={"gossip"})


def test_the_persons_listed_are_those_the_findings_rest_on(case: Case) -> None:
    """Persons the case marks that no confirmed finding names are not among the persons
    involved: they are in their own annex, when asked for."""
    rep = build_report(case.ws, case.name, translations("en").gettext, "en")
    named = {i for item in rep.findings for i, _ in item.entities}
    named |= {i for s in rep.stages for i in s.entity_ids}
    everyone = {p.id for p in rep.parties + rep.accounts}
    outsider = next(p for p in case.ws.entities.list(case.name, ["LegalEntity", "Person"])
                    if p.id not in everyone and p.id not in named)
    # (a role cannot be taken back: these last tests of the module leave theirs)
    case.ws.entities.set_subject_role(case.name, outsider.id, "witness")
    again = build_report(case.ws, case.name, translations("en").gettext, "en")
    assert outsider.id not in {p.id for p in again.parties} and not again.others
    annexed = build_report(case.ws, case.name, translations("en").gettext, "en",
                           sections={"others"})
    assert outsider.id in [p.id for p in annexed.others]
    assert 'id="sec-others"' in render_html(annexed)


def test_victims_accounts_are_not_shown_as_retaining_proceeds(case: Case) -> None:
    rep = build_report(case.ws, case.name, translations("en").gettext, "en")
    assert rep.proceeds is not None and rep.proceeds.estimate.holders
    first = rep.proceeds.estimate.holders[0].account
    owner = next(h.owner_id for h in holdings(case.ws.entities.list(
        case.name, ["BankAccount", "Ownership"])) if first in h.numbers)
    case.ws.entities.set_subject_role(case.name, owner, "victim")
    again = build_report(case.ws, case.name, translations("en").gettext, "en")
    assert again.proceeds is not None
    assert first not in {h.account for h in again.proceeds.estimate.holders}
    assert again.victims_left_out >= 1
    assert "their wages, not proceeds" in render_html(again)
