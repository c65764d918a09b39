"""Typed results of extraction: every value carries the span of text it was found in."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Span:
    """Where a value was found: ``text[start:end]``."""

    start: int
    end: int


@dataclass(frozen=True)
class Phone:
    e164: str
    raw: str
    start: int
    end: int
    valid: bool = True


@dataclass(frozen=True)
class Email:
    address: str
    raw: str
    start: int
    end: int


@dataclass(frozen=True)
class Handle:
    """A messenger contact: ``platform`` is whatsapp, telegram, viber or signal; ``value`` is
    an E.164 number or a user name (without ``@``)."""

    platform: str
    value: str
    start: int
    end: int


@dataclass(frozen=True)
class Age:
    years: int
    start: int
    end: int


@dataclass(frozen=True)
class Price:
    amount: float
    currency: str
    unit: str | None
    start: int
    end: int


@dataclass(frozen=True)
class Place:
    """A city from the gazetteer: ``name`` is its English name, ``country`` ISO 3166-1 alpha-2."""

    name: str
    country: str
    geonameid: int
    start: int
    end: int
    latitude: float = 0.0
    longitude: float = 0.0


@dataclass(frozen=True)
class Language:
    """ISO 639-1 code, ISO 639-3 code (as FtM stores it) and a confidence in [0, 1]."""

    code: str
    iso3: str
    confidence: float


@dataclass
class Extracted:
    """Everything extracted from one text; spans index into ``text``."""

    text: str
    phones: list[Phone] = field(default_factory=list)
    emails: list[Email] = field(default_factory=list)
    handles: list[Handle] = field(default_factory=list)
    ages: list[Age] = field(default_factory=list)
    prices: list[Price] = field(default_factory=list)
    places: list[Place] = field(default_factory=list)
    language: Language | None = None
