"""The indicator and typology catalogues, generated from the analysis families' registries
(:func:`veriga.analysis.families`), never written by hand: every finding kind a family's
detector yields, with its title, the chain stage and role it speaks to, its published
source and where its method is documented. The typology catalogue is the same items by
stage of the chain (recruitment, transport, exploitation, proceeds), the modus operandi as
Veriga sees it."""

from __future__ import annotations

from dataclasses import dataclass

from veriga.analysis import STAGES, families


@dataclass(frozen=True)
class CatalogueItem:
    kind: str  # the finding kind: "R4", "labour.phoenix", "operation.sex"
    family: str  # the family's name
    family_title: str  # a msgid
    title: str  # a msgid
    stage: str | None
    role: str | None
    counterpart: str | None
    citation: str
    docs: str  # where the method is written down (a path in the repository, with an anchor)


def catalogue() -> tuple[CatalogueItem, ...]:
    """Every detector of every installed family, in the families' order."""
    return tuple(CatalogueItem(d.kind, fam.name, fam.title, d.title, d.stage, d.role,
                               d.counterpart, d.citation, d.docs)
                 for fam in families().values() for d in fam.detectors)


def item(kind: str) -> CatalogueItem | None:
    return next((i for i in catalogue() if i.kind == kind), None)


def typologies() -> dict[str | None, tuple[CatalogueItem, ...]]:
    """The catalogue by stage of the chain, in the chain's order (``None``: findings about
    no one stage, such as proposed matches of records)."""
    items = catalogue()
    out: dict[str | None, tuple[CatalogueItem, ...]] = {
        stage: tuple(i for i in items if i.stage == stage) for stage in STAGES}
    rest = tuple(i for i in items if i.stage is None)
    if rest:
        out[None] = rest
    return out
