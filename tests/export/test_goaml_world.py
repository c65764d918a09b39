"""A goAML report round-trips on a simulated world: the findings of the finance family,
confirmed, exported as an STR and imported into a fresh case give the same transactions
(amounts, dates, accounts) and parties."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from veriga.config import Settings
from veriga.export.goaml import pair_legs
from veriga.findings import ReviewState
from veriga.ingest import ImportRequest, expand
from veriga.ingest.goaml.schema import schema
from veriga.simulate import simulate
from veriga.workspace import Workspace


def _records(ws: Workspace, case: str, ids: set[str] | None = None) -> list[dict[str, Any]]:
    engine = ws.records.engine(case)
    try:
        rows = engine.query('SELECT * FROM "transaction"').to_pylist()
    finally:
        engine.close()
    return [r for r in rows if ids is None or r["record_id"] in ids]


def _payments(records: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    out = []
    for tx in pair_legs(records):
        rec = tx.debit or tx.credit
        assert rec is not None
        payer, payee = ((rec["account"], rec["counterparty_account"]) if tx.debit else
                        (rec["counterparty_account"], rec["account"]))
        out.append((rec["booking_date"], payer, payee, f"{abs(rec['amount']):.2f}"))
    return sorted(out, key=str)


@pytest.mark.slow
def test_a_report_from_a_simulated_world_round_trips(tmp_path: Path) -> None:
    world = tmp_path / "world"
    simulate("mixed", "tiny", 5, world)
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'v.db'}")
    with Workspace.local(settings, purpose="automated test", username="tester") as ws:
        ws.cases.create("w")
        requests, _ = expand([world / "bank"], ImportRequest(path=Path(".")))
        ws.records.import_files("w", requests)
        ws.analyses.run("w", ["finance"])
        found = [f for f in ws.findings.list("w") if f.evidence.record_ids]
        chosen = [f for f in found if f.kind == "R1"][:1] + \
            [f for f in found if f.kind == "R12"][:2]
        assert {f.kind for f in chosen} == {"R1", "R12"}
        for item in chosen:
            ws.findings.review("w", item.id, ReviewState.CONFIRMED, "statements checked")
        fiu = tmp_path / "fiu.yml"
        fiu.write_text("extends: default\nrentity_id: '4711'\n", encoding="utf-8")
        out = tmp_path / "str.goaml.xml"
        written = ws.exports.report("w", "goaml", out, [f.id for f in chosen],
                                    profile=str(fiu))
        assert schema().validate(etree.parse(str(out)))
        assert set(written.indicators) == {"VRG-R1", "VRG-R12", "VRG-THB"}
        cited = {r for f in chosen for r in f.evidence.record_ids}
        before = _payments(_records(ws, "w", cited))
        assert written.transactions == len(before) > 10

        ws.cases.create("fresh")
        [result] = ws.records.import_files("fresh", [ImportRequest(out)])
        assert not result.rejects
        assert _payments(_records(ws, "fresh")) == before
        # parties: each account keeps its holder, as the case knew it (the holder entity
        # of a statement's account, or the name the counterparty's bank gave)
        names: dict[str, set[str]] = {}
        for r in _records(ws, "w"):
            if r["counterparty_account"] and r["counterparty_name"]:
                names.setdefault(r["counterparty_account"], set()).add(
                    r["counterparty_name"].upper())
        with ws.records.ledger("w") as ledger:
            owners = ledger.owners
        for entity in ws.entities.by_id("w", sorted(set(owners.values()))):
            for number, owner in owners.items():
                if owner == entity.id:
                    names.setdefault(number, set()).add(entity.first("name").upper())
        got = {(r["counterparty_account"], (r["counterparty_name"] or "").upper())
               for r in _records(ws, "fresh")
               if r["counterparty_account"] and r["counterparty_name"]}
        assert len(got) >= 5
        assert all(name in names.get(account, set()) for account, name in got)
