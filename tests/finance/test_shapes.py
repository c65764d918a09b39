"""The laundering shapes on hand-made ledgers: each shape found with exactly its accounts
flagged, and the lawful look-alikes (payroll runs, shops, rent and bills) left alone."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pyarrow as pa
import pytest
from worldhelpers import build_world

from veriga.engine import get_engine
from veriga.finance.analyze import Result, analyze
from veriga.finance.detectors import DETECTORS
from veriga.finance.ledger import holders_table, prepare
from veriga.finance.params import Params
from veriga.finance.quality import evaluate, flagged_accounts
from veriga.model.records import TRANSACTION

SHAPES = [d for d in DETECTORS if d.kind.startswith("shape.")]


class Ledger:
    """Transfers written as both holders' statements show them."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def pay(self, src: str, dst: str, day: int, eur: float) -> None:
        amount = Decimal(str(round(eur, 2)))
        for account, other, sign in ((src, dst, -1), (dst, src, 1)):
            n = len(self.rows)
            self.rows.append({
                "record_id": f"{account}:{n}", "source_id": account, "locator": f"line {n}",
                "account": account, "ref": f"R{n}",
                "booking_date": date(2026, 1, 1) + timedelta(days=day), "value_date": None,
                "amount": sign * amount, "currency": "EUR", "amount_eur": None,
                "counterparty_account": other, "counterparty_name": None,
                "counterparty_bic": None, "counterparty_country": None, "method": "transfer",
                "description": None, "balance_after": None})

    def run(self, engine: str = "duckdb") -> Result:
        eng = get_engine(engine)
        eng.register_arrow("transaction", pa.Table.from_pylist(self.rows,
                                                               schema=TRANSACTION.schema))
        prepare(eng, holders_table([]))
        return analyze(eng, detectors=SHAPES)


def flagged(result: Result, kind: str) -> list[set[str]]:
    return [flagged_accounts(f) for f in result.findings if f.kind == kind and f.score >= 0.5]


def lawful(ledger: Ledger, rng: random.Random) -> set[str]:
    """Payroll runs every month and a bonus once, rent and electricity, a busy shop and a
    wholesaler: the lawful fans every shape must leave alone. Returns their accounts."""
    staff = [f"STAFF{i}" for i in range(12)]
    for m in range(4):
        for i, s in enumerate(staff):
            ledger.pay("EMPLOYER", s, 30 * m + 9, 1500 + 50 * i)
            ledger.pay(s, "LANDLORD", 30 * m + 2, 600)
            ledger.pay(s, "POWER", 30 * m + 15, 60 + i)
    for s in staff:
        ledger.pay("EMPLOYER", s, 75, 600)  # a bonus run: alike amounts, to its own staff
    for i in range(60):  # a shop of many one-off customers
        ledger.pay(f"CUSTOMER{i}", "SHOP", i * 2, rng.uniform(500, 6000))
    for i in range(20):  # a wholesaler's varied invoices
        ledger.pay(f"TRADER{i}", "WHOLESALE", i * 5, rng.uniform(400, 25000))
    return {"EMPLOYER", "LANDLORD", "POWER", "SHOP", "WHOLESALE", *staff}


def shaped() -> Ledger:
    """The lawful fans, and one instance of every shape."""
    rng = random.Random(5)
    ledger = Ledger()
    lawful(ledger, rng)
    for i in range(6):  # fan-in over 11 days
        ledger.pay(f"FI{i}", "FIHUB", 3 + 2 * i, 2000 * rng.uniform(0.9, 1.1))
    for i in range(7):  # fan-out on one day
        ledger.pay("FOHUB", f"FO{i}", 20, 3000 * rng.uniform(0.9, 1.1))
    for i in range(4):  # gather-scatter: 4 in, then 3 out
        ledger.pay(f"GI{i}", "GSHUB", 30 + i, 5000 * rng.uniform(0.9, 1.1))
    for i in range(3):
        ledger.pay("GSHUB", f"GO{i}", 36 + i, 6200 * rng.uniform(0.95, 1.05))
    for o in range(3):  # bipartite: 3 payers by 2 payees
        for b in range(2):
            ledger.pay(f"BO{o}", f"BB{b}", 40 + o + b, 2500 + 400 * o)
    for o in range(2):  # stack: 2 -> 3 -> 2
        for b in range(3):
            ledger.pay(f"SO{o}", f"SM{b}", 50 + o, 3000)
    for o in range(3):
        for b in range(2):
            ledger.pay(f"SM{o}", f"SB{b}", 55 + o, 2900)
    ring = ["CY5", "CY2", "CY4", "CY1", "CY6", "CY3"]  # set off by CY5, not the least
    x = 9000.0
    for i, a in enumerate(ring):
        ledger.pay(a, ring[(i + 1) % len(ring)], 60 + i, x)
        x *= 0.95
    for i in range(4):  # scatter-gather, intermediaries paid 3 days apart
        ledger.pay("SGA", f"SGM{i}", 70 + 3 * i, 4000)
        ledger.pay(f"SGM{i}", "SGD", 72 + 3 * i, 3800)
    return ledger


