"""The osint family's link detector on hand-made entities: an ad's e-mail, an IBAN in its
text and its phone in call records lead to the people, companies and accounts of the case."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime

import pyarrow as pa
import pytest

from veriga import analysis
from veriga.engine import Engine, get_engine
from veriga.model import EntityProxy, model
from veriga.model.records import RECORD_KINDS
from veriga.osint.detect import ibans_in
from veriga.osint.family import FAMILY

IBAN = "LV80BANK0000435195001"  # a valid checksum (the standard's example)


def _entity(schema: str, entity_id: str, **props: Sequence[str] | str) -> EntityProxy:
    """An entity with its values as written (as the store keeps what an importer read)."""
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for name, values in props.items():
        for value in [values] if isinstance(values, str) else values:
            proxy.unsafe_add(proxy.schema.properties[name], value, cleaned=True)
    return proxy


ENTITIES = [
    _entity("Advertisement", "ad-1", title="Work in Finland, good pay",
            bodyText=f"Write to jobs.abroad@example.org, pay the visa fee to {IBAN[:4]} "
                     f"{IBAN[4:8]} {IBAN[8:12]} {IBAN[12:16]} {IBAN[16:20]} {IBAN[20:]}",
            category="job", phone="+359888123456", city="Sofia", country="bg",
            postedAt="2026-01-02"),
    _entity("Advertisement", "ad-2", title="Work in Finland, good pay!",
            bodyText="Write to jobs.abroad@example.org, call +359 888 123 456",
            category="job", phone="+359888123456", city="Pleven", country="bg",
            postedAt="2026-01-09"),
    _entity("Advertisement", "ad-3", title="Sweet girl in Riga", bodyText="call 29 123 456",
            category="escort", phone="+37129123456", city="Riga", country="lv",
            postedAt="2026-01-05"),
    _entity("Person", "p-recruiter", name="Ivan Petrov", email="Jobs.Abroad@example.org"),
    _entity("Company", "c-agency", name="EuroWork EOOD"),
    _entity("BankAccount", "acc-1", iban=IBAN),
    _entity("Ownership", "own-1", owner="c-agency", asset="acc-1"),
    _entity("Person", "p-controller", name="Vasil Pavlov", phone="0875 000 806",
            nationality="bg"),
    _entity("Person", "p-client", name="Somebody Else", phone="+37120000000"),
]


def _calls(rows: Iterable[tuple[str, str]]) -> pa.Table:
    spec = RECORD_KINDS["call"]
    data = [{"record_id": f"src-1:{i}", "source_id": "src-1", "locator": f"line {i}",
             "caller": a, "callee": b, "start": datetime(2026, 1, 3, 12, i)}
            for i, (a, b) in enumerate(rows, 2)]
    return pa.Table.from_pylist(data, schema=spec.schema)


@pytest.fixture
def engine() -> Iterator[Engine]:
    eng = get_engine("duckdb")
    eng.register({kind: [] for kind in RECORD_KINDS},
                 {k: v.schema for k, v in RECORD_KINDS.items()})
    # the sex ads' phone speaks with the controller three times, with a client once
    eng.register_arrow("call", _calls([("+359875000806", "+37129123456")] * 3
                                      + [("+37120000000", "+37129123456")]))
    yield eng
    eng.close()


def _run(engine: Engine) -> analysis.Run:
    def entities(schemata: Sequence[str]) -> list[EntityProxy]:
        return [e for e in ENTITIES if any(e.schema.is_a(s) for s in schemata)]

    return FAMILY.run(analysis.Inputs("c", engine, entities), FAMILY.params())


def test_ibans_in_text_are_read_with_their_checksum() -> None:
    assert ibans_in(f"pay to {IBAN[:4]} {IBAN[4:8]} {IBAN[8:]}.") == [IBAN]
    assert ibans_in("pay to LV80BANK0000435195002") == []  # checksum fails


def test_email_iban_and_calls_lead_to_the_people_and_accounts(engine: Engine) -> None:
    run = _run(engine)
    job = next(f for f in run.findings if f.kind == "shared_identifier.job")
    links = {(link["entity_id"], link["via"]) for link in job.details["links"]}
    assert ("p-recruiter", "email") in links  # e-mail compared case-folded
    assert ("c-agency", "iban") in links  # holds the account the ads name
    assert ("acc-1", "iban") in links
    assert {"ad-1", "ad-2"} <= set(job.evidence.entity_ids)
    assert {k.type for k in job.evidence.keys} >= {"email", "iban"}
    assert job.score >= run.flag_score

    sex = next(f for f in run.findings if f.kind == "shared_identifier.sex")
    called = {link["entity_id"]: link["calls"] for link in sex.details["links"]}
    # the controller (a national number read with his nationality) spoke with the ads'
    # phone three times; a single call (a client) is below links.min_calls
    assert called == {"p-controller": 3}
    assert len(sex.evidence.record_ids) >= 1 and sex.score < job.score
    assert "Vasil Pavlov" in sex.explanation


def test_operations_of_one_ad_are_no_findings_but_their_links_are(engine: Engine) -> None:
    run = _run(engine)
    operations = [f for f in run.findings if f.kind.startswith("operation.")]
    assert [set(f.evidence.entity_ids) for f in operations] == [{"ad-1", "ad-2"}]
    assert operations[0].kind == "operation.job"
    assert [s["city"] for s in operations[0].details["route"]] == ["Sofia", "Pleven"]
    sex = next(f for f in run.findings if f.kind == "shared_identifier.sex")
    assert sex.details["group"] == "ad-3" and sex.details["ads"] == 1


@pytest.mark.spark
def test_spark_finds_the_same_links_as_duckdb(engine: Engine) -> None:
    pytest.importorskip("pyspark")
    spark = get_engine("spark")
    try:
        spark.register({kind: [] for kind in RECORD_KINDS},
                       {k: v.schema for k, v in RECORD_KINDS.items()})
        spark.register_arrow("call", _calls([("+359875000806", "+37129123456")] * 3
                                            + [("+37120000000", "+37129123456")]))
        on_spark = _run(spark)
    finally:
        spark.close()
    on_duckdb = _run(engine)
    assert sorted(f.id for f in on_spark.findings) == sorted(f.id for f in on_duckdb.findings)
    assert [f.details for f in on_spark.findings] == [f.details for f in on_duckdb.findings]
