"""Exchange packages between two installations: every value arrives with its provenance,
what may not go to the recipient stays home, and every package that may not be used is
refused with one line, nothing imported, the refusal audited."""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from veriga.access.cases import subject_roles
from veriga.config import Settings
from veriga.cooperation import exchange as xch
from veriga.cooperation.payload import Payload, foreign_id
from veriga.errors import VerigaError
from veriga.findings import Evidence, Finding, ReviewState
from veriga.ingest import ImportRequest
from veriga.store.schema import exchanges, sources, statements
from veriga.workspace import Workspace


def _entity(eid: str, schema: str, **props: Any) -> dict[str, Any]:
    values = {k: v if isinstance(v, list) else [v] for k, v in props.items()}
    return {"id": eid, "schema": schema, "properties": values}


CASE = [
    _entity("lv-boss", "Person", name="Олена Шевченко", birthDate="1990-04-03",
            phone="+37120000001", nationality="ua"),
    _entity("lv-recruiter", "Person", name="Jānis Bērziņš", phone="+37120000002"),
    _entity("lv-victim", "Person", name="Ilona Kovaļova", phone="+37120000003"),
    _entity("lv-firm", "Company", name="Baltic Staffing SIA", registrationNumber="40003012340",
            country="lv"),
    _entity("lv-own", "Ownership", owner="lv-boss", asset="lv-firm", percentage="100"),
    _entity("lv-acct", "BankAccount", iban="LV80BANK0000435195001", bankName="Bank"),
    _entity("lv-pay", "Payment", payer="lv-firm", beneficiary="lv-victim", amount="400",
            currency="EUR", date="2026-03-01", payerAccount="lv-acct"),
]
H2 = [_entity("lv-informant", "Person", name="Pēteris Ozols", phone="+37120000009")]


def _workspace(root: Path, name: str) -> Workspace:
    settings = Settings(home=root / name, database_url=f"sqlite:///{root / name}.db")
    return Workspace.local(settings, purpose="JIT LV-EE 2026/3", username=f"{name}-officer")


def _write(folder: Path, name: str, entities: list[dict[str, Any]]) -> Path:
    path = folder / name
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entities) + "\n",
                    encoding="utf-8")
    return path


def _keys(*parties: tuple[Workspace, str, str, str], folder: Path) -> None:
    """Each party names itself and makes its key; every party registers every other."""
    for ws, name, kind, country in parties:
        ws.org_keys.generate_key(name=name, org_type=kind, country=country)
        ws.org_keys.export_key(folder / f"{country}-{kind}.pub.json")
    for ws, _, kind, country in parties:
        for _, _, other_kind, other_country in parties:
            if (other_kind, other_country) != (kind, country):
                ws.org_keys.add_key(folder / f"{other_country}-{other_kind}.pub.json")


@pytest.fixture
def pair(tmp_path: Path) -> Iterator[tuple[Workspace, Workspace]]:
    lv, ee = _workspace(tmp_path, "lv"), _workspace(tmp_path, "ee")
    _keys((lv, "Valsts policija", "police", "LV"), (ee, "Politsei", "police", "EE"),
          folder=tmp_path)
    _load_sender(lv, tmp_path)
    ee.cases.create("birch")
    yield lv, ee
    lv.close()
    ee.close()


def _load_sender(lv: Workspace, folder: Path) -> None:
    lv.cases.create("amber")
    lv.records.import_files("amber", [ImportRequest(_write(folder, "case.ftm.json", CASE))])
    lv.records.import_files("amber", [ImportRequest(_write(folder, "h2.ftm.json", H2))],
                            handling="H2")
    lv.entities.set_subject_role("amber", "lv-victim", "victim")
    found = Finding(kind="shell_company", score=0.8, explanation="Pays a worker below wage",
                    evidence=Evidence(entity_ids=["lv-firm", "lv-boss"]),
                    detector="veriga.test.shell", detector_version="1", title="Shell")
    lv.findings.save("amber", [found])
    lv.findings.review("amber", found.id, ReviewState.CONFIRMED, "checked the register")
    lv.findings.save("amber", [Finding(
        kind="informant", score=0.5, explanation="about the informant",
        evidence=Evidence(entity_ids=["lv-informant"]), detector="veriga.test.inf",
        detector_version="1")])


