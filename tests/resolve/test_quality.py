"""The quality of entity resolution on simulated worlds of every scenario, against their answer
keys: pairwise F1 of the clusters of people and of companies, and never a victim in one cluster
with a suspect. (The figures on ``medium`` worlds are in docs/resolve.md; these ``small`` ones
keep them from sliding back.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veriga.config import Settings
from veriga.ingest import expand
from veriga.resolve.family import FAMILY, Detail
from veriga.simulate import simulate
from veriga.workspace import Workspace

#: the roles of the answer key that make someone a suspect
SUSPECTS = {"recruiter", "controller", "transporter", "money_mule"}


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["sexual-exploitation", "labour-exploitation", "mixed"])
def test_resolution_finds_the_people_and_companies_of_a_world(tmp_path: Path,
                                                                scenario: str) -> None:
    simulate(scenario, "small", 1, tmp_path / "world")
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'v.db'}")
    ws = Workspace.local(settings, purpose="automated test", username="tester")
    try:
        ws.cases.create("w")
        ws.records.import_files("w", expand([tmp_path / "world"])[0])
        run = ws.analyses.run("w", ["resolve"], save=False)["resolve"]
    finally:
        ws.close()
    truth = json.loads((tmp_path / "world" / "ground_truth.json").read_text(encoding="utf-8"))
    scores = {s.detector: s for s in FAMILY.evaluate(run, truth)}
    for kind in ("match.person", "match.company"):
        score = scores[kind]
        precision, recall = score.correct / score.flagged, score.found / score.truth
        f1 = 2 * precision * recall / (precision + recall)
        assert f1 >= 0.93, (kind, round(precision, 3), round(recall, 3))

    detail: Detail = run.detail
    role = {p["id"]: p["role"] for p in truth["people"]}
    roles_of: dict[str, set[str]] = {}
    for record in truth["records"]:
        cluster = detail.clusters.get(record["entity_id"])
        if cluster is not None:
            roles_of.setdefault(cluster, set()).add(role.get(record["identity"], ""))
    mixed_up = [r for r in roles_of.values() if "victim" in r and r & SUSPECTS]
    assert not mixed_up, mixed_up
