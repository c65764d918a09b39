"""The labour family against a simulated world's answer key.

With the key's ``labour_schemes`` (each ``{id, kind, operation, companies, records}``, the
lawful decoys among them): a scheme is found when a flagged finding of the detector for its
kind names (by registration number) one of its companies; a flagged finding is correct when
it names a company of a scheme of its kinds that is no decoy. Without them (older worlds):
the operations stand for the schemes, each detector scored on the operations whose
companies its flagged findings name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from veriga import analysis
from veriga.labour.case import name_key

#: answer-key scheme kind -> the detector that should find it
KIND_DETECTOR = {
    "subcontracting_chain": "labour.chain", "shared_address": "labour.shared_address",
    "straw_director": "labour.straw_director",
    "phoenix": "labour.phoenix", "no_employees_large_flows": "labour.no_employees",
    "new_firm_large_subcontract": "labour.new_firm", "bogus_posting": "labour.posting",
    "recruitment_fees": "labour.fees", "wage_kickback": "labour.wage_control",
    "shared_wage_account": "labour.wage_control", "excessive_deductions": "labour.deductions",
    "below_min_wage": "labour.below_min_wage", "unregistered_worker": "labour.unregistered",
}
DECOYS = ("lawful_subcontracting", "staffing_agency", "genuine_posting", "lawful_dissolution")
#: a letterbox is what several indicators about one firm show together
LETTERBOX = ("labour.shared_address", "labour.straw_director", "labour.no_employees",
             "labour.posting")
#: detectors a bogus posting may also be found by
ALSO = {"labour.a1_conflict": "bogus_posting"}


def decoy(scheme: Mapping[str, Any]) -> bool:
    """A lawful look-alike of the key (flagged as such, or of a decoy kind)."""
    return bool(scheme.get("decoy")) or scheme.get("kind") in DECOYS


def _regs(finding: Any) -> set[str]:
    """A finding's firms: registration numbers, and names of firms it names without one."""
    return {compact(k.value) if k.type == "registration" else name_key(k.value)
            for k in finding.evidence.keys if k.type in ("registration", "other")}


def compact(reg: Any) -> str:
    """A registration number without separators (the key may write ``2450871-4``)."""
    return re.sub(r"[^0-9A-Z]", "", str(reg or "").upper())


def evaluate(run: analysis.Run, truth: Mapping[str, Any]) -> list[analysis.Score]:
    company = {c["id"]: c for c in truth.get("companies", [])}

    def ids(c: Mapping[str, Any]) -> set[str]:
        return {compact(c.get("registration_number")), name_key(c.get("name"))} - {"", "~"}

    def regs(refs: Any) -> set[str]:
        out: set[str] = set()
        for ref in refs or []:
            if isinstance(ref, Mapping):
                out |= ids(ref)
            else:
                out |= ids(company[ref]) if ref in company else {str(ref)}
        return out

    flagged = [f for f in run.findings if f.score >= run.flag_score]
    schemes = truth.get("labour_schemes")
    scores = []
    kinds = sorted(set(KIND_DETECTOR.values()) | set(ALSO))
    if schemes:
        bad = set().union(*[regs(s.get("companies")) for s in schemes if decoy(s)])
        for det in kinds:
            wanted_kinds = {k for k, d in KIND_DETECTOR.items() if d == det} | (
                {ALSO[det]} if det in ALSO else set())
            wanted = [regs(s.get("companies")) for s in schemes
                      if s.get("kind") in wanted_kinds and not decoy(s)]
            mine = [_regs(f) for f in flagged if f.kind == det]
            good = set().union(*wanted) if wanted else set()
            found = sum(1 for w in wanted if any(w & m for m in mine))
            correct = sum(1 for m in mine if m & good and not (m & bad - good))
            if det in ALSO:  # scored with the detector it helps
                continue
            also = [d for d, k in ALSO.items() if k in wanted_kinds]
            for d in also:
                extra = [_regs(f) for f in flagged if f.kind == d]
                found = sum(1 for w in wanted if any(w & m for m in mine + extra))
                correct += sum(1 for m in extra if m & good and not (m & bad - good))
                mine += extra
            scores.append(analysis.Score(det, len(wanted), found, len(mine), correct))
        wanted = [regs(s.get("companies")) for s in schemes
                  if s.get("kind") == "letterbox" and not decoy(s)]
        good = set().union(*[regs(s.get("companies")) for s in schemes if not decoy(s)])
        mine = [_regs(f) for f in flagged if f.kind in LETTERBOX]
        scores.append(analysis.Score(
            "letterbox (" + ", ".join(d.removeprefix("labour.") for d in LETTERBOX) + ")",
            len(wanted), sum(1 for w in wanted if any(w & m for m in mine)), len(mine),
            sum(1 for m in mine if m & good and not (m & bad - good))))
        return scores
    # older worlds: the operations and their companies
    ops: dict[str, set[str]] = {}
    for c in truth.get("companies", []):
        if c.get("operation"):
            ops.setdefault(c["operation"], set()).update(ids(c))
    criminal = set().union(*ops.values()) if ops else set()
    for det in kinds:
        mine = [_regs(f) for f in flagged if f.kind == det]
        if not mine:
            continue
        found = sum(1 for companies in ops.values() if any(companies & m for m in mine))
        correct = sum(1 for m in mine if m & criminal)
        scores.append(analysis.Score(det, len(ops), found, len(mine), correct))
    return scores
