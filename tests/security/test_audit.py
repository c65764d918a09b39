"""Attacks on the audit: cutting or rebuilding the chain, bulk reads too large to list in an
entry, and a DPO reading other organisations' audit and the search terms typed into it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from veriga.cli import app
from veriga.config import Settings
from veriga.errors import NotFound
from veriga.ingest import ImportRequest
from veriga.store.audit import entry_hash
from veriga.store.schema import audit
from veriga.workspace import WITHHELD, Workspace

runner = CliRunner()


def _drop_guards(conn: sa.Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("DROP TRIGGER audit_append_only ON audit"))
    else:
        conn.execute(sa.text("DROP TRIGGER audit_no_update"))
        conn.execute(sa.text("DROP TRIGGER audit_no_delete"))


def _rebuild(conn: sa.Connection, renumber: bool) -> None:
    """What an attacker with write access to the database does after deleting entries:
    recompute every hash (and, with ``renumber``, close the gaps) with Veriga's own code."""
    rows = [dict(r) for r in conn.execute(sa.select(audit).order_by(audit.c.seq)).mappings()]
    conn.execute(sa.delete(audit))
    prev = "0" * 64
    for n, row in enumerate(rows, start=1):
        if renumber:
            row["seq"] = n
        row["prev_hash"] = prev
        row["hash"] = prev = entry_hash(prev, row)
        conn.execute(sa.insert(audit).values(**row))


def _run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_deleting_the_newest_entries_is_caught_by_the_anchor(env_home, examples, tmp_path):
    assert _run("case", "create", "amber")[0] == 0
    assert _run("import", str(examples["people"]), "-c", "amber")[0] == 0
    anchor = tmp_path / "anchor.json"
    code, out = _run("audit", "anchor", "--out", str(anchor))
    assert code == 0 and "Anchored entry 3" in out
    assert json.loads(anchor.read_text())["count"] == 3
    assert _run("show", "p-anna", "-c", "amber")[0] == 0  # the read to hide
    code, out = _run("audit", "anchor")
    assert code == 0 and json.loads(out)["seq"] == 5
    assert _run("audit", "verify", "--anchor", str(anchor))[0] == 0
    engine = sa.create_engine(f"sqlite:///{env_home / 'veriga.db'}")
    with engine.begin() as conn:
        _drop_guards(conn)
        conn.execute(sa.text("DELETE FROM audit WHERE seq >= 3"))
    engine.dispose()
    code, out = _run("audit", "verify", "--anchor", str(anchor))
    assert code == 2 and "anchored entry 3 is missing" in out


@pytest.mark.parametrize("renumber", [False, True])
def test_rebuilding_the_chain_after_deleting_an_entry_is_caught(ws, renumber):
    for name in ("a", "b", "c", "d"):
        ws.cases.create(name)
    anchor = ws.audit.anchor()
    with ws.store.begin() as conn:
        _drop_guards(conn)
        conn.execute(sa.text("DELETE FROM audit WHERE seq = 3"))
        _rebuild(conn, renumber)
    report = ws.audit.verify()
    if not renumber:  # the hole is seen without an anchor
        assert not report.ok and report.seq == 4 and "entry 3 is missing" in report.problem
    else:  # a renumbered chain is consistent in itself; the anchor is not there any more
        report = ws.audit.verify(anchor)
        assert not report.ok and "not the one anchored" in report.problem


def test_who_saw_a_record_of_a_bulk_read_larger_than_an_entry_could_list(ws, tmp_path):
    path = tmp_path / "many.ftm.json"
    ids = [f"p-{i:05d}" for i in range(1500)]
    path.write_text("".join(json.dumps({"id": i, "schema": "Person",
                                        "properties": {"name": [f"Person {i}"]}}) + "\n"
                            for i in ids), encoding="utf-8")
    ws.cases.create("big")
    ws.records.import_files("big", [ImportRequest(path)])
    ws.directory.add_org("Politsei", "police", "EE")
    ws.directory.add_user("mart", "Politsei", ["investigator"])
    ws.directory.add_user("dpo", "Local workspace", ["dpo"])
    ws.cases.share("big", "Politsei", ids)  # a share of selected entities: a listing is not
    mart = ws.as_user("mart", purpose="cross-border check")  # the whole case
    assert len(list(mart.entities.list("big"))) == 1500
    assert len(ws.entities.by_id("big", ids)) == 1500
    dpo = ws.as_user("dpo", purpose="review")
    seen = {(e["actor"], e["action"]) for e in dpo.audit.who_accessed("big", ids[-1])}
    assert {("mart", "entity.list"), ("tester", "entity.read")} <= seen
    # a listing of the whole case before the record was imported did not reach it
    list(ws.entities.list("big"))
    late = tmp_path / "late.ftm.json"
    late.write_text('{"id": "late", "schema": "Person", "properties": {"name": ["L"]}}\n',
                    encoding="utf-8")
    ws.records.import_files("big", [ImportRequest(late)])
    assert [e["action"] for e in dpo.audit.who_accessed("big", "late")] == ["import"]
    assert "entity.list" in [e["action"] for e in dpo.audit.who_accessed("big", ids[0])]
    assert ws.audit.verify().ok


