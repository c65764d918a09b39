"""Grouping ads into operations: near-duplicate templates in any script, slots, shared
identifiers, boilerplate and switchboards kept apart, routes and determinism."""

from __future__ import annotations

import random

from veriga.osint.ad_records import ads_from_entities, phones_in
from veriga.osint.operations import Ad, GroupingParams, group_ads, template
from veriga.osint.quality import agreement
from veriga.osint.shingles import normalise

LATIN = [
    ("l1", "Bella - young Bulgarian beauty in Riga. She is 21, new here and waiting for you. "
           "Discreet apartment in center. 60 EUR for 1h.", "Riga", "2026-01-02T10:00"),
    ("l2", "BELLA  -  YOUNG BULGARIAN BEAUTY IN RIGA! She is 21, new here and waiting for "
           "you. Discreet apartment in center. 80 EUR for 1h.", "Riga", "2026-01-03T10:00"),
    ("l3", "Nika - young Bulgarian beuaty in Tartu. She is 19, new here and waiting for you. "
           "Discreet apartment in center. 70 EUR for 1h.", "Tartu", "2026-01-05T21:00"),
]
CYRILLIC = [
    ("c1", "Работа в Латвия - бране на плодове. Спешно търсим 20 работници. Заплата 2500 "
           "евро, безплатна квартира и транспорт. Без език. Такса 200 EUR.", "Pleven",
     "2026-01-01T09:00"),
    ("c2", "Работа  в  Лавтия - бране на плодове!! Спешно търсим 30 работници. Заплата 3000 "
           "евро, безплатна квартира и транспорт. Без език. Такса 450 EUR.", "Pleven",
     "2026-01-01T09:30"),
]
MIXED = [
    ("m1", "Jauna meitene Sofi 20g. Daugavpils — Софи только приехала, молодая. Только 50 "
           "EUR. Звони сейчас.", "Daugavpils", "2026-01-12T10:00"),
    ("m2", "Jauna meitene Kira 19g. Daugavpils — Кира только приехала, молодая. Только 70 "
           "EUR. Звони сейчас!", "Daugavpils", "2026-01-13T10:00"),
]
OTHERS = [
    ("o1", "Licensed physiotherapy practice in Tampere, Kela reimbursement, book online.",
     "Tampere", "2026-01-02T08:00"),
    ("o2", "Selling a used bicycle, good condition, 120 EUR, pick up in Tartu.", "Tartu",
     "2026-01-02T09:00"),
    ("o3", "Продавам стар диван, добро състояние, вземане от Плевен.", "Pleven",
     "2026-01-02T11:00"),
]


def _ads(rows, phone=None):
    return [Ad(id=i, text=t, city=c, posted_at=p, phones=(phone,) if phone else ())
            for i, t, c, p in rows]


def test_normalise_keeps_every_script_and_masks_numbers() -> None:
    assert normalise("Ｓｏｆｉ  БЕЛЛА 5651-4725!") == "sofi белла #"
    assert normalise("Κόρη 20") == "κόρη #"


def test_near_duplicates_in_latin_cyrillic_and_mixed_scripts_group_and_others_stay_apart(
        ) -> None:
    ads = _ads(LATIN) + _ads(CYRILLIC) + _ads(MIXED) + _ads(OTHERS)
    grouping = group_ads(ads)
    truth = {**{i: "L" for i, *_ in LATIN}, **{i: "C" for i, *_ in CYRILLIC},
             **{i: "M" for i, *_ in MIXED}, **{i: i for i, *_ in OTHERS}}
    assert agreement(truth, grouping.labels).ari == 1.0
    latin = next(op for op in grouping.operations if "l1" in op.ad_ids)
    assert [s.city for s in latin.route] == ["Riga", "Tartu"]
    assert latin.route[0].first_seen == "2026-01-02T10:00"
    assert latin.route[0].last_seen == "2026-01-03T10:00"


def test_template_keeps_common_tokens_in_order_and_names_the_slots() -> None:
    tpl = template([t for _, t, *_ in LATIN])
    assert tpl.text.startswith("{1} young bulgarian")
    assert "new here and waiting for you discreet apartment in center" in tpl.text
    names = tpl.slots[0].values
    assert {"bella", "nika"} <= set(names)
    assert any("#" not in v and v.isdigit() for s in tpl.slots for v in s.values)


def test_a_shared_phone_joins_ads_of_unrelated_text() -> None:
    ads = _ads(OTHERS[:2], phone="+37120000001") + _ads(OTHERS[2:])
    grouping = group_ads(ads)
    assert grouping.labels["o1"] == grouping.labels["o2"] != grouping.labels["o3"]
    op = grouping.operations[0]
    assert op.identifiers == (("phone", "+37120000001", 2),)


def test_boilerplate_shared_by_many_advertisers_does_not_join_them() -> None:
    ads = [Ad(id=f"b{i}", text=f"Licensed massage studio. Book by phone. 60 min {50 + i} EUR. "
              f"Ask for {name}.", phones=(f"+3725000000{i}",))
           for i, name in enumerate(["Triin", "Anne", "Mari", "Liis", "Kati"])]
    grouping = group_ads(ads)
    assert len(set(grouping.labels.values())) == 5
    # an ad with no identifier still joins its nearest near-duplicate
    lone = Ad(id="x", text="Licensed massage studio. Book by phone. 60 min 51 EUR. Ask for "
                           "Anne.")
    grouping = group_ads([*ads, lone])
    assert len(set(grouping.labels.values())) == 5


def test_a_switchboard_number_on_many_unrelated_ads_links_nothing() -> None:
    rng = random.Random(7)
    vocabulary = ["".join(rng.choice("abcdefghijklmnoprstuv") for _ in range(6))
                  for _ in range(300)]
    ads = [Ad(id=f"s{i:02d}", text=" ".join(rng.sample(vocabulary, 10)),
              phones=("+35840000000",)) for i in range(40)]
    grouping = group_ads(ads, GroupingParams(hub_min_ads=25))
    assert grouping.hubs == (("phone", "+35840000000", 40),)
    assert grouping.groups() == []


def test_grouping_is_deterministic_and_ids_do_not_depend_on_order() -> None:
    ads = _ads(LATIN) + _ads(CYRILLIC) + _ads(MIXED) + _ads(OTHERS)
    first = group_ads(ads)
    again = group_ads(list(reversed(ads)))
    assert first.labels == again.labels
    assert first.operations == group_ads(ads).operations


def test_ads_from_ftm_entities_read_identifiers_city_and_time() -> None:
    [ad] = ads_from_entities([{"id": "ad-1", "properties": {
        "title": ["Nika 19"], "bodyText": ["Call +372 5651 4725"], "city": ["Tartu"],
        "postedAt": ["2026-01-02T10:00:00"], "imageHash": ["e7c7878787870707"]}}])
    assert ad.phones == ("+37256514725",) and ad.city == "Tartu"
    assert ad.posted_at == "2026-01-02T10:00:00" and ad.image_hashes == ("e7c7878787870707",)
    assert phones_in("tel +358 40 704 9996 or 2026") == ("+358407049996",)
