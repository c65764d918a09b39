import json
from pathlib import Path

import pytest

from veriga.osint.extract import extract_advertisement, extract_html, find_phones
from veriga.osint.extract.phones import DIGIT_WORDS
from veriga.osint.links import decode_html


@pytest.mark.parametrize(("text", "region", "e164"), [
    ("Call 040 123 4567", "FI", "+358401234567"),
    ("tel. 040-1234567", "FI", "+358401234567"),
    ("040/123 45 67", "FI", "+358401234567"),
    ("40.12.34.56.7", None, None),
    ("20.12.34.56", "LV", "+37120123456"),
    ("+358 (0)40 123 4567", None, "+358401234567"),
    ("00359 88 123 4567", "FI", "+359881234567"),
    ("plus three five nine eight eight 1234567", None, "+359881234567"),
    ("zero four zero 1234567", "FI", "+358401234567"),
    ("2\ufe0f\u20e30\ufe0f\u20e31\ufe0f\u20e32\ufe0f\u20e33\ufe0f\u20e34\ufe0f\u20e35\ufe0f\u20e3"
     "6\ufe0f\u20e3", "LV", "+37120123456"),
    ("２０１２３４５６", "LV", "+37120123456"),
    ("O4O l23 4567", "FI", "+358401234567"),
    ("0888 call 123 456", "BG", "+359888123456"),
    ("24/7. Call 040 123 4567", "FI", "+358401234567"),
    ("ZERO FOUR ZERO 123 4567", "FI", "+358401234567"),
])
def test_obfuscation_forms(text: str, region: str | None, e164: str | None) -> None:
    found = find_phones(text, region)
    if e164 is None:
        assert found == []
        return
    assert [p.e164 for p in found] == [e164]
    phone = found[0]
    assert text[phone.start:phone.end] == phone.raw


@pytest.mark.parametrize("lang", sorted(DIGIT_WORDS))
def test_digit_words_of_each_language(lang: str) -> None:
    words = DIGIT_WORDS[lang]
    spoken = " ".join(words[d][0] for d in "08")
    text = f"tel {spoken} 8 123 4567"
    assert [p.e164 for p in find_phones(text, "BG")] == ["+359881234567"]


def test_mixed_script_digit_word() -> None:
    # Latin "e" inside the Bulgarian "девет" and "осем"
    text = "нула осeм дeвет 123 4567"
    assert [p.e164 for p in find_phones(text, "BG")] == ["+359891234567"]


def test_two_numbers_side_by_side() -> None:
    found = find_phones("+371 2000 0000 / +371 2111 1111", None)
    assert [p.e164 for p in found] == ["+37120000000", "+37121111111"]


def test_prices_and_dates_are_no_phones() -> None:
    assert find_phones("Only 150 EUR for 1h, 24/7, 12.03.2026", "LV") == []
    assert find_phones("posted 24.02.2026 14:30, 2026-02-24", "LV") == []
    assert find_phones("posted 23.02.2026", "FI") == []
    assert find_phones("posted 01.01.2026 10:00", "FI") == []


def _world(tmp_path_factory: pytest.TempPathFactory, scenario: str) -> Path:
    from veriga.simulate import simulate

    out = tmp_path_factory.mktemp(scenario)
    simulate(scenario, "tiny", 3, out)
    return out


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["sexual-exploitation", "labour-exploitation", "mixed"])
def test_every_simulated_phone_is_recovered(tmp_path_factory: pytest.TempPathFactory,
                                            scenario: str) -> None:
    out = _world(tmp_path_factory, scenario)
    truth = {a["entity_id"]: a for a in json.loads((out / "ground_truth.json").read_text())["ads"]}
    found_text = found_html = 0
    for line in (out / "ads" / "ads.ftm.jsonl").read_text(encoding="utf-8").splitlines():
        entity = json.loads(line)
        entity["properties"].pop("phone")  # only the text may tell
        ad = truth[entity["id"]]
        values = extract_advertisement(entity)
        found_text += ad["phone"] in values.phones
        page = extract_html(decode_html((out / ad["file"]).read_bytes(), None),
                            country_hint=entity["properties"]["country"][0])
        found_html += ad["phone"] in [p.e164 for p in page.phones]
    print(f"{scenario}: phone recall text {found_text}/{len(truth)}, "
          f"html {found_html}/{len(truth)}")
    assert found_text == len(truth)
    assert found_html == len(truth)
