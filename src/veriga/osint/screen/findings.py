"""Screening as findings of the online investigation family: one finding per group of ads
(an operation of the grouping, or an ad on its own) whose indicators, weighed together, reach
the threshold. Its evidence is the group's ads that fired; its details list every hit with
the ad and the span of text it fired on, and each family's score."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from veriga.analysis import Detector, Score
from veriga.findings import N_, Evidence, Finding, Key, Text, joined, nested, num
from veriga.osint.screen.library import Library, default_library
from veriga.osint.screen.rules import AdFacts
from veriga.osint.screen.scoring import (
    Screening,
    ScreenParams,
    facts_from_entity,
    group_screening,
    screen_facts,
)

if TYPE_CHECKING:
    from veriga.osint.detect import AdCase

VERSION = "1"
CITATION = ("ILO (2012) Indicators of Forced Labour; ILO C181 (1997) and ILO (2019) fair "
            "recruitment; Ibanez & Suthers (2014) HICSS-47; an NIJ-funded study of 1,263 "
            "escort ads with case outcomes (Journal of Human Trafficking, 2024); each "
            "indicator names its own source")
MAX_ADS = 200  # ads cited as evidence by one finding
MAX_HITS = 300  # hits listed in one finding's details
KINDS = {"sex_ads": "indicators.sex", "job_ads": "indicators.job"}
TITLES = {"sex_ads": N_("Trafficking indicators in %(ads)s sex ad(s)"),
          "job_ads": N_("Trafficking indicators in %(ads)s job ad(s)")}


@dataclass(frozen=True)
class ScreenSettings:
    """Which groups of ads become findings, and how indicators add up."""

    threshold: float = 0.5  # a group of ads scoring at least this is a finding
    single_cap: float = 0.4  # the most one family of indicators alone can score
    min_family: float = 0.2  # a family below this does not count towards co-occurrence
    min_advertisers: int = 5  # advertisers that make a market price or pay

    def scoring(self) -> ScreenParams:
        return ScreenParams(self.threshold, self.single_cap, self.min_family,
                            self.min_advertisers)


def _detector(domain: str, title: str, role: str) -> Detector:
    kind = KINDS[domain]
    return Detector(kind=kind, title=title, role=role, citation=CITATION,
                    docs="docs/osint-screening.md#finding-" + kind.replace(".", "-"),
                    params=("screen",))


DETECTORS = (
    _detector("sex_ads", N_("Trafficking indicators in sex ads"), "sex_ads"),
    _detector("job_ads", N_("Trafficking indicators in job ads"), "job_ads"),
)


def _hit_rows(members: Sequence[Screening]) -> list[dict[str, Any]]:
    return [{"ad": s.ad_id, "indicator": h.indicator, "family": h.family, "lang": h.lang,
             "start": h.start, "end": h.end, "text": h.text, "weight": h.weight}
            for s in members for h in s.hits]


def _quoted(members: Sequence[Screening], library: Library, most: int = 6) -> list[Any]:
    """One example per indicator that fired (the strongest first): its title and the text
    it fired on."""
    seen: dict[str, tuple[float, str]] = {}
    for s in members:
        for h in s.hits:
            if h.indicator not in seen or h.weight > seen[h.indicator][0]:
                seen[h.indicator] = (h.weight, h.text)
    ordered = sorted(seen.items(), key=lambda kv: (-kv[1][0], kv[0]))[:most]
    return [nested(Text(N_("%(indicator)s: \u201c%(text)s\u201d"), {
        "indicator": nested(Text(library.indicator(i).title)), "text": text[:80]}))
        for i, (_w, text) in ordered]


def screening_findings(groups: Iterable[tuple[str, Sequence[str]]], facts: Sequence[AdFacts],
                       screenings: Sequence[Screening], settings: ScreenSettings | None = None,
                       library: Library | None = None) -> list[Finding]:
    """A finding per group (``(group id, ad ids)``) whose screening reaches the threshold."""
    settings = settings or ScreenSettings()
    library = library or default_library()
    by_id = {s.ad_id: (f, s) for f, s in zip(facts, screenings, strict=True) if s.ad_id}
    out = []
    for group, ad_ids in groups:
        pairs = [by_id[a] for a in ad_ids if a in by_id]
        if not pairs:
            continue
        members = [s for _f, s in pairs]
        phones = sorted({p for f, _s in pairs for p in f.phones})
        scored = group_screening(group, members, phones, settings.scoring())
        if not scored.flagged or scored.domain not in KINDS:
            continue
        fired = [s for s in members if s.hits]
        families = sorted(scored.families.items(), key=lambda kv: (-kv[1], kv[0]))
        family_titles = joined([nested(Text(library.family(f).title)) for f, _v in families],
                               ", ")
        text = Text(N_(
            "%(fired)s of %(ads)s ad(s) show trafficking indicators of %(families)s "
            "families together (%(names)s), scoring %(score)s: %(examples)s. Indicators "
            "describe situations; together they justify a closer look, not a conclusion."),
            {"fired": len(fired), "ads": len(members), "families": len(families),
             "names": family_titles, "score": num(scored.score, 2),
             "examples": joined(_quoted(fired, library), "; ")})
        title = Text(TITLES[scored.domain], {"ads": len(members)})
        out.append(Finding(
            kind=KINDS[scored.domain], score=round(min(scored.score, 1.0), 4),
            title=TITLES[scored.domain] % {"ads": len(members)}, explanation=str(text),
            message=text, title_message=title,
            evidence=Evidence(entity_ids=[s.ad_id for s in fired if s.ad_id][:MAX_ADS],
                              keys=[Key("phone", p) for p in phones]),
            detector="veriga.osint.screen", detector_version=VERSION, citation=CITATION,
            details={"group": group, "ads": len(members), "flagged_ads": len(scored.flagged_ads),
                     "kind": "job" if scored.domain == "job_ads" else "sex",
                     "score": round(scored.score, 4),
                     "families": {f: round(v, 4) for f, v in families},
                     "ad_scores": {s.ad_id: round(s.score, 4) for s in fired[:MAX_ADS]
                                   if s.ad_id},
                     "hits": _hit_rows(fired)[:MAX_HITS]}))
    return out


def screen_entities(entities: Iterable[Any], settings: ScreenSettings | None = None,
                    library: Library | None = None
                    ) -> tuple[list[AdFacts], list[Screening]]:
    """Screen ``Advertisement`` entities against each other (the case is the market)."""
    settings = settings or ScreenSettings()
    facts = [facts_from_entity(e) for e in entities]
    return facts, screen_facts(facts, library, settings.scoring())


def screening(case: AdCase, settings: ScreenSettings, min_ads: int) -> list[Finding]:
    """The family's step: screen every ad of the case and report each group of ads (an
    operation of ``min_ads`` or more ads, or an ad on its own) that reaches the threshold."""
    entities = list(case.entities.values())
    case.tell("screen", 0, len(entities))
    facts, screenings = screen_entities(entities, settings)
    case.tell("screen", len(entities), len(entities))
    groups = [(group, ad_ids) for group, _op, ad_ids in case.groups(min_ads)]
    return screening_findings(groups, facts, screenings, settings)


def screening_score(findings: Iterable[Finding], truth: Mapping[str, Any],
                    flag_score: float) -> Score:
    """Ads of the answer key's operations found in flagged indicator findings (recall), and
    how many of the ads those findings cite are an operation's (precision); decoys cited are
    a further count."""
    kind = {a["entity_id"]: a["kind"] for a in truth.get("ads", [])}
    cited = {e for f in findings if f.kind in KINDS.values() and f.score >= flag_score
             for e in f.evidence.entity_ids if e in kind}
    positives = {a for a, k in kind.items() if k == "operation"}
    return Score("indicators", len(positives), len(positives & cited), len(cited),
                 len(positives & cited),
                 {"decoy ads cited": sum(1 for a in cited if kind[a] == "decoy")})
