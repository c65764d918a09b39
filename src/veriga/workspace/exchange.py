"""``ws.exchange``: exchange packages sent to and received from other installations
(:mod:`veriga.cooperation.exchange`), under the keys of ``ws.org_keys``.

Export is a disclosure to the recipient organisation: it needs the right to export and a
view of the whole case, leaves out what the handling codes do not release to that recipient
and, for an NGO, the protected people (victims, and suspects unless the case lets NGOs see
them, with every record that may be one of them) and every statement that points at them.
Import verifies the package against the sender's registered key, refuses a replay or a file
the case already holds, lands everything in one transaction and audits a refusal as one.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from sqlalchemy import Connection, select
from sqlalchemy.exc import IntegrityError

from veriga.access import cases as case_access
from veriga.access import directory
from veriga.access.handling import Handling
from veriga.access.policy import Op
from veriga.access.roles import OrgType, SubjectRole
from veriga.cooperation import exchange as xch
from veriga.cooperation.payload import Payload, PayloadInvalid, foreign_id, read_payload
from veriga.errors import NotFound, VerigaError
from veriga.findings import Evidence, Finding, Key, Review, ReviewState
from veriga.model.records import RECORD_KINDS
from veriga.store import new_id
from veriga.store.bulk import BulkRun
from veriga.store.integrity import recover_bulk
from veriga.store.schema import entity_handling, exchanges, statements
from veriga.store.store import statement_id
from veriga.workspace.context import CaseAccess, PermissionDenied
from veriga.workspace.org_keys import OrgKeys
from veriga.workspace.part import Part
from veriga.workspace.protection import protection

SENT = "sent"
RECEIVED = "received"


@dataclass(frozen=True)
class Exported:
    package_id: str
    manifest: dict[str, Any]
    counts: dict[str, int]
    left_out: int  # entities withheld by handling code or as protected people
    size: int


@dataclass(frozen=True)
class Imported:
    package_id: str
    manifest: dict[str, Any]
    counts: dict[str, int]
    receipt: Path | None


class Exchange(Part):
    # -- sending ------------------------------------------------------------------------

    def export(self, case: str, recipient: str, out: Path, *, legal_basis: str = "",
               purpose: str = "", conditions: Sequence[str] = (), expires: date | None = None,
               entity_ids: Collection[str] | None = None, jit: str | None = None,
               accounts: Collection[str] | None = None) -> Exported:
        """Write a package of the case for ``recipient``: the entities the user may pass on
        to it (or ``entity_ids`` and what links to them), their statements and sources, and
        the case's findings about them with their reviews. Sent under ``jit`` (a JIT's
        reference), the JIT must be in its period, cover the case and have the recipient as
        a party; its legal basis and purpose are the package's unless others are given, and
        the package expires with the JIT at the latest. ``accounts`` chooses the bank
        records that go: only the transactions of those accounts (as holder or counterparty),
        and no other bulk records."""
        if jit is not None:
            team = self.ws.jits.get(jit)
            if not team.active():
                raise VerigaError(f"{team.reference} runs {team.starts} – {team.ends}: a "
                                  "package is sent under it within its period only")
            if case not in team.cases:
                raise VerigaError(f"{team.reference} does not cover case {case!r}")
            if recipient not in {name for name, _ in team.parties}:
                raise VerigaError(f"{recipient!r} is no party to {team.reference}")
            legal_basis = legal_basis.strip() or f"{team.reference}: {team.legal_basis}"
            purpose = purpose.strip() or team.purpose
            expires = min(expires or team.ends, team.ends)
        if not legal_basis.strip() or not purpose.strip():
            raise VerigaError("a package states its legal basis and purpose")
        if expires is not None and expires < datetime.now(UTC).date():
            raise VerigaError(f"--expires {expires} is in the past")
        keys, sender = self.ws.org_keys.own_keys()
        ws = self.ws
        with ws.case(case, Op.EXPORT) as access:
            if access.minimiser is not None or access.only_ids is not None:
                raise PermissionDenied("a package is made only from a view of the whole case, "
                                       "not a minimised or shared part of it")
            conn = access.conn
            to_org = directory.get_org(conn, recipient)
            to_key = ws.org_keys.recipient_key(conn, to_org)
            chosen = {"".join(a.split()).upper() for a in accounts} if accounts else None
            payload, left_out, minimised = self._select(access, to_org, entity_ids, chosen)
            package_id = xch.new_package_id()
            counts = payload.counts()
            manifest = {
                "package_id": package_id,
                "created": datetime.now(UTC).isoformat(timespec="seconds"),
                "sender": _party(sender), "recipient": _party(to_org),
                "case": access.case["name"], "exported_by": ws.actor,
                "legal_basis": legal_basis.strip(), "purpose": purpose.strip(),
                "conditions": [c.strip() for c in conditions if c.strip()],
                "expires": expires.isoformat() if expires else None,
                "counts": counts, "minimisation": minimised,
                **({"jit": jit} if jit is not None else {}),
            }
            data, full, manifest_sha = xch.seal(payload.to_members(), manifest, keys, to_key)
            conn.execute(exchanges.insert().values(
                package_id=package_id, direction=SENT, case_id=access.case_id,
                org_id=to_org["id"], manifest_sha256=manifest_sha, counts=counts,
                expires=manifest["expires"], at=datetime.now(UTC), by=ws.actor))
            access.audit("disclosure", to_org["name"], format="exchange",
                         package_id=package_id, file=out.name, counts=counts,
                         left_out=left_out, legal_basis=manifest["legal_basis"],
                         conditions=manifest["conditions"], expires=manifest["expires"],
                         minimisation=minimised,
                         reads=sorted({s["entity_id"] for s in payload.statements}))
            _write_new(out, data)
        return Exported(package_id, full, counts, left_out, len(data))

    def _select(self, access: CaseAccess, to_org: dict[str, Any],
                wanted: Collection[str] | None, accounts: set[str] | None = None
                ) -> tuple[Payload, int, str | None]:
        """The payload for ``to_org``, how many entities were left out, and the
        minimisation applied (None if none)."""
        ws, store, conn, case_id = self.ws, self.ws.store, access.conn, access.case_id
        owner = access.case["owner_org_id"]
        per_source = case_access.source_handling(conn, case_id)
        per_entity = case_access.entity_handling_map(conn, case_id, access.canonical_of)
        excluded = set(access.hidden_sources) | {
            s for s, h in per_source.items() if not h.releasable(False, to_org["id"], owner)}
        canon = access.canonical_of
        rows = [dict(r) for r in conn.execute(
            select(statements).where(statements.c.case_id == case_id)
            .order_by(statements.c.canonical_id, statements.c.id)).mappings()
            if r["source_id"] not in excluded]
        entity_sources: dict[str, set[str]] = {}
        for r in rows:
            entity_sources.setdefault(r["canonical_id"], set()).add(r["source_id"])
        every = set(entity_sources) | {e for e, s in store.entity_sources(conn, case_id).items()
                                       if s and s <= excluded}
        chosen = set(entity_sources)
        if wanted is not None:
            chosen = self._around(access, rows, {canon.get(e, e) for e in wanted})
        minimised = None
        protected: set[str] = set()
        if to_org["type"] == OrgType.NGO.value:
            hidden = {SubjectRole.VICTIM.value}
            if not access.case["ngo_sees_suspects"]:
                hidden.add(SubjectRole.SUSPECT.value)
            roles = case_access.subject_roles(conn, case_id, canon)
            marked = {e: r for e, r in roles.items() if r in hidden}
            if marked:
                found = protection(store, ws.bulk, ws.settings.database_url, conn,
                                   access.case, marked)
                protected = {e for e in entity_sources if found.protected(e)}
            who = " and ".join(r + "s" for r in sorted(hidden))
            minimised = (f"NGO recipient: {len(protected)} protected people ({who} and every "
                         "record that may be one of them) left out, with every statement "
                         "pointing at them, and the bulk records (transactions, calls) that "
                         "may name them")

        def passes(entity: str) -> bool:
            if entity in protected or not access.reachable(entity):
                return False
            handling = Handling()
            for source_id in entity_sources.get(entity, set()):
                handling.merge(per_source[source_id])
            if entity in per_entity:
                handling.merge(per_entity[entity])
            return handling.releasable(False, to_org["id"], owner)

        selected = {e for e in chosen if passes(e)}
        kept = [r for r in rows if r["canonical_id"] in selected and not (
            r["prop_type"] == "entity" and canon.get(r["value"], r["value"]) not in selected)]
        used = {r["source_id"] for r in kept}
        total, sent = Counter(r["source_id"] for r in rows), Counter(r["source_id"] for r in kept)
        src_rows = [s for s in store.list_sources(conn, case_id) if s["id"] in used or (
            wanted is None and minimised is None and s["id"] not in excluded
            and s["id"] not in total and s["bulk"])]
        payload = Payload(
            sources=[_source(s) for s in src_rows],
            statements=[_statement(r) for r in kept])  # in place: no second copy
        if minimised is None:  # the records of a source that goes whole go with it
            for s in src_rows:
                if total[s["id"]] != sent[s["id"]]:
                    continue
                for kind, rel in sorted((s["bulk"] or {}).items()):
                    path = ws.bulk.path(rel)
                    if not path.is_file():
                        continue
                    if accounts is None:
                        payload.records[(s["id"], kind)] = path.read_bytes()
                    elif kind == "transaction" and (picked := _of_accounts(path, accounts)):
                        payload.records[(s["id"], kind)] = picked
        records = {r["entity_id"] for r in kept}
        if access.may(Op.FINDING_READ):
            for finding in store.list_findings(conn, case_id):
                about = {canon.get(e, e) for e in finding.evidence.entity_ids}
                if about and about <= selected:
                    payload.findings.append(finding.to_dict())
        payload.roles = [{"entity_id": e, "role": r} for e, r in sorted(
            case_access.subject_roles(conn, case_id).items()) if e in records]
        for h in conn.execute(select(entity_handling).where(
                entity_handling.c.case_id == case_id)).mappings():
            if h["entity_id"] in records:
                payload.handling.append({"entity_id": h["entity_id"], "handling": h["handling"],
                                         "restricted": h["handling_orgs"] is not None,
                                         "note": h["handling_note"]})
        left_out = len((every if wanted is None else chosen) - selected)
        return payload, left_out, minimised

    def _around(self, access: CaseAccess, rows: list[dict[str, Any]],
                wanted: set[str]) -> set[str]:
        """The entities asked for, those they point at, those pointing at them (payments,
        ownerships ...) and what those point at."""
        canon = access.canonical_of
        present = {r["canonical_id"] for r in rows}
        missing = sorted(wanted - present)
        if missing:
            raise NotFound(f"no entity {missing[0]!r} in case {access.case['name']!r} that "
                           "may go to this recipient")
        points: dict[str, set[str]] = {}
        for r in rows:
            if r["prop_type"] == "entity":
                points.setdefault(r["canonical_id"], set()).add(canon.get(r["value"],
                                                                          r["value"]))
        near = set(wanted)
        for e in wanted:
            near |= points.get(e, set())
        linking = {e for e, targets in points.items() if targets & wanted}
        near |= linking
        for e in linking:
            near |= points.get(e, set())
        return near & present

    # -- receiving ------------------------------------------------------------------------

    def import_package(self, path: Path, case: str,
                       receipt_out: Path | None = None) -> Imported:
        """Verify and import a package into ``case`` (all or nothing); a refused package
        is audited as refused in that case. Writes the signed receipt for the sender."""
        keys, own_org = self.ws.org_keys.own_keys()
        try:
            data = _read_package(path)
            with self.ws.store.begin() as conn:
                opened = xch.open_package(data, keys, _key_lookup(self.ws.org_keys, conn))
                sender = self.ws.org_keys.partner(conn, opened.header["sender"])
            try:
                payload = read_payload(opened.members)
            except PayloadInvalid as exc:
                raise xch.PackageRefused(str(exc)) from None
            recover_bulk(self.ws.store, self.ws.bulk)
            run = self.ws.bulk.begin()
            try:
                with self.ws.case(case, Op.IMPORT) as access:
                    assert sender is not None
                    counts = self._land(access, opened, payload, sender, own_org, run)
                    run.publish()
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                run.abort()  # signed, but not what this version writes
                raise xch.PackageRefused(f"its content does not have the shape this version "
                                         f"writes ({type(exc).__name__}); nothing was "
                                         "imported") from None
            except BaseException:
                run.abort()
                raise
            run.finish()
        except xch.PackageRefused as exc:
            with self.ws.case(case, Op.IMPORT) as access:
                access.audit("exchange.refused", path.name, reason=str(exc))
            raise
        receipt = receipt_out or path.with_name(path.name + ".receipt.json")
        _write_new(receipt, xch.make_receipt(opened, keys, own_org, counts,
                                             datetime.now(UTC)))
        return Imported(opened.package_id, opened.manifest, counts, receipt)

    def _land(self, access: CaseAccess, opened: xch.Opened, payload: Payload,
              sender: dict[str, Any], own_org: dict[str, Any], run: BulkRun
              ) -> dict[str, int]:
        """Store the payload in the case (in the access's transaction; bulk records staged
        in ``run``)."""
        ws, store, conn, case_id = self.ws, self.ws.store, access.conn, access.case_id
        manifest, package_id = opened.manifest, opened.package_id
        done = conn.execute(select(exchanges).where(
            exchanges.c.package_id == package_id,
            exchanges.c.direction == RECEIVED)).mappings().first()
        if done is not None:
            raise xch.PackageRefused(f"replayed: package {package_id} was imported already, "
                                     f"on {done['at']:%Y-%m-%d} by {done['by']}")
        held = {s["sha256"]: s["file_name"] for s in store.list_sources(conn, case_id)}
        for source in payload.sources:
            if source["sha256"] in held:
                raise xch.PackageRefused(
                    f"the case holds {source['file_name']} (SHA-256 {source['sha256'][:12]}) "
                    f"already, as {held[source['sha256']]}; import into another case")
        fp = sender["fingerprint"]
        now = datetime.now(UTC)
        origin = {"sender": manifest["sender"]["name"],
                  "country": manifest["sender"]["country"], "fingerprint": fp,
                  "package_id": package_id, "legal_basis": manifest["legal_basis"],
                  "purpose": manifest["purpose"], "conditions": manifest["conditions"],
                  "expires": manifest["expires"],
                  **({"jit": str(manifest["jit"])} if manifest.get("jit") else {})}
        source_of: dict[str, str] = {}
        per_source: dict[str, list[dict[str, Any]]] = {}
        for s in payload.statements:
            per_source.setdefault(s["source_id"], []).append(s)
        statement_of: dict[str, str] = {}
        for s in payload.sources:
            sid = new_id("src")
            source_of[s["id"]] = sid
            rows = per_source.get(s["id"], [])
            store.add_source(conn, {
                "id": sid, "case_id": case_id, "file_name": s["file_name"],
                "sha256": s["sha256"], "size": int(s["size"]),
                "media_type": s["media_type"], "format": s["format"],
                "importer": s["importer"], "importer_version": s["importer_version"],
                "mapping": None, "imported_by": ws.actor, "imported_at": now,
                "entity_count": len({r["entity_id"] for r in rows}),
                "statement_count": len(rows), "record_count": 0, "reject_count": 0,
                "bulk": {}, "handling": s["handling"],
                "handling_orgs": [own_org["id"]] if s["handling_restricted"] else None,
                "handling_note": s["handling_note"],
                "origin": {**origin, "source_id": s["id"], "imported_by": s["imported_by"],
                           "imported_at": s["imported_at"]}})
            paths: dict[str, str] = {}
            held_records = 0
            for (owner, kind) in sorted(k for k in payload.records if k[0] == s["id"]):
                table = _records(payload, owner, kind)
                at = table.column_names.index("source_id")
                table = table.set_column(at, "source_id",
                                         pa.array([sid] * table.num_rows, pa.string()))
                paths[kind] = run.write(case_id, kind, sid, table)
                held_records += table.num_rows
            if paths:
                store.update_source(conn, sid, bulk=paths, record_count=held_records)
            out = []
            for r in rows:
                entity = foreign_id(fp, r["entity_id"])
                value = foreign_id(fp, r["value"]) if r["prop_type"] == "entity" \
                    else r["value"]
                new = statement_id(case_id, entity, r["prop"], value, sid)
                statement_of[str(r["id"])] = new
                out.append({"id": new, "case_id": case_id, "entity_id": entity,
                            "canonical_id": entity, "schema": r["schema"], "prop": r["prop"],
                            "prop_type": r["prop_type"], "value": value,
                            "original_value": r["original_value"], "latin": r["latin"],
                            "lang": r["lang"], "source_id": sid, "locator": r["locator"],
                            "first_seen": _time(r["first_seen"]) or now})
            store.add_statements(conn, out)
        for role in payload.roles:
            case_access.set_subject_role(conn, case_id, foreign_id(fp, role["entity_id"]),
                                         SubjectRole(role["role"]), ws.actor)
        for h in payload.handling:
            case_access.set_entity_handling(
                conn, case_id, foreign_id(fp, h["entity_id"]), h["handling"],
                [own_org["id"]] if h.get("restricted") else None, h.get("note"), ws.actor)
        findings = self._findings(payload, fp, source_of, statement_of, origin)
        store.save_findings(conn, case_id, findings)
        counts = payload.counts()
        try:
            with conn.begin_nested():
                conn.execute(exchanges.insert().values(
                    package_id=package_id, direction=RECEIVED, case_id=case_id,
                    org_id=sender["org_id"], manifest_sha256=opened.manifest_sha256,
                    counts=counts, expires=manifest["expires"], at=now, by=ws.actor))
        except IntegrityError:
            raise xch.PackageRefused(f"replayed: package {package_id} was imported "
                                     "already") from None
        store.bump_revision(conn, case_id)
        access.audit("exchange.import", opened.package_id, sender=origin["sender"],
                     country=origin["country"], fingerprint=fp,
                     legal_basis=origin["legal_basis"], conditions=origin["conditions"],
                     manifest_sha256=opened.manifest_sha256, counts=counts,
                     reads=sorted({foreign_id(fp, s["entity_id"])
                                   for s in payload.statements}))
        return counts

    def _findings(self, payload: Payload, fp: str, source_of: dict[str, str],
                  statement_of: dict[str, str], origin: dict[str, Any]) -> list[Finding]:
        """The sender's findings as unreviewed findings here, the sender's review kept in
        their details."""
        out = []
        for f in payload.findings:
            ev = f["evidence"]
            evidence = Evidence(
                entity_ids=[foreign_id(fp, e) for e in ev.get("entity_ids", [])],
                statement_ids=[statement_of[s] for s in ev.get("statement_ids", [])
                               if s in statement_of],
                source_ids=[source_of[s] for s in ev.get("source_ids", []) if s in source_of],
                record_ids=list(ev.get("record_ids", [])),
                keys=[Key(**k) for k in ev.get("keys", [])])
            review = f["review"]
            details = dict(f.get("details") or {})
            details["exchange"] = {"package_id": origin["package_id"],
                                   "sender": origin["sender"], "finding_id": f["id"],
                                   "detector": f["detector"], "review": review}
            out.append(Finding(
                id=foreign_id(fp, f["id"], 64), kind=f["kind"], score=float(f["score"]),
                explanation=f["explanation"], evidence=evidence,
                detector="exchange:" + f["detector"], detector_version=f["detector_version"],
                title=f.get("title", ""), citation=f.get("citation", ""),
                review=Review(ReviewState.NEW), details=details))
        return out

    # -- checking -------------------------------------------------------------------------

    def verify(self, path: Path) -> xch.Opened:
        """Decrypt and verify a package addressed to this organisation without importing
        it (audited; a refusal too)."""
        keys, _ = self.ws.org_keys.own_keys()
        data = _read_package(path)
        with self.ws.store.begin() as conn:
            try:
                opened = xch.open_package(data, keys, _key_lookup(self.ws.org_keys, conn))
                read_payload(opened.members)
            except (xch.PackageRefused, PayloadInvalid) as exc:
                reason = str(exc)
            else:
                reason = ""
        with self.ws.store.begin() as conn:
            self.ws.write_audit(conn, "exchange.verify", None, target=path.name,
                                ok=not reason, reason=reason or None)
        if reason:
            raise xch.PackageRefused(reason)
        return opened

    def verify_receipt(self, path: Path) -> dict[str, Any]:
        """Check a recipient's receipt of a package sent from here, and record it."""
        self.ws.require_user()
        data = path.read_bytes()
        with self.ws.store.begin() as conn:
            body = xch.read_receipt(data, _key_lookup(self.ws.org_keys, conn))
            sent = conn.execute(select(exchanges).where(
                exchanges.c.package_id == body["package_id"],
                exchanges.c.direction == SENT)).mappings().first()
            signer = self.ws.org_keys.partner(conn, body["recipient"]["fingerprint"])
            if sent is None:
                raise xch.PackageRefused(f"no package {body['package_id']} was sent from here")
            if signer is None or signer["org_id"] != sent["org_id"]:
                raise xch.PackageRefused("the receipt is signed by another organisation than "
                                         "the one the package was sent to")
            if body["manifest_sha256"] != sent["manifest_sha256"]:
                raise xch.PackageRefused("the receipt is for another manifest than the one "
                                         "sent (the package was altered on the way)")
            conn.execute(exchanges.update().where(
                exchanges.c.package_id == body["package_id"],
                exchanges.c.direction == SENT).values(receipt_at=datetime.now(UTC)))
            self.ws.write_audit(conn, "exchange.receipt", sent["case_id"],
                                target=body["package_id"], counts=body["counts"],
                                received_at=body["received_at"],
                                recipient=body["recipient"]["name"])
        return body

    def sent_and_received(self) -> list[dict[str, Any]]:
        self.ws.require_user()
        with self.ws.store.begin() as conn:
            return [dict(r) for r in conn.execute(
                select(exchanges).order_by(exchanges.c.at)).mappings()]