@pytest.fixture
def two_agencies(tmp_path: Path, db_url: str, examples) -> dict[str, Workspace]:
    """Agency A owns ``amber`` and searched it for a victim by name and phone; agency B
    owns ``birch``. Each has a DPO."""
    settings = Settings(home=tmp_path / "home", database_url=db_url)
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Agency A", "police", "LV")
    admin.directory.add_org("Agency B", "police", "EE")
    for user, org, roles in (("liga", "Agency A", ["investigator"]),
                             ("dpo-a", "Agency A", ["dpo"]),
                             ("mart", "Agency B", ["investigator"]),
                             ("dpo-b", "Agency B", ["dpo"])):
        admin.directory.add_user(user, org, roles)
    liga = admin.as_user("liga", purpose="investigation LV-1")
    liga.cases.create("amber")
    liga.records.import_files("amber", [ImportRequest(examples["people"])])
    liga.entities.search("amber", "Anna Ozola")
    liga.entities.search("amber", "+37120000001")
    mart = admin.as_user("mart", purpose="investigation EE-1")
    mart.cases.create("birch")
    mart.entities.search("birch", "Kadri Tamm")
    yield {"admin": admin, "liga": liga, "mart": mart,
           "dpo-a": admin.as_user("dpo-a", purpose="review"),
           "dpo-b": admin.as_user("dpo-b", purpose="review")}
    admin.close()


def _text(rows: list[dict]) -> str:
    return json.dumps(rows, default=str, ensure_ascii=False)


def test_a_dpo_reads_only_their_organisation_audit(two_agencies):
    dpo_b = two_agencies["dpo-b"]
    everything = dpo_b.audit.log()
    assert {e["actor"] for e in everything} <= {"mart", "dpo-b"}
    assert "amber" not in _text(everything) and "Anna Ozola" not in _text(everything)
    assert any(e["case_id"] and e["action"] == "entity.search" for e in everything)
    for attempt in (lambda: dpo_b.audit.log("amber"),
                    lambda: dpo_b.audit.who_accessed("amber", "p-anna")):
        with pytest.raises(NotFound):
            attempt()
    # a case shared with agency B: its DPO sees what agency B's users did there, no more
    two_agencies["liga"].cases.share("amber", "Agency B")
    list(two_agencies["mart"].entities.list("amber"))
    shared = dpo_b.audit.log("amber")
    assert {e["actor"] for e in shared} == {"mart"} and "Anna" not in _text(shared)
    assert {e["actor"] for e in dpo_b.audit.who_accessed("amber", "p-anna")} == {"mart"}


def test_search_terms_are_shown_only_to_those_who_may_read_the_case(two_agencies):
    for case in (None, "amber"):
        rows = two_agencies["dpo-a"].audit.log(case)
        searches = [e for e in rows if e["action"] == "entity.search"]
        assert len(searches) == 2 and {e["detail"]["query"] for e in searches} == {WITHHELD}
        assert "Anna Ozola" not in _text(rows) and "37120000001" not in _text(rows)
    # the search that found her is among those who reached her record, its terms withheld
    who = two_agencies["dpo-a"].audit.who_accessed("amber", "p-anna")
    assert [e["detail"]["query"] for e in who if e["action"] == "entity.search"] == [WITHHELD]
    admin = two_agencies["admin"]
    admin.directory.add_user("lead", "Agency A", ["administrator", "investigator"])
    two_agencies["liga"].cases.add_member("amber", "lead", "investigator")
    lead = admin.as_user("lead", purpose="review")
    queries = {e["detail"]["query"] for e in lead.audit.log() if e["action"] == "entity.search"}
    assert queries == {"Anna Ozola", "+37120000001"}
    # what was stored is unchanged: the chain still verifies
    assert two_agencies["dpo-a"].audit.verify().ok
