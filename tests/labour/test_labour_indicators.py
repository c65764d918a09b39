"""The labour indicators on hand-made cases of known truth: a chain of invoices down to a
letterbox employer with its phoenix successor, a lawful subcontractor beside it, a firm
posting workers it hired the day before, deductions and pay below the minimum wage; what the
register's turnover, a contract dated before a firm existed, a worker's trips and a posted
worker's deductions tell; and the evaluation of one-worker schemes."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from labourcase import company, proxy, world

from veriga import analysis
from veriga.engine import get_engine
from veriga.labour.family import FAMILY
from veriga.labour.params import Params


@pytest.fixture
def run() -> Iterator[analysis.Run]:
    ents, inv = world()
    engine = get_engine("duckdb")
    engine.register_arrow("invoice", inv)
    yield FAMILY.run(analysis.Inputs("t", engine, lambda s: ents), FAMILY.params())
    engine.close()


def by_kind(run: analysis.Run, kind: str) -> list[Any]:
    return [f for f in run.findings if f.kind == kind and f.score >= run.flag_score]


def regs(f: Any) -> set[str]:
    return {k.value for k in f.evidence.keys if k.type == "registration"}


def test_the_chain_runs_from_the_main_contractor_down_to_the_letterbox(run: analysis.Run
                                                                        ) -> None:
    chains = by_kind(run, "labour.chain")
    tiers = {tuple(t["registration"] for t in f.details["chain"]) for f in chains}
    assert ("40001", "40002", "111") in tiers and ("40001", "40002", "222") in tiers
    first = next(f for f in chains if f.details["chain"][-1]["registration"] == "111")
    sub = first.details["chain"][1]
    assert sub["received"] == 100000 and sub["passed"] == 95000 and sub["kept"] == 5000
    assert sub["share_down"] == 0.95
    assert not any("40009" in regs(f) for f in chains), "the lawful subcontractor is no chain"
    assert {e["kind"] for e in first.details["edges"]} == {"subcontracts"}


def test_letterbox_and_phoenix_firms(run: analysis.Run) -> None:
    [address] = by_kind(run, "labour.shared_address")
    assert regs(address) == {"111", "222", "333"}
    [straw] = by_kind(run, "labour.straw_director")
    assert "straw" in straw.evidence.entity_ids and regs(straw) == {"111", "222", "333"}
    phoenix = by_kind(run, "labour.phoenix")
    pairs = {(f.details["predecessor"], f.details["successor"]) for f in phoenix}
    assert ("BG:111", "BG:222") in pairs, "GlobalStaff 2 took over EuroWork's workers"
    assert all(s != "BG:333" for _, s in pairs), "BalticLabor 3 took over nothing"
    assert not any(f for f in run.findings if "40009" in regs(f) and f.score >= 0.5)


def test_the_workers_side(run: analysis.Run) -> None:
    [deduction] = by_kind(run, "labour.deductions")
    assert regs(deduction) == {"222"} and "ded-0-2026-01" in deduction.evidence.entity_ids
    [low] = by_kind(run, "labour.below_min_wage")
    assert regs(low) == {"222"}, "300 EUR net is below 70 % of Latvia's minimum wage"
    [posting] = by_kind(run, "labour.posting")
    assert regs(posting) == {"222"} and posting.details["criteria"] >= 2


def test_thresholds_change_the_result() -> None:
    ents, inv = world()
    engine = get_engine("duckdb")
    engine.register_arrow("invoice", inv)
    params = FAMILY.params({"chain": {"min_value": 200000},
                            "firms": {"min_firms_at_address": 4}})
    assert isinstance(params, Params) and params.chain.min_value == Decimal(200000)
    run = FAMILY.run(analysis.Inputs("t", engine, lambda s: ents), params)
    assert not by_kind(run, "labour.chain") and not by_kind(run, "labour.shared_address")
    again = FAMILY.run(analysis.Inputs("t", engine, lambda s: ents), params)
    assert sorted(f.id for f in run.findings) == sorted(f.id for f in again.findings)
    engine.close()


def test_the_chain_diagram_draws_the_contractor_chain_in_the_exploitation_stage(
        run: analysis.Run) -> None:
    from veriga.chain.diagram import chain_graph

    ents, _ = world()
    graph = chain_graph(ents, run.findings)
    subcontracts = {(e.source, e.target) for e in graph.edges.values()
                    if e.kind == "subcontracts"}
    assert ("main", "sub") in subcontracts and ("sub", "lb1") in subcontracts
    assert graph.nodes["lb1"].role == "employer" and graph.nodes["sub"].stage == "exploitation"
    # the straw director and the owner behind the letterbox firms are drawn with them
    assert graph.nodes["straw"].role == "director"
    assert any(e.kind == "owns" and e.source == "ctl" for e in graph.edges.values())
    assert "legit" not in graph.nodes


def _run(ents: list[Any], inv: Any = None) -> analysis.Run:
    engine = get_engine("duckdb")
    try:
        if inv is not None:
            engine.register_arrow("invoice", inv)
        return FAMILY.run(analysis.Inputs("t", engine, lambda s: ents), FAMILY.params())
    finally:
        engine.close()


def test_the_register_turnover_tells_a_letterbox_from_a_business() -> None:
    """With turnover in the register, a registered firm that filed none and passed on little
    of what it received has no business of its own; a firm declaring more turnover than the
    case shows it received is a business the case sees part of."""
    ents, inv = world()
    for e in ents:
        if e.id in ("main", "sub"):
            e.add("amountEur", "5000000")
    legit = next(e for e in ents if e.id == "legit")
    unfiled = _run(ents, inv)
    assert "40009" in {r for f in by_kind(unfiled, "labour.no_employees") for r in regs(f)}, \
        "30,000 EUR received, 8,400 paid in wages, no turnover filed"
    legit.add("amountEur", "2000000")
    run = _run(ents, inv)
    empty = by_kind(run, "labour.no_employees")
    assert {r for f in empty for r in regs(f)} == {"111", "222"}
    assert all("no turnover" in f.explanation for f in empty)
    [posting] = by_kind(run, "labour.posting")
    assert "the register shows no turnover for it" in posting.explanation


def test_a_contract_dated_before_the_firm_was_registered() -> None:
    ents, inv = world()
    ents += [proxy("Contract", "c1", name="SC-1", authority="sub", contractDate="2026-02-15",
                   amount="44280", currency="EUR"),
             proxy("ContractAward", "aw1", contract="c1", supplier="lb3")]
    [young] = [f for f in by_kind(_run(ents, inv), "labour.new_firm") if regs(f) == {"333"}]
    assert "14 days before it was registered" in young.explanation


def test_a_worker_who_arrived_before_the_posting_and_is_on_no_payroll() -> None:
    """A booking names the worker by an initial; the bus arrived a month before the posting
    began and no later trip took the worker away. Another worker went home before it."""
    ents, inv = world()
    riga, kyiv = (proxy("Address", "riga", full="Riga", city="Riga"),
                  proxy("Address", "kyiv", full="Kyiv", city="Kyiv"))
    ents += [riga, kyiv]
    for pid, name, trips in (("t1", "Taras Bondarenko", [("2026-01-20", "riga")]),
                             ("t2", "Petro Savchuk", [("2026-01-10", "riga"),
                                                      ("2026-01-25", "kyiv")])):
        ents += [proxy("Person", pid, name=name),
                 proxy("Employment", f"a1-{pid}", employer="lb2", employee=pid,
                       startDate="2026-02-21", endDate="2026-03-31"),
                 proxy("UnknownLink", f"post-{pid}", subject=pid, object="main", role="Riga")]
        initial = f"{name[0]}. {name.split()[1]}"
        ents.append(proxy("Person", f"b-{pid}", name=initial))
        for i, (when, dest) in enumerate(trips):
            ents.append(proxy("Trip", f"trip-{pid}-{i}", startDate=when, endLocation=dest,
                              involved=f"b-{pid}"))
    [found] = [f for f in by_kind(_run(ents, inv), "labour.unregistered") if regs(f) == {"222"}]
    assert found.details["workers"] == ["Taras Bondarenko"]
    assert "trip-t1-0" in found.evidence.entity_ids


def test_a_posted_workers_pay_is_compared_after_the_deductions() -> None:
    """Two firms pay 500 EUR and take 200 EUR for housing: the Latvian firm's own staff earn
    700 EUR before the deduction, above 70 % of the Latvian minimum (546 EUR); the workers a
    Bulgarian firm posts to Latvia keep 500 EUR of pay that should bear no housing costs."""
    ents = [proxy("Company", "home", registrationNumber="40003", jurisdiction="LV",
                  name="Home Build SIA"),
            proxy("Company", "sender", registrationNumber="444", jurisdiction="BG",
                  name="Sender EOOD"),
            proxy("Company", "site", registrationNumber="40004", jurisdiction="LV",
                  name="Site SIA")]
    for firm in ("home", "sender"):
        for i in range(2):
            pid = f"{firm}-w{i}"
            ents.append(proxy("Person", pid, name=f"Worker{i} {firm.title()}"))
            if firm == "sender":
                ents += [proxy("Employment", f"a1-{pid}", employer="sender", employee=pid,
                               startDate="2026-01-01", endDate="2026-03-31"),
                         proxy("UnknownLink", f"post-{pid}", subject=pid, object="site",
                               role="Riga")]
            for m in ("2026-01", "2026-02"):
                ents += [proxy("Payment", f"pay-{pid}-{m}", payer=firm, beneficiary=pid,
                               amount="500.00", currency="EUR", date=f"{m}-25", purpose=m),
                         proxy("Payment", f"ded-{pid}-{m}", payer=pid, beneficiary=firm,
                               amount="200.00", currency="EUR", date=f"{m}-25", purpose=m,
                               description="housing deduction")]
    low = by_kind(_run(ents), "labour.below_min_wage")
    assert [regs(f) for f in low] == [{"444"}]


def test_a_one_worker_scheme_is_found_only_by_a_finding_naming_the_worker() -> None:
    from veriga.findings import Evidence, Finding, Key
    from veriga.labour.quality import evaluate

    truth = {"people": [{"id": "P1", "name": "Павлов Георги", "name_latin": "Georgi Pavlov",
                         "records": []},
                        {"id": "P2", "name": "Ivan Petrov", "records": []}],
             "labour_schemes": [
                 {"id": f"U{i}", "kind": "unregistered_worker", "people": [pid],
                  "companies": [{"registration_number": "111", "name": "EuroWork EOOD"}]}
                 for i, pid in enumerate(("P1", "P2"))]}

    def flagged(workers: list[str]) -> Finding:
        return Finding(kind="labour.unregistered", score=0.7, explanation="",
                       evidence=Evidence(keys=[Key("registration", "111")]),
                       detector="veriga.labour.unregistered", detector_version="1",
                       details={"workers": workers})

    run = analysis.Run("labour", [flagged(["PAVLOV GEORGI"])], 0.5, [], {})
    [score] = [s for s in evaluate(run, truth) if s.detector == "labour.unregistered"]
    assert (score.truth, score.found, score.flagged, score.correct) == (2, 1, 1, 1)
    run = analysis.Run("labour", [flagged(["Somebody Else"])], 0.5, [], {})
    [score] = [s for s in evaluate(run, truth) if s.detector == "labour.unregistered"]
    assert (score.found, score.correct) == (0, 0)


def test_money_taken_from_the_workers_is_found_by_a_finding_naming_its_account() -> None:
    from veriga.findings import Evidence, Finding, Key
    from veriga.labour.quality import evaluate

    truth = {"labour_schemes": [
        {"id": "K", "kind": "wage_kickback", "accounts": ["LV05RIKO9729806351396"],
         "companies": [{"registration_number": "111", "name": "EuroWork EOOD"}]}]}

    def found(ibans: list[str]) -> int:
        f = Finding(kind="labour.wage_control", score=0.7, explanation="",
                    evidence=Evidence(keys=[Key("registration", "111"),
                                            *(Key("iban", i) for i in ibans)]),
                    detector="veriga.labour.wage_control", detector_version="1")
        [score] = [s for s in evaluate(analysis.Run("labour", [f], 0.5, [], {}), truth)
                   if s.detector == "labour.wage_control"]
        return score.found

    assert found(["LV05RIKO9729806351396"]) == 1 and found(["LV99OTHER"]) == 0


def test_a_namesake_of_a_director_holds_no_controllers_account() -> None:
    """A statement's holder named like a director is his account unless a worker of the
    case bears the name with a birth date that cannot be his (the firms pay her wages)."""
    from veriga.labour.case import read_case

    def case_of(born: str | None, works: bool = True) -> Any:
        firm = company("f", "40009", "LV", "Euro Step SIA")
        boss = proxy("Person", "boss", name="Ivanka Stoyanova", birthDate="1971-04-02")
        other = proxy("Person", "other", name="Ivanka Stoyanova",
                      **({"birthDate": born} if born else {}))
        role = proxy("Directorship", "d1", organization="f", director="boss")
        job = proxy("Employment", "e1", employer="f", employee="other")
        case = read_case([firm, boss, other, role, *([job] if works else [])])
        case.name_account("LV00BANK0000000000001", "STOYANOVA IVANKA")
        return case.accounts.get("LV00BANK0000000000001")

    assert case_of("1993-09-30") is None  # a worker of another age: no controller's account
    boss = ("person", "boss")
    assert case_of(None) == boss  # nothing tells them apart: the director's record stands
    assert case_of("1971-02-04") == boss  # day and month swapped: one person's records
    assert case_of("1993-09-30", works=False) == boss  # a namesake who works for no firm
