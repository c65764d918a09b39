"""Recall and precision of the financial detectors against a simulated world's answer key.

A typology of ``ground_truth.json`` is matched by the detector of its red flag (R1-R12) or,
for the cycle and scatter-gather shapes and the laundering shapes (code ``shape.*``), by that
shape's detector. Red flags are scored by transactions. Recall: the share of the typology's
transactions (both legs of a transfer between two held accounts) that the detector flags
with a score at or above the flag score. Precision: the share of what the detector flags
that belongs to any of the world's criminal typologies; lawful accounts and the look-alike
decoys are where false alarms would come from.

Shapes are scored by accounts, as the AML simulators label them: recall is the share of the
accounts taking part in the shape's typologies that its findings flag (``details["flagged"]``,
the accounts of the shape's transfers), precision the share of the accounts they flag that
take part in any criminal typology of the key (named by it, or holding one of its
transactions).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from veriga.analysis import Score
from veriga.finance.analyze import Result
from veriga.findings import Finding

#: The family-specific counts of a finance Score: accounts of the answer key, and found.
KEY_ACCOUNTS, FOUND_ACCOUNTS = "key accounts", "found accounts"
#: Labour schemes whose firms declare posted workers they do not pay (R13's nature).
PAYROLL_SCHEMES = ("bogus_posting", "unregistered_worker")


def truth_kind(code: str, shape: str | None) -> str:
    if code.startswith("shape."):
        return code
    return f"shape.{shape}" if shape in ("cycle", "scatter_gather") else code


def flagged_accounts(finding: Finding) -> set[str]:
    """The accounts a shape's finding flags (its IBANs where it names none apart)."""
    named = (finding.details or {}).get("flagged")
    if isinstance(named, list):
        return {str(a) for a in named}
    return {k.value for k in finding.evidence.keys if k.type == "iban"}


def shape_scores(findings: Sequence[Finding], truth: Mapping[str, Any], kinds: Sequence[str],
                 flag_score: float) -> list[Score]:
    """Each shape kind scored by accounts (see the module's docstring)."""
    kind_of = {t["id"]: truth_kind(t["code"], t["shape"]) for t in truth["typologies"]}
    criminal = {a for t in truth["typologies"] for a in t["accounts"]}
    criminal |= {row["account"] for row in truth["typology_transactions"]}
    scores = []
    for kind in kinds:
        want = {a for t in truth["typologies"] if kind_of[t["id"]] == kind
                for a in t["accounts"]}
        flagged: set[str] = set()
        for f in findings:
            if f.kind == kind and f.score >= flag_score:
                flagged |= flagged_accounts(f)
        scores.append(Score(kind, len(want), len(want & flagged), len(flagged),
                            len(flagged & criminal), {KEY_ACCOUNTS: len(want),
                                                      FOUND_ACCOUNTS: len(want & flagged)}))
    return scores


def evaluate(result: Result, truth: Path | Mapping[str, Any], flag_score: float = 0.5,
             findings: Sequence[Finding] = ()) -> list[Score]:
    """One Score per detector kind present in the answer key or in the findings.

    R13 rests on registers, not transactions: it is scored on the companies' registration
    numbers, from ``findings`` (the run's findings including R13). Its recall counts the
    companies of the R13 typologies; its precision, like every detector's, counts what it
    flags among the world's criminal firms of that nature: those of the R13 typologies and
    the firms of the answer key's labour schemes (not decoys) that post workers on A1 forms
    whom they do not pay (``bogus_posting``, ``unregistered_worker``).
    """
    if isinstance(truth, Path):
        truth = dict(json.loads(truth.read_text(encoding="utf-8")))
    assert isinstance(truth, Mapping)
    kind_of = {t["id"]: truth_kind(t["code"], t["shape"]) for t in truth["typologies"]}
    accounts_of: dict[str, set[str]] = {}
    for t in truth["typologies"]:
        if t["transactions"]:
            accounts_of.setdefault(kind_of[t["id"]], set()).update(t["accounts"])
    by_kind: dict[str, set[tuple[str, str]]] = {}
    criminal: set[tuple[str, str]] = set()
    for row in truth["typology_transactions"]:
        key = (row["account"], row["bank_ref"])
        by_kind.setdefault(kind_of[row["typology"]], set()).add(key)
        criminal.add(key)
    shaped = {k for k in kind_of.values() if k.startswith("shape.")}
    kinds = sorted(set(by_kind) | shaped | {f.kind for f in result.findings}
                   - {"R13", "proceeds"})
    by_shape = {s.detector: s for s in shape_scores(
        result.findings, truth, [k for k in kinds if k.startswith("shape.")], flag_score)}
    scores = []
    for kind in kinds:
        if kind in by_shape:
            scores.append(by_shape[kind])
            continue
        flagged = {(result.records[r]["account"], result.records[r]["ref"])
                   for r in result.flagged(kind, flag_score) if r in result.records}
        accounts = {k[0] for k in flagged}
        want = by_kind.get(kind, set())
        scores.append(Score(kind, len(want), len(want & flagged), len(flagged),
                            len(flagged & criminal), {
                                KEY_ACCOUNTS: len(accounts_of.get(kind, ())),
                                FOUND_ACCOUNTS: len(accounts_of.get(kind, set())
                                                    & accounts)}))
    regs = {e["value"] for t in truth["typologies"] if t["code"] == "R13"
            for e in t.get("evidence", [])}
    found = {k.value for f in findings if f.kind == "R13" and f.score >= flag_score
             for k in f.evidence.keys if k.type == "registration"}
    posting = regs | {c["registration_number"] for s in truth.get("labour_schemes", ())
                      if not s.get("decoy") and s["kind"] in PAYROLL_SCHEMES
                      for c in s.get("companies", ())}
    if regs or found:
        scores.append(Score("R13 (companies)", len(regs), len(regs & found), len(found),
                            len(posting & found)))
    return scores