def _rows(ws: Workspace, case: str) -> list[dict[str, Any]]:
    with ws.store.begin() as conn:
        case_id = ws.store.get_case(conn, case)["id"]
        query = select(statements, sources.c.file_name, sources.c.sha256, sources.c.handling,
                       sources.c.origin).join(sources, sources.c.id == statements.c.source_id
                                              ).where(statements.c.case_id == case_id)
        return [dict(r) for r in conn.execute(query).mappings()]


def _export(lv: Workspace, out: Path, to: str = "Politsei", **kw: Any) -> Any:
    args: dict[str, Any] = {"legal_basis": "Art. 13 2000 EU MLA Convention",
                            "purpose": "JIT LV-EE 2026/3",
                            "conditions": ["not for court without consent"], **kw}
    return lv.exchange.export("amber", to, out, **args)


def test_round_trip_keeps_every_value_and_its_provenance(pair, tmp_path):
    lv, ee = pair
    out = tmp_path / "amber.vxp"
    sent = _export(lv, out, expires=date.today() + timedelta(days=30))
    assert sent.left_out == 1  # the informant (H2)
    assert b"Ilona" not in out.read_bytes() and b"lv-boss" not in out.read_bytes()
    got = ee.exchange.import_package(out, "birch")
    assert got.counts == sent.counts and got.counts["entities"] == len(CASE)

    fp = lv.org_keys.keys()[0]["fingerprint"]
    theirs = {(foreign_id(fp, r["entity_id"]), r["schema"], r["prop"],
               foreign_id(fp, r["value"]) if r["prop_type"] == "entity" else r["value"],
               r["original_value"], r["locator"], r["file_name"], r["sha256"], r["handling"])
              for r in _rows(lv, "amber") if r["file_name"] == "case.ftm.json"}
    mine_rows = _rows(ee, "birch")
    mine = {(r["entity_id"], r["schema"], r["prop"], r["value"], r["original_value"],
             r["locator"], r["file_name"], r["sha256"], r["handling"]) for r in mine_rows}
    assert mine == theirs
    origin = mine_rows[0]["origin"]
    assert origin["sender"] == "Valsts policija" and origin["country"] == "LV"
    assert origin["package_id"] == sent.package_id
    assert origin["legal_basis"] == "Art. 13 2000 EU MLA Convention"
    assert origin["conditions"] == ["not for court without consent"]
    assert not any("Ozols" in r["value"] for r in mine_rows)

    [finding] = ee.findings.list("birch")
    assert finding.review.state is ReviewState.NEW  # not reviewed by us
    assert finding.details and finding.details["exchange"]["review"]["state"] == "confirmed"
    assert finding.details["exchange"]["review"]["reason"] == "checked the register"
    assert set(finding.evidence.entity_ids) == {foreign_id(fp, "lv-firm"),
                                                foreign_id(fp, "lv-boss")}
    with ee.store.begin() as conn:
        roles = subject_roles(conn, ee.store.get_case(conn, "birch")["id"])
    assert roles[foreign_id(fp, "lv-victim")] == "victim"
    assert got.receipt is not None and got.receipt.exists()
    body = lv.exchange.verify_receipt(got.receipt)
    assert body["package_id"] == sent.package_id and body["counts"] == sent.counts
    with lv.store.begin() as conn:
        row = conn.execute(select(exchanges)).mappings().one()
    assert row["receipt_at"] is not None
    assert [e for e in lv.audit.log("amber") if e["action"] == "disclosure"]
    assert [e for e in ee.audit.log("birch") if e["action"] == "exchange.import"]


