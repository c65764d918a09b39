"""What is computed from a case's data and kept in this process until that data changes:
each value under the case's data fingerprint (its revision and its sources, see
:meth:`veriga.store.Store.fingerprint`) and the reader's view of the case (hidden sources
and entities, a share's records, the minimisation), so that readers who see the case
differently never share a value. Computed once per key, however many requests wait.

At most :data:`MAX_VALUES` values and :data:`BUDGET_BYTES` of them (``VERIGA_CACHE_MB``,
default 1024) are kept, the least recently used given up first; a value larger than the
whole budget is returned but not kept (a large case's ledger must not pin the server's
memory)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import sys
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Generic, TypeVar

from veriga import __version__
from veriga.store import Store
from veriga.workspace.context import CaseAccess

T = TypeVar("T")
log = logging.getLogger(__name__)

#: (what, database, case, fingerprint, view) -> value, least recently used first.
_VALUES: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
#: the estimated bytes of each value kept
_SIZES: dict[tuple[Any, ...], int] = {}
_COMPUTING: dict[tuple[Any, ...], threading.Lock] = {}
_LOCK = threading.Lock()
MAX_VALUES = 256
#: Called with a value's estimated size once it is kept (a server process's garbage
#: collector takes what is kept out of its scans, :mod:`veriga.web.collector`).
KEPT: list[Callable[[int], None]] = []
BUDGET_BYTES = int(float(os.environ.get("VERIGA_CACHE_MB", "1024")) * 2**20)


#: a container of more items than this is estimated from this many of them, evenly spread
SAMPLE = 200


def size_of(value: Any, depth: int = 4) -> int:
    """An estimate of the memory a value holds: Arrow tables and arrays by their buffers,
    containers, dataclasses and plain objects by what they hold (``depth`` levels down; a
    large container from a sample of :data:`SAMPLE` items: a case's 25,000 events are
    measured in a millisecond, not a second)."""
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    size = sys.getsizeof(value)
    if depth == 0 or isinstance(value, str | bytes | int | float | bool | type(None)):
        return size
    if isinstance(value, dict):
        return size + _items_size(list(value.items()), depth)
    if isinstance(value, list | tuple):
        return size + _items_size(value, depth)
    if isinstance(value, set | frozenset):
        return size + _items_size(list(value), depth)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return size + sum(size_of(getattr(value, f.name), depth - 1)
                          for f in dataclasses.fields(value))
    held = getattr(value, "__dict__", None)
    return size + (size_of(held, depth - 1) if isinstance(held, dict) else 0)


def _items_size(items: list[Any] | tuple[Any, ...], depth: int) -> int:
    """The estimated size of what ``items`` hold (every item, or a spread sample scaled)."""
    n = len(items)
    if n <= SAMPLE:
        return sum(size_of(v, depth - 1) for v in items)
    step = n / SAMPLE
    sampled = sum(size_of(items[int(k * step)], depth - 1) for k in range(SAMPLE))
    return sampled * n // SAMPLE


def view_key(access: CaseAccess) -> str:
    """A digest of what decides how this reader sees the case's data."""
    protection = access.minimiser.protection if access.minimiser is not None else None
    return hashlib.sha256(json.dumps([
        sorted(access.hidden_sources), sorted(access.hidden_entities),
        sorted(access.only_ids) if access.only_ids is not None else None,
        [protection.key, sorted(protection.group_of.items()), sorted(protection.roles.items())]
        if protection is not None else None,
    ]).encode()).hexdigest()


def key(access: CaseAccess, what: str, readers: bool = True, version: Any = None,
        stale_with: Any = None) -> tuple[Any, ...]:
    """The key of ``what`` for this reader of the case's data as it is now: ``(what,
    database, case id, state, version, view)``. ``readers`` False: of a value the same for
    every reader (hidden or minimised after it is read); ``version``: what tells values
    apart (a view's parameters, the language); ``stale_with``: what else makes one out of
    date besides the case's data (the findings' version). The state is the case's data
    fingerprint with ``stale_with``."""
    ctx = access.ctx
    return (what, ctx.settings.database_url, access.case_id,
            (ctx.store.fingerprint(access.conn, access.case_id), stale_with), version,
            view_key(access) if readers else None)


@dataclasses.dataclass(frozen=True)
class Shared(Generic[T]):
    """Where a value is kept for every server process (the store): ``load`` gives it or
    None, ``save`` keeps it."""

    load: Callable[[], T | None]
    save: Callable[[T], None]


@dataclasses.dataclass(frozen=True)
class Codec(Generic[T]):
    """A kept value to bytes and back, to keep it in the store."""

    dump: Callable[[T], bytes]
    load: Callable[[bytes], T]


def json_codec(encode: Callable[[T], Any] = lambda value: value,
               decode: Callable[[Any], T] = lambda data: data) -> Codec[T]:
    """A value kept as compressed JSON: ``encode`` makes it JSON (lists, dicts, text,
    numbers), ``decode`` makes it again."""
    return Codec(
        lambda value: zlib.compress(json.dumps(encode(value), separators=(",", ":")).encode(), 3),
        lambda raw: decode(json.loads(zlib.decompress(raw))))


#: A value that is JSON already.
AS_JSON: Codec[Any] = json_codec()
#: An answer kept as the bytes it is sent as (compressed in the store).
AS_BYTES: Codec[bytes] = Codec(lambda value: zlib.compress(value, 3), zlib.decompress)


def _digest(value: Any) -> str:
    return hashlib.sha256(repr(value).encode()).hexdigest()


#: Values waiting to be kept in the store by the keeper thread (see :func:`in_store`).
_PENDING: list[Future[None]] = []
_KEEPER: ThreadPoolExecutor | None = None
#: At most this many values wait to be kept; beyond, a value is kept in this process only.
MAX_PENDING = 8


