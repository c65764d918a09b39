"""Entity resolution through the workspace on a simulated world, scored against its answer key
(pairwise and B-cubed), and a confirmed proposal merging its records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veriga import analysis
from veriga.config import Settings
from veriga.findings import ReviewState
from veriga.ingest import expand
from veriga.resolve.family import FAMILY
from veriga.simulate import simulate
from veriga.workspace import Workspace


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("resolve")
    simulate("mixed", "tiny", 3, root / "world")
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    ws = Workspace.local(settings, purpose="automated test", username="tester")
    ws.cases.create("w")
    requests, _ = expand([root / "world"])
    ws.records.import_files("w", requests)
    try:
        run = ws.analyses.run("w", ["resolve"])["resolve"]
        truth = json.loads((root / "world" / "ground_truth.json").read_text(encoding="utf-8"))
        yield ws, run, truth
    finally:
        ws.close()


def test_proposals_are_stored_findings_and_score_against_the_answer_key(world) -> None:
    ws, run, truth = world
    stored = ws.findings.list("w")
    assert {f.kind for f in stored} <= {"match.person", "match.company"}
    assert len(stored) == len(run.findings) > 0
    scores = {s.detector: s for s in FAMILY.evaluate(run, truth)}
    person = scores["match.person"]
    assert person.truth > 0 and person.extra["records"] > 0
    # a first measure on a tiny world (the goal, F1 >= 0.95, is measured on medium worlds)
    assert person.precision >= 0.8 and person.recall >= 0.6, person
    print(analysis.score_table("resolve", list(scores.values())))


def test_confirming_a_proposal_merges_its_records(world) -> None:
    """Confirmed, its records are one; split, it waits for review again, with a note of the
    split, and a re-run replaces it as any unreviewed proposal."""
    ws, run, _ = world
    proposal = max(ws.findings.list("w", "match.person"), key=lambda f: f.score)
    ws.findings.review("w", proposal.id, ReviewState.CONFIRMED, "same person, checked")
    records = ws.entities.records("w", proposal.evidence.entity_ids[0])
    assert sorted(r["entity_id"] for r in records) == sorted(proposal.evidence.entity_ids)
    parted = ws.entities.split("w", proposal.evidence.entity_ids[0], "undo for the test")
    assert parted.reopened == [proposal.id]
    back = ws.findings.get("w", proposal.id)
    assert back.review.state is ReviewState.NEW
    assert (back.review.by, back.review.reason) == ("tester", "Split: undo for the test")
    rerun = ws.analyses.run("w", ["resolve"])["resolve"]
    stored = {f.id: f for f in ws.findings.list("w")}
    assert set(stored) == {f.id for f in rerun.findings}  # every one unreviewed: replaced
    assert proposal.id in stored and stored[proposal.id].review.by is None
    assert all(f.review.state is ReviewState.NEW for f in stored.values())


def test_parameters_are_checked(tmp_path: Path) -> None:
    assert FAMILY.params({"link": {"threshold": 0.95}}).link.threshold == 0.95
    with pytest.raises(Exception, match="no setting"):
        FAMILY.params({"link": {"nonsense": 1}})
    assert all(p.doc for p in FAMILY.describe_params())
