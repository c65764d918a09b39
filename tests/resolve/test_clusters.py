"""What makes records one cluster and what keeps them apart: namesakes chained through records
without a birth date, a name with an initial between two people, companies told apart by
their numbers and legal forms, bank counterparties of unknown kind, and a case whose people
have many records each. Every name and number here is made up."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from veriga.model import model
from veriga.resolve.link import COLUMNS, Linked, LinkSettings, link
from veriga.resolve.names import company_key, looks_like_company
from veriga.resolve.records import build_records, record_kind

SCHEMA = pa.schema(list(COLUMNS.items()))


def record(rid: str, name: str, kind: str = "person", **values: Any) -> dict[str, Any]:
    """A resolution record as ``veriga.resolve.records`` makes it, from the name as written."""
    proxy = model.make_entity("Person" if kind == "person" else "Company")
    proxy.id = rid
    proxy.add("name", name)
    row = build_records([proxy]).to_pylist()[0]
    row.update(values)
    return row


def table(rows: list[dict[str, Any]]) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def cluster_of(linked: Linked) -> dict[str, str]:
    return dict(zip(linked.clusters.column("record_id").to_pylist(),
                    linked.clusters.column("cluster_id").to_pylist(), strict=True))


def crowd(n: int) -> list[dict[str, Any]]:
    """``n`` people of a case, each in two records (a register with the birth date and a
    booking without), so that the case is large enough to estimate its own prior."""
    given = ["anna", "ivan", "maria", "janis", "elena", "piotr", "olena", "mikko", "kadri", "ion",
             "sanita", "toomas", "irina", "oleg", "laura", "marek"]
    family = ["ozola", "petrov", "tamm", "popescu", "virtanen", "kowalski", "bondar", "saar",
              "lungu", "kask", "nowak", "zarins", "berzina", "ilves", "rusu", "melnyk"]
    rows = []
    for i in range(n):
        name = f"{given[i % 16].title()} {family[(i * 7 + i // 16) % 16].title()}"
        born = f"{1960 + i % 40}-{1 + i % 12:02d}-{1 + (i * 3) % 28:02d}"
        rows.append(record(f"c{i:03d}a", name, birth_date=born, countries=["LV"]))
        rows.append(record(f"c{i:03d}b", name))
    return rows


@pytest.fixture(scope="module")
def namesakes() -> Linked:
    """Two men called Viktor Polishchuk, born 1979 and 2000, and three bookings that give
    only the name: plain connected components would make them one."""
    rows = crowd(60) + [
        record("v1", "Viktor Polishchuk", birth_date="1979-08-20", countries=["UA"]),
        record("v2", "POLISHCHUK VIKTOR", birth_date="2000-03-04", countries=["UA"]),
        record("v3", "Viktor Polishchuk"), record("v4", "Поліщук Віктор"),
        record("v5", "Polishchuk Viktor"),
    ]
    return link(table(rows))


def test_a_case_whose_people_have_many_records_clusters_them(namesakes: Linked) -> None:
    clusters = cluster_of(namesakes)
    pairs = {(p["left_id"], p["right_id"]): p["match_probability"]
             for p in namesakes.pairs.to_pylist()}
    # an exact name alone, in a case full of duplicates, is a strong proposal ...
    assert all(pairs.get((f"c{i:03d}a", f"c{i:03d}b"), 0) >= 0.8 for i in range(60))
    # ... and a cluster when the name's endings say the same gender
    together = sum(clusters[f"c{i:03d}a"] == clusters[f"c{i:03d}b"] for i in range(60))
    assert together >= 30, together
    assert namesakes.models["person"].probability_two_random_records_match > 0.005


def test_namesakes_with_different_birth_dates_are_never_one_cluster(namesakes: Linked) -> None:
    clusters = cluster_of(namesakes)
    assert clusters["v1"] != clusters["v2"]
    pairs = {(p["left_id"], p["right_id"]): p for p in namesakes.pairs.to_pylist()}
    # the undated bookings are still proposed with one of them, for a person to decide
    assert any(("v1", b) in pairs or ("v2", b) in pairs for b in ("v3", "v4", "v5"))


def test_an_initial_does_not_join_two_people_of_one_family_name() -> None:
    rows = crowd(60) + [
        record("m1", "Maria Nieminen", ibans=["FI1111"]),
        record("m2", "Maria Nieminen", ibans=["FI1111"]),
        record("t1", "Matti Nieminen", ibans=["FI2222"]),
        record("t2", "Matti Nieminen", ibans=["FI2222"]),
        record("x1", "M. Nieminen", ibans=["FI1111", "FI2222"]),
    ]
    clusters = cluster_of(link(table(rows)))
    assert clusters["m1"] == clusters["m2"] and clusters["t1"] == clusters["t2"]
    assert clusters["m1"] != clusters["t1"]


def test_companies_with_other_numbers_or_legal_forms_stay_apart() -> None:
    rows = [record(f"co{i}", f"{w} Trade {i} SIA", "company", reg_numbers=[f"4000{i:07d}"])
            for i, w in enumerate(["Amber", "Baltic", "Nordic", "Riga", "Daugava"] * 12)]
    rows += [
        record("g1", "Logistika Group 109 SIA", "company", address_key="1 brivibas iela riga"),
        record("g2", "Logistika Group 379 SIA", "company", address_key="1 brivibas iela riga"),
        record("e1", "EuroTeam EOOD", "company", address_key="5 vitosha sofia"),
        record("e2", "EUROTEAM EOOD", "company", address_key="5 vitosha sofia"),
        record("e3", "EuroTeam Sp. z o.o.", "company", address_key="5 vitosha sofia"),
        record("p1", "PayLink Processing 3 OÜ", "company", reg_numbers=["14000003"]),
        record("p2", "PAYLINK PROCESSING 3 OU", "company", reg_numbers=["14000003"]),
    ]
    linked = link(table(rows))
    clusters = cluster_of(linked)
    assert clusters["g1"] != clusters["g2"]
    levels = {(p["left_id"], p["right_id"]): p["name_level"] for p in linked.pairs.to_pylist()}
    assert levels.get(("g1", "g2"), "different") in {"shares a part", "different"}
    assert clusters["e1"] == clusters["e2"] != clusters["e3"]
    assert clusters["p1"] == clusters["p2"]


def test_letterbox_companies_at_one_address_stay_apart() -> None:
    """Companies registered at one address (a letterbox) with numbers close together, and
    names that differ in a number of repeated digits or share only a number."""
    rows = [record(f"co{i}", f"{w} Trade {i} SIA", "company", reg_numbers=[f"4000{i:07d}"])
            for i, w in enumerate(["Amber", "Baltic", "Nordic", "Riga", "Daugava"] * 12)]
    hub = "12 parnu mnt tallinn"
    rows += [
        record("r1", "Nordic Retail Group 299 SIA", "company", reg_numbers=["40002690748"]),
        record("r2", "Nordic Retail Group 29 SIA", "company", reg_numbers=["40006927492"]),
        record("u1", "GlobalLabor 2 UAB", "company", reg_numbers=["309351719"],
               address_key=hub),
        record("u2", "GlobalPersonnel 2 UAB", "company", reg_numbers=["301699517"],
               address_key=hub),
        record("d1", "Delta Design OÜ", "company", reg_numbers=["10554923"], address_key=hub),
        record("d2", "Lumo Logistics OÜ", "company", reg_numbers=["10549323"], address_key=hub),
        record("d3", "DELTA DESIGN OU", "company", reg_numbers=["10554932"]),  # digits swapped
    ]
    linked = link(table(rows))
    clusters = cluster_of(linked)
    assert clusters["r1"] != clusters["r2"]
    assert clusters["u1"] != clusters["u2"]
    assert clusters["d1"] != clusters["d2"]
    pairs = {(p["left_id"], p["right_id"]): p for p in linked.pairs.to_pylist()}
    assert "u1" not in {p["left_id"] for p in pairs.values() if p["right_id"] == "u2"
                        and p["name_level"] == "initials"}  # "2" is no initial
    if ("d1", "d2") in pairs:
        assert pairs[("d1", "d2")]["reg_numbers_level"] == "different"
    assert pairs[("d1", "d3")]["reg_numbers_level"] == "typo"
    assert clusters["d1"] == clusters["d3"]


@pytest.mark.parametrize(("written", "forms"), [
    ("EuroTeam EOOD", ("eood",)), ("Бар ЕООД", ("eood",)), ("X Sp. z o.o.", ("spzoo",)),
    ("Baltic Build OÜ", ("ou",)), ("BALTIC BUILD OU", ("ou",)), ('SIA "Baltic Build"', ("sia",)),
])
def test_a_legal_form_has_one_spelling(written: str, forms: tuple[str, ...]) -> None:
    assert company_key(written).legal_forms == forms


@pytest.mark.parametrize(("name", "company"), [
    ("Paweł Jankowski", False), ("PAVLOVS ANGELS", False), ("V. Pavlov", False),
    ("Anna-Maria Ionescu", False), ("Олена Шевченко", False),
    ("GlobalStaff Sp. z o.o.", True), ("Stroy Invest EOOD", True), ("ООО Ромашка", True),
    ("Helsinki Wellness Studio", True), ("Tech Solutions Group 19", True), ("GLOBALSTAFF", True),
])
def test_a_counterparty_of_unknown_kind_is_read_by_its_name(name: str, company: bool) -> None:
    assert looks_like_company(name) is company
    proxy = model.make_entity("LegalEntity")
    proxy.id = "x"
    proxy.add("name", name)
    assert record_kind(proxy) == ("company" if company else "person")
    assert build_records([proxy]).column("kind").to_pylist() == [record_kind(proxy)]


def test_a_record_between_two_namesakes_is_left_on_its_own() -> None:
    """A bank counterparty called Nikolay Todorov, as close to a recruiter of that name as to a
    victim of that name born a year apart: it belongs to neither cluster, and both pairs are
    proposed for a person to decide."""
    rows = crowd(60) + [
        record("r1", "Николай Тодоров", birth_date="1978-05-25", countries=["BG"]),
        record("r2", "Todorov Nikolay", birth_date="1978-05-25", countries=["BG"]),
        record("v1", "Nikolay Todorov", birth_date="1977-11-14", countries=["BG"]),
        record("x1", "NIKOLAY TODOROV", ibans=["LV35UNLA0042965399686"]),
    ]
    linked = link(table(rows), settings=LinkSettings(threshold=0.85))
    assert all(p["match_probability"] >= 0.85 for p in linked.pairs.to_pylist()
               if "x1" in (p["left_id"], p["right_id"]))
    clusters = cluster_of(linked)
    assert clusters["r1"] == clusters["r2"] != clusters["v1"]
    assert clusters["x1"] == "x1"
    pairs = {(p["left_id"], p["right_id"]) for p in linked.pairs.to_pylist()}
    assert {("r1", "x1"), ("v1", "x1")} <= pairs
