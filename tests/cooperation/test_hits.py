"""Hit/no-hit matching between two installations: only hits are learnt, and every filter that
may not be used is refused with one line (and the refusal audited)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from veriga.config import Settings
from veriga.cooperation import hits as hnh
from veriga.ingest import ImportRequest
from veriga.workspace import PermissionDenied, Workspace


def _person(eid: str, name: str, **props: Any) -> dict[str, Any]:
    values = {"name": [name], **{k: v if isinstance(v, list) else [v] for k, v in props.items()}}
    return {"id": eid, "schema": "Person", "properties": values}


def _company(eid: str, name: str, reg: str) -> dict[str, Any]:
    return {"id": eid, "schema": "Company",
            "properties": {"name": [name], "registrationNumber": [reg], "country": ["lv"]}}


# The publishing party (Latvian police): a controller, a recruiter, a victim, a company.
THEIRS = [
    _person("lv-controller", "Олена Шевченко", birthDate="1990-04-03",
            phone="+37120000001", nationality="ua"),
    _person("lv-recruiter", "Jānis Bērziņš", birthDate="1985-01-15", phone="+37120000002"),
    _person("lv-victim", "Ilona Kovaļova", birthDate="2001-06-30", phone="+37120000003"),
    _company("lv-firm", "Baltic Staffing SIA", "40003012340"),
]
# The matching party (Estonian police): the same controller in Latin script with a typo in
# the surname and no phone; the recruiter's phone; the victim's phone; a namesake of the
# recruiter born in another year; someone unrelated; the company by its number.
MINE = [
    _person("ee-olena", "Olena Sevcenko", birthDate="1990-04-03", nationality="ua"),
    _person("ee-olena-typo", "Olena Shevchenco", birthDate="1990"),
    _person("ee-phone", "Jaan Berzin", phone="+37120000002"),
    _person("ee-victim-phone", "I. K.", phone="+37120000003"),
    _person("ee-namesake", "Jānis Bērziņš", birthDate="1962-09-09"),
    _person("ee-other", "Mari Tamm", birthDate="1979-02-02", phone="+37255555555"),
    _company("ee-firm", "Baltic Staffing", "40003012340"),
]


def _workspace(root: Path, name: str) -> Workspace:
    settings = Settings(home=root / name, database_url=f"sqlite:///{root / name}.db")
    return Workspace.local(settings, purpose="JIT LV-EE 2026/3", username=f"{name}-officer")


def _load(ws: Workspace, case: str, entities: list[dict[str, Any]], folder: Path,
          victim: str | None = None) -> None:
    ws.cases.create(case)
    path = folder / f"{case}.ftm.json"
    path.write_text("\n".join(json.dumps(e, ensure_ascii=False) for e in entities) + "\n",
                    encoding="utf-8")
    ws.records.import_files(case, [ImportRequest(path)])
    if victim:
        ws.entities.set_subject_role(case, victim, "victim")


@pytest.fixture
def parties(tmp_path: Path) -> Iterator[tuple[Workspace, Workspace, bytes]]:
    lv, ee = _workspace(tmp_path, "lv"), _workspace(tmp_path, "ee")
    _load(lv, "amber", THEIRS, tmp_path, victim="lv-victim")
    _load(ee, "birch", MINE, tmp_path)
    yield lv, ee, hnh.new_key()
    lv.close()
    ee.close()


def _hits(found: hnh.Hit | Any) -> set[tuple[str, str]]:
    return {(h.record_id, h.kind) for h in found.hits}


def test_only_my_identifiers_that_they_hold_are_hits(parties, tmp_path):
    lv, ee, key = parties
    out = tmp_path / "amber.vhf"
    published = lv.hits.publish("amber", key, out, label="Valsts policija LV-17",
                                expires=date.today() + timedelta(days=30))
    assert published.left_out == 1  # the victim, and what may be her
    found = ee.hits.match("birch", key, out)
    got = _hits(found)
    assert ("ee-olena", "person") in got  # birth date and name, across scripts and endings
    assert ("ee-olena-typo", "name") in got  # a typo: the name encodings are close
    assert ("ee-phone", "phone") in got
    assert ("ee-firm", "company") in got
    assert ("ee-victim-phone", "phone") not in got  # the victim was left out
    assert not {r for r, _ in got} & {"ee-namesake", "ee-other"}  # another birth year
    mine = {e["id"] for e in MINE}
    assert {r for r, _ in got} <= mine  # nothing of theirs comes back, only my own records
    assert found.header["label"] == "Valsts policija LV-17"
    assert "lv-controller" not in out.read_bytes().decode("latin-1")
    assert "37120000001" not in out.read_bytes().decode("latin-1")


def test_victims_only_when_asked(parties, tmp_path):
    lv, ee, key = parties
    out = tmp_path / "amber.vhf"
    lv.hits.publish("amber", key, out, include_victims=True)
    assert ("ee-victim-phone", "phone") in _hits(ee.hits.match("birch", key, out))
    [entry] = [e for e in lv.audit.log("amber") if e["action"] == "hits.publish"]
    assert entry["detail"]["victims_included"] is True


def test_material_not_to_be_passed_on_stays_out(tmp_path):
    lv, ee = _workspace(tmp_path, "lv"), _workspace(tmp_path, "ee")
    key = hnh.new_key()
    lv.cases.create("amber")
    path = tmp_path / "h2.ftm.json"
    path.write_text(json.dumps(THEIRS[1], ensure_ascii=False) + "\n", encoding="utf-8")
    lv.records.import_files("amber", [ImportRequest(path)], handling="H2")
    _load(ee, "birch", MINE, tmp_path)
    out = tmp_path / "amber.vhf"
    assert lv.hits.publish("amber", key, out).left_out == 1
    assert ee.hits.match("birch", key, out).hits == []
    lv.close()
    ee.close()


def _refused(ee: Workspace, key: bytes, path: Path, words: str) -> None:
    with pytest.raises(hnh.FilterRefused, match=re.escape(words)):
        ee.hits.match("birch", key, path)
    refusals = [e for e in ee.audit.log("birch") if e["action"] == "hits.refused"]
    assert refusals and words in refusals[-1]["detail"]["reason"]


def test_every_filter_that_may_not_be_used_is_refused_and_audited(parties, tmp_path):
    lv, ee, key = parties
    good = tmp_path / "amber.vhf"
    lv.hits.publish("amber", key, good, label="LV-17")
    data = good.read_bytes()
    head, body = data.split(b"\n", 1)

    _refused(ee, hnh.new_key(), good, "made under another key")

    flipped = tmp_path / "flipped.vhf"
    flipped.write_bytes(head + b"\n" + bytes([body[0] ^ 1]) + body[1:])
    _refused(ee, key, flipped, "cut short or altered")

    short = tmp_path / "short.vhf"
    short.write_bytes(data[:-40])
    _refused(ee, key, short, "cut short or altered")

    header = json.loads(head)
    relabelled = tmp_path / "relabelled.vhf"
    relabelled.write_bytes(json.dumps({**header, "label": "Someone else"}).encode() + b"\n"
                           + body)
    _refused(ee, key, relabelled, "altered (its authentication code")

    newer = tmp_path / "newer.vhf"
    newer.write_bytes(json.dumps({**header, "version": 99}).encode() + b"\n" + body)
    _refused(ee, key, newer, "filter version 99")

    expired = tmp_path / "expired.vhf"
    lv.hits.publish("amber", key, expired, expires=date.today() - timedelta(days=1))
    _refused(ee, key, expired, "expired on")

    junk = tmp_path / "junk.vhf"
    junk.write_bytes(b"\x00" * 100_000)
    _refused(ee, key, junk, "not a hit/no-hit filter")


def test_a_forged_filter_of_a_longer_body_is_refused_before_parsing(tmp_path):
    """Counts that promise more than the body holds cannot make the reader overrun it."""
    key = hnh.new_key()
    path = tmp_path / "f.vhf"
    hnh.write_filter(path, key, [hnh.Identifier("r", "phone", "+37120000002")], [])
    head, body = path.read_bytes().split(b"\n", 1)
    header = json.loads(head)
    header["exact"] = 10**9
    header["mac"] = hnh._mac(key, header, body)  # a party holding the key
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    with pytest.raises(hnh.FilterRefused, match="shorter than its header says"):
        hnh.read_filter(path, key)


def test_the_matching_party_needs_to_read_its_case_and_the_publisher_to_export(parties,
                                                                              tmp_path):
    lv, _, key = parties
    lv.directory.add_org("Safe House", "ngo", "LV")
    lv.directory.add_user("ilze", "Safe House", ["ngo_worker"], "Ilze", "pw-for-tests-only-1")
    lv.cases.share("amber", "Safe House")
    ngo = lv.as_user("ilze", purpose="support of a victim")
    with pytest.raises(PermissionDenied):
        ngo.hits.publish("amber", key, tmp_path / "ngo.vhf")
    assert not (tmp_path / "ngo.vhf").exists()


def test_the_key_file_is_private_and_never_overwritten(tmp_path):
    path = tmp_path / "jit.key"
    key = hnh.new_key()
    hnh.write_key(key, path)
    assert path.stat().st_mode & 0o077 == 0
    assert hnh.read_key(path) == key
    with pytest.raises(FileExistsError):
        hnh.write_key(hnh.new_key(), path)
    bad = tmp_path / "bad.key"
    bad.write_text("not base64!\n")
    with pytest.raises(Exception, match="not a key file"):
        hnh.read_key(bad)