def _key_lookup(keys: OrgKeys, conn: Connection) -> Callable[[str], xch.PublicKeys | None]:
    """A partner's registered public keys by fingerprint (None: unknown here)."""
    return lambda fingerprint: keys.partner_key(conn, fingerprint)


def _of_accounts(path: Path, accounts: set[str]) -> bytes | None:
    """The transactions of a Parquet file whose account or counterparty is chosen, as
    Parquet (None when there are none)."""
    table = pq.read_table(path)
    mask = pc.or_(pc.is_in(table.column("account"), pa.array(sorted(accounts))),
                  pc.is_in(table.column("counterparty_account"), pa.array(sorted(accounts))))
    kept = table.filter(pc.fill_null(mask, False))
    if not kept.num_rows:
        return None
    out = pa.BufferOutputStream()
    pq.write_table(kept, out)
    return bytes(out.getvalue().to_pybytes())


def _records(payload: Payload, source_id: str, kind: str) -> pa.Table:
    """A source's records of ``kind`` in this installation's schema of the kind."""
    known = RECORD_KINDS.get(kind)
    if known is None:
        raise xch.PackageRefused(f"records of a kind this installation does not know: {kind}")
    table = payload.table(source_id, kind)
    schema = known.schema
    try:
        return table.select(schema.names).cast(schema)
    except (KeyError, pa.ArrowException):
        raise xch.PackageRefused(f"the {kind} records of {source_id} do not have this "
                                 "version's columns") from None


