"""The registry of analysis families (the ``veriga.analyses`` entry points) and of their
detectors by finding kind."""

from __future__ import annotations

from collections.abc import Sequence

from veriga import plugins
from veriga.analysis.family import Detector, Family
from veriga.errors import VerigaError


def families() -> dict[str, Family]:
    """Every installed family by name, checked: an instance of :class:`Family` under its own
    name, with a detector prefix and finding kinds no other family uses."""
    found: dict[str, Family] = {}
    prefixes: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for name, obj in plugins.load("analyses").items():
        fam = obj() if isinstance(obj, type) else obj
        if not isinstance(fam, Family):
            raise plugins.PluginError(f"analysis {name!r} is not a veriga.analysis.Family")
        if fam.name != name:
            raise plugins.PluginError(f"analysis {name!r} calls itself {fam.name!r}")
        for other, prefix in prefixes.items():
            if fam.prefix.startswith(prefix) or prefix.startswith(fam.prefix):
                raise plugins.PluginError(f"analyses {other!r} and {name!r} share the "
                                          f"detector prefix {prefix!r}")
        prefixes[name] = fam.prefix
        for det in fam.detectors:
            if det.kind in kinds:
                raise plugins.PluginError(f"finding kind {det.kind!r} is yielded by both "
                                          f"{kinds[det.kind]!r} and {name!r}")
            kinds[det.kind] = name
        found[name] = fam
    return found


def family(name: str) -> Family:
    known = families()
    try:
        return known[name]
    except KeyError:
        raise VerigaError(f"no analysis family {name!r}; known: {', '.join(known)}") from None


def chosen(only: Sequence[str] | None) -> list[Family]:
    """The families named in ``only`` (all of them if empty), in registry order."""
    known = families()
    if not only:
        return list(known.values())
    return [family(name) for name in dict.fromkeys(only)]


def detectors() -> dict[str, Detector]:
    """Every detector of every family by the finding kind it yields."""
    return {d.kind: d for fam in families().values() for d in fam.detectors}


def detector(kind: str) -> Detector | None:
    return detectors().get(kind)


def stage_of(kind: str) -> str | None:
    """The stage of the chain a finding of this kind speaks to (None: not one stage)."""
    found = detector(kind)
    return found.stage if found else None


def role_of(kind: str) -> str | None:
    """The chain role a finding of this kind gives the entity it is about."""
    found = detector(kind)
    return found.role if found else None
