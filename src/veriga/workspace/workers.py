"""Heavy work started from the browser, done in worker processes below the server's
priority: case simulations built (:func:`build_attempt`), case reports gathered and
rendered (``veriga.web.report_jobs``).

Building an attempt's case (simulate, import, analyse) takes seconds of processor time, a
large case's report minutes. In the server's own process such work would hold the
interpreter's lock from the requests beside it: with thirty builds under way, 300 trainees'
quiz answers waited seconds. The server hands each task to a small pool of worker
processes instead; they run at a lower scheduling priority (``VERIGA_SIMULATION_NICE``,
default 10), so that the operating system serves a request first, and a task takes the
processor time left over. A task runs as the user who started it, with that session's
purpose, and writes its step where every server process reads it (the attempt's or the
job's row).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
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


#: a task: a module-level function of the user's workspace and the task's arguments
Task = Callable[..., None]


def _run(settings: Settings, user_id: str, purpose: str, task: Task, args: tuple[Any, ...]
         ) -> None:
    """In the worker process: the task as the user who started it."""
    from veriga.access.directory import load_user
    from veriga.store.store import Store
    from veriga.workspace import Workspace

    store = _STORES.get(settings.database_url)
    if store is None:
        store = _STORES[settings.database_url] = Store(settings.database_url)
    try:
        with store.begin() as conn:
            user = load_user(conn, user_id=user_id)
        task(Workspace(settings, user, purpose, store=store), *args)
    except Exception:  # recorded with the attempt or job; ids only in the message
        log.exception("the background task %s %s failed", task.__name__,
                      " ".join(str(a) for a in args))


def build_attempt(ws: Any, attempt_id: str) -> None:
    """Build an attempt's training case (:meth:`veriga.workspace.exercises.Exercises.build`)."""
    ws.exercises.build(attempt_id)


#: the process's one pool of workers, shared by every application of the process (tests
#: make many): a task carries the settings of its workspace
_SHARED: dict[str, ProcessPoolExecutor] = {}
_SHARED_LOCK = threading.Lock()


class WorkerPool:
    """The worker processes of this server process (one pool per process, started with the
    first task of any of its applications)."""

    def __init__(self, settings: Settings, workers: int | None = None) -> None:
        self.settings = settings
        self.workers = workers or BUILD_WORKERS

    def _executor(self, fresh: bool = False) -> ProcessPoolExecutor:
        with _SHARED_LOCK:
            pool = _SHARED.get("pool")
            if pool is None or fresh:
                if pool is not None:
                    pool.shutdown(wait=False, cancel_futures=True)
                # spawned, not forked: the server's threads and connections stay behind;
                # no max_tasks_per_child: with tasks queued, a worker it retires is never
                # replaced and the queue stops (CPython gh-115634, in 3.11 to 3.13)
                pool = _SHARED["pool"] = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn"),
                    initializer=_start_worker, initargs=(os.getpid(),))
            return pool

    def submit(self, user_id: str, purpose: str, task: Task, *args: Any) -> Future[None]:
        """Queue ``task(workspace, *args)`` as the user; its failure is recorded by the task
        and logged by the worker. A pool whose worker died (out of memory) is replaced."""
        try:
            future = self._executor().submit(_run, self.settings, user_id, purpose, task,
                                             args)
        except BrokenProcessPool:
            future = self._executor(fresh=True).submit(_run, self.settings, user_id,
                                                       purpose, task, args)

        def done(f: Future[None]) -> None:
            if f.cancelled():
                return
            exc = f.exception()
            if exc is not None:  # the worker itself died: the task fails on its timeout
                log.error("the worker running %s %s stopped: %s", task.__name__,
                          " ".join(str(a) for a in args), type(exc).__name__)

        future.add_done_callback(done)
        return future

    def close(self) -> None:
        """Stop the workers; tasks under way are cut off (their attempts and jobs fail
        later). The next task starts new ones."""
        with _SHARED_LOCK:
            pool = _SHARED.pop("pool", None)
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
