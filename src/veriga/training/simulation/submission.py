"""A trainee's answer to a case simulation: its structure, read from JSON and validated.

The JSON form (``veriga train attempt submit FILE.json``, and what the web form posts)::

    {"roles": [{"entity": ID, "role": "controller"}],
     "links": [{"from": ID, "to": ID}],
     "evidence": {"act": [{"kind": "financial", "ref": FINDING-OR-ENTITY-ID, "note": ""}],
                  "means": [...], "purpose": [...]},
     "proceeds": [{"account": ENTITY-ID-OR-IBAN, "amount": 1234.50}],
     "safeguards": ["referral", ...],
     "disclosures": [{"entity": ID, "to": "court"}],
     "prosecute": [ID, ...],
     "cooperation": ["jit", ...]}

Every part is optional (a team member delivers their part). Every rejected value is
reported with where it is; nothing is taken from an invalid answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from veriga.errors import VerigaError
from veriga.training.simulation.vocab import (
    ELEMENTS,
    EVIDENCE_KINDS,
    INSTRUMENTS,
    RECIPIENTS,
    ROLES,
    SAFEGUARDS,
)

MAX_ITEMS = 500
MAX_NOTE = 2000
_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}$")
PARTS = ("roles", "links", "evidence", "proceeds", "safeguards", "disclosures", "prosecute",
         "cooperation")


class SubmissionError(VerigaError):
    """An answer that does not validate: every problem, each with where it is."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("the answer is not valid: " + "; ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class EvidenceItem:
    kind: str
    ref: str
    note: str = ""


@dataclass(frozen=True)
class Submission:
    roles: dict[str, str] = field(default_factory=dict)  # entity id -> role
    links: list[tuple[str, str]] = field(default_factory=list)
    evidence: dict[str, list[EvidenceItem]] = field(default_factory=dict)
    proceeds: list[tuple[str, float]] = field(default_factory=list)  # account, amount
    safeguards: list[str] = field(default_factory=list)
    disclosures: list[tuple[str, str]] = field(default_factory=list)  # entity, recipient
    prosecute: list[str] = field(default_factory=list)
    cooperation: list[str] = field(default_factory=list)
    given: frozenset[str] = frozenset()  # the parts the answer has

    def to_json(self) -> dict[str, Any]:
        """The stored form (the same shape it is read from)."""
        data: dict[str, Any] = {
            "roles": [{"entity": e, "role": r} for e, r in self.roles.items()],
            "links": [{"from": a, "to": b} for a, b in self.links],
            "evidence": {el: [{"kind": i.kind, "ref": i.ref, "note": i.note} for i in items]
                         for el, items in self.evidence.items()},
            "proceeds": [{"account": a, "amount": x} for a, x in self.proceeds],
            "safeguards": list(self.safeguards),
            "disclosures": [{"entity": e, "to": t} for e, t in self.disclosures],
            "prosecute": list(self.prosecute),
            "cooperation": list(self.cooperation),
        }
        return {k: v for k, v in data.items() if k in self.given}

    def entity_ids(self) -> set[str]:
        """Every case id the answer names (entities and findings)."""
        ids = set(self.roles) | {x for pair in self.links for x in pair}
        ids.update(i.ref for items in self.evidence.values() for i in items)
        ids.update(a for a, _ in self.proceeds if not _IBAN.match(a))
        ids.update(e for e, _ in self.disclosures)
        ids.update(self.prosecute)
        return ids


