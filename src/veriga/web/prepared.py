"""The whole-case views made ahead, in the background, so that no reader waits for them.

A large case's timeline takes 46 s to make from its data, its chain diagram 31 s, its map
7 s; each is kept for every server process once made (``derived`` values in the store), but
the first reader after a change used to wait for it. Now, after a change made in the
browser (a file imported, a finding reviewed, records merged: any request that changes a
case) and when a reader opens a page of a case whose views were not prepared for its data
as they are now (a file imported from the command line), every view that declares
:attr:`View.prepare` is made in a worker process of the server
(:mod:`veriga.workspace.workers`, below the server's priority), as that reader, with the
session's purpose and language.

Each state of a case's data, findings, reader's view and language is prepared once, by
one server process (:meth:`Store.claim_derived`). The reads are audited as the reader's,
marked ``prepared``. ``VERIGA_PREPARE_VIEWS=0`` turns it off (the tests do, and turn it on
where they test it).
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from typing import Any

from fastapi import HTTPException

from veriga.access.policy import Op
from veriga.errors import VerigaError
from veriga.web.session import Web
from veriga.web.views import views
from veriga.workspace import Workspace, cache

log = logging.getLogger(__name__)

#: the states this process found taken (by itself or another): not asked of the store again
_SEEN: OrderedDict[tuple[Any, ...], None] = OrderedDict()
_SEEN_MAX = 4096
_LOCK = threading.Lock()


def enabled() -> bool:
    """Whether views are prepared ahead (``VERIGA_PREPARE_VIEWS``, on unless ``0``)."""
    return os.environ.get("VERIGA_PREPARE_VIEWS", "1").strip().lower() not in (
        "0", "false", "no", "off")


def _key(ws: Workspace, case: str, lang: str) -> tuple[Any, ...] | None:
    """The key of the case's views as ``ws``'s user sees it now, in ``lang`` (a
    :func:`cache.key`); None if the case is not theirs to open."""
    try:
        with ws.case(case, Op.CASE_OPEN) as access:
            return cache.key(access, "prepared views", version=lang, stale_with=(
                ws.store.findings_version(access.conn, access.case_id)))
    except VerigaError:  # not theirs to open (then no view is theirs to see)
        return None


def due(ws: Workspace, case: str, lang: str) -> tuple[Any, ...] | None:
    """The state of the case's data and findings if preparing its views, as ``ws``'s user
    sees it now and in ``lang``, is this caller's to do: once per state, of every server
    process; else None."""
    found = _key(ws, case, lang)
    if found is None:
        return None
    with _LOCK:
        if found in _SEEN:
            return None
        _SEEN[found] = None
        while len(_SEEN) > _SEEN_MAX:
            _SEEN.popitem(last=False)
    return found[3] if cache.claim(ws.store, found) else None


def prepare(ws: Workspace, case: str, lang: str, state: tuple[Any, ...]) -> None:
    """Make every view's whole-case value for the case in ``state`` (a
    :data:`veriga.workspace.workers.Task`); given up once the case has changed since (the
    views of the new state are another task's: a reviewer confirming ten findings in a row
    leaves one preparation to finish, not ten)."""
    web = Web(ws, ws.require_user(), "", lang, ws.purpose, "")
    ws.audit_detail = {"prepared": True}
    made = []
    for view in views():
        if view.prepare is None:
            continue
        now = _key(ws, case, lang)
        if now is None or now[3] != state:
            log.debug("the case changed while its views were prepared: left to the next")
            break
        try:
            view.prepare(web, case)
            made.append(view.name or "dashboard")
        except (VerigaError, HTTPException) as exc:  # not the reader's to see, nothing to show
            log.debug("the %s view was not prepared: %s", view.name, type(exc).__name__)
        except Exception as exc:  # noqa: BLE001 - the view is made when first read instead
            log.warning("preparing the %s view failed: %s", view.name, type(exc).__name__)
    cache.settle()  # every view kept in the store before the preparation is told done
    cache.clear()  # kept in the store; the worker process keeps none of it
    with ws.case(case, Op.CASE_OPEN) as access:
        access.audit("views.prepare", views=made, lang=lang)


def after(pool: Any, ws: Workspace, case: str, lang: str) -> None:
    """Prepare the case's views in the background if they are not for its state now (after
    the response is sent: a failure here is logged, by its kind only, and the views are made
    when first read instead)."""
    try:
        state = due(ws, case, lang)
        if state is not None:
            pool.submit(ws.require_user().id, ws.purpose or "", prepare, case, lang, state)
    except Exception as exc:  # noqa: BLE001
        log.warning("could not start preparing a case's views: %s", type(exc).__name__)
