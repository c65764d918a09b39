"""Company register as Beneficial Ownership Data Standard 0.4 statements (JSON array)."""

from __future__ import annotations

import json
from pathlib import Path

from veriga.simulate.ground_truth import GroundTruth, entity_id
from veriga.simulate.world import World
from veriga.simulate.writers.tables import Namer, Party

FILE = "registers/bods.json"
#: The person a person statement describes (for the namer: one way per person).
PERSON = Party("person", "Person", (), "", ("fullName",), "birthDate")

SCHEMES = {"LV": "LV-RE", "EE": "EE-RIK", "FI": "FI-PRO", "PL": "PL-KRS", "BG": "BG-EIK",
           "RO": "RO-CUI", "UA": "UA-EDR", "LT": "LT-RC"}


def _bods_id(record_id: str) -> str | None:
    """The entity id the BODS importer gives a statement's record."""
    return entity_id("bods", record_id)


def write_bods(path: Path, world: World, published: str, gt: GroundTruth, namer: Namer) -> None:
    """Write the statements; every entity and person statement is an answer-key record
    (``statement N#entity``, ``statement N#person``); relationships are noted on the
    owner and the company (``people[].records``)."""
    statements: list[dict] = []
    pub = {"publicationDate": published, "bodsVersion": "0.4",
           "publisher": {"name": "Synthetic register (veriga simulate)"}}
    persons_done: set[str] = set()

    def person_statement(pid: str) -> str:
        p = world.people[pid]
        sid = f"bods-person-{pid}"
        if pid not in persons_done:
            persons_done.add(pid)
            written = namer({}, PERSON, pid, 0)
            statements.append({
                "statementId": sid, "declarationSubject": f"person-{pid}",
                "statementDate": published, "recordId": f"person-{pid}", "recordType": "person",
                "recordStatus": "new", "publicationDetails": pub,
                "recordDetails": {"isComponent": False, "personType": "knownPerson",
                                  "names": [{"type": "legal", "fullName": written.text}],
                                  "nationalities": [{"code": p.nationality}],
                                  "birthDate": p.birth.isoformat(),
                                  "addresses": [{"type": "residence", "address": p.address,
                                                 "country": {"code": p.nationality}}]}})
            gt.record(FILE, sid, f"statement {len(statements)}#person", pid, "Person",
                      written.text, written.variation, _bods_id(f"person-{pid}"))
        return sid

    for c in world.companies.values():
        sid = f"bods-entity-{c.id}"
        details = {"isComponent": False, "entityType": {"type": "registeredEntity"},
                   "name": c.name, "jurisdiction": {"name": c.country, "code": c.country},
                   "identifiers": [{"id": c.reg_no, "scheme": SCHEMES.get(c.country, "XX")}],
                   "foundingDate": c.founded.isoformat(),
                   "addresses": [{"type": "registered", "address": c.address,
                                  "country": {"code": c.country}}]}
        if c.dissolved:
            details["dissolutionDate"] = c.dissolved.isoformat()
        statements.append({
            "statementId": sid, "declarationSubject": f"entity-{c.id}",
            "statementDate": published, "recordId": f"entity-{c.id}", "recordType": "entity",
            "recordStatus": "new", "publicationDetails": pub, "recordDetails": details})
        gt.record(FILE, sid, f"statement {len(statements)}#entity", c.id, "Company", c.name,
                  (), _bods_id(f"entity-{c.id}"))
        person_statement(c.owner)
        rel = f"bods-rel-{c.id}-{c.owner}"
        statements.append({
            "statementId": rel, "declarationSubject": f"entity-{c.id}",
            "statementDate": published, "recordId": f"rel-{c.id}-{c.owner}",
            "recordType": "relationship", "recordStatus": "new", "publicationDetails": pub,
            "recordDetails": {"isComponent": False, "subject": f"entity-{c.id}",
                              "interestedParty": f"person-{c.owner}",
                              "interests": [{"type": "shareholding", "directOrIndirect": "direct",
                                             "beneficialOwnershipOrControl": True,
                                             "share": {"exact": 100},
                                             "startDate": c.founded.isoformat()}]}})
        for holder in (world.people[c.owner], c):
            holder.records.append({"file": FILE, "id": rel})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(statements, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
