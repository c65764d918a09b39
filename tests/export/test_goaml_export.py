"""goAML export: an STR from confirmed findings, valid against the project's XSD, refused
when the FIU profile's fields are missing, respecting access and handling, audited; and
read back by the goAML import into a fresh case with the same transactions and parties."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from veriga.errors import VerigaError
from veriga.export.goaml import Invalid, pair_legs
from veriga.findings import Evidence, Finding, ReviewState
from veriga.ingest import ImportRequest
from veriga.ingest.goaml.schema import schema
from veriga.workspace import Workspace

DATA = Path(__file__).parent.parent / "ingest" / "data" / "goaml"
FIU = """extends: default
name: test-fiu
rentity_id: '4711'
reporting_person: {first_name: Ilze, last_name: Kalnina, email: compliance@example.org}
indicators: {test.flag: FIU-42}
"""


@pytest.fixture
def fiu(tmp_path: Path) -> Path:
    path = tmp_path / "fiu.yml"
    path.write_text(FIU, encoding="utf-8")
    return path


def _records(ws: Workspace, case: str) -> list[dict[str, Any]]:
    engine = ws.records.engine(case)
    try:
        return engine.query('SELECT * FROM "transaction"').to_pylist()
    finally:
        engine.close()


def _finding(ws: Workspace, case: str, confirm: bool = True) -> Finding:
    """A finding resting on every transaction of the case (as a detector would cite them)."""
    ids = [r["record_id"] for r in _records(ws, case)]
    item = Finding(kind="test.flag", score=0.9, title="Test flag",
                   explanation="Wages moved on within two days.",
                   evidence=Evidence(record_ids=sorted(ids)), detector="tests.flag",
                   detector_version="1")
    ws.findings.save(case, [item])
    if confirm:
        ws.findings.review(case, item.id, ReviewState.CONFIRMED, "statements checked")
    return item


@pytest.fixture
def case_ws(sqlite_ws: Workspace, tmp_path: Path) -> Workspace:
    sqlite_ws.cases.create("c")
    src = tmp_path / "in.xml"
    shutil.copy(DATA / "bi_party.xml", src)
    sqlite_ws.records.import_files("c", [ImportRequest(src)])
    return sqlite_ws


def _transactions(ws: Workspace, case: str) -> list[tuple[Any, ...]]:
    """(payer account, payee account, amount, date, payee name) of each payment once."""
    out = []
    for tx in pair_legs(_records(ws, case)):
        rec = tx.debit or tx.credit
        assert rec is not None
        payer, payee = ((rec["account"], rec["counterparty_account"]) if tx.debit else
                        (rec["counterparty_account"], rec["account"]))
        out.append((payer, payee, f"{abs(rec['amount']):.2f}", rec["booking_date"]))
    return sorted(out, key=str)


def test_a_report_round_trips(case_ws: Workspace, fiu: Path, tmp_path: Path) -> None:
    item = _finding(case_ws, "c")
    out = tmp_path / "str.goaml.xml"
    written = case_ws.exports.report("c", "goaml", out, [item.id], profile=str(fiu),
                                     reference="STR-1")
    assert (written.transactions, written.indicators) == (2, ["FIU-42", "VRG-THB"])
    root = etree.parse(str(out))
    assert schema().validate(root)
    assert root.findtext("rentity_id") == "4711" and root.findtext("entity_reference") == "STR-1"
    assert "Wages moved on within two days." in root.findtext("reason")
    case_ws.cases.create("fresh")
    [result] = case_ws.records.import_files("fresh", [ImportRequest(out)])
    assert result.format == "goaml" and not result.rejects
    assert _transactions(case_ws, "fresh") == _transactions(case_ws, "c") == [
        ("LV44HABA0551000000001", None, "1400.00", date(2024, 3, 2)),
        ("LV48PARX0000000000002", "LV44HABA0551000000001", "1450.00", date(2024, 3, 1))]
    names = {e.first("name") for e in case_ws.entities.list("fresh", ["Person", "Company"])}
    assert {"Baltic Staff SIA", "Viktor Ivanovich Sokolov", "Oleg Marchenko",
            "Ilze Kalnina"} <= names
    audit = [e for e in case_ws.audit.log("c") if e["action"] == "export"]
    assert audit and audit[-1]["detail"]["findings"] == [item.id]


def test_only_confirmed_findings_are_reported(case_ws: Workspace, fiu: Path,
                                              tmp_path: Path) -> None:
    item = _finding(case_ws, "c", confirm=False)
    with pytest.raises(VerigaError, match="is new: a report rests only on findings a person "
                                          "confirmed"):
        case_ws.exports.report("c", "goaml", tmp_path / "x.xml", [item.id], profile=str(fiu))
    with pytest.raises(VerigaError, match="no finding 'f-nope'"):
        case_ws.exports.report("c", "goaml", tmp_path / "x.xml", ["f-nope"], profile=str(fiu))
    assert not (tmp_path / "x.xml").exists()


def test_the_default_profile_names_what_is_missing(case_ws: Workspace, tmp_path: Path,
                                                   fiu: Path) -> None:
    item = _finding(case_ws, "c")
    out = tmp_path / "x.xml"
    with pytest.raises(Invalid) as caught:
        case_ws.exports.report("c", "goaml", out, [item.id])
    assert "/report: no rentity_id, which FIU profile 'default' requires" in str(caught.value)
    strict = tmp_path / "strict.yml"
    strict.write_text(FIU + "mandatory: [transaction/*/to_account/institution_name, "
                            "transaction/*/from_account/opened]\n", encoding="utf-8")
    with pytest.raises(Invalid) as caught:
        case_ws.exports.report("c", "goaml", out, [item.id], profile=str(strict))
    text = str(caught.value)
    assert "/report/transaction[1]/t_from/from_account (transaction TX-1): no opened" in text
    assert "/report/transaction[2]/t_from/from_account (transaction TX-2): no opened" in text
    assert "institution_name" not in text  # both banks are named
    assert not out.exists()


def test_a_minimised_reader_may_not_file_a_report(case_ws: Workspace, fiu: Path,
                                                  tmp_path: Path) -> None:
    item = _finding(case_ws, "c")
    case_ws.directory.add_org("Safe House", "ngo", "LV")
    case_ws.directory.add_user("ilze", "Safe House", ["ngo_worker"])
    case_ws.cases.share("c", "Safe House")
    ngo = case_ws.as_user("ilze", purpose="victim support")
    with pytest.raises(VerigaError):
        ngo.exports.report("c", "goaml", tmp_path / "x.xml", [item.id], profile=str(fiu))
    assert not (tmp_path / "x.xml").exists()


def test_material_that_may_not_be_passed_on_is_left_out(sqlite_ws: Workspace, fiu: Path,
                                                        tmp_path: Path) -> None:
    sqlite_ws.cases.create("c")
    for name, code in (("bi_party.xml", "H0"), ("multi_party.xml", "H2")):
        shutil.copy(DATA / name, tmp_path / name)
        sqlite_ws.records.import_files("c", [ImportRequest(tmp_path / name)], handling=code)
    item = _finding(sqlite_ws, "c")
    out = tmp_path / "str.xml"
    written = sqlite_ws.exports.report("c", "goaml", out, [item.id], profile=str(fiu))
    assert written.transactions == 2  # the H2 report's transfer stays out
    assert "EE352200221000000003" not in out.read_text(encoding="utf-8")
    [entry] = [e for e in sqlite_ws.audit.log("c") if e["action"] == "export"]
    assert entry["detail"]["left_out"] == 2


def test_an_entity_export_of_goaml_asks_for_findings(case_ws: Workspace, tmp_path: Path
                                                     ) -> None:
    with pytest.raises(VerigaError, match="--finding"):
        case_ws.exports.write("c", "goaml", tmp_path / "x.xml")
