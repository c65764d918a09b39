"""Screening scores: hand-written ads in nine languages (lawful ones stay unflagged,
trafficking-like ones are flagged), co-occurrence over single words, corpus indicators and
advertisers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from veriga.osint.extract import extract
from veriga.osint.screen import (
    AdFacts,
    ScreenParams,
    advertisers,
    default_library,
    screen,
    screen_facts,
)

ADS: list[dict[str, Any]] = yaml.safe_load(
    (Path(__file__).parent / "screen_ads.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("ad", ADS, ids=[f"{a['lang']}-{a['domain']}-{a['flag']}-{n}"
                                         for n, a in enumerate(ADS)])
def test_hand_written_ads_are_flagged_only_when_trafficking_like(ad: dict[str, Any]) -> None:
    found = screen(ad["text"], domain=ad["domain"])
    assert found.flagged == ad["flag"], (ad["note"], found.score, found.families)
    assert set(ad.get("families", ())) <= set(found.families), found.families
    for hit in found.hits:
        if hit.start is not None:
            assert ad["text"][hit.start:hit.end] == hit.text


def test_the_fixtures_cover_every_language_both_ways() -> None:
    seen = {(a["lang"], a["domain"], a["flag"]) for a in ADS}
    for lang in ("en", "bg", "lv", "et", "fi", "ru", "uk", "ro", "pl"):
        for domain in ("sex_ads", "job_ads"):
            assert {(lang, domain, True), (lang, domain, False)} <= seen


def test_one_family_alone_never_flags_however_many_words_fire() -> None:
    found = screen("Registration fee 300 EUR, visa fee 100 EUR, agency fee 50 EUR.",
                   domain="job_ads")
    assert set(found.families) == {"fees"} and len(found.hits) >= 3
    assert found.score == pytest.approx(ScreenParams().single_cap) and not found.flagged
    both = screen("Registration fee 300 EUR. No language needed.", domain="job_ads")
    assert set(both.families) == {"fees", "no_experience_unrealistic_pay"}
    assert both.flagged and both.score == pytest.approx(1 - 0.5 * 0.7)


def test_weak_families_do_not_make_co_occurrence() -> None:
    # movement wording (0.1) and a messenger contact (0.1) count, but never unlock a flag
    found = screen("Just arrived for a few days! Young and fresh.", domain="sex_ads")
    assert set(found.families) == {"new_in_town", "youth"}
    assert not found.flagged and found.score <= ScreenParams().single_cap


def test_without_a_domain_both_libraries_are_tried() -> None:
    found = screen("Praca bez doświadczenia, opłata 200 EUR, zakwaterowanie zapewnione.")
    assert found.domain == "job_ads" and found.flagged
    assert screen("Gabinet masażu, 60 min 180 zł.").score == 0


def _facts(ident: str, text: str, phone: str, name: str, city: str) -> AdFacts:
    return AdFacts(ident, text, extract(text), "sex_ads", phones=(phone,), names=(name,),
                   cities=(city,))


def test_corpus_indicators_read_the_other_ads() -> None:
    ads = [_facts(f"salon{i}", f"Relaxing massage, 60 min {150 + 10 * (i % 4)} EUR.",
                  f"+3584012345{i:02d}", f"Name{i}", "Helsinki") for i in range(8)]
    ads += [_facts(f"ring{i}", f"Hi, {name} here. 50 EUR only.", "+37129000001", name, city)
            for i, (name, city) in enumerate([("Vika", "Riga"), ("Mia", "Tallinn"),
                                              ("Kira", "Helsinki"), ("Eva", "Tallinn")])]
    screened = screen_facts(ads)
    ring = [s for s in screened if s.ad_id and s.ad_id.startswith("ring")]
    assert all({"shared_phone.many_names", "shared_phone.many_cities"}
               <= {h.indicator for h in s.hits} for s in ring)
    cheap = next(s for s in ring if s.ad_id == "ring2")  # Helsinki, whose market is 150-180
    price = next(h for h in cheap.hits if h.indicator == "pricing.below_market")
    assert price.text == "50 EUR" and ads[10].text[price.start:price.end] == "50 EUR"
    assert all(s.flagged for s in ring) and not any(s.flagged for s in screened[:8])
    groups = advertisers(ads, screened)
    assert groups[0].phones == ["+37129000001"] and groups[0].flagged
    assert sorted(groups[0].ad_ids) == ["ring0", "ring1", "ring2", "ring3"]
    assert len(groups) == 9 and not any(g.flagged for g in groups[1:])


def test_stated_ages_from_properties_count_without_a_span() -> None:
    text = "Sweet girl, call me."
    facts = AdFacts("x", text, extract(text), "sex_ads", ages=(17,))
    found = screen(text, facts=facts)
    minor = [h for h in found.hits if h.indicator == "youth.minor"]
    assert minor and minor[0].start is None and minor[0].text == "17"


def test_the_default_library_is_loaded_once() -> None:
    assert default_library() is default_library()


def test_a_huge_ad_is_screened_in_its_first_part_only() -> None:
    from veriga.osint.screen.scoring import MAX_TEXT

    text = "Young girl, no days off. " + "x " * MAX_TEXT + "Our girls wait."
    found = screen(text, domain="sex_ads")
    assert {h.indicator for h in found.hits} == {"youth.words", "availability.around_the_clock"}
    assert all(h.end is not None and h.end <= MAX_TEXT for h in found.hits)


def test_a_family_at_exactly_min_family_counts() -> None:
    # a fee and a mass hiring (weight 0.2, exactly min_family): two families
    found = screen("Angajam 10 muncitori. Taxa 200 EUR.", domain="job_ads")
    assert found.families == {"fees": 0.5, "urgent_hiring": 0.2}
    assert found.flagged and found.score == pytest.approx(0.6)
