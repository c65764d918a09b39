"""Follow the money: time order, attribution, and a trace on a simulated world."""

from __future__ import annotations

import json
from decimal import Decimal

from test_ledger import A, B, C, engine_with, tx
from worldhelpers import World

from veriga.finance.trace import trace


def test_forward_trace_respects_time_and_attributes_amounts() -> None:
    eng = engine_with([
        tx("a:1", A, "2026-01-10", "-1000", ref="a1", cp=B),
        tx("b:0", B, "2026-01-01", "-700", ref="b0", cp=C),  # before the money arrived
        tx("b:1", B, "2026-01-10", "1000", ref="b1", cp=A),
        tx("b:2", B, "2026-01-12", "-600", ref="b2", cp=C),
        tx("b:3", B, "2026-01-13", "-1400", ref="b3", cp="BG80BNBG96611020345678"),
    ])
    result = trace(eng, A, "forward", hops=3)
    assert result.start_total == Decimal("1000")
    second = {h.record_id: h for h in result.hops if h.hop == 2}
    assert set(second) == {"b:2", "b:3"}  # b:0 happened before the money arrived
    assert second["b:2"].attributed == Decimal("300.00")  # 1000 spread over 600 + 1400
    assert second["b:3"].attributed == Decimal("700.00")
    assert result.abroad() == Decimal("1000.00")  # FI and BG, both outside LV
    assert ("BG80BNBG96611020345678", Decimal("700.00"), "BG") in result.endpoints()
    assert sum(h.attributed for h in second.values()) <= Decimal("1000")


def test_backward_trace_looks_at_earlier_credits() -> None:
    eng = engine_with([
        tx("a:1", A, "2026-01-05", "300", ref="a1", cp=B),
        tx("a:2", A, "2026-01-09", "-300", ref="a2", cp=C),
        tx("b:1", B, "2026-01-05", "-300", ref="b1", cp=A),
        tx("b:2", B, "2026-01-02", "300", ref="b2", cp="LT601010012345678901"),
        tx("b:3", B, "2026-01-07", "900", ref="b3", cp=C),  # after: not a source
    ])
    result = trace(eng, A, "backward", hops=3)
    assert {h.record_id for h in result.hops} == {"a:1", "b:2"}


def test_trace_from_the_controller_reaches_the_origin_country(small: World) -> None:
    truth = json.loads(small.truth.read_text())
    op = next(o for o in truth["operations"] if o["id"].startswith("OP-SEX"))
    remit = next(t for t in truth["typologies"] if t["id"] == f"{op['id']}-R9-remit")
    account = remit["accounts"][0]
    eng = small.ws.records.ledger(small.case).engine
    result = trace(eng, account, "forward", hops=4)
    origin = {p["nationality"] for p in truth["people"] if p["id"] in op["actors"]}
    countries = {country for _, _, country in result.endpoints()}
    assert countries & origin
    assert result.abroad() > 0
    days = {}
    for h in result.hops:  # time-respecting: no hop leaves an account before money came
        if h.followed:
            days[h.target] = min(days.get(h.target, h.day), h.day)
    for h in result.hops:
        if h.hop > 1 and h.source in days:
            assert h.day >= days[h.source]


def test_trace_on_the_lazy_ledger_is_the_same(small: World) -> None:
    truth = json.loads(small.truth.read_text())
    account = next(t["accounts"][0] for t in truth["typologies"] if t["code"] == "R9")
    full = trace(small.ws.records.ledger(small.case).engine, account, "forward", hops=4)
    lazy = trace(small.ws.records.ledger(small.case, lazy=True).engine, account, "forward", hops=4)
    assert [vars(h) for h in lazy.hops] == [vars(h) for h in full.hops]


def _spread_by_hand(arrivals: list[tuple[int, Decimal]], rows: list[dict], forward: bool
                    ) -> dict[str, Decimal]:
    """The attribution as its rule reads: each arrival spread over every later move."""
    carried: dict[str, Decimal] = {}
    for dn, amount in arrivals:
        after = [r for r in rows if (r["dn"] >= dn if forward else r["dn"] <= dn)]
        total = sum((abs(Decimal(r["eur"])) for r in after), Decimal(0))
        if total:
            for r in after:
                carried[r["record_id"]] = carried.get(r["record_id"], Decimal(0)) + \
                    abs(Decimal(r["eur"])) * min(Decimal(1), amount / total)
    return carried


def test_attribution_in_one_pass_is_the_rule() -> None:
    import random

    from veriga.finance.trace import _attribute

    rng = random.Random(5)
    for forward in (True, False):
        for _ in range(30):
            rows = [{"record_id": f"r{n}", "dn": rng.randint(0, 40),
                     "eur": str(Decimal(rng.randint(-90000, 90000)) / 100)}
                    for n in range(rng.randint(0, 60))]
            arrivals = [(rng.randint(0, 45), Decimal(rng.randint(1, 500000)) / 100)
                        for _ in range(rng.randint(0, 30))]
            expected = {rid: min(v, abs(Decimal(next(r["eur"] for r in rows
                                                      if r["record_id"] == rid))))
                        for rid, v in _spread_by_hand(arrivals, rows, forward).items()
                        if v >= Decimal("10")}
            got = _attribute("A", arrivals, rows, forward, Decimal("10"), 1000)
            assert {r["record_id"]: v.quantize(Decimal("0.01")) for _, r, v in got} == {
                rid: v.quantize(Decimal("0.01")) for rid, v in expected.items()}


def test_trace_and_profile_from_the_rows_by_account_are_the_same(small: World) -> None:
    """A web server reads a trace's and a profile's accounts through the kept ledger's
    positions by account, not a scan of the ledger: the answers are the same."""
    from veriga.finance.profile import account_profile

    truth = json.loads(small.truth.read_text())
    account = next(t["accounts"][0] for t in truth["typologies"] if t["code"] == "R9")
    with small.ws.records.ledger(small.case) as led:
        assert led.rows_of is not None
        for way in ("forward", "backward"):
            scanned = trace(led.engine, account, way, hops=4)
            indexed = trace(led.engine, account, way, hops=4, rows_of=led.rows_of)
            assert scanned.hops and [vars(h) for h in indexed.hops] == \
                [vars(h) for h in scanned.hops]
        assert account_profile(led.engine, account, rows=led.rows_of([account])) == \
            account_profile(led.engine, account)
