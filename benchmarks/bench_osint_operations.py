"""Grouping ads into operations (``python -m benchmarks bench_osint_operations``): 100,000
and 1,000,000 synthetic ads (20,000 and 100,000 with --quick), wall time and peak memory,
with the agreement (ARI) against the generator's own grouping.

The ads mimic the simulator's: operations post many ads from a few templates in several
languages with names, ages, cities and prices changed and words misspelt, under one or two
phones and their photos; independent advertisers repost their own ad, a share of them in
a stock wording that many others use too.
"""

from __future__ import annotations

import random
import time
from typing import Any

from benchmarks.harness import measure

TEMPLATES = [
    "{name} - young {nat} beauty in {city}. She is {age}, new here and waiting for you. "
    "Discreet apartment in center. {price} EUR for 1h. Tel {phone}",
    "Jauna meitene {name} {age}g. {city}. {name} tikko ieradās, jauna, {nat}. Tikai {price} "
    "EUR. Zvani {phone}",
    "UUS {city}: {name} {age}a. Noor ja armas {name} vaid paar päeva linnas. {price} EUR. "
    "Helista {phone}",
    "Новая девушка {name}, {age} лет, {city}. Только несколько дней! {price} EUR. Звони "
    "{phone}",
]
STOCK = "Licensed massage studio. Book by phone {phone}. 60 min {price} EUR. Ask for {name}."
NAMES = ["Alisa", "Bella", "Eva", "Jana", "Kira", "Lara", "Mia", "Nika", "Sofi", "Vika"]
CITIES = ["Riga", "Tallinn", "Tartu", "Pärnu", "Helsinki", "Tampere", "Daugavpils", "Turku"]
SYLLABLES = ["ka", "ri", "mo", "ste", "lin", "va", "du", "pe", "sol", "ne", "ta", "gor"]


def _typo(rng: random.Random, text: str) -> str:
    i = rng.randrange(1, len(text) - 2)
    return text[:i] + text[i + 1] + text[i] + text[i + 2:]


def synthetic_ads(n: int, seed: int = 14) -> tuple[list[Any], dict[str, str]]:
    """``n`` ads and the true advertiser of each."""
    from veriga.osint.operations import Ad

    rng = random.Random(seed)
    ads: list[Any] = []
    truth: dict[str, str] = {}
    k = 0
    while len(ads) < n:
        k += 1
        if rng.random() < 0.1:  # an operation
            count = rng.randint(20, 200)
            phones = [f"+3712{rng.randrange(10**7):07d}" for _ in range(rng.randint(1, 2))]
            templates = rng.sample(TEMPLATES, rng.randint(1, 3))
            # its own wording: a distinctive sentence added to every template
            own = " ".join(rng.choice(SYLLABLES) + rng.choice(SYLLABLES) for _ in range(6))
            photo = f"{rng.getrandbits(64):016x}"
        else:  # an independent advertiser reposting its ad
            count = rng.randint(1, 6)
            phones = [f"+3725{rng.randrange(10**7):07d}"]
            own = " ".join(rng.choice(SYLLABLES) + rng.choice(SYLLABLES) for _ in range(12))
            templates = [STOCK if rng.random() < 0.3 else own + " {name} {city} {price} {phone}"]
            photo = f"{rng.getrandbits(64):016x}"
        city = rng.choice(CITIES)
        for j in range(min(count, n - len(ads))):
            if rng.random() < 0.1:
                city = rng.choice(CITIES)
            text = rng.choice(templates).format(
                name=rng.choice(NAMES), nat="Bulgarian", city=city, age=rng.randint(18, 25),
                price=rng.choice([50, 60, 70, 80, 90]), phone=rng.choice(phones))
            if k % 10 == 0 or rng.random() < 0.3:
                text = _typo(rng, text)
            if own and templates[0] is not STOCK:
                text = f"{text} {own}" if rng.random() < 0.5 else text
            ad_id = f"ad{len(ads):08d}"
            ads.append(Ad(id=ad_id, text=text, phones=(rng.choice(phones),),
                          image_hashes=(photo,) if rng.random() < 0.5 else (), city=city,
                          posted_at=f"2026-{1 + j // 60 % 12:02d}-{1 + j % 28:02d}T10:00"))
            truth[ad_id] = f"A{k}"
    return ads, truth


def group_child(n: int) -> dict[str, Any]:
    from veriga.osint.operations import group_ads
    from veriga.osint.quality import agreement

    ads, truth = synthetic_ads(n)
    start = time.perf_counter()
    grouping = group_ads(ads)
    seconds = time.perf_counter() - start
    score = agreement(truth, grouping.labels)
    return {"seconds": round(seconds, 2), "ads_per_s": round(n / seconds),
            "operations": len(grouping.groups()), "ari": round(score.ari, 4),
            "precision": round(score.precision, 4), "recall": round(score.recall, 4)}


def group_spark_child(n: int) -> dict[str, Any]:
    """The same grouping with the near-duplicate texts found on Spark (local[2])."""
    from veriga.engine.spark_engine import SparkEngine
    from veriga.osint.operations import group_ads
    from veriga.osint.quality import agreement
    from veriga.osint.spark_links import spark_text_links

    ads, truth = synthetic_ads(n)
    spark = SparkEngine().spark
    start = time.perf_counter()
    grouping = group_ads(ads, links=spark_text_links(spark))
    seconds = time.perf_counter() - start
    score = agreement(truth, grouping.labels)
    return {"seconds": round(seconds, 2), "ads_per_s": round(n / seconds),
            "operations": len(grouping.groups()), "ari": round(score.ari, 4)}


def run(quick: bool = False) -> list[dict[str, Any]]:
    rows = []
    for n in ((20_000, 100_000) if quick else (100_000, 1_000_000)):
        figures = measure("benchmarks.bench_osint_operations:group_child", n=n)
        rows.append({"name": f"osint operations: {n:,} synthetic ads grouped", **figures})
    n = 20_000 if quick else 100_000
    local = next(r for r in rows if r["name"].startswith(f"osint operations: {n:,} "))
    try:
        spark = measure("benchmarks.bench_osint_operations:group_spark_child", n=n)
    except Exception as exc:  # noqa: BLE001 - no Java on this machine: say so, go on
        print(f"spark skipped: {str(exc)[-300:]}")
    else:
        spark["ratio_to_one_process"] = f"{spark['seconds'] / local['seconds']:.1f}×"
        rows.append({"name": f"osint operations: {n:,} synthetic ads, texts on spark "
                     "local[2]", **spark})
    return rows