@pytest.fixture(scope="module")
def result() -> Result:
    return shaped().run()


LAWFUL = lawful(Ledger(), random.Random(0))


@pytest.mark.parametrize(("kind", "accounts"), [
    ("shape.fan_in", {"FIHUB", *(f"FI{i}" for i in range(6))}),
    ("shape.fan_out", {"FOHUB", *(f"FO{i}" for i in range(7))}),
    ("shape.gather_scatter", {"GSHUB", *(f"GI{i}" for i in range(4)),
                              *(f"GO{i}" for i in range(3))}),
    ("shape.bipartite", {"BO0", "BO1", "BO2", "BB0", "BB1"}),
    ("shape.stack", {"SO0", "SO1", "SM0", "SM1", "SM2", "SB0", "SB1"}),
    ("shape.cycle", {"CY1", "CY2", "CY3", "CY4", "CY5", "CY6"}),
    ("shape.scatter_gather", {"SGA", "SGD", *(f"SGM{i}" for i in range(4))}),
])
def test_each_shape_is_found_with_exactly_its_accounts(result: Result, kind: str,
                                                        accounts: set[str]) -> None:
    found = flagged(result, kind)
    assert accounts in found, (kind, found)


def test_the_lawful_fans_are_left_alone(result: Result) -> None:
    for finding in result.findings:
        assert not flagged_accounts(finding) & LAWFUL, (finding.kind, finding.explanation)


def test_a_finding_flags_its_shape_and_names_the_rest_as_context(result: Result) -> None:
    cycle = next(f for f in result.findings if f.kind == "shape.cycle")
    assert cycle.details is not None and cycle.details["context"] == []
    ibans = {k.value for k in cycle.evidence.keys if k.type == "iban"}
    assert ibans == set(cycle.details["flagged"])
    assert "CY1 > CY6 > CY3 > CY5 > CY2 > CY4" in cycle.explanation
    assert len(cycle.evidence.record_ids) == 12  # six transfers, both legs


def test_the_tolerance_and_window_are_parameters() -> None:
    rng = random.Random(2)
    ledger = Ledger()
    for i in range(6):  # amounts 40 % apart, over 30 days
        ledger.pay(f"P{i}", "HUB", 6 * i, 1000 * (1.4 if i % 2 else 1.0) * rng.uniform(1, 1.02))
    eng = get_engine("duckdb")
    eng.register_arrow("transaction", pa.Table.from_pylist(ledger.rows,
                                                           schema=TRANSACTION.schema))
    prepare(eng, holders_table([]))
    fan_in = [d for d in SHAPES if d.kind == "shape.fan_in"]
    assert not analyze(eng, detectors=fan_in).findings
    wide = Params().override({"shapes": {"amount_tolerance": 0.5, "spread_days": 31}})
    found = analyze(eng, wide, detectors=fan_in).findings
    assert [flagged_accounts(f) for f in found] == [{"HUB", *(f"P{i}" for i in range(6))}]


@pytest.mark.slow
def test_the_laundering_world_meets_the_goal(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Recall >= 0.9 of the accounts taking part in each shape, at precision >= 0.5 of the
    accounts its findings flag, on a small laundering world (docs/finance.md)."""
    world = build_world(tmp_path_factory.mktemp("laundering"), "laundering", "small", 7)
    try:
        scores = {s.detector: s for s in evaluate(world.run.result, world.truth,
                                                  findings=world.run.findings)}
    finally:
        world.ws.close()
    for kind in (d.kind for d in SHAPES):
        assert scores[kind].truth > 0, kind
        assert scores[kind].recall >= 0.9 and scores[kind].precision >= 0.5, scores[kind]


@pytest.mark.spark
def test_spark_finds_the_same_shapes(result: Result) -> None:
    pytest.importorskip("pyspark")
    on_spark = shaped().run("spark")
    not_on_spark = {d.kind for d in SHAPES if "spark" not in d.engines}
    assert sorted(on_spark.skipped) == sorted(not_on_spark)  # said, not silently empty
    duck = {f.id: (f.kind, f.score, f.explanation, f.details) for f in result.findings
            if f.kind not in not_on_spark}
    assert {f.id: (f.kind, f.score, f.explanation, f.details) for f in on_spark.findings} == duck