def _read_package(path: Path) -> bytes:
    """A package file's bytes; one too large to be a package is refused unread."""
    if path.stat().st_size > xch.MAX_HEADER + xch.MAX_INNER + 17:
        raise xch.PackageRefused("too large to be a Veriga exchange package")
    return path.read_bytes()


def _party(org: dict[str, Any]) -> dict[str, str]:
    return {"name": org["name"], "country": org["country"], "type": org["type"]}


def _statement(row: dict[str, Any]) -> dict[str, Any]:
    """A statement row as a package carries it (the row itself, trimmed)."""
    del row["case_id"], row["canonical_id"]
    return row


def _source(row: dict[str, Any]) -> dict[str, Any]:
    out = {k: row[k] for k in ("id", "file_name", "sha256", "size", "media_type", "format",
                               "importer", "importer_version", "imported_by", "handling",
                               "handling_note")}
    out["imported_at"] = row["imported_at"].isoformat() if row["imported_at"] else None
    out["handling_restricted"] = row["handling_orgs"] is not None
    return out


def _time(value: Any) -> datetime | None:
    if not value:
        return None
    if isinstance(value, datetime):
        return value
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that did not exist (never overwritten), all at once."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.part")
    tmp.write_bytes(data)
    try:
        if path.exists():
            raise VerigaError(f"{path} exists; it is not overwritten")
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)

