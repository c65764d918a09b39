"""R12's conduit (a front tier of a subcontracting chain) and R13's months, on hand-made data."""

from __future__ import annotations

from followthemoney import EntityProxy, model
from test_ledger import engine_with, tx

from veriga.finance.analyze import Result, analyze
from veriga.finance.detectors import DETECTORS
from veriga.finance.payroll import payroll_gap
from veriga.finance.quality import evaluate
from veriga.findings import Evidence, Finding, Key

TIER, CLIENT, NEXT = "FI3359539196901333", "FI6650511618956610", "BG47UNCR706129EK5LJB82"
FIRM, WORKER, BOSS = "LV52HABA7418289076542", "EE167776139634101908", "LV93HABA9472219237554"


def r12(rows: list[dict]) -> set[str]:
    result = analyze(engine_with(rows), detectors=[d for d in DETECTORS if d.kind == "R12"])
    return {result.group_of[f.id].key for f in result.findings if f.score >= 0.5}


def test_a_tier_that_hands_its_contract_on_and_keeps_a_margin_is_a_conduit() -> None:
    rows = []
    for m in range(1, 7):
        # paid by one client with VAT, hands 66 % on to one subcontractor three days later
        rows += [tx(f"t:{m}a", TIER, f"2026-{m:02d}-08", "51204", ref=f"i{m}", cp=CLIENT,
                    text="Invoice"),
                 tx(f"t:{m}b", TIER, f"2026-{m:02d}-11", "-34027.20", ref=f"o{m}", cp=NEXT,
                    text="Invoice")]
        # a lawful firm with one client: wages to its staff, rent, card spending
        rows += [tx(f"f:{m}a", FIRM, f"2026-{m:02d}-08", "40000", ref=f"j{m}", cp=CLIENT,
                    text="Invoice")]
        rows += [tx(f"f:{m}w{k}", FIRM, f"2026-{m:02d}-20", "-2400", ref=f"w{m}{k}",
                    cp=f"LV{k:02d}HABA00000000000{k:02d}", text="Salary") for k in range(10)]
        rows += [tx(f"f:{m}r", FIRM, f"2026-{m:02d}-02", "-3000", ref=f"r{m}", cp=NEXT,
                    text="Rent"),
                 tx(f"f:{m}c", FIRM, f"2026-{m:02d}-12", "-2500", ref=f"c{m}", method="card",
                    text="Fuel")]
        # a worker paid a wage who sends 60 % of it to one account the next day
        rows += [tx(f"w:{m}a", WORKER, f"2026-{m:02d}-25", "900", ref=f"s{m}", cp=FIRM,
                    text="Salary"),
                 tx(f"w:{m}b", WORKER, f"2026-{m:02d}-26", "-540", ref=f"k{m}", cp=BOSS,
                    text="debt")]
    assert r12(rows) == {TIER}


def entity(schema: str, eid: str, **props: str) -> EntityProxy:
    e = model.make_entity(schema)
    e.id = eid
    for name, value in props.items():
        e.add(name, value)
    return e


def test_payroll_gap_reads_only_months_the_payroll_covers() -> None:
    firms = {"old": "111111111", "front": "222222222", "fair": "333333333"}
    ents = [entity("Company", k, name=k, registrationNumber=v) for k, v in firms.items()]
    for k in range(4):
        ents.append(entity("Person", f"w{k}", name=f"Worker {k}"))
        # declared posted since 2024 (before any payroll the case holds) and still in 2026
        ents.append(entity("Employment", f"old{k}", employer="old", employee=f"w{k}",
                           startDate="2024-03-01", endDate="2026-06-30"))
        ents.append(entity("Employment", f"front{k}", employer="front", employee=f"w{k}",
                           startDate="2026-01-01", endDate="2026-06-30"))
        ents.append(entity("Employment", f"fair{k}", employer="fair", employee=f"w{k}",
                           startDate="2026-01-01", endDate="2026-06-30"))
    for m in range(1, 7):
        day = f"2026-{m:02d}-25"
        for k in range(4):
            ents.append(entity("Payment", f"po{m}{k}", payer="old", beneficiary=f"w{k}",
                               date=day))
            if k < 3:
                ents.append(entity("Payment", f"pf{m}{k}", payer="fair", beneficiary=f"w{k}",
                                   date=day))
        ents.append(entity("Payment", f"px{m}", payer="front", beneficiary="w0", date=day))
    found = {k.value for f in payroll_gap(ents) for k in f.evidence.keys}
    # "old" pays all four in every month of the payroll: its 2024-2025 postings say nothing
    assert found == {firms["front"]}


def flag(reg: str) -> Finding:
    return Finding(kind="R13", score=0.9, explanation=reg,
                   evidence=Evidence(keys=[Key("registration", reg)]), detector="R13",
                   detector_version="1")


def test_r13_precision_counts_the_schemes_firms_that_post_workers_they_do_not_pay() -> None:
    truth = {"typologies": [{"id": "t", "code": "R13", "shape": None, "transactions": False,
                             "accounts": [], "evidence": [{"value": "111111111"}]}],
             "typology_transactions": [],
             "labour_schemes": [
                 {"kind": "bogus_posting", "decoy": False,
                  "companies": [{"registration_number": "222222222"}]},
                 {"kind": "genuine_posting", "decoy": True,
                  "companies": [{"registration_number": "333333333"}]}]}
    findings = [flag(r) for r in ("111111111", "222222222", "333333333")]
    score = next(s for s in evaluate(Result(), truth, findings=findings)
                 if s.detector == "R13 (companies)")
    # recall on the R13 typology; a lawful posting firm flagged is the one false alarm
    assert (score.truth, score.found, score.flagged, score.correct) == (1, 1, 3, 2)
