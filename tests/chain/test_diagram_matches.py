"""Proposed matches in the chain diagram: nothing is grouped for drawing; an unreviewed
proposal between drawn nodes is a dashed "possibly the same" link with its probability, one
with records not drawn a note on the node; a dismissed one is gone; a confirmed one is a merge,
drawn as one node."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from veriga import finance
from veriga.chain.diagram import SAME, ChainGraph, Edge, chain_graph, to_json
from veriga.config import Settings
from veriga.findings import ReviewState
from veriga.ingest import expand
from veriga.simulate import simulate
from veriga.workspace import Workspace


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    root = tmp_path_factory.mktemp("chain-matches")
    simulate("mixed", "tiny", 5, root / "world")
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    ws = Workspace.local(settings, purpose="automated test", username="tester")
    ws.cases.create("c")
    requests, _ = expand([root / "world"])
    ws.records.import_files("c", requests)
    ws.analyses.run("c")
    yield ws
    ws.close()


def _graph(ws: Workspace) -> ChainGraph:
    with ws.records.ledger("c", lazy=True) as ledger:
        names = dict(finance.ledger_names(ledger.engine))
    return chain_graph(ws.entities.list("c"), ws.findings.list("c"),
                       ws.entities.subject_roles("c"), account_names=names,
                       merged=ws.entities.merged("c"))


def _same(graph: ChainGraph) -> list[Edge]:
    return [e for e in graph.edges.values() if e.kind == SAME]


def test_unreviewed_proposals_are_possibly_the_same_not_one_node(ws: Workspace) -> None:
    graph = _graph(ws)
    findings = {f.id: f for f in ws.findings.list("c")}
    same = _same(graph)
    assert same  # mixed/tiny/5: records of one person drawn twice, a proposal between them
    for e in same:
        assert e.source in graph.nodes and e.target in graph.nodes and e.source != e.target
        proposals = [findings[f] for f in e.findings]
        assert proposals and all(f.kind.startswith("match.") for f in proposals)
        assert all(f.review.state is ReviewState.NEW for f in proposals)
        assert e.probability == max(f.score for f in proposals)
        # the records it joins are drawn apart: nothing grouped them
        for f in proposals:
            assert {e.source, e.target} <= set(f.evidence.entity_ids)
    # a hypothesis, not a link of the chain: no path runs over it
    adjacency = graph.adjacency()
    assert all(e.target not in adjacency[e.source] or any(
        x.kind != SAME and {x.source, x.target} == {e.source, e.target}
        for x in graph.edges.values()) for e in same)
    data = to_json(graph)
    edges = [x for x in data["edges"] if x["kind"] == SAME]
    assert edges and all(x["probability"] and x["findings"] for x in edges)
    listed = {f["id"]: f for f in data["findings"]}
    assert all(listed[f]["kind"].startswith("match.") for x in edges for f in x["findings"])
    assert all("grouped_by" not in n for n in data["nodes"])


def test_a_proposal_with_records_not_drawn_is_noted_on_the_node(ws: Workspace) -> None:
    graph = _graph(ws)
    captions = {e.id: e.caption for e in ws.entities.list(
        "c", ["Person", "Company", "Organization", "LegalEntity"])}
    findings = {f.id: f for f in ws.findings.list("c")}
    noted = [n for n in graph.nodes.values() if n.possibly]
    assert noted
    for node in noted:
        for fid, (score, names) in node.possibly.items():
            f = findings[fid]
            assert f.kind.startswith("match.") and score == f.score and node.id in \
                f.evidence.entity_ids
            others = [i for i in f.evidence.entity_ids if i not in graph.nodes]
            assert sorted(names) == sorted(captions[i] for i in others if i in captions)
    data = to_json(graph)
    shown = [p for n in data["nodes"] for p in n["possibly"]]
    assert shown and {p["finding"] for p in shown} <= {f["id"] for f in data["findings"]}


def test_dismissed_is_not_drawn_and_confirmed_is_one_node(ws: Workspace) -> None:
    graph = _graph(ws)
    same = sorted(_same(graph), key=lambda e: e.id)
    assert len(same) >= 2
    dismissed, confirmed = sorted(same[0].findings)[0], sorted(same[1].findings)[0]
    ws.findings.review("c", dismissed, ReviewState.DISMISSED, "different people")
    ws.findings.review("c", confirmed, ReviewState.CONFIRMED, "one person: same passport")
    after = _graph(ws)
    assert not any(dismissed in e.findings or confirmed in e.findings for e in _same(after))
    assert not any(dismissed in n.possibly or confirmed in n.possibly
                   for n in after.nodes.values())
    # the two records of the confirmed proposal: one node, which lists the other as merged
    # (a proposal of more than two records merges them all into one of them)
    a, b = sorted((same[1].source, same[1].target))
    merged = ws.entities.merged("c")
    entity = merged[b]
    assert merged.get(a, a) == entity and entity in after.nodes
    for record in {a, b} - {entity}:
        assert record not in after.nodes and record in after.nodes[entity].merged
