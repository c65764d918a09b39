"""`veriga resolve` as a user runs it on a simulated world: the summary, the pairs CSV others
evaluate, a re-run keeping a confirmed proposal, and the CSV of a restricted reader (who
stores no run)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from veriga.cli import app
from veriga.config import load_settings
from veriga.errors import NotFound
from veriga.findings import ReviewState
from veriga.resolve.family import PAIR_COLUMNS
from veriga.simulate import simulate
from veriga.workspace import PermissionDenied, Workspace

runner = CliRunner()


def run(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    return result.output


@pytest.fixture
def case(env_home, tmp_path) -> str:
    """A tiny mixed world imported into case ``w`` through the CLI."""
    world = tmp_path / "world"
    simulate("mixed", "tiny", 3, world)
    run("case", "create", "w")
    run("import", str(world), "--case", "w")
    return "w"


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _workspace(username: str = "cli-tester") -> Workspace:
    return Workspace.local(load_settings(), purpose="automated test", username=username)


def test_resolve_summarises_and_writes_the_scored_pairs(case, tmp_path) -> None:
    out = run("resolve", "--case", case, "--out", str(tmp_path / "pairs.csv"))
    assert "resolve:" in out and "person" in out and "company" in out
    assert "Every value could be used" in out or "could not be used" in out
    header, rows = _read(tmp_path / "pairs.csv")
    assert header == list(PAIR_COLUMNS) and rows
    assert f"Wrote {len(rows)} scored pairs" in out
    cluster_of: dict[str, str] = {}
    for row in rows:
        assert row["left_id"] < row["right_id"]
        assert 0.0 <= float(row["match_probability"]) <= 1.0
        if row["cluster_id"]:  # both records in it, under one id: its smallest record id
            for record in (row["left_id"], row["right_id"]):
                assert cluster_of.setdefault(record, row["cluster_id"]) == row["cluster_id"]
            assert row["cluster_id"] <= row["left_id"]
    # most pairs at the threshold (0.9) are joined (not those that would put two birth dates
    # in one cluster); none below the lowest pair threshold is written
    strong = [r for r in rows if float(r["match_probability"]) >= 0.9]
    assert sum(1 for r in strong if r["cluster_id"]) > len(strong) / 2
    assert min(float(r["match_probability"]) for r in rows) >= 0.5
    with _workspace() as ws:  # the proposals are stored as findings
        found = ws.findings.list(case)
        assert found and {f.kind for f in found} <= {"match.person", "match.company"}
        assert any(e["action"] == "export" and e["target"] == "pairs.csv"
                   for e in ws.audit.log(case))


def test_a_rerun_keeps_a_confirmed_proposal(case) -> None:
    run("resolve", "--case", case)
    with _workspace() as ws:
        proposal = max(ws.findings.list(case, "match.person"), key=lambda f: f.score)
        ws.findings.review(case, proposal.id, ReviewState.CONFIRMED, "same person, checked")
    run("resolve", "--case", case, "--engine", "duckdb")
    with _workspace() as ws:
        found = ws.findings.list(case, "match.person")
        kept = [f for f in found if f.id == proposal.id]
        assert kept and kept[0].review.state is ReviewState.CONFIRMED
        # its records are one entity now: no new proposal joins exactly them again
        members = set(proposal.evidence.entity_ids)
        assert not [f for f in found if f.id != proposal.id
                    and set(f.evidence.entity_ids) == members]
        records = ws.entities.records(case, proposal.evidence.entity_ids[0])
        assert {r["entity_id"] for r in records} == members


def test_parameters_are_read_and_checked(case, tmp_path) -> None:
    params = tmp_path / "p.yml"
    params.write_text("link: {threshold: 0.99}\n", encoding="utf-8")
    assert "resolve:" in run("resolve", "--case", case, "--params", str(params))
    params.write_text("resolve: {link: {threshold: 0.99}}\n", encoding="utf-8")
    assert "resolve:" in run("resolve", "--case", case, "--params", str(params))
    params.write_text("link: {nonsense: 1}\n", encoding="utf-8")
    assert "no setting 'nonsense'" in run("resolve", "--case", case, "--params", str(params),
                                          code=1)
    missing = runner.invoke(app, ["resolve", "--case", "nowhere"])
    assert isinstance(missing.exception, NotFound)  # veriga's main prints it in one line


def test_a_restricted_reader_sees_protected_records_by_pseudonym(case, tmp_path,
                                                                   monkeypatch) -> None:
    """An analyst of an NGO sees victims minimised: her run is not stored (its proposals
    would name pseudonyms and replace the investigators'), and run without storing, the
    CSV names their records by pseudonym id only; an NGO worker (who may not export) is
    refused before anything runs."""
    run("resolve", "--case", case, "--out", str(tmp_path / "all.csv"))
    _, rows = _read(tmp_path / "all.csv")
    victim = max(rows, key=lambda r: float(r["match_probability"]))["left_id"]
    with _workspace() as ws:
        ws.entities.set_subject_role(case, victim, "victim")
        ws.directory.add_org("Safe House", "ngo", "LV")
        ws.directory.add_user("nora", "Safe House", ["analyst"])
        ws.directory.add_user("ilze", "Safe House", ["ngo_worker"])
        ws.cases.share(case, "Safe House")
        stored = {f.id: f.evidence.entity_ids for f in ws.findings.list(case)}
    monkeypatch.setenv("VERIGA_USER", "nora")
    kept = runner.invoke(app, ["resolve", "--case", case, "--out", str(tmp_path / "ngo.csv")])
    assert isinstance(kept.exception, PermissionDenied)
    assert "minimised" in str(kept.exception) and "--no-save" in str(kept.exception)
    assert not (tmp_path / "ngo.csv").exists()
    out = run("resolve", "--case", case, "--no-save", "--out", str(tmp_path / "ngo.csv"))
    assert "no proposal was stored" in out
    text = (tmp_path / "ngo.csv").read_text(encoding="utf-8")
    assert victim not in text and "pseudo-" in text
    with _workspace() as ws:
        assert {f.id: f.evidence.entity_ids for f in ws.findings.list(case)} == stored
    monkeypatch.setenv("VERIGA_USER", "ilze")
    refused = runner.invoke(app, ["resolve", "--case", case, "--out",
                                  str(tmp_path / "no.csv")])
    assert isinstance(refused.exception, PermissionDenied)
    assert "may not do export" in str(refused.exception)
    assert not (tmp_path / "no.csv").exists()


def test_merge_of_a_proposal_confirms_it_and_a_split_puts_it_back(case) -> None:
    out = run("analyze", "--case", case, "--only", "resolve", "--no-save")
    assert "nothing was stored" in out
    with _workspace() as ws:
        assert ws.findings.list(case) == []
    run("resolve", "--case", case)
    with _workspace() as ws:
        proposal = max(ws.findings.list(case, "match.person"), key=lambda f: f.score)
    first = proposal.evidence.entity_ids[0]
    run("merge", *proposal.evidence.entity_ids, "--case", case, "--reason", "one passport",
        "--finding", proposal.id)
    with _workspace() as ws:
        assert ws.findings.get(case, proposal.id).review.state is ReviewState.CONFIRMED
    out = run("split", first, "--case", case, "--reason", "two passports after all")
    assert "waiting for review again" in out and proposal.id in out
    with _workspace() as ws:
        back = ws.findings.get(case, proposal.id)
        assert back.review.state is ReviewState.NEW
        assert back.review.reason == "Split: two passports after all"
