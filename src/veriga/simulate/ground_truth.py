"""The answer key: who is who, which records refer to them, typologies, ads, routes, proceeds.

Schema (documented in docs/simulate.md) is versioned by ``SCHEMA``. Ads, typology
transactions and the records (every person and company each file names, with its true
identity) are many at the large sizes, so they are spooled to temporary files and spliced in
when the key is written.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import IO, Any

from veriga.simulate.world import Company, Other, Person, World

SCHEMA = "veriga.simulate.ground_truth/2"


def entity_id(*parts: str | None) -> str | None:
    """The id an importer makes from a natural key (FollowTheMoney's ``make_entity_id``,
    which the simulator does not import: its model costs 85 MB): the SHA-1 of the parts,
    each stripped and UTF-8 encoded, empty ones adding nothing; ``None`` if all are empty."""
    digest = hashlib.sha1(usedforsecurity=False)
    empty = True
    for part in parts:
        text = (part or "").strip()
        if text:
            digest.update(text.encode("utf-8"))
            empty = False
    return None if empty else digest.hexdigest()


class GroundTruth:
    def __init__(self, out: Path, world: World) -> None:
        self.out = out
        self.world = world
        self.operations: dict[str, dict[str, Any]] = {}
        self.typologies: dict[str, dict[str, Any]] = {}
        self.routes: dict[str, list[dict[str, str]]] = {}
        self.files: dict[str, dict[str, str]] = {}
        self.malformed: list[dict[str, str]] = []
        #: labour schemes and their lawful look-alikes (docs/simulate.md, "Labour schemes")
        self.labour_schemes: list[dict[str, Any]] = []
        #: lawful accounts shaped like a laundering typology (a payroll run is a fan-out)
        self.lookalikes: list[dict[str, Any]] = []
        self._ads_path = out / ".ground_truth_ads.tmp"
        self._tx_path = out / ".ground_truth_tx.tmp"
        self._tx: IO[str] | None = None
        self.tx_count = 0
        self._ads: IO[str] | None = None
        self.ad_count = 0
        self._records_path = out / ".ground_truth_records.tmp"
        self._records: IO[str] | None = None
        self.record_count = 0
        self.variations: dict[str, int] = {}  # kind of variation -> records carrying it

    # -- registration ---------------------------------------------------------------------

    def operation(self, op_id: str, scenario: str, summary: str) -> dict[str, Any]:
        op = {"id": op_id, "scenario": scenario, "summary": summary, "stages": [],
              "proceeds": {}, "actors": []}
        self.operations[op_id] = op
        return op

    def stage(self, op_id: str, stage: str, start: date, end: date, actors: list[str],
              description: str) -> None:
        self.operations[op_id]["stages"].append({
            "stage": stage, "from": start.isoformat(), "to": end.isoformat(),
            "actors": actors, "description": description})

    def proceeds(self, op_id: str, method: str, cents: int) -> None:
        table = self.operations[op_id]["proceeds"]
        table[method] = table.get(method, 0) + cents

    def typology(self, tid: str, code: str, shape: str | None, op_id: str | None,
                 description: str, accounts: list[str],
                 evidence: list[dict[str, str]] | None = None) -> str:
        """Register a typology instance; ``evidence`` names non-bank records it rests on."""
        if tid not in self.typologies:
            self.typologies[tid] = {"id": tid, "code": code, "shape": shape, "operation": op_id,
                                    "description": description, "accounts": sorted(accounts),
                                    "evidence": evidence or [], "transactions": 0}
        return tid

    def booked(self, tags: tuple[str, ...], bank_ref: str, iban: str, day: date,
               cents: int, file: str) -> None:
        """A typology's transaction was written; spooled to disk, not kept in memory."""
        if self._tx is None:
            self._tx = self._tx_path.open("w", encoding="utf-8")
        for tag in tags:
            self.typologies[tag]["transactions"] += 1
            row = {"typology": tag, "bank_ref": bank_ref, "account": iban,
                   "date": day.isoformat(), "amount": f"{cents / 100:.2f}", "file": file}
            self._tx.write(("," if self.tx_count else "") + "\n  " +
                           json.dumps(row, ensure_ascii=False))
            self.tx_count += 1

    def file(self, rel: str, fmt: str, id_field: str | None, description: str) -> None:
        self.files[rel] = {"format": fmt, "id_field": id_field or "", "description": description}

    def ad(self, ad_id: str, op_id: str | None, kind: str, file: str, phone: str,
           image_keys: list[str], entity_id: str,
           photo_files: list[dict[str, object]] | None = None) -> None:
        """An ad; ``image_keys`` are the pictures it shows and ``photo_files`` its photo
        files, each with its picture and the edits made to it (resize, recompress, mirror,
        crop, watermark): files of one picture are the same photo."""
        if self._ads is None:
            self._ads = self._ads_path.open("w", encoding="utf-8")
        row = {"ad_id": ad_id, "operation": op_id, "kind": kind, "file": file, "phone": phone,
               "photos": image_keys, "photo_files": photo_files or [], "entity_id": entity_id}
        self._ads.write(("," if self.ad_count else "") + "\n    " +
                        json.dumps(row, ensure_ascii=False, sort_keys=True))
        self.ad_count += 1

    def record(self, file: str, rid: str, locator: str, identity: str, schema: str,
               written: str, variation: tuple[str, ...] = (),
               entity_id: str | None = None) -> None:
        """``file`` names ``identity`` (a person, company or background party) as ``written``
        at ``locator`` (the importer's locator, ``#`` and the part of the record: ``line
        12#payer``); ``entity_id`` is the id the importer gives that entity (None if it makes
        none); ``rid`` is the record id in ``files[file].id_field`` terms."""
        holder = self.world.holder(identity)
        kind = holder.kind if isinstance(holder, Other) else (
            "person" if isinstance(holder, Person) else "company")
        row: dict[str, Any] = {"file": file, "locator": locator, "entity_id": entity_id,
                               "schema": schema, "identity": identity, "kind": kind,
                               "written": written, "variation": list(variation)}
        if holder.decoy_of:
            row["decoy_of"] = [d["id"] for d in holder.decoy_of]
        if self._records is None:
            self._records = self._records_path.open("w", encoding="utf-8")
        self._records.write(("," if self.record_count else "") + "\n  " +
                            json.dumps(row, ensure_ascii=False))
        self.record_count += 1
        for kind_of in variation:
            self.variations[kind_of] = self.variations.get(kind_of, 0) + 1
        if isinstance(holder, Person | Company):
            holder.records.append({"file": file, "id": rid, "locator": locator,
                                   "written": written})

    # -- output ---------------------------------------------------------------------------

    def write(self, world: World, scenario: str, size: str, seed: int) -> Path:
        people = []
        for p in world.people.values():
            people.append({
                "id": p.id, "name": p.name.native, "name_latin": p.name.latin,
                "birth_date": p.birth.isoformat(), "nationality": p.nationality,
                "phone": p.phone, "role": p.role, "operation": p.operation, "city": p.city,
                "address": p.address, "accounts": p.accounts, "records": p.records,
                "note": p.note, "decoy_of": p.decoy_of})
        companies = []
        for c in world.companies.values():
            companies.append({
                "id": c.id, "name": c.name, "country": c.country, "registration_number": c.reg_no,
                "founded": c.founded.isoformat(),
                "dissolved": c.dissolved.isoformat() if c.dissolved else None,
                "address": c.address, "sector": c.sector, "role": c.role,
                "function": c.function, "director": c.director, "owner": c.owner,
                "vat_number": c.vat,
                "operation": c.operation, "accounts": c.accounts, "records": c.records,
                "decoy_of": c.decoy_of})
        background = [{"id": o.id, "kind": o.kind, "name": o.name, "iban": o.iban, "bic": o.bic,
                       "role": o.role, "decoy_of": o.decoy_of} for o in world.others.values()]
        holders: list[Person | Company | Other] = [*world.people.values(),
                                                   *world.companies.values(),
                                                   *world.others.values()]
        decoys = [{"id": h.id, "of": d["id"], "kind": d["kind"]}
                  for h in holders for d in h.decoy_of]
        accounts = [{"iban": a.iban, "bic": a.bank.bic, "bank": a.bank.name, "holder": a.holder,
                     "statement_format": a.bank.fmt if a.statement else None}
                    for a in world.accounts.values()]
        for op in self.operations.values():
            op["proceeds"] = {k: f"{v / 100:.2f}" for k, v in sorted(op["proceeds"].items())}
        head = {
            "schema": SCHEMA, "scenario": scenario, "size": size, "seed": seed,
            "period": {"from": "2026-01-01", "to": world.end.isoformat()},
            "files": dict(sorted(self.files.items())),
            "people": people, "companies": companies, "background": background,
            "decoys": decoys, "accounts": accounts,
            "operations": list(self.operations.values()),
            "typologies": list(self.typologies.values()),
            "routes": self.routes, "malformed_records": self.malformed,
            "labour_schemes": self.labour_schemes,
            "lookalikes": self.lookalikes,
        }
        path = self.out / "ground_truth.json"
        if self._tx is not None:
            self._tx.close()
        if self._ads is not None:
            self._ads.close()
        if self._records is not None:
            self._records.close()
        text = json.dumps(head, ensure_ascii=False, indent=1)
        with path.open("w", encoding="utf-8") as fh:
            fh.write(text[:-2].rstrip() + ',\n "typology_transactions": [')
            self._splice(fh, self._tx, self._tx_path)
            fh.write('\n ],\n "ads": [')
            self._splice(fh, self._ads, self._ads_path)
            fh.write('\n ],\n "records": [')
            self._splice(fh, self._records, self._records_path)
            fh.write("\n ]\n}\n")
        return path

    @staticmethod
    def _splice(fh: IO[str], spool: IO[str] | None, path: Path) -> None:
        if spool is None:
            return
        with path.open(encoding="utf-8") as src:
            for line in src:
                fh.write(line)
        path.unlink()
