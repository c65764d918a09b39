"""Labour exploitation as an analysis family: the subcontracting chain from the main
contractor down to the workers' employer, genuine posting, letterbox and phoenix firms, and
the workers' side (fees, wages taken, deductions, pay below the minimum, workers on no
payroll), over the case's entities and its ``invoice``, ``transaction`` and ``call`` records.

It reads the money through the finance family's ledger (:mod:`veriga.finance.ledger`) and
its R2, R3 and R8 detectors, and ties what they find to the employers of the chain.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pyarrow as pa

from veriga import analysis
from veriga.analysis.params import dataclass_params
from veriga.engine import Engine
from veriga.finance import account_holders, ledger_names
from veriga.finance.detectors import DETECTORS as FINANCE_DETECTORS
from veriga.finance.detectors import run as run_finance
from veriga.finance.ledger import holders_table, prepare
from veriga.finance.params import Params as FinanceParams
from veriga.findings import N_
from veriga.labour.case import SCHEMATA, LabourCase, read_case
from veriga.labour.chain import INVOICE_SCHEMA, chains, outflows, prepare_chain
from veriga.labour.detectors import (
    DETECTORS,
    PREFIX,
    a1_findings,
    chain_findings,
    fee_findings,
    firm_findings,
    pay_findings,
    posting_findings,
    unregistered_findings,
    wage_findings,
)
from veriga.labour.params import Params


def _has(engine: Engine, table: str) -> bool:
    try:
        engine.query(f'SELECT * FROM "{table}" LIMIT 0')
    except Exception:  # noqa: BLE001 - each engine raises its own "no such table"
        return False
    return True


def register_case(engine: Engine, case: LabourCase) -> None:
    """The case's tables the SQL reads (``lab_*``); an empty ``invoice`` table if the case
    has none."""
    engine.register_arrow("lab_firms", case.firm_table())
    engine.register_arrow("lab_accounts", case.account_table())
    engine.register_arrow("lab_roles", pa.table(
        {"firm": pa.array([r[0] for r in case.roles], pa.string()),
         "person": pa.array([r[1] for r in case.roles], pa.string())}))
    engine.register_arrow("lab_contracts", case.contract_table())
    employers = sorted({x.sender for x in case.postings} | {p.firm for p in case.pays})
    engine.register_arrow("lab_employers", pa.table({"firm": pa.array(employers, pa.string())}))
    if not _has(engine, "invoice"):
        engine.register_arrow("invoice", INVOICE_SCHEMA.empty_table())


def finance_groups(engine: Engine, kinds: tuple[str, ...]) -> dict[str, list[Any]]:
    """The groups of finance's detectors of ``kinds`` on the prepared ledger."""
    fp = FinanceParams()
    return {d.kind: run_finance(engine, d, fp) for d in FINANCE_DETECTORS if d.kind in kinds}


def call_sightings(engine: Engine, case: LabourCase) -> dict[str, list[tuple[str, date, str]]]:
    """Per worker: (record, day, country of the cell) of calls from or to the worker's phones;
    a cell's country is the two letters before its first ``-`` (``LV-4525``)."""
    phones = sorted({(ph, w) for w, ps in case.phones.items() for ph in ps})
    if not phones or not _has(engine, "call"):
        return {}
    engine.register_arrow("lab_phones", pa.table({"phone": [p for p, _ in phones],
                                                  "worker": [w for _, w in phones]}))
    rows = engine.query("""
SELECT p.worker, c.record_id, CAST(c.start AS DATE) AS day, upper(substr(c.cell_id, 1, 2)) AS cc
FROM "call" c JOIN lab_phones p ON p.phone = c.caller OR p.phone = c.callee
WHERE c.cell_id IS NOT NULL AND substr(c.cell_id, 3, 1) = '-'""").to_pylist()
    out: dict[str, list[tuple[str, date, str]]] = defaultdict(list)
    for r in rows:
        out[r["worker"]].append((f"rec:{r['record_id']}", r["day"], r["cc"]))
    return out


