"""What is computed from a case's data and kept in this process until that data changes:
each value under the case's data fingerprint (its revision and its sources, see
:meth:`veriga.store.Store.fingerprint`) and the reader's view of the case (hidden sources
and entities, a share's records, the minimisation), so that readers who see the case
differently never share a value. Computed once per key, however many requests wait."""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, TypeVar

from veriga.workspace.context import CaseAccess

T = TypeVar("T")

#: (what, database, case, fingerprint, view) -> value, least recently used first.
_VALUES: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_COMPUTING: dict[tuple[Any, ...], threading.Lock] = {}
_LOCK = threading.Lock()
MAX_VALUES = 32


def view_key(access: CaseAccess) -> str:
    """A digest of what decides how this reader sees the case's data."""
    protection = access.minimiser.protection if access.minimiser is not None else None
    return hashlib.sha256(json.dumps([
        sorted(access.hidden_sources), sorted(access.hidden_entities),
        sorted(access.only_ids) if access.only_ids is not None else None,
        [protection.key, sorted(protection.group_of.items()), sorted(protection.roles.items())]
        if protection is not None else None,
    ]).encode()).hexdigest()


def key(access: CaseAccess, what: str, readers: bool = True, version: Any = None
        ) -> tuple[Any, ...]:
    """The key of ``what`` for this reader of the case's data as it is now; ``readers``
    False: of a value the same for every reader (hidden or minimised after it is read);
    ``version``: what else changes with the value."""
    ctx = access.ctx
    return (what, ctx.settings.database_url, access.case_id,
            ctx.store.fingerprint(access.conn, access.case_id), version,
            view_key(access) if readers else None)


def cached(found: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """The value kept under ``found`` (a :func:`key`), computed now if there is none."""
    with _LOCK:
        if found in _VALUES:
            _VALUES.move_to_end(found)
            return _VALUES[found]
        computing = _COMPUTING.setdefault(found, threading.Lock())
    with computing:
        with _LOCK:
            if found in _VALUES:
                return _VALUES[found]
        try:
            value = compute()
            with _LOCK:
                _VALUES[found] = value
                while len(_VALUES) > MAX_VALUES:
                    _VALUES.popitem(last=False)
        finally:
            with _LOCK:
                _COMPUTING.pop(found, None)
    return value


def clear() -> None:
    """Forget every value (tests)."""
    with _LOCK:
        _VALUES.clear()
