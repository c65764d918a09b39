"""The data model: FollowTheMoney 4 plus Veriga's THB overlay schemata.

Importing this module extends FtM's model singleton in place, so the overlay is present
whatever was imported first and whatever ``FTM_MODEL_PATH`` says.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from followthemoney import EntityProxy, Schema, model
from followthemoney.exc import InvalidModel

OVERLAY_DIR = Path(__file__).parent / "overlay"


def _load_overlay() -> frozenset[str]:
    names: set[str] = set()
    for path in sorted(OVERLAY_DIR.glob("*.yaml")):
        before = set(model.schemata)
        model._load(str(path))  # FtM's own YAML loader, the way FTM_MODEL_PATH files load
        names.update(set(model.schemata) - before)
    model.generate()
    for name in names:
        if model.schemata[name].abstract:
            raise InvalidModel(f"Overlay schema {name} must not be abstract")
    return frozenset(names)


if "Advertisement" not in model.schemata:
    OVERLAY_SCHEMATA = _load_overlay()
else:  # already loaded in this process
    OVERLAY_SCHEMATA = frozenset(
        p.stem for p in OVERLAY_DIR.glob("*.yaml")
    )


def core_schema(schema: Schema) -> Schema:
    """The nearest non-abstract core FtM ancestor of an overlay schema (itself if core)."""
    queue = [schema]
    while queue:
        current = queue.pop(0)
        if current.name not in OVERLAY_SCHEMATA and not current.abstract:
            return current
        queue.extend(current.extends)
    return model["Thing"]


def is_core(schema: Schema) -> bool:
    return schema.name not in OVERLAY_SCHEMATA


def with_overlay(names: Iterable[str]) -> list[str]:
    """``names`` and every overlay schema that extends one of them (a ``Payslip`` is a
    ``Payment``): what a reader asking for core schemata by name is to be given."""
    asked = list(dict.fromkeys(names))
    extra = [o for o in sorted(OVERLAY_SCHEMATA) if o not in asked and o in model.schemata
             and any(model.schemata[o].is_a(n) for n in asked if n in model.schemata)]
    return asked + extra


__all__ = ["EntityProxy", "OVERLAY_SCHEMATA", "core_schema", "is_core", "model", "with_overlay"]
