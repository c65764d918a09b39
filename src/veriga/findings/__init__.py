"""Findings: the one output shape of every analysis (see docs/architecture.md).

Nothing the software infers becomes a fact without a person: a Finding starts ``new`` and
an investigator confirms or dismisses it, with a reason, recorded with who and when.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from babel.numbers import format_decimal, format_percent


def N_(text: str) -> str:
    """Mark ``text`` for translation (`make messages` extracts it); returns it unchanged."""
    return text


def eur(amount: Any) -> dict[str, str]:
    """An amount in EUR, for a :class:`Text` (shown with two decimals in the reader's locale)."""
    return {"eur": str(Decimal(amount or 0))}


def pct(share: Any) -> dict[str, float]:
    """A share in [0, 1], for a :class:`Text` (shown as a whole percentage)."""
    return {"pct": float(share or 0)}


def num(value: Any, digits: int = 0) -> dict[str, float | int]:
    """A number shown with ``digits`` decimals, for a :class:`Text`."""
    return {"num": float(value or 0), "digits": digits}


def nested(text: Text) -> dict[str, Any]:
    """A translatable part of a :class:`Text`'s values."""
    return {"text": text.to_dict()}


def joined(parts: list[Any], sep: str = "; ") -> dict[str, Any]:
    """Values shown one after the other, separated by ``sep``."""
    return {"list": parts, "sep": sep}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _shown(value: Any, locale: str, gettext: Callable[[str], str] | None) -> str:
    if isinstance(value, dict):
        if "text" in value:
            inner = Text.from_dict(value["text"])
            return inner.render(gettext, locale) if inner else ""
        if "list" in value:
            sep: str = value["sep"]
            return sep.join(_shown(v, locale, gettext) for v in value["list"])
        if "eur" in value:
            return format_decimal(Decimal(value["eur"]), "#,##0.00", locale=locale) + " EUR"
        if "pct" in value:
            return format_percent(value["pct"], locale=locale)
        if "num" in value:
            pattern = "#,##0" + ("." + "0" * value["digits"] if value["digits"] else "")
            return format_decimal(value["num"], pattern, locale=locale)
    return str(value)


@dataclass(frozen=True)
class Text:
    """A sentence with ``%(name)s`` placeholders and its values, kept apart so that each
    reader gets it in their language (the msgid is translated in the interface's catalogs)."""

    msgid: str
    args: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:  # values as JSON keeps them
        object.__setattr__(self, "args", {k: _plain(v) for k, v in self.args.items()})

    def render(self, gettext: Callable[[str], str] | None = None, locale: str = "en") -> str:
        template = gettext(self.msgid) if gettext else self.msgid
        values = {k: _shown(v, locale, gettext) for k, v in self.args.items()}
        try:
            return template % values
        except (KeyError, ValueError, TypeError):  # a broken translation: say it in English
            return self.msgid % values

    def __str__(self) -> str:
        return self.render()

    def to_dict(self) -> dict[str, Any]:
        return {"msgid": self.msgid, "args": self.args}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Text | None:
        return cls(data["msgid"], dict(data.get("args", {}))) if data else None

    @classmethod
    def from_json(cls, data: dict[str, Any] | None) -> Text | None:
        """A text as stored: its values are JSON already (not normalised again, which
        costs more than reading them when a case has thousands of findings)."""
        if not data:
            return None
        text = cls.__new__(cls)
        object.__setattr__(text, "msgid", data["msgid"])
        object.__setattr__(text, "args", dict(data.get("args", {})))
        return text


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
    message: Text | None = None  # the explanation, translatable; ``explanation`` is its English
    title_message: Text | None = None  # a title with values; a plain title is its own msgid
    #: structured detail a detector gives beside its texts (JSON values), read by the views:
    #: ``route``, a list of stops ``{"city", "country", "first_seen", "last_seen", "count"}``
    #: in time order, puts the finding's movement on the map and the timeline
    details: dict[str, Any] | None = None

    def text(self, gettext: Callable[[str], str] | None = None, locale: str = "en") -> str:
        """The explanation in the reader's language (English where it has no message)."""
        return self.message.render(gettext, locale) if self.message else self.explanation

    def heading(self, gettext: Callable[[str], str] | None = None, locale: str = "en") -> str:
        """The title in the reader's language."""
        if self.title_message:
            return self.title_message.render(gettext, locale)
        return gettext(self.title) if gettext and self.title else self.title

    def messages(self) -> dict[str, Any] | None:
        """The translatable texts, as stored (``findings.message``)."""
        if not (self.message or self.title_message):
            return None
        return {"explanation": self.message.to_dict() if self.message else None,
                "title": self.title_message.to_dict() if self.title_message else None}

    def __post_init__(self) -> None:
        if not 0.0 <= self.score <= 1.0:
            raise ValueError(f"score must be within [0, 1], got {self.score}")
        if self.details is not None:
            self.details = _plain(self.details)
        if not self.id:
            self.id = self.make_id()

    def make_id(self) -> str:
        """Stable id: the same detector finding the same evidence gives the same id."""
        ev = json.dumps(asdict(self.evidence), sort_keys=True)
        raw = f"{self.detector}|{self.kind}|{ev}"
        return "f-" + hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]

    def to_dict(self) -> dict[str, Any]:
        """The finding as JSON values, field by field (as :func:`dataclasses.asdict` would
        give them, without its deep copies: a case's thousands of findings are listed)."""
        ev, review = self.evidence, self.review
        return {
            "kind": self.kind, "score": self.score, "explanation": self.explanation,
            "evidence": {"entity_ids": list(ev.entity_ids),
                         "statement_ids": list(ev.statement_ids),
                         "source_ids": list(ev.source_ids), "record_ids": list(ev.record_ids),
                         "keys": [{"type": k.type, "value": k.value} for k in ev.keys]},
            "detector": self.detector, "detector_version": self.detector_version,
            "title": self.title, "citation": self.citation,
            "review": {"state": review.state.value, "by": review.by,
                       "at": review.at.isoformat() if review.at else None,
                       "reason": review.reason},
            "id": self.id,
            "message": self.message.to_dict() if self.message else None,
            "title_message": self.title_message.to_dict() if self.title_message else None,
            "details": copy.deepcopy(self.details),
        }


__all__ = ["N_", "Evidence", "Finding", "Key", "Review", "ReviewState", "Text", "eur", "joined",
           "nested", "num", "pct"]