def test_selected_entities_and_what_links_to_them(pair, tmp_path):
    lv, ee = pair
    out = tmp_path / "firm.vxp"
    _export(lv, out, entity_ids=["lv-firm"])
    ee.exchange.import_package(out, "birch")
    fp = lv.org_keys.keys()[0]["fingerprint"]
    got = {r["entity_id"] for r in _rows(ee, "birch")}
    # the firm, its ownership (and the owner), the payment (and its payee and account)
    assert got == {foreign_id(fp, e) for e in ("lv-firm", "lv-own", "lv-boss", "lv-pay",
                                               "lv-victim", "lv-acct")}


def test_an_ngo_recipient_gets_no_protected_person(pair, tmp_path):
    lv, _ = pair
    ngo = _workspace(tmp_path, "ngo")
    ngo.org_keys.generate_key(name="Safe House", org_type="ngo", country="LV")
    ngo.org_keys.export_key(tmp_path / "ngo.pub.json")
    lv.org_keys.add_key(tmp_path / "ngo.pub.json")
    lv.org_keys.export_key(tmp_path / "lv.pub.json")
    ngo.org_keys.add_key(tmp_path / "lv.pub.json")
    ngo.cases.create("support")
    out = tmp_path / "ngo.vxp"
    sent = _export(lv, out, to="Safe House")
    assert "protected people" in sent.manifest["minimisation"]
    ngo.exchange.import_package(out, "support")
    rows = _rows(ngo, "support")
    fp = lv.org_keys.keys()[0]["fingerprint"]
    assert foreign_id(fp, "lv-victim") not in {r["entity_id"] for r in rows}
    assert foreign_id(fp, "lv-victim") not in {r["value"] for r in rows}  # nor a link to her
    assert not any("Kovaļova" in r["value"] or "37120000003" in r["value"] for r in rows)
    ngo.close()


# -- refusals ------------------------------------------------------------------------------


def _refused(ee: Workspace, path: Path, words: str) -> None:
    with pytest.raises(xch.PackageRefused, match=re.escape(words)):
        ee.exchange.import_package(path, "birch")
    assert _rows(ee, "birch") == []
    assert ee.findings.list("birch") == []
    refusals = [e for e in ee.audit.log("birch") if e["action"] == "exchange.refused"]
    assert refusals and words in refusals[-1]["detail"]["reason"]


def _ee_keys(ee: Workspace) -> xch.PrivateKeys:
    return xch.read_private(ee.org_keys.key_path(ee.require_user().org_id))


def _rewrap(ee: Workspace, data: bytes, change: Any) -> bytes:
    """What someone holding the recipient's public key can do: decrypt (here with the
    recipient's key, to alter it), change the inner zip, encrypt again."""
    keys = _ee_keys(ee)
    header, inner = xch.decrypt(data, keys)
    with zipfile.ZipFile(io.BytesIO(inner)) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    change(members)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        for name, body in members.items():
            zf.writestr(name, body)
    kept = {k: header[k] for k in ("format", "version", "package_id", "sender", "recipient")}
    return xch.encrypt(buffer.getvalue(), kept, keys.public)


def test_every_package_that_may_not_be_used_is_refused(pair, tmp_path):
    lv, ee = pair
    good = tmp_path / "amber.vxp"
    _export(lv, good)
    data = good.read_bytes()
    head, body = data.split(b"\n", 1)

    def bad(name: str, content: bytes) -> Path:
        path = tmp_path / name
        path.write_bytes(content)
        return path

    header = json.loads(head)
    _refused(ee, bad("header.vxp", xch.canonical({**header, "package_id": "pkg-other"})
                     + b"\n" + body), "altered: its encryption does not authenticate")
    flipped = bytes([body[100] ^ 1])
    _refused(ee, bad("byte.vxp", head + b"\n" + body[:100] + flipped + body[101:]),
             "altered: its encryption does not authenticate")
    _refused(ee, bad("short.vxp", data[:-50]), "cut short")
    _refused(ee, bad("stub.vxp", data[:30]), "cut short before the end of its header")

    def manifest(m: dict[str, bytes]) -> None:
        m[xch.MANIFEST] = m[xch.MANIFEST].replace(b"not for court without consent",
                                                  b"no conditions")

    _refused(ee, bad("manifest.vxp", _rewrap(ee, data, manifest)),
             "the signature does not verify")

    def member(m: dict[str, bytes]) -> None:
        m["statements.jsonl"] = m["statements.jsonl"].replace("Jānis".encode(), b"Janis")

    _refused(ee, bad("member.vxp", _rewrap(ee, data, member)),
             "member statements.jsonl differs from its signed hash")

    def signature(m: dict[str, bytes]) -> None:
        forged = xch.generate().sign.sign(m[xch.MANIFEST])
        m[xch.SIGNATURE] = xch._b64(forged).encode()

    _refused(ee, bad("sig.vxp", _rewrap(ee, data, signature)), "the signature does not")
    assert ee.exchange.import_package(good, "birch").counts["entities"] == len(CASE)
    with pytest.raises(xch.PackageRefused, match="replayed"):
        ee.exchange.import_package(good, "birch")
    refusals = [e for e in ee.audit.log("birch") if e["action"] == "exchange.refused"]
    assert "replayed" in refusals[-1]["detail"]["reason"]


