"""The labour indicators on hand-made cases of known truth: a chain of invoices down to a
letterbox employer with its phoenix successor, a lawful subcontractor beside it, a firm
posting workers it hired the day before, deductions and pay below the minimum wage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest
from followthemoney import EntityProxy

from veriga import analysis
from veriga.engine import get_engine
from veriga.labour.chain import INVOICE_SCHEMA
from veriga.labour.family import FAMILY
from veriga.labour.params import Params
from veriga.model import model


def proxy(schema: str, eid: str, **props: Any) -> EntityProxy:
    p = model.make_entity(schema)
    p.id = eid
    for k, v in props.items():
        for value in v if isinstance(v, list) else [v]:
            p.add(k, value)
    return p


def company(eid: str, reg: str, country: str, name: str, **props: Any) -> EntityProxy:
    return proxy("Company", eid, registrationNumber=reg, jurisdiction=country, name=name,
                 **props)


def invoices(rows: list[tuple[str, str, str, str, str, int]]) -> pa.Table:
    cols: dict[str, list[Any]] = {f.name: [] for f in INVOICE_SCHEMA}
    for i, (buyer, bc, supplier, sc, day, amount) in enumerate(rows):
        row = dict.fromkeys(cols)
        row.update(record_id=f"inv{i}", source_id="s", locator=f"line {i + 2}",
                   invoice_no=f"I{i}", issue_date=date.fromisoformat(day), buyer_reg=buyer,
                   buyer_country=bc, supplier_reg=supplier, supplier_country=sc,
                   net_amount=Decimal(amount), amount_eur=Decimal(amount), currency="EUR")
        for k, v in row.items():
            cols[k].append(v)
    return pa.table(cols, schema=INVOICE_SCHEMA)


def world() -> tuple[list[EntityProxy], pa.Table]:
    straw = proxy("Person", "straw", name="Ivan Petrov", nationality="bg")
    ctl = proxy("Person", "ctl", name="Roman Moroz")
    ents = [
        company("main", "40001", "LV", "Main Build SIA", incorporationDate="2010-01-01"),
        company("sub", "40002", "LV", "Smart Sub SIA", incorporationDate="2015-01-01"),
        company("lb1", "111", "BG", "EuroWork EOOD", incorporationDate="2025-06-01",
                dissolutionDate="2026-02-20", address="Pikk 96, Sofia"),
        company("lb2", "222", "BG", "GlobalStaff 2 EOOD", incorporationDate="2026-01-10",
                address="Pikk 96, Sofia"),
        company("lb3", "333", "BG", "BalticLabor 3 EOOD", incorporationDate="2026-03-01",
                address="Pikk 96, Sofia"),
        company("legit", "40009", "LV", "Legit Sub SIA", incorporationDate="2005-01-01",
                address="Brivibas 1, Riga"),
        straw, ctl,
    ]
    for f in ("lb1", "lb2", "lb3"):
        ents.append(proxy("Directorship", f"d-{f}", director="straw", organization=f))
        ents.append(proxy("Ownership", f"o-{f}", owner="ctl", asset=f))
    for i in range(6):
        w = proxy("Person", f"w{i}", name=f"Worker{i} Name", birthDate="1990-01-0" + str(i + 1))
        ents.append(w)
        sender = "lb1" if i < 4 else "lb2"
        ents.append(proxy("Employment", f"a1-{i}", employer=sender, employee=f"w{i}",
                          startDate="2026-01-05", endDate="2026-02-15"))
        ents.append(proxy("Employment", f"a1b-{i}", employer="lb2", employee=f"w{i}",
                          startDate="2026-02-21", endDate="2026-03-31", date="2026-02-20"))
        ents.append(proxy("UnknownLink", f"post-{i}", subject=f"w{i}", object="main",
                          role="Riga"))
        for m in ("2026-01", "2026-02", "2026-03"):
            ents.append(proxy("Payment", f"pay-{i}-{m}", payer="lb2", beneficiary=f"w{i}",
                              amount="300.00", currency="EUR", date=f"{m}-10", purpose=m))
            ents.append(proxy("Payment", f"ded-{i}-{m}", payer=f"w{i}", beneficiary="lb2",
                              amount="250.00", currency="EUR", date=f"{m}-10",
                              purpose=f"housing {m}"))
    # the lawful subcontractor: its own staff on a full payroll at lawful pay
    for i in range(3):
        ents.append(proxy("Person", f"l{i}", name=f"Lawful{i} Person"))
        for m in ("2026-01", "2026-02"):
            ents.append(proxy("Payment", f"lp-{i}-{m}", payer="legit", beneficiary=f"l{i}",
                              amount="1400.00", currency="EUR", date=f"{m}-10", purpose=m))
    inv = invoices([
        ("40001", "LV", "40002", "LV", "2026-01-31", 100000),
        ("40002", "LV", "111", "BG", "2026-02-02", 95000),
        ("40002", "LV", "222", "BG", "2026-03-02", 60000),
        ("40001", "LV", "40009", "LV", "2026-01-31", 30000),
    ])
    return ents, inv


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
    assert regs(low) == {"222"}, "300 EUR net is below 60 % of Latvia's minimum wage"
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
