"""The shortest path between two entities: breadth-first from both ends, one expansion of
both frontiers per level, on random graphs against a plain breadth-first search."""

from __future__ import annotations

import random
from collections import deque
from collections.abc import Callable

import pytest

from veriga.chain.graph import Links, shortest_path


def _expander(edges: list[tuple[int, int]], calls: list[list[str]]
              ) -> Callable[[list[str]], Links]:
    def expand(frontier: list[str]) -> Links:
        calls.append(frontier)
        out: Links = {n: {} for n in frontier}
        for k, (a, b) in enumerate(edges):
            for x, y in ((str(a), str(b)), (str(b), str(a))):
                if x in frontier:
                    out[x].setdefault(y, set()).add(f"e{k}")
        return out
    return expand


def _hops(edges: list[tuple[int, int]], start: int, goal: int) -> int | None:
    adj: dict[int, set[int]] = {}
    for a, b in edges:
        adj.setdefault(a, set()).add(b)
        adj.setdefault(b, set()).add(a)
    seen, todo = {start: 0}, deque([start])
    while todo:
        node = todo.popleft()
        for nb in adj.get(node, ()):
            if nb not in seen:
                seen[nb] = seen[node] + 1
                todo.append(nb)
    return seen.get(goal)


@pytest.mark.parametrize("seed", range(30))
def test_the_path_found_is_a_shortest_one(seed: int) -> None:
    rng = random.Random(seed)
    n = rng.randint(5, 40)
    edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(rng.randint(n // 2, 2 * n))]
    start, goal = rng.sample(range(n), 2)
    calls: list[list[str]] = []
    found = shortest_path(str(start), str(goal), _expander(edges, calls), max_hops=8)
    best = _hops(edges, start, goal)
    if best is None or best > 16:
        assert found is None
        return
    assert found is not None
    path, seen = found
    assert path[0] == str(start) and path[-1] == str(goal) and len(path) - 1 == best
    pairs = {frozenset(e) for e in edges}
    steps = zip(path[:-1], path[1:], strict=True)
    assert all(frozenset((int(a), int(b))) in pairs for a, b in steps)
    assert all(b in seen[a] and seen[a][b] for a, b in zip(path[:-1], path[1:], strict=True))
    assert len(calls) == (best + 1) // 2  # both frontiers at once, level by level


def test_no_path_beyond_the_hops_allowed() -> None:
    chain = [(k, k + 1) for k in range(9)]  # 0 - 1 - ... - 9: nine hops
    calls: list[list[str]] = []
    assert shortest_path("0", "9", _expander(chain, calls), max_hops=4) is None
    found = shortest_path("0", "9", _expander(chain, calls), max_hops=5)
    assert found is not None and found[0] == [str(k) for k in range(10)]
