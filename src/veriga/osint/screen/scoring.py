"""Screening: which indicators fire in an ad and where, and how much they weigh together.

An indicator's hits count once however often it fires. Within a family the indicators
combine sub-additively (``1 - prod(1 - weight)``), and so do the families; a family
weighs in the co-occurrence only when its score reaches ``min_family``. An ad whose
indicators come from fewer than two such families scores at most ``single_cap``, below
the flag threshold: no single kind of sign flags an ad, as the evidence in docs/domain.md
asks. An advertiser (the ads sharing a phone) or an operation scores the same way over the
best score of each family across its ads.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from veriga.osint.extract.types import Extracted
from veriga.osint.screen.library import Folded, Library, default_library, fold
from veriga.osint.screen.rules import RULES, AdFacts, Context, build_context

JOB_CATEGORIES = {"job", "jobs", "work", "employment", "recruitment", "vacancy", "career"}
SEX_CATEGORIES = {"escort", "escorts", "massage", "adult", "dating", "companion", "erotic",
                  "sex"}
NEGATION_WINDOW = 40  # characters before a match in which a negation cue is looked for
MAX_TEXT = 100_000  # characters of an ad screened (an ad page is a few thousand at most)


@dataclass(frozen=True)
class ScreenParams:
    """How hits add up (the defaults are the ones documented in docs/osint-screening.md)."""

    threshold: float = 0.5  # an ad or advertiser at or above it is flagged
    single_cap: float = 0.4  # the most a score from one family alone can reach
    min_family: float = 0.2  # a family below this does not count towards co-occurrence
    min_advertisers: int = 5  # advertisers that make a market price or pay


@dataclass(frozen=True)
class Hit:
    """An indicator that fired: where in the raw text (None for a value the ad states
    outside its text) and what it matched."""

    indicator: str
    family: str
    lang: str | None  # the language of the pattern; None for a structured indicator
    start: int | None
    end: int | None
    text: str
    weight: float


@dataclass
class Screening:
    """One ad screened: its hits, the score of each family that fired and the ad's score."""

    ad_id: str | None
    domain: str | None
    hits: list[Hit] = field(default_factory=list)
    families: dict[str, float] = field(default_factory=dict)
    score: float = 0.0
    flagged: bool = False


def noisy_or(weights: Iterable[float]) -> float:
    """``1 - prod(1 - w)``, rounded to 9 places (so that one indicator of weight 0.2 scores
    its family 0.2, not 0.19999...)."""
    out = 1.0
    for w in weights:
        out *= 1.0 - w
    return round(1.0 - out, 9)


def combine(families: Mapping[str, float], params: ScreenParams) -> float:
    """The score of family scores: sub-additive, capped unless two families count."""
    score = noisy_or(families.values())
    counted = sum(1 for s in families.values() if s >= params.min_family)
    return min(score, params.single_cap) if counted < 2 else score


def domain_of(category: Iterable[str]) -> str | None:
    """``sex_ads`` or ``job_ads`` from an ad's category, None if it says neither."""
    for value in category:
        word = value.strip().casefold()
        if word in JOB_CATEGORIES:
            return "job_ads"
        if word in SEX_CATEGORIES:
            return "sex_ads"
    return None


def _negated(folded: Folded, start: int, library: Library) -> bool:
    window = folded.text[max(0, start - NEGATION_WINDOW):start]
    return any(cue.search(window) for cue in library.negations.values())


_SENTENCE_END = re.compile(r"[.!?;\n]")


def _sentence(folded: Folded, start: int, end: int) -> str:
    """The folded sentence around ``[start, end)`` (at most 100 characters either side)."""
    text = folded.text
    before = text[max(0, start - 100):start]
    ends = list(_SENTENCE_END.finditer(before))
    left = start - len(before) + ends[-1].end() if ends else max(0, start - 100)
    after = _SENTENCE_END.search(text, end, min(len(text), end + 100))
    right = after.start() if after else min(len(text), end + 100)
    return text[left:right]


def text_hits(text: str, library: Library, domain: str | None = None,
              folded: Folded | None = None) -> list[Hit]:
    """Hits of the text indicators (of ``domain``, or of both domains if None), every
    language's patterns tried; a negatable indicator preceded by a negation cue on its
    clause ("no fees", "ei välityspalkkioita", "без такси") does not fire, nor one whose
    sentence matches its ``unless`` patterns ("the visa fee is paid by the employer")."""
    folded = folded or fold(text)
    hits: list[Hit] = []
    for ind in library.indicators:
        if not ind.is_text or (domain is not None and ind.domain != domain):
            continue
        taken: list[tuple[int, int]] = []
        for lang, pattern in ind.patterns.items():
            for m in pattern.finditer(folded.text):
                if m.end() == m.start():
                    continue
                if ind.negatable and _negated(folded, m.start(), library):
                    continue
                if ind.unless is not None and ind.unless.search(
                        _sentence(folded, m.start(), m.end())):
                    continue
                start, end = folded.span(m.start(), m.end())
                if any(s < end and start < e for s, e in taken):
                    continue
                taken.append((start, end))
                hits.append(Hit(ind.id, ind.family, lang, start, end, text[start:end],
                                ind.weight))
    return hits


def rule_hits(facts: AdFacts, library: Library, domain: str | None = None,
              context: Context | None = None) -> list[Hit]:
    """Hits of the structured indicators (corpus rules need ``context``)."""
    hits: list[Hit] = []
    for ind in library.indicators:
        if ind.rule is None or (domain is not None and ind.domain != domain):
            continue
        for start, end, value in RULES[ind.rule].fn(facts, ind.params, context):
            shown = facts.text[start:end] if start is not None and end is not None else value
            hits.append(Hit(ind.id, ind.family, None, start, end, shown, ind.weight))
    return hits


