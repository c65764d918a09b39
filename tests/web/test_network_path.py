"""The network explorer's path search reads only links level by level and the values of the
path found: its paths are shortest ones over the case's graph as drawn, every step a link
shown with the path, and an NGO worker's path names protected people by pseudonym only."""

from __future__ import annotations

import random
from collections import deque

from fastapi.testclient import TestClient
from webhelpers import Site, log_in, open_case

from veriga.chain.graph import adjacency, build

API = "/api/cases/amber"


def _distances(adj: dict[str, set[str]], start: str) -> dict[str, int]:
    seen, todo = {start: 0}, deque([start])
    while todo:
        node = todo.popleft()
        for nb in adj[node]:
            if nb not in seen:
                seen[nb] = seen[node] + 1
                todo.append(nb)
    return seen


def test_paths_are_shortest_over_the_drawn_graph(client: TestClient, site: Site) -> None:
    log_in(client)
    open_case(client, "amber", "finding how the suspect reaches the victim")
    everything = list(site.ws.entities.list("amber"))
    adj = adjacency(build(everything))
    linked = sorted(n for n in adj if adj[n])
    rng = random.Random(7)
    found: list[int] = []
    for k in range(16):
        start = rng.choice(linked)
        reach = sorted(_distances(adj, start).items())
        # mostly a node of the same component, far if it may be; now and then any node
        goal = rng.choice(sorted(adj)) if k % 4 == 0 else max(
            rng.sample(reach, min(4, len(reach))), key=lambda item: item[1])[0]
        if goal == start:
            continue
        hops = _distances(adj, start).get(goal)
        answer = client.get(f"{API}/path", params={"from": start, "to": goal})
        if hops is None or hops > 12:
            assert answer.status_code == 404
            continue
        assert answer.status_code == 200, answer.text
        path = answer.json()["path"]
        assert path[0] == start and path[-1] == goal and len(path) - 1 == hops
        drawn = {frozenset((e["source"], e["target"])) for e in answer.json()["edges"]}
        assert all(frozenset(step) in drawn for step in zip(path[:-1], path[1:], strict=True))
        assert {n["id"] for n in answer.json()["nodes"]} == set(path)
        found.append(hops)
    assert len(found) >= 8 and max(found) >= 3, found


def test_an_ngo_workers_path_names_the_victim_by_pseudonym(client: TestClient,
                                                           site: Site) -> None:
    log_in(client, "ilze")
    open_case(client, "amber", "support for a victim")
    pseudo = next(e["id"] for e in client.get(f"{API}/search", params={"q": "Victim"}).json()
                  if e["id"].startswith("pseudo-"))
    around = client.get(f"{API}/neighbours/{pseudo}").json()
    far = _distances(adjacency_of(around), pseudo)
    goal = max(far, key=lambda n: (far[n], n))
    answer = client.get(f"{API}/path", params={"from": goal, "to": pseudo})
    assert answer.status_code == 200 and answer.json()["path"][-1] == pseudo
    assert site.victim not in answer.text
    assert client.get(f"{API}/path", params={"from": goal, "to": site.victim}
                      ).status_code == 404


def adjacency_of(graph: dict[str, list[dict[str, str]]]) -> dict[str, set[str]]:
    adj: dict[str, set[str]] = {n["id"]: set() for n in graph["nodes"]}
    for edge in graph["edges"]:
        adj[edge["source"]].add(edge["target"])
        adj[edge["target"]].add(edge["source"])
    return adj
