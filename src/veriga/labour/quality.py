"""The labour family against a simulated world's answer key.

With the key's ``labour_schemes`` (each ``{id, kind, operation, companies, records}``, the
lawful decoys among them): a scheme is found when a flagged finding of the detector for its
kind names (by registration number) one of its companies; a flagged finding is correct when
it names a company of a scheme of its kinds that is no decoy. Money taken from the workers
(kickbacks, a shared wage account, recruitment fees) is found only by a finding that also
names one of the scheme's accounts. A scheme of one worker
(``unregistered_worker``, with ``people``) is found only by a finding that also names that
worker (``details["workers"]``, compared by the folded names the key gives the person and
their records), and such a finding is correct when one of its workers is one of the key's.
Without them (older worlds):
the operations stand for the schemes, each detector scored on the operations whose
companies its flagged findings name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from veriga import analysis
from veriga.labour.case import name_key, worker_fold

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
#: schemes of one worker each: found by a finding that names the worker
PER_WORKER = ("unregistered_worker",)
#: schemes of money taken from the workers: found by a finding that names one of the
#: scheme's accounts (the controller's or the agency's, or the workers' it took from)
BY_ACCOUNT = ("wage_kickback", "shared_wage_account", "recruitment_fees")


def decoy(scheme: Mapping[str, Any]) -> bool:
    """A lawful look-alike of the key (flagged as such, or of a decoy kind)."""
    return bool(scheme.get("decoy")) or scheme.get("kind") in DECOYS


def _regs(finding: Any) -> set[str]:
    """A finding's firms: registration numbers, and names of firms it names without one; and
    the workers it names, as ``worker:KEY``."""
    return {compact(k.value) if k.type == "registration" else name_key(k.value)
            for k in finding.evidence.keys if k.type in ("registration", "other")} | {
        "worker:" + worker_fold(n) for n in (finding.details or {}).get("workers", ())} | {
        "iban:" + k.value for k in finding.evidence.keys if k.type == "iban"}


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

    person = {p["id"]: p for p in truth.get("people", [])}

    def workers(refs: Any) -> set[str]:
        """The key's people as the folded names the key and their records give them."""
        out: set[str] = set()
        for ref in refs or []:
            p = person.get(ref, {})
            names = [p.get("name"), p.get("name_latin"),
                     *(r.get("written") for r in p.get("records", []))]
            out |= {"worker:" + worker_fold(n) for n in names if n}
        return out

    def found_by(scheme: Mapping[str, Any], wanted_firms: set[str], mine: list[set[str]]
                 ) -> bool:
        if scheme.get("kind") in PER_WORKER and scheme.get("people"):
            people = workers(scheme["people"])
            return any(wanted_firms & m and people & m for m in mine)
        if scheme.get("kind") in BY_ACCOUNT and scheme.get("accounts"):
            accounts = {"iban:" + a for a in scheme["accounts"]}
            return any(wanted_firms & m and accounts & m for m in mine)
        return any(wanted_firms & m for m in mine)

    flagged = [f for f in run.findings if f.score >= run.flag_score]
    schemes = truth.get("labour_schemes")
    scores = []
    kinds = sorted(set(KIND_DETECTOR.values()) | set(ALSO))
    if schemes:
        bad = set().union(*[regs(s.get("companies")) for s in schemes if decoy(s)])
        for det in kinds:
            wanted_kinds = {k for k, d in KIND_DETECTOR.items() if d == det} | (
                {ALSO[det]} if det in ALSO else set())
            chosen = [s for s in schemes if s.get("kind") in wanted_kinds and not decoy(s)]
            wanted = [regs(s.get("companies")) for s in chosen]
            mine = [_regs(f) for f in flagged if f.kind == det]
            good = set().union(*wanted) if wanted else set()
            # workers of the key's one-worker schemes: a finding naming workers must name one
            people = set().union(*[workers(s.get("people")) for s in chosen
                                   if s.get("kind") in PER_WORKER])

            def right(m: set[str], good: set[str] = good, people: set[str] = people) -> bool:
                named = {x for x in m if x.startswith("worker:")}
                return bool(m & good) and not (m & bad - good) and (
                    not named or not people or bool(named & people))

            found = sum(1 for s, w in zip(chosen, wanted, strict=True) if found_by(s, w, mine))
            correct = sum(1 for m in mine if right(m))
            if det in ALSO:  # scored with the detector it helps
                continue
            also = [d for d, k in ALSO.items() if k in wanted_kinds]
            for d in also:
                extra = [_regs(f) for f in flagged if f.kind == d]
                found = sum(1 for s, w in zip(chosen, wanted, strict=True)
                            if found_by(s, w, mine + extra))
                correct += sum(1 for m in extra if right(m))
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
