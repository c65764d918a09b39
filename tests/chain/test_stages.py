"""The chain of a simulated case, checked against the simulator's answer key, once an
investigator has confirmed the proposed matches that are right (by the answer key)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from veriga import finance
from veriga.chain.diagram import SINKS, ChainGraph, chain_graph, to_json
from veriga.chain.stages import SCHEMA_STAGE, STAGES, chain
from veriga.config import Settings
from veriga.findings import ReviewState
from veriga.ingest import expand
from veriga.model import core_schema
from veriga.model.ids import account_id
from veriga.simulate import simulate
from veriga.workspace import Workspace

HOST = {"FI", "EE", "LV", "LT"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Workspace, dict[str, Any]]]:
    root = tmp_path_factory.mktemp("chain")
    simulate("mixed", "tiny", 5, root / "world")
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    ws = Workspace.local(settings, purpose="automated test", username="tester")
    ws.cases.create("c")
    requests, _ = expand([root / "world"])
    ws.records.import_files("c", requests)
    ws.analyses.run("c")
    truth = json.loads((root / "world" / "ground_truth.json").read_text(encoding="utf-8"))
    confirm_true_matches(ws, truth)
    yield ws, truth
    ws.close()


def confirm_true_matches(ws: Workspace, truth: dict[str, Any]) -> int:
    """Confirm (and so merge) every proposed match whose records are one identity in the
    answer key, as an investigator checking them would; the rest stay unreviewed."""
    identity = {r["entity_id"]: r["identity"] for r in truth["records"] if r.get("entity_id")}
    done = 0
    for f in ws.findings.list("c"):
        if f.kind.startswith("match.") and f.review.state is ReviewState.NEW:
            ids = {identity.get(i) for i in f.evidence.entity_ids}
            if len(ids) == 1 and None not in ids:
                ws.findings.review("c", f.id, ReviewState.CONFIRMED, "one person: checked")
                done += 1
    return done


@pytest.fixture(scope="module")
def graph(world: tuple[Workspace, dict[str, Any]]) -> ChainGraph:
    ws, _ = world
    engine = ws.records.ledger("c", lazy=True).engine
    names = dict(finance.ledger_names(engine))
    engine.close()
    return chain_graph(ws.entities.list("c"), ws.findings.list("c"), ws.entities.subject_roles("c"),
                       account_names=names, merged=ws.entities.merged("c"))


def _people(ws: Workspace, truth: dict[str, Any], role: str) -> set[str]:
    """Entity ids of the simulated people with ``role`` (matched by the names they go by)."""
    names = set()
    for p in truth["people"]:
        if p["role"] == role:
            names |= {p["name_latin"].casefold(), p["name"].casefold()}
            names |= {r["written"].casefold() for r in p["records"] if r.get("written")}
    key = lambda n: " ".join(sorted(n.split()))  # noqa: E731
    keys = {key(n) for n in names}
    return {e.id for e in ws.entities.list("c", ["Person", "LegalEntity"])
            if any(key(n.casefold()) in keys for n in e.get("name"))}


def _nodes_with(graph: ChainGraph, ids: set[str]) -> set[str]:
    return {n.id for n in graph.nodes.values() if ids & set(n.ids)}


def test_stage_lists_keep_their_shape(world: tuple[Workspace, dict[str, Any]]) -> None:
    ws, _ = world
    stages = chain(ws.findings.list("c"), ws.entities.count("c"))
    assert [s.name for s in stages] == list(STAGES)
    assert any(s.findings for s in stages)
    # the records of each stage, counted in SQL, are the entities a listing reads
    # (an overlay's records under its core schema: a payslip is a payment)
    listed = Counter(e.schema.name if e.schema.name in SCHEMA_STAGE else core_schema(e.schema).name
                     for e in ws.entities.list("c", ["Employment", "Trip", "Advertisement",
                                                     "Payment"]))
    assert {name: n for s in stages for name, n in s.records.items()} == {
        name: n for name, n in listed.items() if name in SCHEMA_STAGE}
    assert listed["Payment"] and listed["Trip"] and listed["Employment"]


def test_chain_links_a_true_recruiter_to_victim_trip_workplace_and_account_abroad(
        world: tuple[Workspace, dict[str, Any]], graph: ChainGraph) -> None:
    ws, truth = world
    recruiters = _nodes_with(graph, _people(ws, truth, "recruiter"))
    victims = _nodes_with(graph, _people(ws, truth, "victim"))
    assert recruiters and victims
    assert {graph.nodes[r].role for r in recruiters} == {"recruiter"}
    assert all(graph.nodes[r].stage == "recruitment" for r in recruiters)
    adj = graph.adjacency()
    # recruiter -> the trips he booked -> a true victim travelled on one of them
    routes = {n for r in recruiters for n in adj[r] if graph.nodes[n].role == "route"}
    assert routes and any(adj[route] & victims for route in routes)
    # a true victim employed by a letterbox company of the operation (the workplace)
    front = {c["name"].casefold() for c in truth["companies"] if c["role"] == "front_company"}
    employers = {n for v in victims for n in adj[v] if graph.nodes[n].role == "employer"}
    assert any(graph.nodes[e].label.casefold() in front for e in employers)
    # from the recruiter, links lead to where the proceeds end: an account in the country of
    # origin, held by someone the simulator paid proceeds to (not in the exploitation's countries)
    origin_accounts = {a["iban"] for a in truth["accounts"] if a["iban"][:2] not in HOST}
    recruiter = sorted(recruiters)[0]
    path = graph.path(recruiter, [n.id for n in graph.nodes.values() if n.role in SINKS])
    assert path is not None and len(path) >= 3
    end = graph.nodes[path[-1]]
    assert end.role == "abroad" or end.role == "cash"
    abroad = [n for n in graph.nodes.values() if n.role == "abroad"]
    assert abroad and all(n.iban in origin_accounts for n in abroad)
    assert any(graph.path(recruiter, [n.id]) for n in abroad)


def test_chain_is_bounded_and_every_node_rests_on_records(graph: ChainGraph) -> None:
    per_stage: dict[str, int] = {}
    for node in graph.nodes.values():
        per_stage[node.stage] = per_stage.get(node.stage, 0) + 1
        assert node.stage in STAGES
        assert node.ids or node.role == "cash"
    assert set(per_stage) == set(STAGES)
    assert max(per_stage.values()) <= 16
    for edge in graph.edges.values():
        assert edge.source in graph.nodes and edge.target in graph.nodes
        assert edge.records or edge.findings
    # the nodes flagged by a finding carry its id; accounts abroad rest on the R9/scatter finding
    assert all(n.findings for n in graph.nodes.values() if n.role in ("abroad", "cash"))
    data = to_json(graph, lambda i: f"/e/{i}")
    assert {f["id"] for f in data["findings"]} >= {f for n in data["nodes"]
                                                    for f in n["findings"]}
    assert set(data["sinks"]) <= {n["id"] for n in data["nodes"]}


def test_records_of_one_person_are_drawn_as_one_node_once_merged(
        world: tuple[Workspace, dict[str, Any]], graph: ChainGraph) -> None:
    ws, truth = world
    identity = {r["entity_id"]: r["identity"] for r in truth["records"] if r.get("entity_id")}
    merged = ws.entities.merged("c")
    parties = [n for n in graph.nodes.values()
               if n.schema not in ("BankAccount", "Trip", "Advertisement", "Cash")]
    assert parties and all(n.ids == [n.id] for n in parties)  # one entity per node
    together = [n for n in parties if n.merged]
    assert together
    for node in together:  # the records merged into it, all of one person or company
        assert all(merged[r] == node.id for r in node.merged)
        assert len({identity.get(i) for i in [node.id, *node.merged]} - {None}) == 1
    owner: dict[str, str] = {}
    for node in graph.nodes.values():
        for i in node.ids + node.merged:
            assert owner.setdefault(i, node.id) == node.id  # no record in two nodes


def test_the_account_taking_the_victims_wages_is_the_controllers(
        world: tuple[Workspace, dict[str, Any]], graph: ChainGraph) -> None:
    """The controller's account that workers' wages are paid into or passed on to (R2, R3) is
    drawn as the controller's account in the exploitation stage, held by the controller, also
    where one-off payments into it look like recruitment fees (R8: over two months of
    statements, each worker's monthly kickback is paid at most twice, like a fee in two
    instalments)."""
    ws, truth = world
    controllers = {p["id"] for p in truth["people"] if p["role"] == "controller"}
    theirs = {a["iban"] for a in truth["accounts"] if a["holder"] in controllers}
    findings = [f for f in ws.findings.list("c") if f.score >= 0.5]
    taking = {k.value for f in findings if f.kind in ("R2", "R3")
              for k in f.evidence.keys if k.type == "iban"} & theirs
    fees = {k.value for f in findings if f.kind == "R8"
            for k in f.evidence.keys if k.type == "iban"}
    assert taking & fees  # mixed/tiny/5: R8 also flags the controller's account
    for iban in taking:
        node = graph.nodes[account_id(iban)]
        assert (node.role, node.stage) == ("controller_account", "exploitation"), node
        holders = {e.source for e in graph.edges.values()
                   if e.kind == "holds" and e.target == node.id}
        assert holders and {graph.nodes[h].role for h in holders} == {"controller"}
