"""The answer key of a simulated case, built from the simulator's ground truth and the case
the world was imported into.

The trainee answers in terms of the case (entity and finding ids), the ground truth speaks
of identities (``P000002``, ``C000005``); the key joins the two: every record the simulator
wrote names the entity id the importer gives it. The key is plain JSON (stored in
``training_attempts.key``, never shown before the attempt is submitted).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from veriga.training.simulation.spec import DIFFICULTIES
from veriga.training.simulation.vocab import OFFENDER_ROLES, TRUTH_ROLE

KEY_VERSION = 1
#: at most this many offenders and victims to assess (a labour world has dozens of workers)
MAX_OFFENDERS = 8
MAX_VICTIMS = 3
#: the evidence kind of a finding, by the analysis family that made it (entity resolution
#: proposes matches of records: no evidence of an element by itself)
FAMILY_KIND: dict[str, str] = {"finance": "financial", "osint": "digital",
                               "labour": "documentary"}
#: the order offenders are picked in when there are more than fit
_ROLE_ORDER = ("controller", "recruiter", "transporter", "exploiter", "money_mule")


@dataclass(frozen=True)
class CaseEntity:
    """An entity of the case as the key needs it."""

    id: str
    schema: str
    name: str
    ibans: tuple[str, ...] = ()


@dataclass(frozen=True)
class CaseFinding:
    """A finding of the case as the key needs it."""

    id: str
    kind: str
    family: str  # the analysis family's name (finance, osint, labour, resolve)
    entity_ids: tuple[str, ...]
    ibans: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()


def build_key(truth: Mapping[str, Any], entities: Iterable[CaseEntity],
              findings: Iterable[CaseFinding], difficulty: str, seed: int,
              proceeds_seen: float | None = None) -> dict[str, Any]:
    """The answer key of one attempt (seeded: the same inputs give the same key)."""
    level = DIFFICULTIES[difficulty]
    rng = random.Random(seed)
    in_case = {e.id: e for e in entities}
    account_entity = {iban: e.id for e in in_case.values() for iban in e.ibans
                      if e.schema == "BankAccount"}
    identities = _identities(truth, in_case, account_entity)
    offenders = [i for i, v in identities.items() if v["role"] in OFFENDER_ROLES]
    offenders.sort(key=lambda i: (_ROLE_ORDER.index(identities[i]["role"]), i))
    victims = sorted(i for i, v in identities.items() if v["role"] == "victim")
    chosen = offenders[:MAX_OFFENDERS] + rng.sample(victims, min(MAX_VICTIMS, len(victims)))
    decoys = _decoys(truth, identities, set(chosen), level.decoys, rng)
    assess = sorted(chosen + decoys)
    rng.shuffle(assess)
    leads = [i for i in offenders[:MAX_OFFENDERS] if identities[i]["role"] != "money_mule"]
    leads = leads[:max(1, round(len(leads) * level.leads))] if leads else []
    operation_ids = _operation_entities(truth, identities)
    relevant = sorted(f.id for f in findings if f.family in FAMILY_KIND and (
        operation_ids["entities"] & set(f.entity_ids) or operation_ids["ibans"] & set(f.ibans)
        or operation_ids["phones"] & set(f.phones)))
    kinds = {f.id: FAMILY_KIND[f.family] for f in findings if f.family in FAMILY_KIND}
    proceeds = _proceeds(truth, identities, account_entity, proceeds_seen)
    countries = sorted(_countries(truth, identities))
    return {
        "version": KEY_VERSION,
        "scenario": truth.get("scenario"),
        "difficulty": difficulty,
        "identities": identities,
        "entity_identity": {eid: ident for ident, v in identities.items()
                            for eid in v["entities"] + v["account_entities"]},
        "account_iban": {e: iban for iban, e in account_entity.items()},
        "assess": assess,
        "leads": leads,
        "links": _links(truth, identities, set(assess)),
        "evidence": {"kinds": {f: kinds[f] for f in relevant}, "all_kinds": kinds,
                     "operation_entities": sorted(operation_ids["entities"])},
        "proceeds": proceeds,
        "safeguards": _safeguards(truth, victims),
        "cooperation": _cooperation(truth, countries, proceeds),
        "countries": countries,
        "operations": [{"id": op["id"], "scenario": op["scenario"], "summary": op["summary"]}
                       for op in truth.get("operations", [])],
    }


def _identities(truth: Mapping[str, Any], in_case: Mapping[str, CaseEntity],
                account_entity: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """Every person and company of the world that the case holds at least one record of,
    with the entity ids of its records and accounts."""
    records: dict[str, list[str]] = {}
    for record in truth.get("records", []):
        eid = record.get("entity_id")
        if eid and eid in in_case:
            ids = records.setdefault(record["identity"], [])
            if eid not in ids:
                ids.append(eid)
    found: dict[str, dict[str, Any]] = {}
    holders = [(p, "person", p.get("name_latin") or p["name"]) for p in truth.get("people", [])]
    holders += [(c, "company", c["name"]) for c in truth.get("companies", [])]
    for holder, kind, name in holders:
        role = TRUTH_ROLE.get(holder["role"])
        ids = records.get(holder["id"], [])
        if role is None or not ids:
            continue
        # the entity shown for it: a Person or Company record before a bank's LegalEntity
        ids.sort(key=lambda e: (in_case[e].schema == "LegalEntity", e))
        accounts = sorted(holder.get("accounts") or [])
        found[holder["id"]] = {
            "role": role, "kind": kind, "name": name, "operation": holder.get("operation"),
            "country": holder.get("nationality") or holder.get("country"),
            "entities": ids, "accounts": accounts,
            "account_entities": sorted(account_entity[a] for a in accounts
                                       if a in account_entity),
            "decoy_of": [d["id"] for d in holder.get("decoy_of") or []],
        }
    return found


def _decoys(truth: Mapping[str, Any], identities: Mapping[str, dict[str, Any]],
            chosen: set[str], count: int, rng: random.Random) -> list[str]:
    """Lawful look-alikes to assess: first those that resemble a chosen offender or
    victim (a namesake, a relative), then other decoys."""
    lawful = sorted(i for i, v in identities.items() if v["role"] == "lawful")
    close = [i for i in lawful if set(identities[i]["decoy_of"]) & chosen]
    other = [i for i in lawful if i not in close and identities[i]["decoy_of"]]
    rng.shuffle(close)
    rng.shuffle(other)
    return (close + other + [i for i in lawful if i not in close and i not in other])[:count]


def _operation_entities(truth: Mapping[str, Any],
                        identities: Mapping[str, dict[str, Any]]) -> dict[str, set[str]]:
    """The entity ids, accounts and phones of the operations' people and companies and
    of their ads: a finding touching one of them is evidence in this case."""
    entities: set[str] = set()
    ibans: set[str] = set()
    phones: set[str] = set()
    for v in identities.values():
        if v["role"] in OFFENDER_ROLES or v["role"] == "victim":
            entities.update(v["entities"], v["account_entities"])
            ibans.update(v["accounts"])
    for person in truth.get("people", []):
        if TRUTH_ROLE.get(person["role"]) in OFFENDER_ROLES | {"victim"} and person.get("phone"):
            phones.add(person["phone"])
    for ad in truth.get("ads", []):
        if ad.get("operation") and ad.get("entity_id"):
            entities.add(ad["entity_id"])
            phones.add(ad["phone"])
    return {"entities": entities, "ibans": ibans, "phones": phones}


def _links(truth: Mapping[str, Any], identities: Mapping[str, dict[str, Any]],
           assess: set[str]) -> list[list[str]]:
    """The links to find among the assessed: each operation's controller to its other
    members; without a controller (a laundering network), the members of one typology."""
    pairs: set[tuple[str, str]] = set()
    for op in truth.get("operations", []):
        members = [a for a in op.get("actors", []) if a in assess and a in identities
                   and identities[a]["role"] != "lawful"]
        members += [i for i, v in identities.items() if i in assess and v["role"] == "victim"
                    and v["operation"] == op["id"] and i not in members]
        controllers = [m for m in members if identities[m]["role"] == "controller"]
        for c in controllers:
            pairs.update(_pair(c, m) for m in members if m != c)
    if not pairs:
        holder = {a: i for i, v in identities.items() for a in v["accounts"]}
        for typology in truth.get("typologies", []):
            held = sorted({holder[a] for a in typology.get("accounts", []) if a in holder}
                          & assess)
            pairs.update(_pair(a, b) for n, a in enumerate(held) for b in held[n + 1:])
    return [list(p) for p in sorted(pairs)]


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)


def _proceeds(truth: Mapping[str, Any], identities: Mapping[str, dict[str, Any]],
              account_entity: Mapping[str, str],
              proceeds_seen: float | None) -> dict[str, Any]:
    """The accounts to freeze (offenders' accounts a typology moved the proceeds through)
    and the amounts: the operations' proceeds and what the analysis saw in the bank data."""
    moved = {a for t in truth.get("typologies", []) if t.get("operation")
             for a in t.get("accounts", [])}
    offender_accounts = {a for v in identities.values() if v["role"] in OFFENDER_ROLES
                         for a in v["accounts"]}
    accounts = sorted((moved & offender_accounts) or offender_accounts)
    victim_accounts = sorted(a for v in identities.values() if v["role"] == "victim"
                             for a in v["accounts"])
    total = sum(float(x) for op in truth.get("operations", [])
                for x in op.get("proceeds", {}).values())
    amounts = [round(total, 2)] + ([round(proceeds_seen, 2)] if proceeds_seen else [])
    return {"accounts": {a: account_entity.get(a) for a in accounts},
            "victim_accounts": {a: account_entity.get(a) for a in victim_accounts},
            "amounts": amounts}


def _countries(truth: Mapping[str, Any],
               identities: Mapping[str, dict[str, Any]]) -> set[str]:
    countries = {v["country"] for v in identities.values()
                 if v["role"] != "lawful" and v["country"]}
    countries.update(a[:2] for v in identities.values() if v["role"] != "lawful"
                     for a in v["accounts"])
    return {c for c in countries if isinstance(c, str) and len(c) == 2}


def _safeguards(truth: Mapping[str, Any], victims: Sequence[str]) -> list[str]:
    """What the victims of this case are owed (Directive 2011/36/EU, Art. 11-17): none
    where the world has no victims (a laundering network)."""
    if not victims:
        return []
    owed = ["referral", "reflection_period", "non_punishment", "identity_protection",
            "risk_assessment", "interpreter", "compensation"]
    if any(op["scenario"] == "sexual-exploitation" for op in truth.get("operations", [])):
        owed.append("special_measures")
    return sorted(owed)


def _cooperation(truth: Mapping[str, Any], countries: Sequence[str],
                 proceeds: Mapping[str, Any]) -> list[str]:
    """The instruments the case calls for: cross-border evidence and a team where it spans
    States, financial intelligence and asset recovery where proceeds sit abroad, the
    European Labour Authority for labour exploitation."""
    needed: set[str] = set()
    if len(countries) > 1:
        needed.update({"jit", "eio", "europol_siena", "eurojust"})
    account_states = {a[:2] for a in proceeds["accounts"]}
    if proceeds["accounts"]:
        needed.add("freezing_order")
    if len(account_states) > 1 or (account_states and len(countries) > 1):
        needed.update({"fiu_exchange", "aro"})
    if any(op["scenario"] == "labour-exploitation" for op in truth.get("operations", [])):
        needed.add("labour_authority")
    return sorted(needed)


def model_answer(key: Mapping[str, Any]) -> dict[str, Any]:
    """The answer a trainee who found everything would give (the JSON form of a
    submission): shown with the grade once the attempt is submitted."""
    identities = key["identities"]

    def first(identity: str) -> str:
        return str(identities[identity]["entities"][0])

    relevant = key["evidence"]["kinds"]
    by_kind: dict[str, list[str]] = {}
    for finding, kind in sorted(relevant.items()):
        by_kind.setdefault(kind, []).append(finding)
    picks = [(kind, found[0]) for kind, found in sorted(by_kind.items())]
    victims = [i for i in key["assess"] if identities[i]["role"] == "victim"]
    evidence: dict[str, list[dict[str, str]]] = {}
    for n, element in enumerate(("act", "means", "purpose")):
        chosen = picks[n % len(picks):] + picks[:n % len(picks)] if picks else []
        items = [{"kind": kind, "ref": ref, "note": ""} for kind, ref in chosen[:2]]
        if victims:
            items.append({"kind": "testimony", "ref": first(victims[0]), "note": ""})
        evidence[element] = items
    accounts = key["proceeds"]["accounts"]
    amount = max(key["proceeds"]["amounts"]) if key["proceeds"]["amounts"] else 0.0
    share = round(amount / len(accounts), 2) if accounts else 0.0
    return {
        "roles": [{"entity": first(i), "role": identities[i]["role"]} for i in key["assess"]],
        "links": [{"from": first(a), "to": first(b)} for a, b in key["links"]],
        "evidence": evidence,
        "proceeds": [{"account": entity or iban, "amount": share}
                     for iban, entity in sorted(accounts.items())],
        "safeguards": list(key["safeguards"]),
        "cooperation": list(key["cooperation"]),
    }
