"""Screening ads for trafficking indicators: a declarative library of indicators (YAML, one
file per family, patterns in nine languages, each with its source and explanation), hits
with their places in the text, and scores that weigh co-occurring families rather than
single words (see docs/osint-screening.md)."""

from __future__ import annotations

from veriga.osint.screen.library import (
    LANGUAGES,
    FamilyDef,
    Indicator,
    IndicatorError,
    Library,
    default_library,
    fold,
    load_family,
    load_library,
)
from veriga.osint.screen.rules import RULES, AdFacts, Context, build_context
from veriga.osint.screen.scoring import (
    GroupScreening,
    Hit,
    Screening,
    ScreenParams,
    advertisers,
    facts_from_entity,
    group_screening,
    screen,
    screen_ads,
    screen_facts,
)

__all__ = [
    "LANGUAGES", "RULES", "AdFacts", "Context", "FamilyDef", "GroupScreening", "Hit",
    "Indicator", "IndicatorError", "Library", "ScreenParams", "Screening", "advertisers",
    "build_context", "default_library", "facts_from_entity", "fold", "group_screening",
    "load_family", "load_library", "screen", "screen_ads", "screen_facts",
]
