"""Registries filled by Python entry points.

Importers, exporters, analysis families and web views are found the same way: each is named
in an entry-point group of a distribution's metadata (``[project.entry-points."veriga.…"]`` in
``pyproject.toml``), so a separate package adds one by declaring it, and Veriga's own are
declared in the same place. Bulk record kinds of other packages are found the same way
(``veriga.record_kinds``; Veriga's own are in :mod:`veriga.model.records`). A plugin that
fails to load is an error that names it, never a silent gap; two plugins of one name in one
group are an error too.

Tests (or an application embedding Veriga) may add a plugin in-process with :func:`add`.
"""

from __future__ import annotations

import threading
from importlib.metadata import entry_points
from typing import Any

from veriga.errors import VerigaError

#: The entry-point groups, by the short name used in code.
GROUPS = {
    "importers": "veriga.importers",
    "exporters": "veriga.exporters",
    "analyses": "veriga.analyses",
    "views": "veriga.views",
    "record_kinds": "veriga.record_kinds",
}

_loaded: dict[str, dict[str, Any]] = {}
_added: dict[str, dict[str, Any]] = {}
_lock = threading.RLock()


class PluginError(VerigaError):
    """A plugin could not be loaded, or two plugins share a name."""


def _group(kind: str) -> str:
    try:
        return GROUPS[kind]
    except KeyError:
        raise PluginError(f"no plugin group {kind!r}; known: {', '.join(GROUPS)}") from None


def load(kind: str) -> dict[str, Any]:
    """Every plugin of a group by name (the object each entry point names), sorted by name."""
    group = _group(kind)
    with _lock:
        found = _loaded.get(kind)
        if found is None:
            found = {}
            for point in entry_points(group=group):
                if point.name in found:
                    raise PluginError(f"two plugins named {point.name!r} in {group}: "
                                      f"{point.value} and another")
                try:
                    found[point.name] = point.load()
                except Exception as exc:  # a broken plugin must be seen, not skipped
                    raise PluginError(f"plugin {point.name!r} of {group} ({point.value}) "
                                      f"failed to load: {exc}") from exc
            _loaded[kind] = found
        merged = {**found, **_added.get(kind, {})}
    return dict(sorted(merged.items()))


def add(kind: str, name: str, obj: Any) -> None:
    """Add a plugin in this process (it wins over an installed one of the same name)."""
    _group(kind)
    with _lock:
        _added.setdefault(kind, {})[name] = obj


def remove(kind: str, name: str) -> None:
    """Take back a plugin added with :func:`add`."""
    with _lock:
        _added.get(kind, {}).pop(name, None)


def entry_point_names(kind: str) -> dict[str, str]:
    """The declared entry points of a group, name -> ``module:attribute`` (not loaded)."""
    return {p.name: p.value for p in entry_points(group=_group(kind))}
