"""Beneficial Ownership Data Standard (BODS) statements: 0.4 records and 0.2/0.3 statements.

Entity statements become companies (or other legal entities), person statements persons,
and relationship (0.4) or ownership-or-control (0.2/0.3) statements ownership, directorship
or other links between them. 0.2 and 0.3 name a statement ``statementID`` and its kind
``statementType``; 0.4 names it ``statementId`` and the kind ``recordType``. A share given as
a range (``minimum``/``maximum`` and their exclusive forms) is kept as text in the
Ownership's ``percentage`` ("25 to under 50"); a share that cannot be read is a reject.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from followthemoney.util import make_entity_id

from veriga.ingest.base import Draft, ImportContext, Importer, Item
from veriga.ingest.guards import json_too_deep

# interest types of 0.2 (kebab-case) and 0.3/0.4 (camelCase)
OWNERSHIP = {"shareholding", "voting-rights", "votingRights", "rights-to-surplus-assets",
             "rights-to-surplus-assets-on-dissolution", "rightsToSurplusAssetsOnDissolution",
             "rights-to-profit-or-income", "rightsToProfitOrIncome", "beneficial-ownership"}
DIRECTORSHIP = {"appointment-of-board", "appointmentOfBoard", "board-member", "boardMember",
                "board-chair", "boardChair", "senior-managing-official",
                "seniorManagingOfficial", "director"}
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
        if not text.startswith((b"[", b"{")):
            return 0
        if b'"statementId"' not in head and b'"statementID"' not in head:  # 0.4; 0.2, 0.3
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
                field = "recordType" if "recordType" in item else "statementType"
                ctx.reject(loc, field, item.get(field),
                           "not a BODS entity, person or relationship statement")
                continue
            draft: Draft | None
            if kind == "entity":
                draft = _entity(record_id, details, loc)
            elif kind == "person":
                draft = _person(record_id, details, loc)
            else:
                draft = _relationship(ctx, record_id, details, loc, "recordType" not in item)
            if draft is not None:
                yield draft
        ctx.progress(ctx.path.stat().st_size)


def _shape(item: dict[str, Any]) -> tuple[str | None, dict[str, Any], str | None]:
    if "recordType" in item:  # 0.4
        details = item.get("recordDetails")
        details = details if isinstance(details, dict) else {}
        return item.get("recordType"), details, item.get("recordId") or item.get("statementId")
    statement_type = item.get("statementType")
    kind = KIND_0_3.get(statement_type) if isinstance(statement_type, str) else None
    details = dict(item)
    if kind == "relationship":
        subject = item.get("subject")
        party = item.get("interestedParty")
        subject = subject if isinstance(subject, dict) else {}
        party = party if isinstance(party, dict) else {}
        details["subject"] = subject.get("describedByEntityStatement")
        details["interestedParty"] = (party.get("describedByPersonStatement")
                                      or party.get("describedByEntityStatement"))
        unspecified = party.get("unspecified")
        if isinstance(unspecified, dict):
            details["unspecified"] = unspecified
    # 0.2 and 0.3 spell it statementID; some 0.3 producers wrote statementId
    return kind, details, item.get("statementID") or item.get("statementId")


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


def _relationship(ctx: ImportContext, record_id: str, d: dict[str, Any], loc: str,
                  legacy: bool) -> Draft | None:
    subject, party = d.get("subject"), d.get("interestedParty")
    if not isinstance(subject, str) or not isinstance(party, str):
        unspecified = d.get("unspecified") or (party if isinstance(party, dict) else {})
        reason = unspecified.get("reason") if isinstance(unspecified, dict) else None
        why = f" (interested party unspecified: {reason})" if isinstance(reason, str) else ""
        ctx.reject(loc, "interestedParty", None,
                   f"relationship without a known subject and interested party{why}")
        return None
    interests = [i for i in d.get("interests") or [{}] if isinstance(i, dict)] or [{}]
    types = {i.get("type") for i in interests if isinstance(i.get("type"), str)}
    if types & OWNERSHIP:
        draft = Draft(schema="Ownership", id=_id(record_id), locator=loc)
        draft.add("owner", _id(party))
        draft.add("asset", _id(subject))
    elif types & DIRECTORSHIP:
        draft = Draft(schema="Directorship", id=_id(record_id), locator=loc)
        draft.add("director", _id(party))
        draft.add("organization", _id(subject))
    else:
        draft = Draft(schema="UnknownLink", id=_id(record_id), locator=loc)
        draft.add("subject", _id(party))
        draft.add("object", _id(subject))
    shares: list[str] = []
    for k, interest in enumerate(interests, start=1):
        kind = interest.get("type") if isinstance(interest.get("type"), str) else None
        draft.add("role", kind)
        draft.add("startDate", interest.get("startDate"))
        draft.add("endDate", interest.get("endDate"))
        if interest.get("share") is None:
            continue
        text = share_text(interest["share"], legacy)
        if text is None:
            ctx.reject(loc, f"interests[{k}].share", json.dumps(interest["share"])[:200],
                       "share is neither an exact percentage nor a range of 0 to 100; the "
                       "link is kept without it")
            continue
        if draft.schema == "Ownership":
            draft.add("percentage", text)
        shares.append(f"{kind or 'interest'} {text} %")
    if shares:  # which share belongs to which interest (and a share on a non-ownership link)
        draft.add("description", "; ".join(shares))
    return draft


def _number(value: Any) -> float | None:
    """A percentage from 0 to 100, or ``None``."""
    if not _is_number(value) or not 0 <= value <= 100:
        return None
    return float(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _pct(value: float) -> str:
    text = repr(value)
    return text[:-2] if text.endswith(".0") else text


def share_text(share: Any, legacy: bool) -> str | None:
    """A BODS share as text: ``"100"``, ``"25 to under 50"``, ``"over 25 to 50"``, ``"at
    least 75"``; ``None`` when it is not a readable share.

    In 0.2 and 0.3 (``legacy``) ``exclusiveMinimum`` and ``exclusiveMaximum`` are flags on
    ``minimum`` and ``maximum``, false and true by default (``minimum <= share < maximum``).
    In 0.4 ``minimum`` and ``maximum`` are inclusive bounds and ``exclusiveMinimum`` and
    ``exclusiveMaximum`` exclusive bounds of their own. A flag in a 0.4 file or a bound in
    a 0.3 file is read as what it is.
    """
    if not isinstance(share, dict):
        return None
    if share.get("exact") is not None:
        exact = _number(share.get("exact"))
        return None if exact is None else _pct(exact)
    bounds = []
    for inclusive, exclusive, default_open in (("minimum", "exclusiveMinimum", False),
                                               ("maximum", "exclusiveMaximum", legacy)):
        value, flag = share.get(inclusive), share.get(exclusive)
        if _is_number(flag):  # an exclusive bound of its own (0.4)
            bound, is_open = _number(flag), True
        elif value is not None:
            bound = _number(value)
            is_open = flag if isinstance(flag, bool) else default_open
        else:
            bound, is_open = None, False
        if bound is None and (value is not None or flag is not None and not
                              isinstance(flag, bool)):
            return None  # a bound given that is no percentage
        bounds.append((bound, is_open))
    (low, low_open), (high, high_open) = bounds
    if low is None and high is None:
        return None
    if low is not None and high is not None:
        if low > high or (low == high and (low_open or high_open)):
            return None
        if low == high:
            return _pct(low)
        return (f"{'over ' if low_open else ''}{_pct(low)} to "
                f"{'under ' if high_open else ''}{_pct(high)}")
    if low is not None:
        return f"{'over' if low_open else 'at least'} {_pct(low)}"
    assert high is not None
    return f"{'under' if high_open else 'up to'} {_pct(high)}"