def test_misaddressed_unknown_and_expired_packages_are_refused(pair, tmp_path):
    lv, ee = pair
    other = _workspace(tmp_path, "fi")
    other.org_keys.generate_key(name="Poliisi", org_type="police", country="FI")
    other.org_keys.export_key(tmp_path / "fi.pub.json")
    lv.org_keys.add_key(tmp_path / "fi.pub.json")
    for_fi = tmp_path / "for-fi.vxp"
    _export(lv, for_fi, to="Poliisi")
    _refused(ee, for_fi, "not addressed to this organisation")

    ee.org_keys.export_key(tmp_path / "ee.pub.json")
    other.org_keys.add_key(tmp_path / "ee.pub.json")
    other.cases.create("fir")
    other.records.import_files("fir", [ImportRequest(_write(tmp_path, "fi.ftm.json",
                                                            CASE[:1]))])
    unknown = tmp_path / "unknown.vxp"
    other.exchange.export("fir", "Politsei", unknown, legal_basis="MLA", purpose="test")
    _refused(ee, unknown, "from an unknown sender")
    other.close()

    lv_keys = xch.read_private(lv.org_keys.key_path(lv.require_user().org_id))
    ee_public = _ee_keys(ee).public
    yesterday = (datetime.now(UTC).date() - timedelta(days=1)).isoformat()
    data, _, _ = xch.seal(Payload().to_members(), {
        "package_id": xch.new_package_id(), "sender": {"name": "Valsts policija"},
        "recipient": {"name": "Politsei"}, "legal_basis": "MLA", "purpose": "test",
        "conditions": [], "expires": yesterday, "counts": {}}, lv_keys, ee_public)
    expired = tmp_path / "expired.vxp"
    expired.write_bytes(data)
    _refused(ee, expired, f"expired on {yesterday}")
    with pytest.raises(xch.PackageRefused, match="expired"):
        ee.exchange.verify(expired)


def test_verify_checks_without_importing(pair, tmp_path):
    lv, ee = pair
    out = tmp_path / "amber.vxp"
    _export(lv, out)
    opened = ee.exchange.verify(out)
    assert opened.manifest["sender"]["name"] == "Valsts policija"
    assert _rows(ee, "birch") == []


def test_keys_stay_private_and_a_forged_receipt_is_refused(pair, tmp_path):
    lv, ee = pair
    path = ee.org_keys.key_path(ee.require_user().org_id)
    assert path.stat().st_mode & 0o077 == 0
    with ee.store.begin() as conn:
        dump = "\n".join(str(r) for r in conn.exec_driver_sql("SELECT * FROM org_keys"))
    private = json.loads(path.read_text())
    assert private["sign"] not in dump and private["box"] not in dump
    path.chmod(0o644)
    with pytest.raises(xch.KeyProblem, match="chmod 600"):
        ee.exchange.verify(tmp_path / "nothing.vxp")
    path.chmod(0o600)

    out = tmp_path / "amber.vxp"
    _export(lv, out)
    got = ee.exchange.import_package(out, "birch")
    assert got.receipt is not None
    signed = json.loads(got.receipt.read_text())
    signed["receipt"]["counts"]["statements"] += 1
    forged = tmp_path / "forged.json"
    forged.write_text(json.dumps(signed))
    with pytest.raises(xch.PackageRefused, match="signature does not verify"):
        lv.exchange.verify_receipt(forged)


