"""The exporter interface: one object per export format, found through the registry.

Exporters are plugins (:mod:`veriga.plugins`): each is declared in the ``veriga.exporters``
entry-point group under its format name, e.g. ``gexf = "veriga.export.graph:GEXF"``. The CLI
(``veriga export --format``), the web application's files page and its download take the
formats, file name endings and media types from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from veriga import plugins
from veriga.model import EntityProxy

#: The handling code of an entity id, as a dict (``Handling.to_dict()``).
HandlingOf = Callable[[str], dict]


@dataclass(frozen=True)
class Exporter:
    """One export format. Subclasses implement :meth:`write`."""

    name: str  # the format name users pass: ``--format NAME``, ``?format=NAME``
    suffix: str  # the end of the file name, without the dot: "ftm.json"
    media_type: str  # of the downloaded file
    description: str  # one line, for help texts

    def write(self, entities: Iterable[EntityProxy], out: Path,
              handling: HandlingOf | None = None) -> int:
        """Write ``entities`` to ``out`` (its folder exists); returns how many were written.
        ``handling``, when given, is the handling code of an entity id, which the format
        carries where it can."""
        raise NotImplementedError

    def write_chart(self, entities: Iterable[EntityProxy], out: Path,
                    handling: HandlingOf | None = None,
                    layout: Mapping[str, tuple[float, float]] | None = None) -> int:
        """:meth:`write` for a chart a user laid out: ``layout`` is the place of each entity
        id drawn (x to the right, y downwards). A format that draws its items (ANX) puts them
        there; the others write the entities as :meth:`write` does."""
        return self.write(entities, out, handling)


def exporters() -> dict[str, Exporter]:
    """Every exporter by format name (installed and added in-process), sorted by name."""
    found = plugins.load("exporters")
    for name, exporter in found.items():
        if not isinstance(exporter, Exporter):
            raise plugins.PluginError(f"exporter {name!r} is {exporter!r}, not an Exporter")
        if exporter.name != name:
            raise plugins.PluginError(f"exporter {name!r} is named {exporter.name!r}: the "
                                      "entry point must be named by it")
    return found


def formats() -> list[str]:
    """The export format names."""
    return list(exporters())


def get_exporter(fmt: str) -> Exporter:
    known = exporters()
    try:
        return known[fmt]
    except KeyError:
        raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(known)}"
                         ) from None