def family_scores(hits: Iterable[Hit]) -> dict[str, float]:
    """Each family's score: its distinct indicators combined (each counted once)."""
    weights: dict[str, dict[str, float]] = defaultdict(dict)
    for hit in hits:
        weights[hit.family][hit.indicator] = hit.weight
    return {fam: noisy_or(w.values()) for fam, w in sorted(weights.items())}


def screen(text: str, extraction: Extracted | None = None, *, domain: str | None = None,
           facts: AdFacts | None = None, context: Context | None = None,
           library: Library | None = None, params: ScreenParams | None = None,
           ad_id: str | None = None) -> Screening:
    """Screen one ad's ``text`` (with its ``extraction``, made here if not given). With
    ``domain`` None both the sex-ad and the job-ad indicators are tried and the better
    scoring domain is kept; ``context`` (from :func:`build_context`) enables the corpus
    indicators. Only the first :data:`MAX_TEXT` characters of an ad are screened."""
    library = library or default_library()
    params = params or ScreenParams()
    if facts is None:
        if extraction is None:
            from veriga.osint.extract import extract
            extraction = extract(text)
        facts = AdFacts(ad_id, text, extraction, domain,
                        phones=tuple(p.e164 for p in extraction.phones),
                        cities=tuple(p.name for p in extraction.places))
    domains = [domain or facts.domain] if (domain or facts.domain) else ["sex_ads", "job_ads"]
    folded = fold(facts.text[:MAX_TEXT])
    best: Screening | None = None
    for dom in domains:
        hits = text_hits(facts.text[:MAX_TEXT], library, dom, folded)
        hits += rule_hits(facts, library, dom, context)
        hits.sort(key=lambda h: (h.start if h.start is not None else -1, h.indicator))
        fams = family_scores(hits)
        score = combine(fams, params)
        found = Screening(facts.id or ad_id, dom if hits or len(domains) == 1 else None, hits,
                          fams, score, score >= params.threshold)
        if best is None or found.score > best.score:
            best = found
    assert best is not None
    return best


def _props(entity: Any) -> Mapping[str, Sequence[str]]:
    if isinstance(entity, Mapping):
        props: Mapping[str, Sequence[str]] = entity.get("properties", {})
        return props
    return {name: entity.get(name) for name in entity.properties}


def facts_from_entity(entity: Any) -> AdFacts:
    """What the screening needs of an ``Advertisement`` (EntityProxy or FtM dict): its text
    extracted, and its stated phones, contact names, city, ages and category."""
    from veriga.osint.extract import extract_advertisement

    values = extract_advertisement(entity)
    props = _props(entity)
    stated_cities = [c for c in props.get("city", ()) if c]
    return AdFacts(
        id=values.entity_id, text=values.extracted.text, extracted=values.extracted,
        domain=domain_of(props.get("category", ())), phones=tuple(values.phones),
        names=tuple(n for n in props.get("contactName", ()) if n),
        cities=tuple(dict.fromkeys([*stated_cities, *values.cities])),
        ages=tuple(int(float(a)) for a in props.get("statedAge", ())
                   if a.replace(".", "", 1).isdigit()))


def screen_facts(ads: Sequence[AdFacts], library: Library | None = None,
                 params: ScreenParams | None = None) -> list[Screening]:
    """Screen many ads against each other (market prices, what each phone carries)."""
    params = params or ScreenParams()
    context = build_context(ads, params.min_advertisers)
    return [screen(ad.text, ad.extracted, facts=ad, context=context, library=library,
                   params=params) for ad in ads]


def screen_ads(entities: Iterable[Any], library: Library | None = None,
               params: ScreenParams | None = None) -> tuple[list[AdFacts], list[Screening]]:
    """Screen a case's ``Advertisement`` entities (proxies or FtM dicts)."""
    facts = [facts_from_entity(e) for e in entities]
    return facts, screen_facts(facts, library, params)


@dataclass
class GroupScreening:
    """Several ads screened together: an advertiser (ads sharing a phone) or an operation."""

    id: str
    ad_ids: list[str]
    domain: str | None
    families: dict[str, float]
    score: float
    flagged: bool
    flagged_ads: list[str]
    phones: list[str]


def group_screening(group_id: str, members: Sequence[Screening], phones: Sequence[str],
                    params: ScreenParams | None = None) -> GroupScreening:
    """The score of a group of ads: each family's best score across them, combined."""
    params = params or ScreenParams()
    fams: dict[str, float] = {}
    for s in members:
        for fam, value in s.families.items():
            fams[fam] = max(fams.get(fam, 0.0), value)
    score = combine(fams, params)
    domains = [s.domain for s in members if s.domain]
    domain = max(set(domains), key=domains.count) if domains else None
    return GroupScreening(group_id, [s.ad_id or "" for s in members], domain, fams, score,
                          score >= params.threshold,
                          [s.ad_id or "" for s in members if s.flagged], list(phones))


def advertisers(facts: Sequence[AdFacts], screenings: Sequence[Screening],
                params: ScreenParams | None = None) -> list[GroupScreening]:
    """The ads grouped by the phones they share (an ad without a phone on its own), each
    group screened; highest score first."""
    parent = list(range(len(facts)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    first: dict[str, int] = {}
    for i, ad in enumerate(facts):
        for phone in ad.phones:
            j = first.setdefault(phone, i)
            parent[find(i)] = find(j)
    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(len(facts)):
        groups[find(i)].append(i)
    out = []
    for members in groups.values():
        phones = sorted({p for i in members for p in facts[i].phones})
        gid = phones[0] if phones else f"ad:{facts[members[0]].id}"
        out.append(group_screening(gid, [screenings[i] for i in members], phones, params))
    return sorted(out, key=lambda g: (-g.score, g.id))
