"""Financial investigation: follow the money, THB red flags, laundering shapes, proceeds.

``run_case`` is what ``veriga analyze`` runs: prepare the ledger on an engine (DuckDB or
Spark), run every detector, add R13 from employment and payroll records, and estimate the
proceeds. Every result is a :class:`~veriga.findings.Finding`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from followthemoney import EntityProxy

from veriga.engine import Engine
from veriga.finance.analyze import Progress, Result, analyze
from veriga.finance.detectors import DETECTORS
from veriga.finance.ledger import holders_table, prepare
from veriga.finance.params import Params
from veriga.finance.payroll import payroll_gap
from veriga.finance.proceeds import Estimate, as_findings, estimate
from veriga.finance.trace import Trace, trace
from veriga.findings import Finding
from veriga.model.holdings import holdings

DETECTOR_PREFIX = "veriga.finance."
#: Who holds which account: the entities the ledger's holder names come from.
HOLDER_SCHEMATA = ("BankAccount", "Ownership", "LegalEntity", "Person", "Company",
                   "Organization")
#: Every schema the finance family reads (the holders, employments and payroll payments).
SCHEMATA = (*HOLDER_SCHEMATA, "Employment", "Payment")


@dataclass
class CaseRun:
    result: Result
    estimate: Estimate
    findings: list[Finding] = field(default_factory=list)
    holders: dict[str, str] = field(default_factory=dict)


def account_holders(entities: Iterable[EntityProxy]) -> list[tuple[str, str]]:
    """(account number, holder name) from BankAccount, Ownership and the holder entities."""
    entities = list(entities)
    by_id = {e.id: e for e in entities}
    pairs = []
    for held in holdings(entities):
        owner = by_id.get(held.owner_id)
        if owner is None:
            continue
        for number in held.numbers:
            for name in owner.get("name")[:1]:
                pairs.append((number, name))
    return pairs


def ledger_names(engine: Engine) -> list[tuple[str, str]]:
    """(account, name) as other statements name the holder of a counterparty account: the
    name they give most often (of equals, the first in order), chosen in SQL."""
    table = engine.query(
        "SELECT cp_account, name FROM (SELECT cp_account, name, ROW_NUMBER() OVER ("
        "PARTITION BY cp_account ORDER BY n DESC, name) AS r FROM (SELECT cp_account, "
        "upper(trim(cp_name)) AS name, COUNT(*) AS n FROM ledger WHERE cp_account IS NOT NULL "
        "AND cp_name IS NOT NULL GROUP BY cp_account, upper(trim(cp_name))) counted) ranked "
        "WHERE r = 1")
    return list(zip(table.column("cp_account").to_pylist(), table.column("name").to_pylist(),
                    strict=True))


def run_case(engine: Engine, entities: Iterable[EntityProxy], params: Params | None = None,
             progress: Progress | None = None) -> CaseRun:
    """All financial analyses of one case."""
    params = params or Params()
    entities = list(entities)
    pairs = account_holders(entities)
    prepare(engine, holders_table(pairs), params.common.pass_window_days,
            params.r12.long_window_days)
    holders = {r["account"]: r["holder"]
               for r in holders_table(ledger_names(engine)).to_pylist()}
    holders.update((r["account"], r["holder"]) for r in holders_table(pairs).to_pylist())
    result = analyze(engine, params, progress=progress)
    est = estimate(result, holders, params.common.flag_score)
    findings = [*result.findings, *payroll_gap(entities, params), *as_findings(est, result)]
    return CaseRun(result, est, findings, holders)


__all__ = ["DETECTORS", "DETECTOR_PREFIX", "HOLDER_SCHEMATA", "SCHEMATA", "CaseRun", "Estimate",
           "Params", "Result", "Trace", "account_holders", "analyze", "estimate", "payroll_gap",
           "prepare", "run_case", "trace"]
