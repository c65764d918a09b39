"""Findings: the one output shape of every analysis (see DESIGN.md).

Nothing the software infers becomes a fact without a person: a Finding starts ``new`` and
an investigator confirms or dismisses it, with a reason, recorded with who and when.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class ReviewState(StrEnum):
    NEW = "new"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class Key:
    """A natural key a finding rests on: an IBAN, a transaction reference, an ad URL..."""

    type: str  # iban | transaction | url | phone | registration | email | other
    value: str


@dataclass
class Evidence:
    """What a finding rests on, as ids in the store and as keys a person recognises."""

    entity_ids: list[str] = field(default_factory=list)
    statement_ids: list[str] = field(default_factory=list)
    source_ids: list[str] = field(default_factory=list)
    record_ids: list[str] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Evidence:
        keys = [Key(**k) for k in data.get("keys", [])]
        return cls(
            entity_ids=list(data.get("entity_ids", [])),
            statement_ids=list(data.get("statement_ids", [])),
            source_ids=list(data.get("source_ids", [])),
            record_ids=list(data.get("record_ids", [])),
            keys=keys,
        )


@dataclass
class Review:
    state: ReviewState = ReviewState.NEW
    by: str | None = None
    at: datetime | None = None
    reason: str | None = None


@dataclass
class Finding:
    """One detection: kind, score in [0, 1], explanation, evidence, detector, review."""

    kind: str
    score: float
    explanation: str
    evidence: Evidence
    detector: str
    detector_version: str
    title: str = ""
    citation: str = ""
    review: Review = field(default_factory=Review)
    id: str = ""

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be within [0, 1], got {self.score}")
        if not self.id:
            self.id = self.make_id()

    def make_id(self) -> str:
        """Stable id: the same detector finding the same evidence gives the same id."""
        ev = json.dumps(asdict(self.evidence), sort_keys=True)
        raw = f"{self.detector}|{self.kind}|{ev}"
        return "f-" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["review"]["state"] = self.review.state.value
        at = self.review.at
        data["review"]["at"] = at.isoformat() if at else None
        return data


__all__ = ["Evidence", "Finding", "Key", "Review", "ReviewState"]