def _keep_later(save: Callable[[], None]) -> None:
    """Run ``save`` in the keeper thread, after the caller has its value; dropped when
    :data:`MAX_PENDING` wait already (the store is only where other processes find it)."""
    global _KEEPER
    with _LOCK:
        _PENDING[:] = [f for f in _PENDING if not f.done()]
        if len(_PENDING) >= MAX_PENDING:
            return
        if _KEEPER is None:
            _KEEPER = ThreadPoolExecutor(1, thread_name_prefix="veriga-keep")
        _PENDING.append(_KEEPER.submit(_saving, save))


def _saving(save: Callable[[], None]) -> None:
    try:
        save()
    except Exception as error:  # noqa: BLE001 - its type only: a message may quote the value
        log.warning("a value was not kept in the store: %s", type(error).__name__)


def settle() -> None:
    """Wait until every value waiting to be kept in the store is kept (tests)."""
    with _LOCK:
        waiting = list(_PENDING)
    for future in waiting:
        future.exception()


def in_store(store: Store, found: tuple[Any, ...], codec: Codec[T],
             later: bool = False) -> Shared[T]:
    """The value kept under ``found`` (a :func:`key`) kept in the store too, for every server
    process: in the case's slot of its what, version, reader's view (and Veriga's version,
    which may encode it otherwise), read back only in the state it was made in, kept only if
    the case's data did not change meanwhile (see :meth:`Store.keep_derived`). A value that
    no longer decodes is made again. ``later``: kept by a thread of its own once made, not
    before the caller has it (a trace's flows, tens of thousands of records, took a loaded
    server seconds to encode and write)."""
    what, _, case_id, state, version, view = found
    slot, made_in = _digest([what, version, view, __version__]), _digest(state)

    def load() -> T | None:
        with store.begin() as conn:
            raw = store.derived_value(conn, case_id, slot, made_in)
        if raw is None:
            return None
        try:
            return codec.load(raw)
        except Exception:  # noqa: BLE001 - kept by an older Veriga: made again, in its place
            return None

    def save(value: T) -> None:
        store.keep_derived(case_id, slot, made_in, codec.dump(value), state[0][0])

    if later:
        return Shared(load, lambda value: _keep_later(lambda: save(value)))
    return Shared(load, save)


def claim(store: Store, found: tuple[Any, ...]) -> bool:
    """Whether this caller, alone of every server process, takes the work named by
    ``found`` (a :func:`key`) for the case's data, findings and reader's view as they are
    now: each state is taken once (see :meth:`Store.claim_derived`)."""
    what, _, case_id, state, version, view = found
    return store.claim_derived(case_id, _digest(["claimed", what, version, view, __version__]),
                               _digest(state), state[0][0])


def cached(found: tuple[Any, ...], compute: Callable[[], T],
           shared: Shared[T] | None = None) -> T:
    """The value kept under ``found`` (a :func:`key`), computed now if there is none here
    (nor in ``shared``, where it is kept once computed)."""
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
            loaded = shared.load() if shared is not None else None
            if loaded is None:
                value = compute()
                if shared is not None:
                    shared.save(value)
            else:
                value = loaded
            _keep(found, value, size_of(value))
        finally:
            with _LOCK:
                _COMPUTING.pop(found, None)
    return value


def latest(found: tuple[Any, ...]) -> tuple[tuple[Any, ...], Any] | None:
    """The most recently used value kept for the same what, database and case as
    ``found`` (a :func:`key`), in whatever state, version and view, with its key: what a
    value in a new state may be made from (the findings after a review)."""
    with _LOCK:
        for kept in reversed(_VALUES):
            if kept[:3] == found[:3]:
                return kept, _VALUES[kept]
    return None


def made_from(base: object, what: tuple[Any, ...], make: Callable[[], T]) -> T:
    """A value made from ``base`` (a value :func:`cached` gave), kept with it: given again
    while ``base`` is what the caller was given (the very object: the case's data, findings
    and reader's view it was kept for are the same), made again otherwise. It holds ``base``
    while it is kept; the first value kept made from it counts it in its size."""
    found = ("made from", id(base), what)
    with _LOCK:
        kept = _VALUES.get(found)
        if kept is not None and kept[0] is base:
            _VALUES.move_to_end(found)
            made: T = kept[1]
            return made
    value = make()
    base_size = _base_size(base)
    _keep(found, (base, value, base_size), base_size + size_of(value))
    return value


def _base_size(base: object) -> int:
    """The estimated size of ``base`` if no other value kept is made from it, else 0:
    counted once however many values are made from it (a money view's flows, measured
    again and counted in full for each page of transactions made from them, took longer
    than the page and pushed the case's ledger out of the budget)."""
    with _LOCK:
        for found, kept in _VALUES.items():
            if found[0] == "made from" and found[1] == id(base) and kept[0] is base:
                return 0
    return size_of(base)


def _keep(found: tuple[Any, ...], value: Any, size: int) -> None:
    """Keep ``value`` under ``found``, giving up the least recently used beyond the limits
    (a value larger than the whole budget is not kept)."""
    with _LOCK:
        if size <= BUDGET_BYTES:
            _VALUES[found], _SIZES[found] = value, size
            total = sum(_SIZES.values())
            while len(_VALUES) > MAX_VALUES or total > BUDGET_BYTES:
                gone, _ = _VALUES.popitem(last=False)
                total -= _SIZES.pop(gone)
    if size <= BUDGET_BYTES:
        for hook in KEPT:
            hook(size)


def clear() -> None:
    """Forget every value (tests)."""
    with _LOCK:
        _VALUES.clear()
        _SIZES.clear()
