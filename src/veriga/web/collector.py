"""The garbage collector of a server process: what lives long is taken out of its scans.

A server process keeps large values between requests (a case's findings, ledger and views:
hundreds of thousands of objects, see :mod:`veriga.workspace.cache`). Python's full
collections walk every one of them and hold every request of the process meanwhile: under
20 users on a large case, 50 collections of up to 0.75 s in a minute, freeing almost
nothing. After a full collection that was slow and freed almost nothing, what survived is
long-lived: it is frozen (:func:`gc.freeze`), so later collections walk only what came
after. Kept values are freed by their reference counts when replaced (they hold no cycles);
cyclic garbage alive at the moment of a freeze stays, bounded by how seldom freezes come.
"""

from __future__ import annotations

import gc
import os
import time
from typing import Any

#: a full collection slower than this (seconds) that freed fewer than FEW objects freezes
SLOW = 0.05
FEW = 1000
_started: list[float] = []


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
    """Freeze the long-lived objects of this process after slow, fruitless collections."""
    if _after not in gc.callbacks:
        gc.callbacks.append(_after)


def uninstall() -> None:
    if _after in gc.callbacks:
        gc.callbacks.remove(_after)