class Labour(analysis.Family):
    """Subcontracting chains, postings, letterbox and phoenix firms and the workers' side."""

    name = "labour"
    title = N_("Labour exploitation schemes")
    prefix = PREFIX
    schemata = SCHEMATA
    record_kinds = ("invoice", "transaction", "call")
    detectors = DETECTORS

    def params(self, data: Mapping[str, Any] | None = None, where: str = "params") -> Params:
        return Params().override(dict(data or {}), where)

    def describe_params(self) -> list[analysis.Param]:
        return dataclass_params(Params())

    def run(self, inputs: analysis.Inputs, params: Params | None,
            progress: analysis.Progress | None = None) -> analysis.Run:
        params = params or Params()
        steps = 5

        def step(name: str, i: int) -> None:
            if progress is not None:
                progress(name, i, steps)

        step("entities", 0)
        entities = list(inputs.entities(self.schemata))
        case = read_case(entities)
        engine = inputs.engine
        with_ledger = _has(engine, "transaction")
        groups: dict[str, list[Any]] = {}
        names: dict[str, str] = {}
        if with_ledger:
            step("ledger", 1)
            prepare(engine, holders_table(account_holders(entities)))
            groups = finance_groups(engine, ("R2", "R3", "R8"))
            names = dict(ledger_names(engine))
            for account, name in sorted(names.items()):
                case.name_account(account, name)
        register_case(engine, case)
        step("chains", 2)
        prepare_chain(engine, with_ledger, params.chain.max_depth)
        found = chains(engine, params.chain.max_depth)
        out = outflows(engine) if with_ledger else {}
        received = {r["supplier"]: Decimal(r["got"] or 0) for r in engine.query(
            "SELECT supplier, SUM(GREATEST(invoiced, paid)) AS got FROM lab_pairs "
            "GROUP BY supplier").to_pylist()}
        invoiced: dict[str, dict[str, Decimal]] = {}
        for r in engine.query("""
SELECT supplier, SUM(invoiced) AS total,
  SUM(CASE WHEN substr(buyer, 1, 2) = substr(supplier, 1, 2) THEN invoiced ELSE 0 END) AS home
FROM lab_pairs WHERE invoices > 0 GROUP BY supplier""").to_pylist():
            invoiced[r["supplier"]] = {"total": Decimal(r["total"] or 0),
                                       "home": Decimal(r["home"] or 0)}
        pairs = [(r["buyer"], r["supplier"]) for r in engine.query(
            "SELECT buyer, supplier FROM lab_pairs").to_pylist()]
        passed = {r["buyer"]: Decimal(r["gave"] or 0) for r in engine.query(
            "SELECT buyer, SUM(GREATEST(invoiced, paid)) AS gave FROM lab_pairs "
            "GROUP BY buyer").to_pylist()}
        step("firms", 3)
        firm_found, signals = firm_findings(case, received, passed, pairs, out, params)
        calls = call_sightings(engine, case)
        step("workers", 4)
        findings = [*chain_findings(case, found, out, signals, params), *firm_found,
                    *posting_findings(case, invoiced, params),
                    *a1_findings(case, calls, params), *pay_findings(case, params),
                    *unregistered_findings(case, calls, params)]
        if groups:
            fees = [(g.key, sorted({r["cp_account"] for r in g.rows if r["cp_account"]}),
                     [r["record_id"] for r in g.rows]) for g in groups.get("R8", [])]
            findings += fee_findings(case, fees, params)
            takers = [(g.key, sorted({r["cp_account"] for r in g.rows if r["cp_account"]}),
                       [r["record_id"] for r in g.rows], "R2") for g in groups.get("R2", [])]
            takers += [(g.key, sorted({r["account"] for r in g.rows if r["account"]}
                                      - {g.key}), [r["record_id"] for r in g.rows], "R3")
                       for g in groups.get("R3", []) if not g.key.startswith(("NAME:", "TEXT:"))]
            findings += wage_findings(case, takers, names, params)
        step("done", steps)
        unique = {f.id: f for f in findings}
        kinds = Counter(f.kind for f in unique.values() if f.score >= 0.5)
        notes = [f"{len(case.firms)} firms, {len(found)} chain(s) above an employer, "
                 f"{len(case.postings)} posting declaration(s), {len(case.pays)} payslip(s); "
                 + (", ".join(f"{k} {n}" for k, n in sorted(kinds.items())) or
                    "no indicator at or above the flag score") + "."]
        detail = {"case": case, "chains": found, "signals": signals}
        return analysis.Run(self.name, list(unique.values()), 0.5, notes, detail)

    def evaluate(self, run: analysis.Run, truth: Mapping[str, Any]) -> list[analysis.Score]:
        from veriga.labour.quality import evaluate

        return evaluate(run, truth)


FAMILY = Labour()
