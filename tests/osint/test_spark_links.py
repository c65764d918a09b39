"""The grouping on Spark finds exactly what it finds in one process."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest

from veriga.osint.operations import Ad, GroupingParams, group_ads, text_links

TEMPLATES = [
    "Новая девушка {name}, {age} лет, {city}. Только несколько дней! {price} EUR.",
    "Jauna meitene {name} {age}g. {city}. Tikko ieradās. Tikai {price} EUR. Zvani!",
    "{name} - young beauty in {city}. She is {age}, new here. {price} EUR for 1h.",
    "Работа в Финландии: сбор ягод, жильё предоставляется, {price} EUR в день. {city}",
]


def corpus(n: int, seed: int = 3) -> list[Ad]:
    rng = random.Random(seed)
    ads = []
    for i in range(n):
        text = rng.choice(TEMPLATES).format(
            name=rng.choice(["Alisa", "Вика", "Eva", "Līga"]), age=rng.randint(18, 30),
            city=rng.choice(["Riga", "Tallinn", "Тарту"]), price=rng.randint(5, 9) * 10)
        if rng.random() < 0.3:  # a per-ad edit
            at = rng.randrange(len(text))
            text = text[:at] + rng.choice("xyzабв ") + text[at + 1:]
        if rng.random() < 0.2:  # an independent ad of its own
            text = " ".join(f"{rng.choice('klmnoprst')}{rng.randrange(10**6)}" for _ in range(9))
        if rng.random() < 0.05:
            text = ""
        phone = f"+3712000{rng.randrange(40):04d}"
        ads.append(Ad(id=f"ad{i:04d}", text=text, phones=(phone,) if rng.random() < 0.6 else (),
                      city="Riga", posted_at=f"2026-03-{1 + i % 28:02d}T10:00"))
    return ads


@pytest.fixture(scope="module")
def spark() -> Any:
    pytest.importorskip("pyspark")
    from veriga.engine.spark_engine import SparkEngine

    return SparkEngine().spark


@pytest.mark.spark
def test_spark_finds_the_same_pairs_and_operations(spark: Any) -> None:
    from veriga.osint.spark_links import spark_text_links

    ads = corpus(600)
    params = GroupingParams()
    links = spark_text_links(spark, partitions=5)
    pairs, sims = links([a.text for a in ads], params)
    local_pairs, local_sims = text_links([a.text for a in ads], params)
    assert len(pairs) > 500  # the templates link many ads
    assert np.array_equal(pairs, local_pairs)
    assert np.array_equal(sims, local_sims)
    on_spark, local = group_ads(ads, params, links=links), group_ads(ads, params)
    assert on_spark.labels == local.labels
    assert [op.templates for op in on_spark.operations] == \
        [op.templates for op in local.operations]


@pytest.mark.spark
def test_spark_links_nothing_in_nothing(spark: Any) -> None:
    from veriga.osint.spark_links import spark_text_links

    pairs, sims = spark_text_links(spark)([], GroupingParams())
    assert pairs.shape == (0, 2) and len(sims) == 0
    pairs, _ = spark_text_links(spark)(["", "", "same words here"], GroupingParams())
    assert pairs.shape == (0, 2)
