"""Grading an answer against the key: a score per component, feedback, and the harmful
actions that fail an attempt whatever its score.

A grade is plain JSON (stored in ``training_attempts.grade``). Its messages are msgids with
arguments (``{"msgid": ..., "args": {...}}``) so that each reader sees them in their language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from veriga.findings import N_, Text, eur, joined, nested
from veriga.training.simulation.harms import harms
from veriga.training.simulation.lessons import lessons_for
from veriga.training.simulation.spec import DIFFICULTIES
from veriga.training.simulation.submission import Submission, merge
from veriga.training.simulation.vocab import (
    COMPONENT_LABELS,
    COMPONENTS,
    ELEMENTS,
    INSTRUMENTS,
    OFFENDER_ROLES,
    SAFEGUARDS,
    TESTIMONY,
)

#: a component scoring below this gets feedback and lessons to review
REVIEW_BELOW = 0.8
#: credit for an element by what proves it
ONE_SOURCE = 0.8  # one piece of non-testimonial evidence
TESTIMONY_ONLY = 0.25  # her word alone (and a harmful action: see harms)


@dataclass
class Component:
    score: float
    applicable: bool = True
    feedback: list[dict[str, Any]] | None = None
    detail: dict[str, Any] | None = None


def message(msgid: str, **args: Any) -> dict[str, Any]:
    """A feedback sentence: a msgid and its values (see :class:`veriga.findings.Text`)."""
    return Text(msgid, args).to_dict()


def names(values: Iterable[str]) -> dict[str, Any]:
    return joined(list(values), ", ")


def labels(ids: Iterable[str], vocab: Mapping[str, str]) -> dict[str, Any]:
    return joined([nested(Text(vocab[i])) for i in ids], ", ")


def grade(key: Mapping[str, Any], answer: Submission,
          parts: Sequence[str] = tuple(COMPONENTS)) -> dict[str, Any]:
    """Grade one answer on ``parts`` (every component alone; a member's part in a team)."""
    graded = {name: _GRADERS[name](key, answer) for name in parts}
    return _report(key, graded, harms(key, answer), parts)


def grade_team(key: Mapping[str, Any],
               members: Sequence[tuple[Sequence[str], Submission]]) -> dict[str, Any]:
    """The team's grade: each component from the members who deliver it (their answers
    together), every member's harmful action failing the team."""
    graded: dict[str, Component] = {}
    for name in COMPONENTS:
        givers = [answer for parts, answer in members if name in parts]
        if givers:
            graded[name] = _GRADERS[name](key, merge(givers))
    found = [h for _, answer in members for h in harms(key, answer)]
    report = _report(key, graded, found, tuple(COMPONENTS))
    missing = [name for name in COMPONENTS if name not in graded]
    if missing:
        report["feedback"].append({"component": None, **message(
            N_("No member delivered: %(parts)s."), parts=labels(missing, COMPONENT_LABELS))})
    return report


def _report(key: Mapping[str, Any], graded: Mapping[str, Component],
            found: list[dict[str, Any]], parts: Sequence[str]) -> dict[str, Any]:
    weights = {n: COMPONENTS[n] for n in parts if n not in graded or graded[n].applicable}
    total = sum(weights.values())
    score = sum(graded[n].score * w for n, w in weights.items() if n in graded) / total \
        if total else 0.0
    pass_mark = DIFFICULTIES[key["difficulty"]].pass_mark
    feedback: list[dict[str, Any]] = []
    review: list[str] = []
    for name, comp in graded.items():
        for item in comp.feedback or []:
            feedback.append({"component": name, **item})
        if comp.applicable and comp.score < REVIEW_BELOW:
            review.append(name)
    review += [f"harm:{h['kind']}" for h in found]
    components = {n: {"score": round(c.score, 3), "weight": COMPONENTS[n],
                      "applicable": c.applicable, "detail": c.detail or {}}
                  for n, c in graded.items()}
    for name in parts:
        if name not in graded:
            components[name] = {"score": 0.0, "weight": COMPONENTS[name], "applicable": True,
                                "detail": {}}
    return {
        "score": round(score, 3), "pass_mark": pass_mark,
        "passed": score >= pass_mark and not found,
        "components": components, "harms": found, "feedback": feedback,
        "lessons": lessons_for(review),
    }


# -- the components --------------------------------------------------------------------------


def _identity(key: Mapping[str, Any], entity: str) -> str | None:
    found = key["entity_identity"].get(entity)
    return str(found) if found else None


def _name(key: Mapping[str, Any], identity: str) -> str:
    return str(key["identities"][identity]["name"])


def _roles(key: Mapping[str, Any], answer: Submission) -> Component:
    given: dict[str, set[str]] = {}
    for entity, role in answer.roles.items():
        identity = _identity(key, entity)
        if identity:
            given.setdefault(identity, set()).add(role)
    assess = key["assess"]
    right = [i for i in assess if given.get(i) == {key["identities"][i]["role"]}]
    wrong = [i for i in assess if i in given and i not in right]
    missed = [i for i in assess if i not in given]
    # a lawful party named an offender outside those to assess: a wrongful suspicion
    accused = [i for i, roles in given.items() if i not in assess
               and key["identities"][i]["role"] == "lawful" and roles & OFFENDER_ROLES]
    score = max(0.0, len(right) / len(assess) - 0.05 * len(accused)) if assess else 0.0
    feedback = []
    if wrong:
        feedback.append(message(N_("Roles to reconsider: %(names)s."),
                                names=names(_name(key, i) for i in wrong)))
    if missed:
        feedback.append(message(N_("No role given to: %(names)s."),
                                names=names(_name(key, i) for i in missed)))
    if accused:
        feedback.append(message(N_("Lawful parties taken for offenders: %(names)s."),
                                names=names(_name(key, i) for i in accused)))
    return Component(score, True, feedback, {"right": len(right), "of": len(assess),
                                             "wrong": len(wrong), "accused": len(accused)})


def _links(key: Mapping[str, Any], answer: Submission) -> Component:
    expected = {tuple(p) for p in key["links"]}
    if not expected:
        return Component(0.0, applicable=False)
    given = set()
    for a, b in answer.links:
        ia, ib = _identity(key, a), _identity(key, b)
        if ia and ib and ia != ib:
            given.add((ia, ib) if ia < ib else (ib, ia))
    hit = len(given & expected)
    precision = hit / len(given) if given else 0.0
    recall = hit / len(expected)
    score = 2 * precision * recall / (precision + recall) if hit else 0.0
    feedback = []
    if recall < REVIEW_BELOW:
        feedback.append(message(N_("You found %(n)s of the %(of)s links that tie the "
                                   "operation together."), n=hit, of=len(expected)))
    if given and precision < REVIEW_BELOW:
        feedback.append(message(N_("%(n)s of your links are not borne out by the case."),
                                n=len(given) - hit))
    return Component(score, True, feedback, {"found": hit, "of": len(expected),
                                             "given": len(given)})


def _evidence(key: Mapping[str, Any], answer: Submission) -> Component:
    relevant = key["evidence"]["kinds"]
    every = key["evidence"]["all_kinds"]
    operation = set(key["evidence"]["operation_entities"])
    feedback: list[dict[str, Any]] = []
    scores: dict[str, float] = {}
    for element in ELEMENTS:
        items = answer.evidence.get(element, [])
        valid_kinds: list[str] = []
        testimony = False
        stray = 0
        for item in items:
            kind = every.get(item.ref, item.kind)  # a finding's kind is its family's
            if item.kind == TESTIMONY:
                testimony = True
            elif item.ref in relevant or item.ref in operation:
                valid_kinds.append(kind)
            else:
                stray += 1
        if len(valid_kinds) >= 2 or (valid_kinds and testimony):
            scores[element] = 1.0
        elif valid_kinds:
            scores[element] = ONE_SOURCE
        else:
            scores[element] = TESTIMONY_ONLY if testimony else 0.0
        if not items:
            feedback.append(message(N_("No evidence given for the %(element)s."),
                                    element=nested(Text(ELEMENTS[element]))))
        elif not valid_kinds:
            feedback.append(message(
                N_("The %(element)s rests on no financial, digital or documentary evidence "
                   "from the case: a victim's statement needs corroboration."),
                element=nested(Text(ELEMENTS[element]))))
        if stray:
            feedback.append(message(N_("%(n)s items for the %(element)s point to nothing "
                                       "that bears on this operation."), n=stray,
                                    element=nested(Text(ELEMENTS[element]))))
    score = sum(scores.values()) / len(ELEMENTS)
    return Component(score, True, feedback, {"elements": scores})


def _proceeds(key: Mapping[str, Any], answer: Submission) -> Component:
    proceeds = key["proceeds"]
    expected = set(proceeds["accounts"])
    if not expected:
        return Component(0.0, applicable=False)
    iban_of = key["account_iban"]
    chosen = {iban_of.get(a, a) for a, _ in answer.proceeds}
    hit = expected & chosen
    from_victims = chosen & set(proceeds["victim_accounts"])
    amount = sum(x for _, x in answer.proceeds)
    closeness = max((max(0.0, 1 - abs(amount - ref) / ref) for ref in proceeds["amounts"]
                     if ref > 0), default=0.0)
    score = 0.7 * len(hit) / len(expected) + 0.3 * closeness - 0.2 * len(from_victims)
    score = min(1.0, max(0.0, score))
    feedback = []
    if len(hit) < len(expected):
        feedback.append(message(N_("You would freeze %(n)s of the %(of)s accounts the "
                                   "proceeds went through."), n=len(hit), of=len(expected)))
    if closeness < REVIEW_BELOW:
        feedback.append(message(N_("The amount to confiscate is far from what the case "
                                   "shows (%(amount)s).") ,
                                amount=eur(f"{max(proceeds['amounts']):.2f}")))
    if from_victims:
        feedback.append(message(N_("%(n)s of the accounts are victims': what passed "
                                   "through them was taken from them (non-punishment)."),
                                n=len(from_victims)))
    return Component(score, True, feedback, {"found": len(hit), "of": len(expected),
                                             "amount": round(amount, 2),
                                             "victim_accounts": len(from_victims)})


def _chosen(expected: Iterable[str], given: Iterable[str], neutral: set[str],
            missed_msg: str, vocab: Mapping[str, str]) -> Component:
    want = set(expected)
    if not want:
        return Component(0.0, applicable=False)
    got = set(given)
    wrong = got - want - neutral
    score = len(want & got) / len(want) * max(0.0, 1 - 0.1 * len(wrong))
    feedback = []
    missed = sorted(want - got)
    if missed:
        feedback.append(message(missed_msg, items=labels(missed, vocab)))
    return Component(score, True, feedback, {"found": len(want & got), "of": len(want),
                                             "unneeded": sorted(wrong)})


def _safeguards(key: Mapping[str, Any], answer: Submission) -> Component:
    return _chosen(key["safeguards"], answer.safeguards, set(),
                   N_("Safeguards the victims are owed that you left out: %(items)s."),
                   SAFEGUARDS)


def _cooperation(key: Mapping[str, Any], answer: Submission) -> Component:
    return _chosen(key["cooperation"], answer.cooperation, {"eaw"},
                   N_("Instruments the case calls for that you left out: %(items)s."),
                   INSTRUMENTS)


_GRADERS = {"roles": _roles, "links": _links, "evidence": _evidence, "proceeds": _proceeds,
            "safeguards": _safeguards, "cooperation": _cooperation}
