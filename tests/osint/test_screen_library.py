"""The indicator library: every shipped file loads, every indicator's examples in every
language behave as written, and a malformed file is refused naming the file and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from veriga.osint.extract import extract
from veriga.osint.screen import LANGUAGES, IndicatorError, default_library, fold, load_library
from veriga.osint.screen.library import ROOT
from veriga.osint.screen.rules import AdFacts
from veriga.osint.screen.scoring import rule_hits, text_hits

LIBRARY = default_library()
EXAMPLES = [(ind, lang, kind, sentence)
            for ind in LIBRARY.indicators for lang, ex in sorted(ind.examples.items())
            for kind, sentences in (("match", ex.match), ("no_match", ex.no_match))
            for sentence in sentences]


def _fired(indicator_id: str, domain: str, is_text: bool, sentence: str) -> list[str]:
    if is_text:
        hits = text_hits(sentence, LIBRARY, domain)
    else:
        found = extract(sentence)
        facts = AdFacts(None, sentence, found, domain,
                        phones=tuple(p.e164 for p in found.phones))
        hits = rule_hits(facts, LIBRARY, domain)
    return [h.text for h in hits if h.indicator == indicator_id]


@pytest.mark.parametrize(("indicator", "lang", "kind", "sentence"), EXAMPLES,
                         ids=[f"{i.id}-{lang}-{kind}-{n}"
                              for n, (i, lang, kind, _) in enumerate(EXAMPLES)])
def test_each_example_sentence_fires_or_not_as_written(indicator, lang: str, kind: str,
                                                        sentence: str) -> None:
    fired = _fired(indicator.id, indicator.domain, indicator.is_text, sentence)
    if kind == "match":
        assert fired, f"{indicator.path}: {indicator.id} ({lang}) should fire on {sentence!r}"
    else:
        assert not fired, f"{indicator.path}: {indicator.id} ({lang}) fired on {sentence!r}: " \
            f"{fired}"


def test_the_library_covers_both_domains_and_every_language() -> None:
    assert {f.domain for f in LIBRARY.families} == {"sex_ads", "job_ads"}
    assert len(LIBRARY.families) >= 14
    for ind in LIBRARY.indicators:
        assert ind.source and ind.explanation and 0 < ind.weight <= 1
        if ind.is_text:
            assert set(LANGUAGES) <= set(ind.patterns), ind.id
            assert set(ind.patterns) == set(ind.examples), ind.id
    for family in ("third_party_control", "youth", "shared_phone", "fees",
                   "accommodation_by_employer", "no_experience_unrealistic_pay", "documents",
                   "restricted_movement"):
        assert LIBRARY.family(family).indicators


def test_hits_point_at_the_raw_text_whatever_its_script_and_form() -> None:
    text = "ＹＯＵＮＧ Ukrainian girl. Молодая УКРАИНКА. Młoda, świeża. Tânără."
    hits = text_hits(text, LIBRARY, "sex_ads")
    shown = {(h.indicator, h.text) for h in hits}
    assert ("youth.words", "ＹＯＵＮＧ") in shown
    assert ("nationality.stated", "УКРАИНКА") in shown
    assert ("youth.words", "Młoda") in shown and ("youth.words", "Tânără") in shown
    for h in hits:
        assert h.start is not None and text[h.start:h.end] == h.text
    mixed = "Мoлодая"  # a Latin "o" inside Cyrillic, to dodge filters
    assert [h.text for h in text_hits(mixed, LIBRARY, "sex_ads")] == [mixed]


def test_folding_keeps_every_script_and_maps_back() -> None:
    raw = "Ǆ ﬁ Šķēle Ж ß"
    folded = fold(raw)
    assert "ж" in folded.text and "skele" in folded.text and "ss" in folded.text
    start = folded.text.index("skele")
    assert folded.span(start, start + 5) == (raw.index("Šķēle"), raw.index("Šķēle") + 5)


def test_negation_and_unless_keep_lawful_wording_out() -> None:
    for text in ("Contract with the employer, no fees.", "Ei välityspalkkioita.",
                 "Без такси за кандидатите.", "The visa fee is paid by the employer.",
                 "Fără taxe pentru candidați."):
        assert not [h for h in text_hits(text, LIBRARY, "job_ads")
                    if h.indicator == "fees.recruitment_fee"], text
    assert [h.text for h in text_hits("Taxa 300 EUR, cazare gratuita", LIBRARY, "job_ads")
            if h.indicator == "fees.recruitment_fee"] == ["Taxa"]


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "indicators"
    shutil.copytree(ROOT, root)
    return root


BROKEN = [
    ("weight: 0.4", "weight: 3", "weight", "expected a number in (0, 1]"),
    ("family: youth", "family: young", "family", "named young.yaml"),
    ("domain: sex_ads", "domain: adult", "domain", "expected one of"),
    ("      fi: ['\\bnuor", "      xx: ['\\bnuor", "patterns", "no patterns for fi"),
    ("'\\btuore\\b'", "'\\btuore(\\b'", "patterns.fi[1]", "bad regular expression"),
    ("rule: stated_age_below\n    params: {years: 21}", "rule: age_below\n    params: {}",
     "rule", "unknown rule 'age_below'"),
    ("params: {years: 18}", "params: {months: 18}", "params.months", "takes years"),
    ("    title: Youth wording\n", "    title: Youth wording\n    colour: red\n", "colour",
     "unknown field"),
]


@pytest.mark.parametrize(("old", "new", "field", "message"), BROKEN,
                         ids=[b[2] for b in BROKEN])
def test_a_broken_family_file_is_refused_naming_file_and_field(
        tmp_path: Path, old: str, new: str, field: str, message: str) -> None:
    root = _copy(tmp_path)
    path = root / "sex_ads" / "youth.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(IndicatorError) as err:
        load_library(root)
    assert str(path) in str(err.value) and field in str(err.value)
    assert message in str(err.value)


def test_an_example_that_does_not_match_is_caught(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "sex_ads" / "youth.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        '"Fresh and sweet, call now"', '"Mature and sweet"'), encoding="utf-8")
    lib = load_library(root)
    ind = lib.indicator("youth.words")
    assert not [h for h in text_hits("Mature and sweet", lib, "sex_ads")
                if h.indicator == ind.id]
    assert "Mature and sweet" in ind.examples["en"].match  # the parametrised test fails it


def test_invalid_yaml_is_refused_with_its_line(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    path = root / "job_ads" / "fees.yaml"
    path.write_text("family: fees\ndomain: job_ads\nindicators: [\n", encoding="utf-8")
    with pytest.raises(IndicatorError, match=r"fees\.yaml: line \d+: not valid YAML"):
        load_library(root)


def test_a_language_is_one_more_file(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "languages").mkdir(exist_ok=True)  # the library ships no extra language yet
    (root / "languages" / "lt.yaml").write_text(
        "language: lt\nindicators:\n  youth.words:\n    patterns: ['\\bjaun(?:a|utė)\\b']\n"
        "    examples: {match: ['Jauna mergina'], no_match: ['Masažas centre']}\n",
        encoding="utf-8")
    lib = load_library(root)
    assert "lt" in lib.languages()
    hits = [h for h in text_hits("Jauna mergina Vilniuje", lib, "sex_ads")
            if h.indicator == "youth.words"]
    assert [(h.lang, h.text) for h in hits] == [("lt", "Jauna")]
    (root / "languages" / "lt.yaml").write_text(
        "language: lt\nindicators:\n  youth.nothing:\n    patterns: ['x']\n"
        "    examples: {match: ['x'], no_match: ['y']}\n", encoding="utf-8")
    with pytest.raises(IndicatorError, match=r"lt\.yaml: indicators\.youth\.nothing: no such"):
        load_library(root)