def parse_submission(data: Any, known: Callable[[str], bool] | None = None) -> Submission:
    """Read and validate an answer; ``known(id)`` says whether the case has that entity or
    finding (None: not checked). Raises :class:`SubmissionError` with every problem."""
    problems: list[str] = []
    if not isinstance(data, Mapping):
        raise SubmissionError(["the answer must be a JSON object"])
    for key in data:
        if key not in PARTS:
            problems.append(f"{key}: unknown part (known: {', '.join(PARTS)})")

    def ident(value: Any, where: str) -> str | None:
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            problems.append(f"{where}: expected an id")
            return None
        value = value.strip()
        if known is not None and not known(value):
            problems.append(f"{where}: no entity or finding {value!r} in the case")
            return None
        return value

    def choice(value: Any, allowed: Mapping[str, str], where: str) -> str | None:
        if value not in allowed:
            problems.append(f"{where}: {value!r} is not one of {', '.join(allowed)}")
            return None
        return str(value)

    def items(name: str, source: Any = None) -> list[Any]:
        value = data.get(name, []) if source is None else source
        if not isinstance(value, list):
            problems.append(f"{name}: expected a list")
            return []
        if len(value) > MAX_ITEMS:
            problems.append(f"{name}: at most {MAX_ITEMS} items")
            return []
        return value

    def obj(value: Any, where: str) -> Mapping[str, Any]:
        if not isinstance(value, Mapping):
            problems.append(f"{where}: expected an object")
            return {}
        return value

    roles: dict[str, str] = {}
    for n, item in enumerate(items("roles")):
        row = obj(item, f"roles[{n}]")
        if not row:
            continue
        entity = ident(row.get("entity"), f"roles[{n}].entity")
        role = choice(row.get("role"), ROLES, f"roles[{n}].role")
        if entity and role:
            if entity in roles and roles[entity] != role:
                problems.append(f"roles[{n}]: {entity} is given two roles")
            roles[entity] = role
    links: list[tuple[str, str]] = []
    for n, item in enumerate(items("links")):
        row = obj(item, f"links[{n}]")
        if not row:
            continue
        a = ident(row.get("from"), f"links[{n}].from")
        b = ident(row.get("to"), f"links[{n}].to")
        if a and b:
            if a == b:
                problems.append(f"links[{n}]: an entity linked to itself")
            else:
                links.append((a, b))
    evidence: dict[str, list[EvidenceItem]] = {}
    plan = obj(data.get("evidence", {}), "evidence")
    for element in plan:
        if element not in ELEMENTS:
            problems.append(f"evidence.{element}: not an element ({', '.join(ELEMENTS)})")
            continue
        for n, item in enumerate(items(f"evidence.{element}", plan[element])):
            row = obj(item, f"evidence.{element}[{n}]")
            if not row:
                continue
            kind = choice(row.get("kind"), EVIDENCE_KINDS, f"evidence.{element}[{n}].kind")
            ref = ident(row.get("ref"), f"evidence.{element}[{n}].ref")
            note = row.get("note", "") or ""
            if not isinstance(note, str) or len(note) > MAX_NOTE:
                problems.append(f"evidence.{element}[{n}].note: a text of at most "
                                f"{MAX_NOTE} characters")
                continue
            if kind and ref:
                evidence.setdefault(element, []).append(EvidenceItem(kind, ref, note))
    proceeds: list[tuple[str, float]] = []
    for n, item in enumerate(items("proceeds")):
        row = obj(item, f"proceeds[{n}]")
        if not row:
            continue
        account = row.get("account")
        if isinstance(account, str) and _IBAN.match(account.replace(" ", "").upper()):
            account = account.replace(" ", "").upper()
        else:
            account = ident(account, f"proceeds[{n}].account")
        amount = row.get("amount", 0)
        if isinstance(amount, str):
            try:
                amount = float(amount.replace(",", "").strip() or 0)
            except ValueError:
                amount = None
        if isinstance(amount, bool) or not isinstance(amount, int | float) \
                or not 0 <= amount < 1e13:
            problems.append(f"proceeds[{n}].amount: expected an amount in EUR, 0 or more")
            continue
        if account:
            proceeds.append((account, round(float(amount), 2)))
    safeguards = [s for n, s in enumerate(items("safeguards"))
                  if choice(s, SAFEGUARDS, f"safeguards[{n}]")]
    cooperation = [s for n, s in enumerate(items("cooperation"))
                   if choice(s, INSTRUMENTS, f"cooperation[{n}]")]
    disclosures: list[tuple[str, str]] = []
    for n, item in enumerate(items("disclosures")):
        row = obj(item, f"disclosures[{n}]")
        if not row:
            continue
        entity = ident(row.get("entity"), f"disclosures[{n}].entity")
        to = row.get("to")
        if isinstance(to, str) and to not in RECIPIENTS:
            to = ident(to, f"disclosures[{n}].to")  # a party of the case
        elif to is not None:
            to = choice(to, RECIPIENTS, f"disclosures[{n}].to")
        else:
            problems.append(f"disclosures[{n}].to: expected a recipient")
        if entity and to:
            disclosures.append((entity, to))
    prosecute = [x for n, value in enumerate(items("prosecute"))
                 if (x := ident(value, f"prosecute[{n}]"))]
    if problems:
        raise SubmissionError(problems)
    return Submission(roles, links, evidence, proceeds, sorted(set(safeguards)), disclosures,
                      sorted(set(prosecute)), sorted(set(cooperation)),
                      frozenset(k for k in PARTS if k in data))


def merge(parts: list[Submission]) -> Submission:
    """The team's answer: each member's parts together (a later member's value of an entity
    wins where two gave one)."""
    roles: dict[str, str] = {}
    evidence: dict[str, list[EvidenceItem]] = {}
    out: dict[str, list[Any]] = {k: [] for k in ("links", "proceeds", "safeguards",
                                                 "disclosures", "prosecute", "cooperation")}
    for part in parts:
        roles.update(part.roles)
        for element, found in part.evidence.items():
            evidence.setdefault(element, []).extend(found)
        for k, v in out.items():
            v.extend(getattr(part, k))
    return Submission(roles, out["links"], evidence, out["proceeds"],
                      sorted(set(out["safeguards"])), out["disclosures"],
                      sorted(set(out["prosecute"])), sorted(set(out["cooperation"])),
                      frozenset().union(*(p.given for p in parts)) if parts else frozenset())