def test_round_trip_into_each_store(ws, tmp_path):
    """The recipient on SQLite and on PostgreSQL (the ``ws`` fixture)."""
    lv = _workspace(tmp_path, "lv")
    _keys((lv, "Valsts policija", "police", "LV"), (ws, "Politsei", "police", "EE"),
          folder=tmp_path)
    _load_sender(lv, tmp_path)
    ws.cases.create("birch")
    out = tmp_path / "amber.vxp"
    sent = _export(lv, out)
    assert ws.exchange.import_package(out, "birch").counts == sent.counts
    assert len(_rows(ws, "birch")) == sent.counts["statements"]
    lv.close()


def _records(ws: Workspace, case: str) -> list[dict[str, Any]]:
    engine = ws.records.engine(case)
    try:
        rows = engine.query('SELECT * FROM "transaction" ORDER BY record_id').to_pylist()
    finally:
        engine.close()
    return rows


def test_bank_records_travel_with_their_source(pair, tmp_path, examples):
    lv, ee = pair
    lv.records.import_files("amber", [ImportRequest(examples["transactions"],
                                                    mapping=examples["mapping"])])
    out = tmp_path / "amber.vxp"
    sent = _export(lv, out)
    theirs = _records(lv, "amber")
    assert theirs and sent.counts["records"] == len(theirs)
    ee.exchange.import_package(out, "birch")
    mine = _records(ee, "birch")
    with ee.store.begin() as conn:
        [source] = [s for s in ee.store.list_sources(conn, ee.store.get_case(conn, "birch")["id"])
                    if s["file_name"] == examples["transactions"].name]
    assert source["record_count"] == len(theirs)
    assert {r["source_id"] for r in mine} == {source["id"]}
    drop = ("source_id",)
    assert [{k: v for k, v in r.items() if k not in drop} for r in mine] == \
        [{k: v for k, v in r.items() if k not in drop} for r in theirs]


def test_an_ngo_recipient_gets_no_bulk_records(pair, tmp_path, examples):
    lv, _ = pair
    lv.records.import_files("amber", [ImportRequest(examples["transactions"],
                                                    mapping=examples["mapping"])])
    ngo = _workspace(tmp_path, "ngo")
    ngo.org_keys.generate_key(name="Safe House", org_type="ngo", country="LV")
    ngo.org_keys.export_key(tmp_path / "ngo.pub.json")
    lv.org_keys.add_key(tmp_path / "ngo.pub.json")
    sent = _export(lv, tmp_path / "ngo.vxp", to="Safe House")
    assert sent.counts["records"] == 0 and "bulk records" in sent.manifest["minimisation"]
    ngo.close()


def test_a_signed_package_of_the_wrong_shape_is_refused(pair, tmp_path):
    """A registered sender's package that this version cannot read lands nothing."""
    lv, ee = pair
    lv_keys = xch.read_private(lv.org_keys.key_path(lv.require_user().org_id))
    ee_public = _ee_keys(ee).public
    source = {"id": "src-1", "file_name": "a.json", "sha256": "0" * 64, "size": 1,
              "media_type": "application/json", "format": "ftm", "importer": "ftm",
              "importer_version": "1", "imported_at": None, "imported_by": "x",
              "handling": "H0", "handling_restricted": False, "handling_note": None}
    statement = {"id": "s1", "entity_id": "e1", "schema": "Person", "prop": "name",
                 "prop_type": "name", "value": "A B", "original_value": None, "latin": None,
                 "lang": None, "source_id": "src-1", "locator": "1", "first_seen": None}
    manifest = {"sender": {"name": "Valsts policija"}, "recipient": {"name": "Politsei"},
                "legal_basis": "MLA", "purpose": "test", "conditions": [], "expires": None,
                "counts": {}}

    def package(name: str, payload: Payload, extra: dict[str, bytes] | None = None) -> Path:
        data, _, _ = xch.seal({**payload.to_members(), **(extra or {})},
                              {**manifest, "package_id": xch.new_package_id()}, lv_keys,
                              ee_public)
        path = tmp_path / name
        path.write_bytes(data)
        return path

    odd_role = Payload([source], [statement], roles=[{"entity_id": "e1", "role": "boss"}])
    _refused(ee, package("role.vxp", odd_role), "does not have the shape this version")
    _refused(ee, package("member.vxp", Payload([source], [statement]),
                         {"../../etc/passwd": b"x"}), "a member this version does not know")
    stray = Payload([source], [{**statement, "source_id": "src-2"}])
    _refused(ee, package("stray.vxp", stray), "source(s) the package does not hold")


