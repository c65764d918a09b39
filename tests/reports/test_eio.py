"""A European Investigation Order drafted from a trace that ends abroad: one draft per
executing State, its accounts and payments those the trace found there, the confirmed
findings on them, headings in both States' languages, as DOCX and PDF, audited."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from veriga.config import Settings
from veriga.errors import VerigaError
from veriga.findings import ReviewState
from veriga.ingest import ImportRequest, expand
from veriga.model.normalize import country_of
from veriga.reports import eio
from veriga.simulate import simulate
from veriga.workspace import PermissionDenied, Workspace


@dataclass
class Case:
    ws: Workspace
    start: str  # the controller's account, paying abroad


@pytest.fixture(scope="module")
def case(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    root = tmp_path_factory.mktemp("eio")
    simulate("mixed", "tiny", 2, root / "world")
    truth = json.loads((root / "world" / "ground_truth.json").read_text(encoding="utf-8"))
    start = next(t["accounts"][0] for t in truth["typologies"] if t["code"] == "R9")
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    ws = Workspace.local(settings, purpose="investigation LV-2026-17", username="tester")
    ws.cases.create("amber")
    requests, _ = expand([root / "world" / "bank", root / "world" / "police"],
                         ImportRequest(path=Path(".")))
    ws.records.import_files("amber", requests)
    ws.analyses.run("amber", ["finance"])
    for f in ws.findings.list("amber"):
        if start in {k.value for k in f.evidence.keys}:
            ws.findings.review("amber", f.id, ReviewState.CONFIRMED, "checked the statement")
    yield Case(ws, start)
    ws.close()


def test_one_draft_per_state_where_the_money_ended(case: Case) -> None:
    drafts = eio.draft_eio(case.ws, "amber", case.start)
    assert len(drafts) >= 2
    for d in drafts:
        assert d.issuing == "LV" and d.executing != "LV"
        assert {country_of(a.number) for a in d.accounts} == {d.executing}
        assert {h.target for h in d.payments} == {a.number for a in d.accounts}
        assert sum(h.attributed for h in d.payments) == d.total > 0
        assert all(a.holder for a in d.accounts)  # as the payments name them
        assert d.start_holder is not None and d.persons[0] is d.start_holder
        assert "offence_thb" in d.offences
        assert d.findings, "the confirmed findings on the start account are cited"
        assert d.languages() == ["lv", eio.LANGUAGE_OF.get(d.executing, "en")]


def test_docx_and_pdf_in_both_languages_and_audited(case: Case, tmp_path: Path) -> None:
    [d] = eio.draft_eio(case.ws, "amber", case.start, executing="EE")
    docx, pdf = tmp_path / "eio.docx", tmp_path / "eio.pdf"
    eio.save(case.ws, d, docx)
    eio.save(case.ws, d, pdf)
    with zipfile.ZipFile(docx) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "Eiropas izmeklēšanas rīkojums" in body and "Euroopa uurimismäärus" in body
    assert all(a.number in body for a in d.accounts)
    assert "[aizpilda izdevējiestāde" in body  # what only the authority can state
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.read_bytes())).pages)
    assert d.accounts[0].number in text
    audited = [e for e in case.ws.audit.log("amber") if e["action"] == "request.eio"]
    assert {e["target"] for e in audited} >= {"eio.docx", "eio.pdf"}
    with pytest.raises(VerigaError, match=r"\.docx"):
        eio.save(case.ws, d, tmp_path / "eio.odt")


def test_nothing_to_ask_is_said(case: Case) -> None:
    with pytest.raises(VerigaError, match="ended nowhere in DE"):
        eio.draft_eio(case.ws, "amber", case.start, executing="DE")
    with pytest.raises(VerigaError, match="no payments from"):
        eio.draft_eio(case.ws, "amber", "LV00NOTANACCOUNT0000000")


def test_only_those_who_may_export_draft(case: Case) -> None:
    ws = case.ws
    ws.directory.add_org("Safe House", "ngo", "LV")
    ws.directory.add_user("ilze", "Safe House", ["ngo_worker"], "Ilze", "pw-for-tests-only-2")
    ws.cases.share("amber", "Safe House")
    with pytest.raises(PermissionDenied):
        eio.draft_eio(ws.as_user("ilze", purpose="support of a victim"), "amber", case.start)


def test_a_jit_proposal_names_what_ties_the_case_to_the_state(case: Case, tmp_path: Path
                                                              ) -> None:
    from veriga.reports import jit_proposal

    p = jit_proposal.draft_jit(case.ws, "amber", "EE", own="LV")
    assert p.accounts and all(country_of(a) == "EE" for a, *_ in p.accounts)
    assert p.persons and p.languages() == ["lv", "et"]
    # a victim named on a payment to an account there is counted, never named
    captions = {e.caption: e for e in case.ws.entities.list("amber")
                if e.schema.is_a("LegalEntity")}
    victim = next(t for t in p.persons if t.tie.startswith("account:") and t.name in captions)
    holder = captions[victim.name]
    case.ws.entities.set_subject_role("amber", holder.id, "victim")
    after = jit_proposal.draft_jit(case.ws, "amber", "EE", own="LV")
    assert victim.name not in {t.name for t in after.persons}
    assert after.victims >= 1
    out = tmp_path / "jit.docx"
    jit_proposal.save(case.ws, after, out)
    with zipfile.ZipFile(out) as z:
        body = z.read("word/document.xml").decode("utf-8")
    assert "kopēju izmeklēšanas grupu" in body and "ühine uurimisrühm" in body
    assert victim.name not in body
    assert any(e["action"] == "request.jit" for e in case.ws.audit.log("amber"))
    with pytest.raises(VerigaError, match="nothing in case"):
        jit_proposal.draft_jit(case.ws, "amber", "DE", own="LV")
    case.ws.entities.set_subject_role("amber", holder.id, "other")  # as before, for others
