"""A server process freezes what survives a slow full collection that freed almost nothing,
so the next full collections walk only what came after."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from veriga.web import collector


@pytest.fixture
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    gc.collect()
    gc.unfreeze()
    collector.install()
    yield
    collector.uninstall()
    gc.unfreeze()


def test_long_lived_values_are_frozen_after_a_slow_fruitless_collection(
        installed: None, monkeypatch: pytest.MonkeyPatch) -> None:
    kept = [{"n": n} for n in range(50_000)]  # a kept value: many objects, no garbage
    monkeypatch.setattr(collector, "SLOW", 10.0)
    gc.collect()
    assert gc.get_freeze_count() == 0, "a quick collection freezes nothing"
    monkeypatch.setattr(collector, "SLOW", 0.0)
    gc.collect()
    assert gc.get_freeze_count() >= len(kept)
    gc.unfreeze()
    monkeypatch.setattr(collector, "FEW", 100)
    for _ in range(1000):  # garbage only a collection frees: cycles
        cycle: list[object] = []
        cycle.append(cycle)
    del cycle
    gc.collect()
    assert gc.get_freeze_count() == 0, "a collection that freed garbage freezes nothing"


def test_it_is_installed_once() -> None:
    collector.install()
    collector.install()
    try:
        assert gc.callbacks.count(collector._after) == 1
    finally:
        collector.uninstall()
    assert collector._after not in gc.callbacks


def test_only_a_server_process_installs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """`veriga serve` asks for it (its workers inherit the setting); a test run does not."""
    monkeypatch.delenv("VERIGA_GC_FREEZE", raising=False)
    assert not collector.wanted()
    monkeypatch.setenv("VERIGA_GC_FREEZE", "1")
    assert collector.wanted()


def test_a_large_value_kept_is_frozen_at_once(installed: None,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A value the workspace's cache keeps, if large, is taken out of the collector's scans
    when it is kept (before a full collection walks it), at most every EVERY seconds."""
    from veriga.workspace import cache

    monkeypatch.setattr(collector, "_frozen_at", [])
    small = cache.made_from(object(), ("small",), lambda: [{"n": n} for n in range(10)])
    assert gc.get_freeze_count() == 0 and small
    monkeypatch.setattr(collector, "LARGE", 1000)
    base = object()
    kept = cache.made_from(base, ("large",), lambda: [{"n": n} for n in range(20_000)])
    assert gc.get_freeze_count() >= len(kept)
    gc.unfreeze()
    cache.made_from(object(), ("large",), lambda: [{"n": n} for n in range(20_000)])
    assert gc.get_freeze_count() == 0, "not again within EVERY seconds"
    cache.clear()
