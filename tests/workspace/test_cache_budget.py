"""The per-process cache keeps within its memory budget: the least recently used value is
given up first, and a value larger than the whole budget is not kept."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pyarrow as pa
import pytest

from veriga.workspace import cache


@dataclass
class Prepared:
    table: pa.Table
    owners: dict[str, str]


def table(rows: int) -> pa.Table:
    return pa.table({"n": pa.array(range(rows), pa.int64())})


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    cache.clear()
    monkeypatch.setattr(cache, "BUDGET_BYTES", 20_000)
    yield
    cache.clear()


def test_sizes_count_what_a_value_holds() -> None:
    assert cache.size_of(table(1000)) == table(1000).nbytes == 8000
    small = cache.size_of(Prepared(table(10), {}))
    big = cache.size_of(Prepared(table(10), {f"LV{n:020d}": f"owner-{n}" for n in range(500)}))
    assert big - small > 500 * 100  # the owners' keys and values, not only the dict
    assert cache.size_of([table(100), table(100)]) > 1600


def test_a_large_container_is_measured_from_a_sample() -> None:
    events = [{"kind": "trip", "label": f"trip {n}" + "x" * (n % 40), "ids": [f"e{n}"]}
              for n in range(20_000)]
    every = sum(cache.size_of(e, 3) for e in events)  # each measured
    estimate = cache.size_of(events) - sys.getsizeof(events)
    assert abs(estimate - every) < 0.05 * every
    small = events[: cache.SAMPLE]
    assert cache.size_of(small) == sys.getsizeof(small) + sum(cache.size_of(e, 3) for e in small)


def test_least_recently_used_values_go_first_within_the_budget() -> None:
    calls: list[str] = []

    def value(name: str, rows: int) -> pa.Table:
        def compute() -> pa.Table:
            calls.append(name)
            return table(rows)
        return cache.cached(("t", name), compute)

    value("a", 1000)  # 8,000 bytes
    value("b", 1000)  # 16,000
    value("a", 1000)  # a used again: b is now the oldest
    value("c", 1000)  # 24,000 > 20,000: b goes
    assert calls == ["a", "b", "c"]
    value("a", 1000)
    value("c", 1000)
    assert calls == ["a", "b", "c"]  # both still kept
    value("b", 1000)
    assert calls == ["a", "b", "c", "b"]  # computed again


def test_a_value_over_the_whole_budget_is_returned_not_kept() -> None:
    calls: list[int] = []

    def compute() -> pa.Table:
        calls.append(1)
        return table(5000)  # 40,000 bytes

    for _ in range(2):
        assert cache.cached(("huge",), compute).num_rows == 5000
    assert calls == [1, 1]


def test_a_value_made_from_a_kept_value_is_given_again_only_with_that_value() -> None:
    made: list[int] = []

    def make() -> bytes:
        made.append(1)
        return b"{}"

    events, other = [object()], [object()]
    assert cache.made_from(events, ("f",), make) == b"{}"
    cache.made_from(events, ("f",), make)
    assert len(made) == 1
    cache.made_from(other, ("f",), make)  # made from another value: made anew
    assert len(made) == 2


def test_a_base_is_measured_once_for_the_values_made_from_it(monkeypatch) -> None:
    """Values made from one base (a flow's pages from its Sankey) count its size once,
    measured once; a value made from it after the others were given up counts it again."""
    cache.clear()
    base = [b"x" * 100] * 10
    measured: list[object] = []
    size_of, whole = cache.size_of, cache.size_of(base)
    monkeypatch.setattr(cache, "size_of", lambda v, *a: measured.append(v) or size_of(v, *a))
    cache.made_from(base, ("page", 1), lambda: b"one")
    cache.made_from(base, ("page", 2), lambda: b"two")
    assert sum(1 for v in measured if v is base) == 1
    one, two = (cache._SIZES[("made from", id(base), ("page", n))] for n in (1, 2))
    assert one >= whole > two, "the base counted once"
    cache.clear()
    cache.made_from(base, ("page", 3), lambda: b"three")
    assert sum(1 for v in measured if v is base) == 2
