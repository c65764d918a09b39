"""Beneficial Ownership Data Standard (BODS) 0.4 statements, and the 0.2/0.3 shape.

Entity statements become companies (or other legal entities), person statements persons,
and relationship statements ownership, directorship or other links between them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from followthemoney.util import make_entity_id

from veriga.ingest.base import Draft, ImportContext, Importer, Item
from veriga.ingest.guards import json_too_deep

OWNERSHIP = {"shareholding", "voting-rights", "votingRights", "rights-to-surplus-assets",
             "rights-to-profit-or-income", "beneficial-ownership"}
DIRECTORSHIP = {"appointment-of-board", "board-member", "boardMember", "board-chair",
                "senior-managing-official", "seniorManagingOfficial", "director"}
KIND_0_3 = {"entityStatement": "entity", "personStatement": "person",
            "ownershipOrControlStatement": "relationship"}


def _id(record_id: str) -> str:
    return make_entity_id("bods", record_id) or record_id


class BODSImporter(Importer):
    name = "veriga.ingest.bods"
    version = "1"
    format = "bods"
    media_type = "application/json"
    reads_whole = True

    @classmethod
    def detect(cls, path: Path, head: bytes) -> int:
        text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
        if not text.startswith((b"[", b"{")) or b'"statementId"' not in head:
            return 0
        return 95 if (b'"recordType"' in head or b'"statementType"' in head) else 0

    def parse(self, ctx: ImportContext) -> Iterator[Item]:
        deep = f"JSON nested deeper than {ctx.limits.max_depth} levels (max_depth); refused"
        try:  # the runner refused the file if over max_read_bytes
            data = json.loads(ctx.path.read_text(encoding="utf-8-sig"))
        except UnicodeDecodeError as exc:
            raise ctx.fail(None, f"not UTF-8 (byte {exc.start})") from None
        except json.JSONDecodeError as exc:
            raise ctx.fail(f"line {exc.lineno}", f"invalid JSON: {exc.msg}") from None
        except RecursionError:
            raise ctx.fail(None, deep) from None
        if json_too_deep(data, ctx.limits.max_depth):
            raise ctx.fail(None, deep)
        statements = data if isinstance(data, list) else [data]
        for index, item in enumerate(statements, start=1):
            loc = f"statement {index}"
            if not isinstance(item, dict):
                ctx.reject(loc, None, str(item)[:60], "not a JSON object")
                continue
            kind, details, record_id = _shape(item)
            if kind not in ("entity", "person", "relationship") or not record_id:
                ctx.reject(loc, "recordType", item.get("recordType"),
                           "not a BODS entity, person or relationship statement")
                continue
            draft: Draft | None
            if kind == "entity":
                draft = _entity(record_id, details, loc)
            elif kind == "person":
                draft = _person(record_id, details, loc)
            else:
                draft = _relationship(ctx, record_id, details, loc)
            if draft is not None:
                yield draft
        ctx.progress(ctx.path.stat().st_size)


def _shape(item: dict[str, Any]) -> tuple[str | None, dict[str, Any], str | None]:
    if "recordType" in item:  # 0.4
        details = item.get("recordDetails") or {}
        return item.get("recordType"), details, item.get("recordId") or item.get("statementId")
    kind = KIND_0_3.get(item.get("statementType", ""))
    details = dict(item)
    if kind == "relationship":
        subject = item.get("subject") or {}
        party = item.get("interestedParty") or {}
        details["subject"] = subject.get("describedByEntityStatement")
        details["interestedParty"] = (party.get("describedByPersonStatement")
                                      or party.get("describedByEntityStatement"))
    return kind, details, item.get("statementId")


def _entity(record_id: str, d: dict[str, Any], loc: str) -> Draft:
    kind = (d.get("entityType") or {}).get("type") if isinstance(d.get("entityType"), dict) \
        else d.get("entityType")
    schema = "Company" if kind in ("registeredEntity", None) else "Organization"
    draft = Draft(schema=schema, id=_id(record_id), locator=loc)
    draft.add("name", d.get("name"))
    jurisdiction = d.get("jurisdiction") or d.get("incorporatedInJurisdiction") or {}
    draft.add("jurisdiction", jurisdiction.get("code") if isinstance(jurisdiction, dict) else None)
    for ident in d.get("identifiers") or []:
        draft.add("registrationNumber", ident.get("id"))
    draft.add("incorporationDate", d.get("foundingDate"))
    draft.add("dissolutionDate", d.get("dissolutionDate"))
    for address in d.get("addresses") or []:
        draft.add("address", address.get("address"))
    return draft


def _person(record_id: str, d: dict[str, Any], loc: str) -> Draft:
    draft = Draft(schema="Person", id=_id(record_id), locator=loc)
    for name in d.get("names") or []:
        full = name.get("fullName") or " ".join(
            p for p in (name.get("givenName"), name.get("familyName")) if p)
        draft.add("alias" if name.get("type") not in (None, "legal", "individual") else "name",
                  full)
    for nationality in d.get("nationalities") or []:
        draft.add("nationality", nationality.get("code"))
    draft.add("birthDate", d.get("birthDate"))
    for address in d.get("addresses") or []:
        draft.add("address", address.get("address"))
    return draft


def _relationship(ctx: ImportContext, record_id: str, d: dict[str, Any], loc: str) -> Draft | None:
    subject, party = d.get("subject"), d.get("interestedParty")
    if not isinstance(subject, str) or not isinstance(party, str):
        ctx.reject(loc, "interestedParty", None,
                   "relationship without a known subject and interested party")
        return None
    interests = d.get("interests") or [{}]
    types = {i.get("type") for i in interests}
    if types & OWNERSHIP:
        draft = Draft(schema="Ownership", id=_id(record_id), locator=loc)
        draft.add("owner", _id(party))
        draft.add("asset", _id(subject))
        for interest in interests:
            share = interest.get("share") or {}
            draft.add("percentage", share.get("exact"))
    elif types & DIRECTORSHIP:
        draft = Draft(schema="Directorship", id=_id(record_id), locator=loc)
        draft.add("director", _id(party))
        draft.add("organization", _id(subject))
    else:
        draft = Draft(schema="UnknownLink", id=_id(record_id), locator=loc)
        draft.add("subject", _id(party))
        draft.add("object", _id(subject))
    for interest in interests:
        draft.add("role", interest.get("type"))
        draft.add("startDate", interest.get("startDate"))
        draft.add("endDate", interest.get("endDate"))
    return draft