def test_resolution_proposes_received_records_as_matches_of_our_own(pair, tmp_path):
    lv, ee = pair
    ours = [_entity("ee-olena", "Person", name="Olena Shevchenko", birthDate="1990-04-03",
                    phone="+37120000001"),
            _entity("ee-firm", "Company", name="Baltic Staffing", registrationNumber="40003012340",
                    country="lv")]
    ee.records.import_files("birch", [ImportRequest(_write(tmp_path, "ee.ftm.json", ours))])
    out = tmp_path / "amber.vxp"
    _export(lv, out)
    ee.exchange.import_package(out, "birch")
    ee.analyses.run("birch", ["resolve"])
    fp = lv.org_keys.keys()[0]["fingerprint"]
    pairs = [set(f.evidence.entity_ids) for f in ee.findings.list("birch")
             if f.kind.startswith("match.")]
    assert any({"ee-olena", foreign_id(fp, "lv-boss")} <= p for p in pairs)
    assert any({"ee-firm", foreign_id(fp, "lv-firm")} <= p for p in pairs)
    assert [f for f in ee.findings.list("birch") if f.kind == "shell_company"]  # kept
    with ee.store.begin() as conn:  # proposed, not merged: a person confirms
        assert ee.store.canonical_map(conn, ee.store.get_case(conn, "birch")["id"]) == {}


def test_a_public_bundle_is_checked_before_it_is_registered(pair, tmp_path):
    lv, ee = pair
    bundle = json.loads((tmp_path / "EE-police.pub.json").read_text())
    other = xch.generate().public
    swapped = tmp_path / "swapped.pub.json"  # someone else's key under Politsei's name
    swapped.write_text(json.dumps({**bundle, "box_public": other.to_text()[1]}))
    with pytest.raises(xch.KeyProblem, match="do not match the bundle's fingerprint"):
        lv.org_keys.add_key(swapped)
    with pytest.raises(VerigaError, match="registered already"):
        lv.org_keys.add_key(tmp_path / "EE-police.pub.json")
    with pytest.raises(VerigaError, match="names this organisation"):
        lv.org_keys.add_key(tmp_path / "LV-police.pub.json")
    with pytest.raises(VerigaError, match="has a key already"):
        ee.org_keys.generate_key()
    assert [e for e in lv.audit.log() if e["action"] == "org.key.add"]


def test_only_the_chosen_accounts_bank_records_go(pair, tmp_path, examples):
    lv, ee = pair
    lv.records.import_files("amber", [ImportRequest(examples["transactions"],
                                                    mapping=examples["mapping"])])
    theirs = _records(lv, "amber")
    account = next(r["counterparty_account"] for r in theirs if r["counterparty_account"])
    chosen = [r for r in theirs if account in (r["account"], r["counterparty_account"])]
    out = tmp_path / "amber.vxp"
    sent = _export(lv, out, accounts=[account])
    assert 0 < sent.counts["records"] == len(chosen) < len(theirs)
    ee.exchange.import_package(out, "birch")
    mine = _records(ee, "birch")
    assert len(mine) == len(chosen)
    assert all(account in (r["account"], r["counterparty_account"]) for r in mine)
    out2 = tmp_path / "none.vxp"
    assert _export(lv, out2, accounts=["LV00NOSUCHACCOUNT000000"]).counts["records"] == 0
