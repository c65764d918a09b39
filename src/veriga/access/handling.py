"""Handling codes (Europol style) on sources and entities, which travel with exports.

H0: may be used in judicial proceedings. H1: not in judicial proceedings without the
provider's permission. H2: not to be passed on without the provider's permission.
H3: other restrictions, stated in a note. A list of organisations may further restrict who
may see the material at all.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Code(StrEnum):
    H0 = "H0"
    H1 = "H1"
    H2 = "H2"
    H3 = "H3"


DESCRIPTIONS = {
    Code.H0: "may be used in judicial proceedings",
    Code.H1: "no use in judicial proceedings without the provider's permission",
    Code.H2: "no dissemination without the provider's permission",
    Code.H3: "other restrictions (see note)",
}


def parse_code(value: str) -> Code:
    try:
        return Code(value.strip().upper())
    except ValueError:
        raise ValueError(f"unknown handling code {value!r}; use H0, H1, H2 or H3") from None


@dataclass
class Handling:
    """The combined handling of a piece of data: every code that applies to it."""

    codes: set[Code] = field(default_factory=lambda: {Code.H0})
    orgs: set[str] | None = None  # organisations allowed to see it; None: no restriction
    notes: list[str] = field(default_factory=list)

    def add(self, code: str, orgs: Iterable[str] | None = None, note: str | None = None) -> None:
        parsed = parse_code(code)
        if parsed is not Code.H0:
            self.codes.discard(Code.H0)
            self.codes.add(parsed)
        if orgs:
            self.orgs = set(orgs) if self.orgs is None else self.orgs & set(orgs)
        if note:
            self.notes.append(note)

    def merge(self, other: Handling) -> None:
        """Add everything that applies to ``other`` (the most restrictive combination)."""
        for code in other.codes:
            self.add(code, other.orgs)
        self.notes.extend(other.notes)

    def releasable(self, for_court: bool, recipient: str | None, owner: str | None) -> bool:
        """Whether the material may go into an export for court and/or to ``recipient``."""
        if for_court and not self.court_use:
            return False
        if recipient is None:
            return True
        return self.visible_to(recipient, owner) and (self.disseminate or recipient == owner)

    @property
    def court_use(self) -> bool:
        return not ({Code.H1, Code.H3} & self.codes)

    @property
    def disseminate(self) -> bool:
        return not ({Code.H2, Code.H3} & self.codes)

    def visible_to(self, org_id: str, owner_org_id: str | None) -> bool:
        return self.orgs is None or org_id in self.orgs or org_id == owner_org_id

    @property
    def label(self) -> str:
        return "+".join(sorted(c.value for c in self.codes))

    def to_dict(self) -> dict[str, Any]:
        return {"codes": sorted(c.value for c in self.codes), "court_use": self.court_use,
                "disseminate": self.disseminate,
                "orgs": sorted(self.orgs) if self.orgs is not None else None,
                "notes": self.notes}
