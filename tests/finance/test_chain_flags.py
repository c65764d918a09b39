"""R12's conduit (a front tier of a subcontracting chain), on hand-made data."""

from __future__ import annotations

from test_ledger import engine_with, tx

from veriga.finance.analyze import analyze
from veriga.finance.detectors import DETECTORS

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

