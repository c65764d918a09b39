"""Bulk files are staged and moved into place at commit; an interrupted import leaves
nothing behind; `veriga check` finds missing, orphaned and miscounted files."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from veriga.cli import app
from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest
from veriga.store.integrity import check_store


def _import(ws, examples, case="c"):
    [r] = ws.records.import_files(case, [ImportRequest(examples["transactions"],
                                               mapping=examples["mapping"])])
    return r


def _bulk_files(ws) -> list[str]:
    return sorted(str(p.relative_to(ws.bulk.root)) for p in ws.bulk.root.rglob("*")
                  if p.is_file())


def test_a_whole_store_passes(ws, examples):
    ws.cases.create("c")
    r = _import(ws, examples)
    report = check_store(ws.store, ws.bulk)
    assert report.ok, report.problems
    assert (report.sources, report.bulk_files) == (1, 1)
    assert _bulk_files(ws) == [f"{ws.cases.get('c')['id']}/transaction/{r.source_id}.parquet"]


def test_missing_orphaned_and_miscounted_are_reported(sqlite_ws, examples):
    ws = sqlite_ws
    ws.cases.create("c")
    r = _import(ws, examples)
    [rel] = _bulk_files(ws)
    orphan = ws.bulk.path(rel).with_name("src-0000000000000000.parquet")
    os.replace(ws.bulk.path(rel), orphan)
    with ws.store.begin() as conn:
        conn.execute(sa.text("UPDATE sources SET statement_count = statement_count + 1"))
    problems = check_store(ws.store, ws.bulk).problems
    assert problems == [
        f"source {r.source_id} (transactions.csv): bulk file {rel} is missing",
        f"source {r.source_id} (transactions.csv): 7 statements, the source says 8",
        f"orphaned bulk file {orphan.relative_to(ws.bulk.root)}: no committed source "
        "src-0000000000000000 refers to it (--repair removes it)",
    ]
    report = check_store(ws.store, ws.bulk, repair=True)
    assert not orphan.exists() and len(report.repaired) == 1


def test_a_failed_import_leaves_no_staging(sqlite_ws, examples, tmp_path):
    ws = sqlite_ws
    ws.cases.create("c")
    bad = tmp_path / "bad.csv"
    bad.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(ImportFailed):
        ws.records.import_files("c", [ImportRequest(examples["transactions"],
                                                    mapping=examples["mapping"]),
                              ImportRequest(bad, mapping=examples["mapping"])])
    assert _bulk_files(ws) == []


KILLED = """
import os, sys
from veriga.config import Settings
from veriga.ingest import ImportRequest
from veriga.store import Store
from veriga.workspace import Workspace

point = sys.argv[3]
original = Store.audit
def audit(self, conn, **entry):
    if entry.get("action") == "import" and point == "before-publish":
        os._exit(9)  # as kill -9: no cleanup runs
    return original(self, conn, **entry)
Store.audit = audit
if point == "after-publish":
    from veriga.store.bulk import BulkRun
    publish = BulkRun.publish
    def publish_then_die(self):
        publish(self)
        os._exit(9)
    BulkRun.publish = publish_then_die
settings = Settings(home=__import__("pathlib").Path(sys.argv[1]), database_url=sys.argv[2])
ws = Workspace.local(settings, purpose="test", username="tester")
from pathlib import Path
ws.records.import_files("c", [ImportRequest(Path(sys.argv[4]), mapping=Path(sys.argv[5]))])
"""


def test_an_import_killed_before_its_commit_leaves_nothing(sqlite_ws, examples, tmp_path):
    """The process dies (as with kill -9) after its bulk files are written, before or after
    they are moved into place: the next import cleans them up."""
    ws = sqlite_ws
    ws.cases.create("c")
    for point in ("before-publish", "after-publish"):
        done = subprocess.run(
            [sys.executable, "-c", textwrap.dedent(KILLED), str(ws.settings.home),
             ws.settings.database_url, point, str(examples["transactions"]),
             str(examples["mapping"])], capture_output=True, text=True)
        assert done.returncode == 9, done.stderr
        with ws.store.begin() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM sources")).scalar() == 0
        leftover = check_store(ws.store, ws.bulk)
        assert leftover.ok, leftover.problems
        assert _bulk_files(ws) == []
    r = _import(ws, examples)
    assert _bulk_files(ws) == [f"{ws.cases.get('c')['id']}/transaction/{r.source_id}.parquet"]


def test_veriga_check_command(env_home, examples):
    runner = CliRunner()
    assert runner.invoke(app, ["case", "create", "c"]).exit_code == 0
    ok = runner.invoke(app, ["import", str(examples["transactions"]), "--mapping",
                             str(examples["mapping"]), "--case", "c"])
    assert ok.exit_code == 0, ok.output
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 0, result.output
    assert "ok: 1 sources, 1 bulk files, 7 statements, audit chain of" in result.output
    stray = Path(env_home) / "bulk" / "stray.parquet"
    stray.write_bytes(b"x")
    result = runner.invoke(app, ["check"])
    assert result.exit_code == 1
    assert "problem: orphaned bulk file stray.parquet" in result.output
    assert runner.invoke(app, ["check", "--repair"]).exit_code == 0
    assert not stray.exists()
