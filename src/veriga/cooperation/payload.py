"""What an exchange package carries (:mod:`.exchange` seals it): sources, statements with
their provenance, findings with their reviews, subject roles and entity handling codes.

Members of the package:

=================  ===========================================================================
sources.json       each source: its id at the sender, original file name, SHA-256, size, media
                   type, format, importer and version, when and by whom it was imported, its
                   handling code (``handling_restricted``: it was limited to a list of
                   organisations the recipient is on) and note
statements.jsonl   one statement a line: its id at the sender, entity id, schema, property,
                   type, value (original and romanised forms, language), source id, locator,
                   first seen
findings.json      each finding as :meth:`veriga.findings.Finding.to_dict` (with its review)
subjects.json      ``roles`` (entity id, victim/suspect/witness/other) and ``handling`` (the
                   handling codes set on single entities)
records/S/K.pq     the bulk records of kind K (transactions, calls ...) read from source S, as
                   the store keeps them (Parquet)
=================  ===========================================================================

The ids are the sender's; the recipient stores them under :func:`foreign_id` so that they
cannot collide with its own records (resolution then proposes matches with those).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from veriga.cooperation.exchange import PackageRefused

SOURCES = "sources.json"
STATEMENTS = "statements.jsonl"
FINDINGS = "findings.json"
SUBJECTS = "subjects.json"
MEMBERS = (SOURCES, STATEMENTS, FINDINGS, SUBJECTS)
RECORDS = "records/"
_RECORD_MEMBER = re.compile(r"records/([A-Za-z0-9_-]{1,64})/([a-z_]{1,32})\.pq")

SOURCE_FIELDS = ("id", "file_name", "sha256", "size", "media_type", "format", "importer",
                 "importer_version", "imported_at", "imported_by", "handling",
                 "handling_restricted", "handling_note")
STATEMENT_FIELDS = ("id", "entity_id", "schema", "prop", "prop_type", "value",
                    "original_value", "latin", "lang", "source_id", "locator", "first_seen")
#: The longest entity id the store holds.
MAX_ID = 128


class PayloadInvalid(PackageRefused):
    """A package whose members do not have the shape this version writes."""


@dataclass
class Payload:
    sources: list[dict[str, Any]] = field(default_factory=list)
    statements: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)
    roles: list[dict[str, str]] = field(default_factory=list)
    handling: list[dict[str, Any]] = field(default_factory=list)
    #: Parquet bytes by (source id, record kind)
    records: dict[tuple[str, str], bytes] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {"sources": len(self.sources), "statements": len(self.statements),
                "entities": len({s["entity_id"] for s in self.statements}),
                "findings": len(self.findings),
                "records": sum(pq.ParquetFile(pa.BufferReader(data)).metadata.num_rows
                               for data in self.records.values())}

    def to_members(self) -> dict[str, bytes]:
        def dump(value: Any) -> bytes:
            return json.dumps(value, ensure_ascii=False, indent=1, default=str).encode("utf-8")

        lines = b"".join(json.dumps(s, ensure_ascii=False, default=str).encode("utf-8")
                         + b"\n" for s in self.statements)
        members = {SOURCES: dump(self.sources), STATEMENTS: lines,
                   FINDINGS: dump(self.findings),
                   SUBJECTS: dump({"roles": self.roles, "handling": self.handling})}
        for (source_id, kind), data in self.records.items():
            members[f"{RECORDS}{source_id}/{kind}.pq"] = data
        return members

    def table(self, source_id: str, kind: str) -> pa.Table:
        """The records of ``kind`` from one source (checked to be that source's)."""
        try:
            table = pq.read_table(pa.BufferReader(self.records[(source_id, kind)]))
        except (pa.ArrowException, OSError):
            raise PayloadInvalid(f"the {kind} records of {source_id} are not Parquet") from None
        if "source_id" not in table.column_names or "record_id" not in table.column_names:
            raise PayloadInvalid(f"the {kind} records of {source_id} have no source_id or "
                                 "record_id")
        return table


def read_payload(members: Mapping[str, bytes]) -> Payload:
    """The payload of a package's (verified) members, checked for shape."""
    missing = [m for m in MEMBERS if m not in members]
    if missing:
        raise PayloadInvalid(f"the package has no {', '.join(missing)}")
    try:
        sources = json.loads(members[SOURCES])
        statements = [json.loads(line) for line in members[STATEMENTS].splitlines() if line]
        findings = json.loads(members[FINDINGS])
        subjects = json.loads(members[SUBJECTS])
        roles, handling = subjects["roles"], subjects["handling"]
    except (ValueError, KeyError, TypeError):
        raise PayloadInvalid("the package's members are not the JSON this version "
                             "writes") from None
    _check_rows(sources, SOURCE_FIELDS, SOURCES)
    _check_rows(statements, STATEMENT_FIELDS, STATEMENTS)
    _check_rows(findings, ("id", "kind", "score", "evidence", "review"), FINDINGS)
    _check_rows(roles, ("entity_id", "role"), "subject roles")
    _check_rows(handling, ("entity_id", "handling"), "entity handling")
    known = {s["id"] for s in sources}
    strays = {s["source_id"] for s in statements} - known
    if strays:
        raise PayloadInvalid(f"statements name source(s) the package does not hold: "
                             f"{', '.join(sorted(strays)[:3])}")
    for row in statements:
        for name in ("entity_id", "schema", "prop", "prop_type", "value", "source_id"):
            if not isinstance(row[name], str) or not row[name]:
                raise PayloadInvalid(f"a statement without a {name}")
    records: dict[tuple[str, str], bytes] = {}
    for name, data in members.items():
        if name in MEMBERS:
            continue
        match = _RECORD_MEMBER.fullmatch(name)
        if match is None or match.group(1) not in known:
            raise PayloadInvalid(f"the package holds a member this version does not know: "
                                 f"{name[:80]}")
        records[(match.group(1), match.group(2))] = data
    return Payload(sources, statements, findings, roles, handling, records)


def _check_rows(rows: Any, fields: tuple[str, ...], what: str) -> None:
    if not isinstance(rows, list):
        raise PayloadInvalid(f"{what} is not a list")
    for row in rows:
        if not isinstance(row, dict) or any(f not in row for f in fields):
            raise PayloadInvalid(f"an entry of {what} lacks one of {', '.join(fields)}")


def foreign_id(fingerprint: str, entity_id: str, limit: int = MAX_ID) -> str:
    """The id a record received from the organisation of ``fingerprint`` takes here: its
    own id after a prefix naming the sender (a digest of it when too long)."""
    prefix = f"x{fingerprint[:8]}-"
    if len(prefix) + len(entity_id) <= limit:
        return prefix + entity_id
    return prefix + hashlib.sha256(entity_id.encode("utf-8")).hexdigest()[:limit - len(prefix)]
