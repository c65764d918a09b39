"""Every file a world contains imports through the project's importers with zero rejects, and
every person and company entity the import makes is in the answer key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veriga.ingest import ImportRequest, expand
from veriga.workspace import Workspace


def _import(ws: Workspace, requests: list[ImportRequest]) -> list:
    ws.cases.create("sim")
    return ws.records.import_files("sim", requests)


def _all_requests(world: Path) -> list[ImportRequest]:
    reqs, skipped = expand([world])
    left_out = {p.relative_to(world).parts[0] for p, _ in skipped}
    # left for the crawler of the online investigation issue: the static ad sites
    assert left_out <= {"ads", "ground_truth.json"}, skipped[:5]
    assert all("sites" in p.parts for p, _ in skipped if p.name != "ground_truth.json")
    assert len(reqs) >= 10
    return reqs


def _check(world: Path, ws: Workspace) -> None:
    reqs = _all_requests(world)
    results = _import(ws, reqs)
    assert len(results) == len(reqs)
    problems = [rej.render(r.file_name) for r in results for rej in r.rejects]
    assert problems == [], problems[:10]
    formats = {r.format for r in results}
    assert {"csv", "ftm", "camt", "mt940", "bods"} <= formats
    records = {k for r in results for k in r.records}
    assert {"transaction", "call"} <= records
    ads = next(r for r in results if r.file_name == "ads.ftm.jsonl")
    assert ads.entities > 100
    # the answer key names every person and company entity of the case, by its imported id
    truth = json.loads((world / "ground_truth.json").read_text(encoding="utf-8"))
    keyed = {r["entity_id"] for r in truth["records"] if r["entity_id"]}
    parties = {e.id for e in ws.entities.list("sim", ["Person", "LegalEntity", "Company",
                                                   "Organization"])}
    assert keyed == parties and len(parties) > 300


@pytest.mark.parametrize("scenario", ["sexual-exploitation", "labour-exploitation",
                                      "laundering"])
def test_single_scenarios_import_cleanly(scenario: str, tmp_path: Path, sqlite_ws: Workspace
                                         ) -> None:
    from veriga.simulate import simulate

    simulate(scenario, "small", 5, tmp_path / "w")
    _check(tmp_path / "w", sqlite_ws)


def test_mixed_imports_cleanly(tmp_path: Path, sqlite_ws: Workspace) -> None:
    from veriga.simulate import simulate

    simulate("mixed", "small", 5, tmp_path / "w")
    _check(tmp_path / "w", sqlite_ws)
