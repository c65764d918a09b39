"""Company register as Beneficial Ownership Data Standard 0.4 statements (JSON array)."""

from __future__ import annotations

import json
from pathlib import Path

from veriga.simulate.world import World

SCHEMES = {"LV": "LV-RE", "EE": "EE-RIK", "FI": "FI-PRO", "PL": "PL-KRS", "BG": "BG-EIK",
           "RO": "RO-CUI", "UA": "UA-EDR", "LT": "LT-RC"}


def write_bods(path: Path, world: World, published: str) -> list[dict]:
    """Write the statements; returns (statementId, subject id) pairs for the ground truth."""
    statements: list[dict] = []
    refs: list[dict] = []
    pub = {"publicationDate": published, "bodsVersion": "0.4",
           "publisher": {"name": "Synthetic register (veriga simulate)"}}
    persons_done: set[str] = set()

    def person_statement(pid: str) -> str:
        p = world.people[pid]
        sid = f"bods-person-{pid}"
        if pid not in persons_done:
            persons_done.add(pid)
            statements.append({
                "statementId": sid, "declarationSubject": f"person-{pid}",
                "statementDate": published, "recordId": f"person-{pid}", "recordType": "person",
                "recordStatus": "new", "publicationDetails": pub,
                "recordDetails": {"isComponent": False, "personType": "knownPerson",
                                  "names": [{"type": "legal", "fullName": p.name.latin}],
                                  "nationalities": [{"code": p.nationality}],
                                  "birthDate": p.birth.isoformat()}})
            refs.append({"id": pid, "statement": sid})
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
        refs.append({"id": c.id, "statement": sid})
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
        refs.append({"id": c.owner, "statement": rel})
        refs.append({"id": c.id, "statement": rel})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(statements, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return refs
