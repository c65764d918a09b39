"""Run every financial detector over a prepared ledger and turn its groups into Findings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from veriga.engine import Engine
from veriga.finance.detectors import DETECTORS, Detector, Group, run
from veriga.finance.ledger import ledger_rows
from veriga.finance.params import Params
from veriga.findings import Evidence, Finding, Key
from veriga.model.ids import account_id

VERSION = "1"
Progress = Callable[[str, int, int], None]


@dataclass
class Result:
    """Findings of one run, plus the groups behind them (for proceeds and evaluation)."""

    findings: list[Finding] = field(default_factory=list)
    groups: dict[str, list[Group]] = field(default_factory=dict)
    mirrors: dict[str, list[str]] = field(default_factory=dict)
    records: dict[str, dict] = field(default_factory=dict)  # record_id -> account, ref, ...
    group_of: dict[str, Group] = field(default_factory=dict)  # finding id -> its group
    skipped: list[str] = field(default_factory=list)  # detectors not run on this engine

    def flagged(self, kind: str, min_score: float) -> set[str]:
        """Record ids (with mirror legs) of this kind's findings scoring at least min_score."""
        out: set[str] = set()
        for finding in self.findings:
            if finding.kind == kind and finding.score >= min_score:
                out.update(finding.evidence.record_ids)
        return out


def _lookup(engine: Engine, ids: Sequence[str]) -> dict[str, dict]:
    return ledger_rows(engine, ids, ("account", "ref", "source_id", "dn", "eur", "cp_account"))


def _mirrors(engine: Engine) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for row in engine.query("SELECT record_id, mirror_id FROM legs").to_pylist():
        out.setdefault(row["record_id"], []).append(row["mirror_id"])
    return out


def finding_for(detector: Detector, group: Group, params: Params, mirrors: dict[str, list[str]],
                records: dict[str, dict]) -> Finding:
    """One Finding: explanation, score, and the transactions, accounts and files it rests on."""
    score, text = detector.explain(group, params)
    ids = {r["record_id"] for r in group.rows}
    for rid in list(ids):
        ids.update(mirrors.get(rid, ()))
    rows = sorted((records[i] for i in ids if i in records),
                  key=lambda r: (r["dn"], r["record_id"]))
    flagged = sorted({a for r in group.rows for a in (r["account"], r["cp_account"]) if a})
    accounts = sorted({r["account"] for r in rows if r["account"]}
                      | {r["cp_account"] for r in group.rows if r["cp_account"]}
                      | (set(flagged) if detector.participants else set()))
    keys = [Key("iban", a) for a in accounts]
    keys += [Key("transaction", r["ref"]) for r in rows if r["ref"]]
    evidence = Evidence(
        entity_ids=sorted({account_id(a) for a in accounts}),
        source_ids=sorted({r["source_id"] for r in rows}),
        record_ids=[r["record_id"] for r in rows],
        keys=keys,
    )
    details = None
    if detector.participants:  # a shape: its accounts are flagged, any other is context
        details = {"flagged": flagged, "context": [a for a in accounts if a not in flagged]}
    return Finding(kind=detector.kind, score=score, explanation=str(text), message=text,
                   evidence=evidence,
                   detector=f"veriga.finance.{detector.kind}", detector_version=VERSION,
                   title=detector.title, citation=detector.citation, details=details)


def analyze(engine: Engine, params: Params | None = None,
            detectors: Sequence[Detector] = DETECTORS,
            progress: Progress | None = None) -> Result:
    """Run ``detectors`` on a prepared engine (see :func:`veriga.finance.ledger.prepare`)."""
    params = params or Params()
    result = Result(mirrors=_mirrors(engine))
    for i, detector in enumerate(detectors):
        if progress:
            progress(detector.kind, i, len(detectors))
        if getattr(engine, "name", "duckdb") not in detector.engines:
            result.skipped.append(detector.kind)
            result.groups[detector.kind] = []
            continue
        result.groups[detector.kind] = run(engine, detector, params)
    wanted: set[str] = set()
    for groups in result.groups.values():
        for group in groups:
            for row in group.rows:
                wanted.add(row["record_id"])
                wanted.update(result.mirrors.get(row["record_id"], ()))
    result.records = _lookup(engine, sorted(wanted))
    for detector in detectors:
        for group in result.groups[detector.kind]:
            finding = finding_for(detector, group, params, result.mirrors, result.records)
            result.findings.append(finding)
            result.group_of[finding.id] = group
    if progress:
        progress("done", len(detectors), len(detectors))
    return result
