"""Proposed matches as Findings: one per cluster (scored by its weakest link) and one per pair
joining two clusters below the cluster threshold, explained field by field."""

from __future__ import annotations

import pyarrow as pa

from veriga.model import model
from veriga.resolve.link import link
from veriga.resolve.proposals import proposals
from veriga.resolve.records import build_records


def _person(entity_id: str, name: str, **props: list[str]):
    proxy = model.make_entity("Person")
    proxy.id = entity_id
    proxy.add("name", name)
    for prop, values in props.items():
        proxy.add(prop, values)
    return proxy


def _pair(left: str, right: str, p: float, **levels: tuple[str, float]) -> dict:
    row = {"left_id": left, "right_id": right, "kind": "person", "match_probability": p,
           "match_weight": 0.0}
    for field, (level, weight) in levels.items():
        row[f"{field}_level"], row[f"{field}_weight"] = level, weight
    return row


def _records(*people) -> pa.Table:
    return build_records(people)


def test_a_cluster_is_one_proposal_scored_by_its_weakest_link() -> None:
    records = _records(_person("a", "Olena Shevchenko", birthDate=["1998-04-02"]),
                       _person("b", "Олена Шевченко", birthDate=["1998-04-02"]),
                       _person("c", "SHEVCHENKO OLENA", phone=["+380501234567"]),
                       _person("d", "Ivan Petrov"))
    pairs = pa.Table.from_pylist([
        _pair("a", "b", 0.99, name=("exact", 9.0), birth_date=("exact", 11.0)),
        _pair("a", "c", 0.93, name=("exact", 9.0), birth_date=("missing", 0.0)),
        _pair("b", "c", 0.91, name=("exact", 9.0), birth_date=("missing", 0.0)),
    ])
    clusters = pa.table({"record_id": ["a", "b", "c", "d"], "cluster_id": ["a", "a", "a", "d"]})
    [found] = proposals(records, pairs, clusters)
    assert found.kind == "match.person" and found.evidence.entity_ids == ["a", "b", "c"]
    assert found.score == 0.93  # the tree takes a-b (0.99) and a-c (0.93), not b-c
    text = found.message.render() if found.message else found.explanation
    assert "3 records are possibly the same person" in text and "2 pair(s)" in text
    assert "agreeing: name: the same (9.0)" in text and "Missing in one: birth date" in text


def test_conflicts_inside_a_proposal_are_shown() -> None:
    records = _records(_person("a", "Anna Ozola", birthDate=["2001-07-30"], gender=["female"]),
                       _person("b", "Anna Ozola", birthDate=["1972-01-15"], gender=["male"]))
    pairs = pa.Table.from_pylist([_pair("a", "b", 0.95, name=("exact", 9.0),
                                        birth_date=("different", -6.5))])
    clusters = pa.table({"record_id": ["a", "b"], "cluster_id": ["a", "a"]})
    [found] = proposals(records, pairs, clusters)
    text = found.message.render() if found.message else found.explanation
    assert "Against it: 2 different birth dates; both genders" in text
    assert "birth date: different (-6.5)" in text


def test_a_pair_below_the_cluster_threshold_is_a_weaker_proposal() -> None:
    records = _records(_person("a", "Jānis Bērziņš", phone=["+37120000001"]),
                       _person("b", "Berzins Janis", phone=["+37120000001"]))
    pairs = pa.Table.from_pylist([_pair("a", "b", 0.7, name=("exact", 9.0),
                                        phones=("shared", 10.0))])
    clusters = pa.table({"record_id": ["a", "b"], "cluster_id": ["a", "b"]})
    [found] = proposals(records, pairs, clusters)
    assert found.score == 0.7 and found.evidence.entity_ids == ["a", "b"]
    assert [(k.type, k.value) for k in found.evidence.keys] == [("phone", "+37120000001")]


def test_no_cluster_no_proposal_and_the_same_input_gives_the_same_ids() -> None:
    records = _records(_person("a", "Olena Shevchenko"), _person("b", "Ivan Petrov"))
    empty = pa.Table.from_pylist([], schema=pa.schema([("left_id", pa.string()),
                                                       ("right_id", pa.string()),
                                                       ("match_probability", pa.float64())]))
    clusters = pa.table({"record_id": ["a", "b"], "cluster_id": ["a", "b"]})
    assert proposals(records, empty, clusters) == []


def test_linked_records_become_explained_proposals() -> None:
    people = [_person("a", "Olena Shevchenko", phone=["+380501234567"],
                      birthDate=["1998-04-02"]),
              _person("b", "SHEVCHENKO OLENA", phone=["+380501234567"],
                      birthDate=["1998-04-02"]),
              _person("c", "Olena Shevchenko", birthDate=["1961-11-20"]),
              _person("d", "Ivan Petrov", birthDate=["1985-03-12"])]
    records = build_records(people)
    linked = link(records)
    found = proposals(records, linked.pairs, linked.clusters)
    first = [f for f in found if f.evidence.entity_ids == ["a", "b"]]
    assert first and first[0].score >= 0.9
    assert not any({"a", "d"} <= set(f.evidence.entity_ids) for f in found)
    again = proposals(records, linked.pairs, linked.clusters)
    assert [f.id for f in again] == [f.id for f in found]
