"""A person's context (the employer, the company directed, who paid or was paid) read from the
links of the case, and compared: records of one name tied to one employer agree, records tied
to different ones differ. Every name, number and account here is made up."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pytest

from veriga.model import EntityProxy, model
from veriga.resolve.context import LINK_SCHEMATA
from veriga.resolve.link import LinkSettings, link
from veriga.resolve.proposals import proposals
from veriga.resolve.records import build_records

BALTBUILD = "40009377907"
NORDBUVE = "40103456789"
IBAN_A = "LV80BANK0000435195001"
IBAN_B = "LV61HABA0551008478562"


def entity(schema: str, id_: str, **props: Any) -> EntityProxy:
    proxy = model.make_entity(schema)
    proxy.id = id_
    for prop, values in props.items():
        for value in values if isinstance(values, list) else [values]:
            proxy.add(prop, value)
    return proxy


def a_case() -> list[EntityProxy]:
    """A payroll of Baltbuild and A1 declarations naming Baltbuild or Nordbuve as the
    employer: Rafał Kozłowski on both for Baltbuild (one man), Jānis Bērziņš on the payroll
    of Baltbuild and on a declaration for Nordbuve (two men of one name)."""
    return [
        entity("Company", "payroll-firm", name="Baltbuild SIA", registrationNumber=BALTBUILD),
        entity("Company", "a1-firm", name="BALTBUILD SIA", registrationNumber=BALTBUILD,
               jurisdiction="lv"),
        entity("Company", "a1-other", name="Nordbuve SIA", registrationNumber=NORDBUVE,
               jurisdiction="lv"),
        entity("Person", "pay-rafal", name="KOZŁOWSKI RAFAŁ"),
        entity("Payment", "pay-1", payer="payroll-firm", beneficiary="pay-rafal",
               amount="2280.00"),
        entity("Person", "a1-rafal", name="Rafał Kozłowski", birthDate="1988-05-02"),
        entity("Employment", "a1-1", employer="a1-firm", employee="a1-rafal"),
        entity("Person", "pay-janis", name="BĒRZIŅŠ JĀNIS"),
        entity("Payment", "pay-2", payer="payroll-firm", beneficiary="pay-janis",
               amount="1900.00"),
        entity("Person", "a1-janis", name="Jānis Bērziņš", birthDate="1979-11-23"),
        entity("Employment", "a1-2", employer="a1-other", employee="a1-janis"),
    ]


def by_id(table: pa.Table) -> dict[str, dict[str, Any]]:
    return {r["record_id"]: r for r in table.to_pylist()}


def pair(pairs: pa.Table, left: str, right: str) -> dict[str, Any] | None:
    for row in pairs.to_pylist():
        if {row["left_id"], row["right_id"]} == {left, right}:
            return row
    return None


def without_context(table: pa.Table) -> pa.Table:
    index = table.schema.get_field_index("context")
    return table.set_column(index, table.schema.field("context"),
                            pa.array([[]] * table.num_rows, table.schema.field("context").type))


def test_a_persons_context_holds_the_parties_of_their_links() -> None:
    rows = by_id(build_records(a_case()))
    assert rows["pay-rafal"]["context"] == ["n:baltbuild", f"r:{BALTBUILD}"]
    assert rows["a1-rafal"]["context"] == ["n:baltbuild", f"r:{BALTBUILD}"]
    assert rows["a1-janis"]["context"] == ["n:nordbuv", f"r:{NORDBUVE}"]
    assert rows["payroll-firm"]["context"] == []  # companies are compared without it


def test_a_counterparty_is_tied_to_the_business_holding_the_statement_not_to_a_person() -> None:
    rows = by_id(build_records([
        entity("LegalEntity", "business", name="Baltbuild SIA"),  # a statement's holder
        entity("BankAccount", "acc-a", iban=IBAN_A),
        entity("Ownership", "own-a", owner="business", asset="acc-a"),
        entity("LegalEntity", "worker", name="Olena Bondar"),  # paid wages by it
        entity("Payment", "wage", payer="business", beneficiary="worker", payerAccount="acc-a"),
        entity("LegalEntity", "man", name="Roman Moroz"),  # a person's statement
        entity("BankAccount", "acc-b", iban=IBAN_B),
        entity("Ownership", "own-b", owner="man", asset="acc-b"),
        entity("LegalEntity", "woman", name="Iryna Havrylyuk"),  # pays him
        entity("Payment", "rent", payer="woman", beneficiary="man", beneficiaryAccount="acc-b"),
        entity("Directorship", "dir", director="man", organization="firm"),
        entity("Company", "firm", name="Nordbuve SIA", registrationNumber=NORDBUVE),
    ]))
    assert rows["worker"]["context"] == [f"i:{IBAN_A}", "n:baltbuild"]
    assert rows["woman"]["context"] == []  # people are no context: relatives share them
    assert rows["man"]["ibans"] == [IBAN_B]  # his own account, not his context
    assert rows["man"]["context"] == ["n:nordbuv", f"r:{NORDBUVE}"]


def test_the_links_read_are_those_between_parties() -> None:
    assert {"Payment", "Employment", "Directorship", "Ownership", "Membership", "Family",
            "UnknownLink", "Payslip", "PostingDeclaration"} <= set(LINK_SCHEMATA)
    assert not {"Documentation", "ContractAward", "Occupancy"} & set(LINK_SCHEMATA)


def test_one_employer_joins_a_payroll_row_and_an_a1_form_and_two_keep_namesakes_apart() -> None:
    records = build_records(a_case())
    linked = link(records)
    clusters = dict(zip(linked.clusters.column("record_id").to_pylist(),
                        linked.clusters.column("cluster_id").to_pylist(), strict=True))
    assert clusters["pay-rafal"] == clusters["a1-rafal"]
    assert clusters["pay-janis"] != clusters["a1-janis"]
    rafal = pair(linked.pairs, "pay-rafal", "a1-rafal")
    assert rafal is not None and rafal["context_level"] == "mostly shared"
    assert rafal["context_weight"] > 5
    janis = pair(linked.pairs, "pay-janis", "a1-janis")
    assert janis is None or (janis["context_level"] == "different"
                             and janis["context_weight"] < 0)

    # the name alone says less: the context is what joins Rafał and parts the Jānises
    plain = link(without_context(records))
    before = {p: pair(plain.pairs, *p) for p in (("pay-rafal", "a1-rafal"),
                                                  ("pay-janis", "a1-janis"))}
    assert before[("pay-rafal", "a1-rafal")] is not None
    assert rafal["match_probability"] > before[("pay-rafal", "a1-rafal")]["match_probability"]
    janis_before = before[("pay-janis", "a1-janis")]
    assert janis_before is not None
    assert janis is None or janis["match_probability"] < janis_before["match_probability"]


def test_a_proposal_says_the_employer_agreed() -> None:
    records = build_records(a_case())
    linked = link(records)
    found = proposals(records, linked.pairs, linked.clusters)
    rafal = next(f for f in found if set(f.evidence.entity_ids) == {"pay-rafal", "a1-rafal"})
    text = rafal.message.render() if rafal.message else rafal.explanation
    assert "linked parties: mostly the same" in text


@pytest.mark.spark
def test_spark_compares_contexts_and_accounts_as_duckdb_does() -> None:
    pytest.importorskip("pyspark")
    from veriga.engine.spark_engine import SparkEngine

    records = build_records([
        *a_case(),
        entity("LegalEntity", "cp-a", name="Olena Bondar"),
        entity("BankAccount", "acc-a", iban=IBAN_A),
        entity("Ownership", "own-a", owner="cp-a", asset="acc-a"),
        entity("LegalEntity", "cp-b", name="Olena Bondar"),
        entity("BankAccount", "acc-b", iban=IBAN_B),
        entity("Ownership", "own-b", owner="cp-b", asset="acc-b"),
    ])
    low = LinkSettings(pair_threshold=0.01)  # the two Olenas are far below a proposal
    on_spark = link(records, engine="spark", settings=low, spark=SparkEngine().spark)
    on_duck = link(records, settings=low)
    olena = pair(on_duck.pairs, "cp-a", "cp-b")
    assert olena is not None and olena["ibans_level"] == "different, nothing else"
    assert on_spark.clusters.equals(on_duck.clusters)
    assert on_spark.pairs.drop_columns(["match_probability", "match_weight"]).equals(
        on_duck.pairs.drop_columns(["match_probability", "match_weight"]))
