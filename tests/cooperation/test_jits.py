"""Joint investigation teams: the record, its parties and cases; another party's records
withheld once the period has ended, read again after an extension; every read of them
listed."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from veriga.access.policy import Op
from veriga.errors import NotFound, VerigaError
from veriga.ingest import ImportRequest
from veriga.store.schema import jits
from veriga.workspace import PermissionDenied, Workspace

REF = "JIT LV-EE 2026/3"
TODAY = date.today()


def _received(ws: Workspace, tmp_path: Path, jit: str) -> str:
    """A file of the case that came from the Estonian police under ``jit`` (its source's
    origin as an exchange package import writes it); returns the person's id."""
    path = tmp_path / "from-ee.ftm.json"
    path.write_text(json.dumps({"id": "ee-person", "schema": "Person", "properties": {
        "name": ["Olena Sevcenko"], "birthDate": ["1990-04-03"]}}) + "\n", encoding="utf-8")
    [result] = ws.records.import_files("amber", [ImportRequest(path)])
    with ws.store.begin() as conn:
        ws.store.update_source(conn, result.source_id, origin={
            "sender": "Politsei EE", "country": "EE", "package_id": "pkg-1", "jit": jit})
    return "ee-person"


def _setup(ws: Workspace, starts: date, ends: date) -> None:
    ws.directory.add_org("Politsei EE", "police", "EE")
    ws.cases.create("amber")
    ws.jits.create(REF, "Council Framework Decision 2002/465/JHA", "trafficking from UA via "
                   "LV to EE", starts, ends, ["Politsei EE"], ["amber"], "OAP of 2026-03-01")


def test_a_jit_is_recorded_with_its_parties_and_cases(sqlite_ws: Workspace) -> None:
    ws = sqlite_ws
    _setup(ws, TODAY - timedelta(days=10), TODAY + timedelta(days=100))
    [jit] = ws.jits.list()
    assert jit.reference == REF and jit.active() and jit.cases == ["amber"]
    assert ("Politsei EE", "EE") in jit.parties and len(jit.parties) == 2
    assert any(e["action"] == "jit.create" for e in ws.audit.log("amber"))
    with pytest.raises(VerigaError, match="recorded already"):
        ws.jits.create(REF, "x", "y", TODAY, TODAY, [], ["amber"])


def test_another_partys_records_are_withheld_after_the_end(sqlite_ws, tmp_path) -> None:
    ws = sqlite_ws
    _setup(ws, TODAY - timedelta(days=100), TODAY - timedelta(days=1))
    person = _received(ws, tmp_path, REF)
    assert person not in {p.id for p in ws.entities.list("amber")}
    with ws.case("amber", Op.ENTITY_READ) as access:
        assert "has ended" in (access.partial() or "")
    ws.jits.extend(REF, TODAY + timedelta(days=90), "Extension agreed on 2026-12-01")
    assert person in {p.id for p in ws.entities.list("amber")}
    assert any(e["action"] == "jit.extend" for e in ws.audit.log("amber"))
    [read, *_] = [r for r in ws.jits.reads(REF) if r.action == "entity.list"]
    assert read.parties == ["Politsei EE"] and read.entities >= 1


def test_records_under_an_unknown_jit_are_withheld(sqlite_ws, tmp_path) -> None:
    ws = sqlite_ws
    ws.cases.create("amber")
    person = _received(ws, tmp_path, "JIT nobody recorded")
    assert person not in {p.id for p in ws.entities.list("amber")}


def test_only_parties_see_it_and_only_managers_record_it(sqlite_ws) -> None:
    ws = sqlite_ws
    _setup(ws, TODAY, TODAY + timedelta(days=30))
    ws.directory.add_org("Safe House", "ngo", "LV")
    ws.directory.add_user("ilze", "Safe House", ["ngo_worker"], "Ilze", "pw-for-tests-only-3")
    ngo = ws.as_user("ilze", purpose="support of a victim")
    with pytest.raises(NotFound):
        ngo.jits.get(REF)
    assert ngo.jits.list() == []
    ws.cases.share("amber", "Safe House")
    with pytest.raises(PermissionDenied):
        ngo.jits.create("JIT 2", "basis", "purpose", TODAY, TODAY, [], ["amber"])


def test_a_package_sent_under_a_jit_is_withheld_after_its_end(tmp_path) -> None:
    """Two installations form the JIT; Latvia sends under it; Estonia reads the records
    during the period, not after it, and again once the JIT is extended."""
    from test_exchange import _keys, _load_sender, _workspace

    lv, ee = _workspace(tmp_path, "lv"), _workspace(tmp_path, "ee")
    _keys((lv, "Valsts policija", "police", "LV"), (ee, "Politsei", "police", "EE"),
          folder=tmp_path)
    _load_sender(lv, tmp_path)
    ee.cases.create("birch")
    start, end = TODAY - timedelta(days=30), TODAY + timedelta(days=30)
    lv.jits.create(REF, "Council Framework Decision 2002/465/JHA", "trafficking UA-LV-EE",
                   start, end, ["Politsei"], ["amber"])
    ee.jits.create(REF, "Council Framework Decision 2002/465/JHA", "trafficking UA-LV-EE",
                   start, end, ["Valsts policija"], ["birch"])
    with pytest.raises(VerigaError, match="no party"):
        lv.exchange.export("amber", "Europol", tmp_path / "x.vxp", jit=REF)
    out = tmp_path / "amber.vxp"
    sent = lv.exchange.export("amber", "Politsei", out, jit=REF)
    assert sent.manifest["jit"] == REF and sent.manifest["expires"] == end.isoformat()
    assert sent.manifest["legal_basis"].startswith(REF)
    ee.exchange.import_package(out, "birch")
    names = {p.caption for p in ee.entities.list("birch")}
    assert "Jānis Bērziņš" in names
    with ee.store.begin() as conn:  # the JIT ended yesterday (as the agreement now says)
        conn.execute(jits.update().where(jits.c.reference == REF).values(
            ends=(TODAY - timedelta(days=1)).isoformat()))
    assert "Jānis Bērziņš" not in {p.caption for p in ee.entities.list("birch")}
    ee.jits.extend(REF, TODAY + timedelta(days=60), "extension of the agreement")
    assert "Jānis Bērziņš" in {p.caption for p in ee.entities.list("birch")}
    assert {"Valsts policija"} <= {p for r in ee.jits.reads(REF) for p in r.parties}
    lv.close()
    ee.close()
