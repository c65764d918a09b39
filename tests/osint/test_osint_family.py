"""The online-investigation family on a simulated world imported as a case: findings for
the answer key's operations, links to the people who hold the ads' phones, routes on the
timeline and the map, and the operations in the chain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from veriga import analysis
from veriga.analysis import family_params, registry
from veriga.chain.diagram import chain_graph
from veriga.chain.places import place_map
from veriga.chain.stages import chain
from veriga.chain.timeline import events
from veriga.config import Settings
from veriga.errors import VerigaError
from veriga.findings import Finding
from veriga.ingest import expand
from veriga.osint.family import FAMILY, Params
from veriga.simulate import simulate
from veriga.workspace import Workspace

CASE = "world"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict[str, Any],
                                                                        analysis.Run]]:
    root = tmp_path_factory.mktemp("osint-family")
    simulate("mixed", "tiny", 1, root / "world")
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    ws = Workspace.local(settings, purpose="automated test", username="tester")
    requests, _ = expand([root / "world"])
    assert any(r.path.name == "ads.ftm.jsonl" for r in requests)
    ws.cases.create(CASE, "simulated world")
    ws.records.import_files(CASE, requests)
    run = ws.analyses.run(CASE, only=["osint"])["osint"]
    truth = json.loads((root / "world" / "ground_truth.json").read_text(encoding="utf-8"))
    yield ws, truth, run
    ws.close()


def _operations(truth: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for ad in truth["ads"]:
        if ad["operation"]:
            out.setdefault(ad["operation"], set()).add(ad["entity_id"])
    return out


def _finding_of(findings: list[Finding], kind: str, ads: set[str]) -> Finding:
    """The finding of this kind prefix holding most of ``ads``."""
    found = [f for f in findings if f.kind.startswith(kind)
             and len(ads & set(f.evidence.entity_ids)) * 2 > len(ads)]
    assert found, f"no {kind} finding holds most of {len(ads)} ads"
    return found[0]


@pytest.mark.slow
def test_every_operation_of_the_answer_key_is_a_finding(world: Any) -> None:
    ws, truth, run = world
    operations = _operations(truth)
    assert operations
    for op, ads in operations.items():
        f = _finding_of(run.findings, "operation.", ads)
        assert f.kind == ("operation.job" if "-LAB-" in op else "operation.sex")
        assert f.detector == "veriga.osint.operation"
        assert f.details and f.details["group"] and f.details["identifiers"]
        assert f.details["templates"] and f.details["route"]
        assert {"city", "country", "first_seen", "last_seen", "count"} <= set(
            f.details["route"][0])
        assert registry.stage_of(f.kind) == ("recruitment" if "-LAB-" in op else "exploitation")
    sex = _finding_of(run.findings, "operation.sex", operations["OP-SEX-001"])
    # the sex operation moves from city to city under several names: flagged
    assert sex.score >= run.flag_score and len(sex.details["route"]) >= 3
    assert any(t["slots"] for t in sex.details["templates"])
    # found again by the family's own evaluation
    score = FAMILY.evaluate(run, truth)[0]
    assert score.truth == len(operations) and score.found >= 1 and score.extra["ARI %"] >= 95
    # the routes' cities are where the key's victims were exploited
    assert score.extra["route city precision %"] == 100
    assert score.extra["route city recall %"] >= 90
    # stored with their details and stages
    stored = {f.id: f for f in ws.findings.list(CASE)}
    assert stored[sex.id].details == sex.details
    stages = {s.name: s for s in chain(stored.values(), {})}
    assert sex.id in {f.id for f in stages["exploitation"].findings}


@pytest.mark.slow
def test_the_people_holding_the_ads_phones_are_found(world: Any) -> None:
    ws, truth, run = world
    by_identity: dict[str, set[str]] = {}
    for record in truth["records"]:
        by_identity.setdefault(record["identity"], set()).add(record["entity_id"])
    holders = {p["phone"]: p["id"] for p in truth["people"] if p.get("phone")}
    checked = 0
    for op, ads in _operations(truth).items():
        phones = {a["phone"] for a in truth["ads"] if a["operation"] == op}
        people = {holders[p] for p in phones if p in holders}
        if not people:  # the simulator writes no record holding this phone
            continue
        f = _finding_of(run.findings, "shared_identifier.", ads)
        linked = {link["entity_id"] for link in f.details["links"] if link["via"] == "phone"}
        for person in people:
            assert linked & by_identity[person], f"{op}: {person} holds {phones}"
        assert {k.value for k in f.evidence.keys if k.type == "phone"} & phones
        assert f.score >= run.flag_score
        checked += 1
    assert checked >= 1
    links = next(s for s in FAMILY.evaluate(run, truth) if s.detector == "shared_identifier")
    assert links.truth == checked and links.recall == 1.0 and links.precision == 1.0
    # no link finding names an ad of a lawful advertiser with a person of an operation
    lawful = {a["entity_id"] for a in truth["ads"] if a["kind"] == "lawful"}
    operation_people = {e for p in truth["people"] if p.get("operation")
                        for e in by_identity.get(p["id"], ())}
    for f in run.findings:
        if f.kind.startswith("shared_identifier.") and set(f.evidence.entity_ids) & lawful:
            assert not set(f.evidence.entity_ids) & operation_people


@pytest.mark.slow
def test_routes_show_on_the_timeline_and_the_map(world: Any) -> None:
    ws, truth, run = world
    findings = ws.findings.list(CASE)
    sex = _finding_of(findings, "operation.sex", _operations(truth)["OP-SEX-001"])
    route = sex.details["route"]
    found = events([], findings)
    stops = [e for e in found if e.kind == "route" and e.id.startswith(sex.id + ":")]
    assert [e.label.split(" · ")[0] for e in stops] == [s["city"] for s in route]
    assert stops[0].start == route[0]["first_seen"]
    # only the stops within the dates and of the asked entities' findings
    mapped = place_map([], findings=findings, ids=[sex.evidence.entity_ids[0]])
    legs = [r for r in mapped.routes if r.kind == "finding"]
    assert legs and all(r.finding_ids == [sex.id] for r in legs)
    assert sum(r.moves for r in legs) == len(route) - 1
    names = {p.name for p in mapped.places if sex.id in p.finding_ids}
    assert {s["city"] for s in route} <= names | {u.text for u in mapped.unplaced}
    later = place_map([], findings=[sex], start=route[-1]["first_seen"][:10])
    assert sum(r.moves for r in later.routes) < len(route) - 1


@pytest.mark.slow
def test_the_chain_joins_the_operations_to_the_people(world: Any) -> None:
    ws, truth, run = world
    findings = ws.findings.list(CASE)
    graph = chain_graph(ws.entities.list(CASE), findings, per_stage=40)
    link = _finding_of(findings, "shared_identifier.job", _operations(truth)["OP-LAB-001"])
    node = graph.nodes.get(f"ads:{link.details['group']}")
    assert node is not None and node.stage == "recruitment" and link.id in node.findings
    holders = [e for e in graph.edges.values() if e.target == node.id and e.kind == "posted"]
    assert holders and all(graph.nodes[e.source].role == "recruiter" for e in holders)


def test_parameters_are_documented_and_checked() -> None:
    described = {p.name: p for p in FAMILY.describe_params()}
    assert {"grouping.threshold", "report.min_ads", "links.min_calls"} <= set(described)
    assert all(p.doc for p in described.values())
    params = FAMILY.params({"report": {"min_ads": 3}, "grouping": {"threshold": "0.6"}})
    assert isinstance(params, Params)
    assert params.report.min_ads == 3 and params.grouping.threshold == 0.6
    with pytest.raises(VerigaError, match="no setting 'min_add'"):
        FAMILY.params({"report": {"min_add": 3}})
    with pytest.raises(VerigaError, match="unknown section"):
        FAMILY.params({"reports": {}})


def test_the_family_reads_its_section_of_a_params_file(tmp_path: Path) -> None:
    path = tmp_path / "params.yml"
    path.write_text("osint: {report: {min_ads: 4}}\n", encoding="utf-8")
    assert family_params([FAMILY], path)["osint"].report.min_ads == 4


def test_every_detector_is_placed_in_the_chain() -> None:
    kinds = {d.kind: d for d in registry.families()["osint"].detectors}
    assert {"operation.sex", "operation.job", "shared_identifier.sex",
            "shared_identifier.job"} <= set(kinds)
    assert kinds["operation.job"].stage == "recruitment"
    assert kinds["operation.sex"].stage == "exploitation"
    assert kinds["shared_identifier.job"].counterpart == "recruiter"
