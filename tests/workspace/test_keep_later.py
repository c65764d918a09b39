"""A value kept in the store ``later`` is given to its caller before it is written, by one
keeper thread; a full queue keeps values in the process only; a failed write is logged by
its type, never its message (which may quote the value)."""

from __future__ import annotations

import logging
import threading
from typing import Any

import pytest

from veriga.workspace import cache


class SlowStore:
    """Keeps values as the store does, each write waiting until ``go`` is set."""

    def __init__(self, fail: bool = False) -> None:
        self.kept: dict[str, bytes] = {}
        self.go = threading.Event()
        self.fail = fail

    def derived_value(self, conn: Any, case_id: str, slot: str, made_in: str) -> bytes | None:
        return self.kept.get(slot)

    def keep_derived(self, case_id: str, slot: str, made_in: str, raw: bytes,
                     revision: Any) -> None:
        self.go.wait(10)
        if self.fail:
            raise RuntimeError("secret value in the message")
        self.kept[slot] = raw

    def begin(self) -> Any:
        from contextlib import nullcontext
        return nullcontext(None)


def _found(n: int) -> tuple[Any, ...]:
    return ("test-later", "sqlite://", "case-1", ((1, 0, "x"), None), n, "view")


@pytest.fixture(autouse=True)
def _clean() -> Any:
    cache.settle()  # nothing of an earlier test's left waiting in the keeper's queue
    cache.clear()
    yield
    cache.clear()


def test_the_caller_has_the_value_before_it_is_kept() -> None:
    store: Any = SlowStore()
    value = cache.cached(_found(1), lambda: {"flows": [1, 2]},
                         cache.in_store(store, _found(1), cache.AS_JSON, later=True))
    assert value == {"flows": [1, 2]} and store.kept == {}  # given, not yet written
    store.go.set()
    cache.settle()
    assert len(store.kept) == 1
    cache.clear()  # another process: reads it from the store, does not make it
    again = cache.cached(_found(1), lambda: pytest.fail("made again"),
                         cache.in_store(store, _found(1), cache.AS_JSON, later=True))
    assert again == {"flows": [1, 2]}


def test_a_full_queue_keeps_values_in_the_process_only() -> None:
    store: Any = SlowStore()
    for n in range(cache.MAX_PENDING + 3):
        cache.cached(_found(n), lambda n=n: [n],  # type: ignore[misc]
                     cache.in_store(store, _found(n), cache.AS_JSON, later=True))
    store.go.set()
    cache.settle()
    assert len(store.kept) == cache.MAX_PENDING
    assert cache.cached(_found(cache.MAX_PENDING + 2), lambda: pytest.fail("made again")) == [
        cache.MAX_PENDING + 2]  # still kept in the process


def test_a_failed_write_is_logged_by_its_type(caplog: pytest.LogCaptureFixture) -> None:
    store: Any = SlowStore(fail=True)
    store.go.set()
    with caplog.at_level(logging.WARNING, logger="veriga.workspace.cache"):
        assert cache.cached(_found(1), lambda: ["v"],
                            cache.in_store(store, _found(1), cache.AS_JSON, later=True)) == ["v"]
        cache.settle()
    assert "RuntimeError" in caplog.text and "secret" not in caplog.text
