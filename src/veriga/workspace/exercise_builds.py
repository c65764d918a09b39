"""Case simulations built in worker processes, below the server's priority.

Building an attempt's case (simulate, import, analyse) takes seconds of processor time. In
the server's own process it would hold the interpreter's lock from the requests beside it:
with thirty builds under way, 300 trainees' quiz answers waited seconds. The server hands
each build to a small pool of worker processes instead; they run at a lower scheduling
priority (``VERIGA_SIMULATION_NICE``, default 10), so that the operating system serves a
request first, and a build takes the processor time left over. The build writes its step
into the attempt's row, which every server process reads.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from veriga.config import Settings
from veriga.workspace.exercises import BUILD_WORKERS

log = logging.getLogger(__name__)

#: how much lower than the server a build runs (``nice`` steps; 0: the same priority)
NICE = int(os.environ.get("VERIGA_SIMULATION_NICE", "10"))
#: how often a worker checks that its server still runs (seconds)
PARENT_CHECK_S = 2.0

#: the worker process's own store, kept from one build to the next
_STORES: dict[str, Any] = {}


def _watch_parent(parent: int) -> None:
    """A worker ends with the server process that started it (a server killed leaves no
    worker behind, holding its memory)."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_S)
    os._exit(0)


def _start_worker(parent: int) -> None:
    """A worker's start: below the server, so that a request is served first; ended with
    its server."""
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()
    if NICE > 0:
        try:
            os.nice(NICE)
        except OSError:  # not allowed here: the build runs at the server's priority
            log.warning("could not lower the priority of a simulation worker")


def _build(settings: Settings, user_id: str, purpose: str, attempt_id: str) -> None:
    """In the worker process: build one attempt's case as its owner."""
    from veriga.access.directory import load_user
    from veriga.store.store import Store
    from veriga.workspace import Workspace

    store = _STORES.get(settings.database_url)
    if store is None:
        store = _STORES[settings.database_url] = Store(settings.database_url)
    try:
        with store.begin() as conn:
            user = load_user(conn, user_id=user_id)
        Workspace(settings, user, purpose, store=store).exercises.build(attempt_id)
    except Exception:  # recorded as a failed attempt; ids only in the message
        log.exception("building the case of attempt %s failed", attempt_id)


class BuildPool:
    """The worker processes of one server process, started with its first build."""

    def __init__(self, settings: Settings, workers: int | None = None) -> None:
        self.settings = settings
        self.workers = workers or BUILD_WORKERS
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self, fresh: bool = False) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None or fresh:
                if self._pool is not None:
                    self._pool.shutdown(wait=False, cancel_futures=True)
                # spawned, not forked: the server's threads and connections stay behind
                # no max_tasks_per_child: with builds queued, a worker it retires is never replaced
                # and the queue stops (CPython gh-115634, in 3.11 to 3.13)
                self._pool = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker, initargs=(os.getpid(),))
            return self._pool

    def submit(self, user_id: str, purpose: str, attempt_id: str) -> Future[None]:
        """Queue a build; its failure is recorded with the attempt and logged by the worker.
        A pool whose worker died (out of memory) is replaced."""
        try:
            future = self._executor().submit(_build, self.settings, user_id, purpose,
                                             attempt_id)
        except BrokenProcessPool:
            future = self._executor(fresh=True).submit(_build, self.settings, user_id,
                                                       purpose, attempt_id)

        def done(f: Future[None]) -> None:
            if f.cancelled():
                return
            exc = f.exception()
            if exc is not None:  # the worker itself died: the attempt fails on its timeout
                log.error("the worker building attempt %s stopped: %s", attempt_id,
                          type(exc).__name__)

        future.add_done_callback(done)
        return future

    def close(self) -> None:
        """Stop the workers; builds under way are cut off (their attempts fail later)."""
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None
