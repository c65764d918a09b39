"""The prepared ledger is kept per case, its data and the reader's view: built once, built
again when the case's sources change, never handed to a reader who sees the case otherwise;
each use is audited as building it is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from veriga import finance
from veriga.ingest import ImportRequest
from veriga.workspace import Workspace, cache

PASSWORD = "ledger cache password 1"


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many times a ledger was prepared (one entry per build)."""
    cache.clear()
    done: list[int] = []
    prepare = finance.prepare

    def counted(*args: Any, **kwargs: Any) -> None:
        if not kwargs.get("lazy"):
            done.append(1)
        prepare(*args, **kwargs)

    monkeypatch.setattr(finance, "prepare", counted)
    yield done
    cache.clear()


def _rows(ws: Workspace) -> tuple[int, dict[str, str]]:
    with ws.records.ledger("c") as led:
        n = led.engine.query("SELECT count(*) AS n FROM ledger").column(0)[0].as_py()
        return n, led.owners


def test_built_once_per_change_of_the_sources(ws: Workspace, examples: dict[str, Path],
                                              builds: list[int], tmp_path: Path) -> None:
    ws.cases.create("c")
    ws.records.import_files("c", [
        ImportRequest(examples["people"]),
        ImportRequest(examples["transactions"], mapping=examples["mapping"])])
    first = _rows(ws)
    audited = len(ws.audit.log("c"))
    assert _rows(ws) == first and first[0] > 0 and first[1]
    assert len(builds) == 1
    # the cached ledger is audited as building it is: the records and the holders read
    actions = [r["action"] for r in ws.audit.log("c")[audited:] if r["action"] != "audit.read"]
    assert actions == ["records.read", "entity.list"]
    more = tmp_path / "more.csv"
    lines = examples["transactions"].read_text("utf-8").splitlines()
    more.write_text("\n".join([lines[0], lines[1].replace("TX0001", "TX9001")
                               .replace("01.03.2026", "09.03.2026")]) + "\n", "utf-8")
    ws.records.import_files("c", [ImportRequest(more, mapping=examples["mapping"])])
    assert _rows(ws)[0] == first[0] + 1
    assert len(builds) == 2


def test_another_view_of_the_case_gets_its_own(ws: Workspace, examples: dict[str, Path],
                                               builds: list[int]) -> None:
    ws.directory.add_org("Safe House", "ngo", "LV")
    ws.directory.add_user("ilze", "Safe House", ["ngo_worker"], "Ilze", PASSWORD)
    ws.cases.create("c")
    ws.records.import_files("c", [
        ImportRequest(examples["people"]),
        ImportRequest(examples["transactions"], mapping=examples["mapping"])])
    holder = next(e for e in ws.entities.list("c", ["Person"])
                  if e.caption == "Anna Ozola")
    ws.entities.set_subject_role("c", holder.id, "victim")
    ws.cases.share("c", "Safe House")
    police = _rows(ws)
    ngo = ws.as_user("ilze", purpose="victim support")
    shown = _rows(ngo)
    assert len(builds) == 2  # not the investigator's
    assert holder.id in police[1].values() and holder.id not in shown[1].values()
    assert _rows(ngo) == shown and _rows(ws) == police and len(builds) == 2
