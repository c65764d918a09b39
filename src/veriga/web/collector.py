"""The garbage collector of a server process: what lives long is taken out of its scans.

A server process keeps large values between requests (a case's findings, ledger and views:
hundreds of thousands of objects, see :mod:`veriga.workspace.cache`). Python's full
collections walk every one of them and hold every request of the process meanwhile: under
20 users on a large case, 50 collections of up to 0.75 s in a minute, freeing almost
nothing. After a full collection that was slow and freed almost nothing, what survived is
long-lived: it is frozen (:func:`gc.freeze`), so later collections walk only what came
after. A large value just kept in the workspace's cache is frozen at once (at most every
:data:`EVERY` seconds), before a full collection walks it: the first one after a large
case's views were made took 1.2 s. Kept values are freed by their reference counts when
replaced (they hold no cycles); cyclic garbage alive at the moment of a freeze stays,
bounded by how seldom freezes come.
"""

from __future__ import annotations

import gc
import os
import time
from typing import Any

from veriga.workspace import cache

#: a full collection slower than this (seconds) that freed fewer than FEW objects freezes
SLOW = 0.05
FEW = 1000
_started: list[float] = []
#: a value kept of at least LARGE bytes (estimated) is frozen at once, at most every EVERY s
LARGE = 8 * 2**20
EVERY = 5.0
_frozen_at: list[float] = []


def _kept(size: int) -> None:
    now = time.monotonic()
    if size >= LARGE and (not _frozen_at or now - _frozen_at[0] >= EVERY):
        _frozen_at[:] = [now]
        gc.freeze()


def _after(phase: str, info: dict[str, Any]) -> None:
    if info.get("generation") != 2:
        return
    if phase == "start":
        _started[:] = [time.perf_counter()]
    elif _started and time.perf_counter() - _started[0] > SLOW and info["collected"] < FEW:
        gc.freeze()


def wanted() -> bool:
    """Whether this process is a server's (``veriga serve`` sets ``VERIGA_GC_FREEZE=1`` for
    its workers): a test run, whose objects come and go with each test, freezes nothing."""
    return os.environ.get("VERIGA_GC_FREEZE") == "1"


def install() -> None:
    """Freeze the long-lived objects of this process after slow, fruitless collections and
    once a large value is kept."""
    if _after not in gc.callbacks:
        gc.callbacks.append(_after)
    if _kept not in cache.KEPT:
        cache.KEPT.append(_kept)


def uninstall() -> None:
    if _after in gc.callbacks:
        gc.callbacks.remove(_after)
    if _kept in cache.KEPT:
        cache.KEPT.remove(_kept)
