"""Resolution records from FtM entities: one row per person or company, its keys, and every
value left out reported. Every name, number and address here is made up."""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from veriga.model import EntityProxy, model
from veriga.resolve.records import SCHEMA, Problem, build_records, problem_report, record_kind

TODAY = date(2026, 6, 1)


def iban(country: str, bban: str) -> str:
    """A synthetic IBAN with correct check digits."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{country}{98 - int(digits) % 97:02d}{bban}"


def entity(schema: str, id_: str, cleaned: bool = True, **props: Any) -> EntityProxy:
    """An entity as the store hands it over: values as they were imported (``cleaned``,
    so FtM does not drop what this module must report)."""
    proxy = model.make_entity(schema)
    proxy.id = id_
    for prop, values in props.items():
        for value in values if isinstance(values, list) else [values]:
            proxy.add(prop, value, cleaned=cleaned)
    return proxy


def rows(entities: list[EntityProxy], symbols: bool = False) -> dict[str, dict[str, Any]]:
    table = build_records(entities, today=TODAY, symbols=symbols)
    return {r["record_id"]: r for r in table.to_pylist()}


def reasons(row: dict[str, Any], field: str) -> list[str]:
    return [Problem.parse(row["record_id"], p).reason for p in row["problems"]
            if p.startswith(field + ": ")]


def test_the_same_woman_in_three_sources_has_one_key():
    booking = entity("Person", "booking", name="Олена Шевченко", birthDate="1991-04-17",
                     phone="+380501234567", country="ua")
    police = entity("Person", "police", name="Olena Sevcenko", birthDate="17.04.1991",
                    phone="050 123 4567", nationality="ua", country="lv")
    payroll = entity("Person", "payroll", name="SHEVCHENKO OLENA", idNumber="МТ 123456")
    got = rows([payroll, booking, police])
    assert {r["name_key"] for r in got.values()} == {"olen sevcenko"}
    assert got["booking"]["name"] == "Олена Шевченко"  # shown as written
    assert got["booking"]["tokens"] == ["olen", "sevcenko"]
    assert got["booking"]["phonetic"] == ["OLN", "SFSNK"]
    assert got["booking"]["initials"] == "os"
    assert got["booking"]["gender"] == "f"
    assert got["booking"]["birth_date"] == got["police"]["birth_date"] == "1991-04-17"
    assert got["booking"]["phones"] == got["police"]["phones"] == ["+380501234567"]
    assert got["police"]["countries"] == ["LV", "UA"]
    assert got["payroll"]["reg_numbers"] == ["MT123456"]  # romanised, like a Latin record
    assert all(r["problems"] == [] for r in got.values())


def test_table_has_the_columns_the_linkage_reads():
    table = build_records([entity("Person", "p", name="Jānis Bērziņš")], today=TODAY)
    assert table.schema.equals(SCHEMA)
    for column in ("record_id", "kind", "name", "names", "name_key", "tokens", "phonetic",
                   "initials", "birth_date", "phones", "emails", "ibans", "reg_numbers",
                   "countries", "address_key", "problems"):
        assert column in table.column_names
    assert table.column("kind").to_pylist() == ["person"]
    assert table.column("symbols").to_pylist() == [[]]  # only when asked for


def test_rows_are_ordered_by_id_and_other_schemata_left_out():
    entities = [entity("Company", "c2", name="SIA Baltic Build"),
                entity("Person", "p1", name="Olena Shevchenko"),
                entity("Organization", "o3", name="Safe House"),
                entity("LegalEntity", "l4", name="Amber Holding"),
                entity("Vehicle", "v5", name="Blue van"),
                entity("Person", "p1", name="A duplicate id keeps the first")]
    table = build_records(entities, today=TODAY)
    assert table.column("record_id").to_pylist() == ["c2", "l4", "o3", "p1"]
    assert table.column("kind").to_pylist() == ["company", "company", "company", "person"]
    assert table.column("name").to_pylist()[-1] == "Olena Shevchenko"
    assert record_kind(entities[4]) is None


def test_all_names_are_kept_and_tokens_cover_them():
    person = entity("Person", "p", name=["Kazlauskienė Rūta"], alias="Rūta Kazlauskaitė",
                    previousName="R. Petraitytė")
    row = rows([person])["p"]
    assert row["names"] == ["Kazlauskienė Rūta", "Rūta Kazlauskaitė", "R. Petraitytė"]
    assert row["name_key"] == "kazlausk rut"
    assert row["tokens"] == ["kazlausk", "petrait", "r", "rut"]


def test_a_person_without_name_gets_one_from_its_parts():
    person = entity("Person", "p", firstName="Andris", lastName="Ozols")
    row = rows([person])["p"]
    assert row["name"] == "Andris Ozols" and row["name_key"] == "andr ozol"


def test_a_couple_is_told_apart_by_gender():
    husband = entity("Person", "h", name="Andris Ozols")
    wife = entity("Person", "w", name="Andra Ozola")
    stated = entity("Person", "s", name="Andra Ozola", gender="male")
    got = rows([husband, wife, stated])
    assert got["h"]["name_key"] == got["w"]["name_key"]
    assert (got["h"]["gender"], got["w"]["gender"], got["s"]["gender"]) == ("m", "f", "m")


def test_companies_across_registers():
    latvian = entity("Company", "lv", name='SIA "Baltic Build"', registrationNumber="4000 301-2345",
                     jurisdiction="lv", address="Brīvības iela 12-5, Rīga, LV-1010")
    estonian = entity("Company", "ee", name="Baltic Build OÜ", registrationNumber="40003012345",
                      country="ee", email="Info@Baltic-Build.example")
    got = rows([latvian, estonian], symbols=True)
    assert got["lv"]["name_key"] == got["ee"]["name_key"] == "baltic build"
    assert got["lv"]["reg_numbers"] == got["ee"]["reg_numbers"] == ["40003012345"]
    assert got["lv"]["kind"] == "company" and got["lv"]["gender"] is None
    assert got["lv"]["birth_date"] is None
    assert "ORGCLS:LLC" in got["lv"]["symbols"]
    assert got["ee"]["emails"] == ["info@baltic-build.example"]
    assert got["lv"]["address_key"] == "1010 12 5 brivibas iela lv riga"


def test_a_controller_with_a_latvian_ending_and_swapped_names():
    register = entity("Person", "a", name="Aleksandrs Petrovs", birthDate="1979-02-03")
    other = entity("Person", "b", name="PETROV ALEKSANDR", birthDate="1979-02-03")
    got = rows([register, other])
    assert got["a"]["name_key"] == got["b"]["name_key"] == "aleksandr petrov"


def test_ibans_come_from_held_accounts_and_own_identifiers():
    own, held, second = iban("LV", "BANK0000435195001"), iban("LT", "1000011101001000"), \
        iban("EE", "382200221020145685")
    person = entity("Person", "p", name="Olena Shevchenko", idNumber=own.lower())
    company = entity("Company", "c", name="Baltic Build SIA")
    accounts = [entity("BankAccount", "a1", iban=f" {held[:4]} {held[4:]} "),
                entity("BankAccount", "a2", iban=second, accountNumber=second),
                entity("BankAccount", "a3", accountNumber="40817810099910004312"),
                entity("BankAccount", "a4", iban="LV00BANK0000435195001")]
    owns = [entity("Ownership", "o1", owner="p", asset="a1"),
            entity("Ownership", "o2", owner="c", asset="a2"),
            entity("Ownership", "o3", owner="c", asset="a3"),
            entity("Ownership", "o4", owner="p", asset="a4"),
            entity("Ownership", "o5", owner="missing", asset="a1")]
    got = rows([*owns, person, *accounts, company])  # links before and after their holders
    assert got["p"]["ibans"] == [own, held]
    assert got["p"]["reg_numbers"] == []
    assert got["c"]["ibans"] == [second]
    assert reasons(got["c"], "ibans") == ["an account number that is not an IBAN"]
    assert reasons(got["p"], "ibans") == ["an IBAN that fails its checksum"]


def test_an_address_entity_gives_the_address_key():
    person = entity("Person", "p", name="Olena Shevchenko", addressEntity="addr")
    place = entity("Address", "addr", full="ул. Шевченко, д. 39, кв. 5, Киев")
    row = rows([person, place])["p"]
    assert row["address_key"] is not None
    assert row["address_key"].isascii() and "shevchenko" in row["address_key"].split()
    assert rows([entity("Person", "q", name="Olena Shevchenko", address="--")])["q"][
        "address_key"] is None


# --- bad input: reported, never raised ---------------------------------------------------

def test_empty_and_initials_only_names_are_reported():
    got = rows([entity("Person", "empty", name="..."), entity("Person", "initials", name="O. S."),
                entity("Person", "none", birthDate="1990-01-01"),
                entity("Company", "form", name="SIA")])
    assert got["empty"]["name_key"] is None and reasons(got["empty"], "name") == ["empty name"]
    assert got["initials"]["name_key"] is None and got["initials"]["initials"] is None
    assert reasons(got["initials"], "name") == ["only initials"]
    assert got["none"]["name"] is None and reasons(got["none"], "name") == ["no name"]
    assert reasons(got["form"], "name") == ["only a legal form"]


def test_unexpected_scripts_are_reported():
    got = rows([entity("Person", "thai", name="สมชาย ใจดี"),
                entity("Person", "runic", name="ᚠᚢᚦ ᚨᚱ"),
                entity("Person", "georgian", name="ქეთევან ბერიძე")])
    assert got["thai"]["name_key"] is not None
    assert reasons(got["thai"], "name") == ["romanised approximately from Thai script"]
    assert got["runic"]["name_key"] is None
    assert reasons(got["runic"], "name") == ["Runic script cannot be romanised"]
    assert got["georgian"]["name_key"] == "beridz ketevan" and got["georgian"]["problems"] == []


def test_impossible_dates_are_left_out_and_reported():
    dates = {"m13": "1985-13-01", "y1700": "1700-05-05", "future": "2030-01-01",
             "feb30": "1990-02-30", "word": "unknown", "year": "1985", "dotted": "31.12.1985"}
    got = rows([entity("Person", k, name="Olena Shevchenko", birthDate=v)
                for k, v in dates.items()])
    assert got["dotted"]["birth_date"] == "1985-12-31" and got["dotted"]["problems"] == []
    expected = {"m13": "impossible date (month 13)", "y1700": "impossible date (before 1900)",
                "future": "impossible date (in the future)",
                "feb30": "impossible date (day 30 of month 2)", "word": "not a date",
                "year": "only a year or a month; not a full date"}
    for record, reason in expected.items():
        assert got[record]["birth_date"] is None, record
        assert reasons(got[record], "birth_date") == [reason], record


def test_a_second_birth_date_is_reported():
    person = entity("Person", "p", name="Olena Shevchenko",
                    birthDate=["1985-13-01", "1991-04-17", "1991-04-18"])
    row = rows([person])["p"]
    assert row["birth_date"] == "1991-04-17"
    assert reasons(row, "birth_date") == ["impossible date (month 13)",
                                          "another birth date (1991-04-17) was kept"]


def test_phones_without_a_country():
    got = rows([
        entity("Person", "lv", name="Olena Shevchenko", phone=["2012 3456", "0037120123457"],
               country="lv"),
        entity("Person", "none", name="Olena Shevchenko", phone=["2012 3456", "+37120123458"]),
        entity("Person", "bad", name="Olena Shevchenko", phone=["12", "+999 1"], country="lv"),
    ])
    assert got["lv"]["phones"] == ["+37120123456", "+37120123457"]
    assert got["none"]["phones"] == ["+37120123458"]
    assert reasons(got["none"], "phones") == ["no country code and the record has no country"]
    assert got["bad"]["phones"] == []
    assert reasons(got["bad"], "phones") == [
        "not a possible number for the record's countries",
        "not a possible number for its country code"]


def test_bad_emails_and_registration_numbers_are_reported():
    person = entity("Person", "p", name="Olena Shevchenko", email=["not-an-address", "A@B.EXAMPLE"],
                    passportNumber=["-", "0000", "FF 1234567"])
    row = rows([person])["p"]
    assert row["emails"] == ["a@b.example"]
    assert row["reg_numbers"] == ["FF1234567"]
    assert reasons(row, "emails") == ["not an email address"]
    assert reasons(row, "reg_numbers") == ["too short or a placeholder"] * 2


def test_problem_report_reads_every_problem_back():
    entities = [entity("Person", "p", name="O. S.", birthDate="1985-13-01",
                       phone='20 12 "34": 56'),
                entity("Person", "q", name="Olena Shevchenko")]
    report = problem_report(build_records(entities, today=TODAY))
    assert report == [
        Problem("p", "name", "O. S.", "only initials"),
        Problem("p", "birth_date", "1985-13-01", "impossible date (month 13)"),
        Problem("p", "phones", '20 12 "34": 56',
                "no country code and the record has no country"),
    ]
    assert report[0].text() == 'name: only initials: "O. S."'
    assert Problem.parse("p", report[2].text()) == report[2]


def test_an_empty_input_gives_an_empty_table():
    table = build_records([], today=TODAY)
    assert table.num_rows == 0 and table.schema.equals(SCHEMA)
    assert problem_report(table) == []


PROPS = ("name", "alias", "birthDate", "phone", "email", "idNumber", "passportNumber",
         "country", "nationality", "address", "gender", "firstName")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PROPS), st.text(min_size=1, max_size=40)),
                max_size=10),
       st.sampled_from(["Person", "Company", "Organization"]))
def test_no_values_crash_the_record_builder(values, schema):
    proxy = model.make_entity(schema)
    proxy.id = "x"
    for prop, value in values:
        if prop in proxy.schema.properties:
            proxy.add(prop, value, cleaned=True)
    table = build_records([proxy], today=TODAY)
    assert table.num_rows == 1
    assert isinstance(table, pa.Table) and table.schema.equals(SCHEMA)
    for problem in problem_report(table):
        assert problem.record_id == "x" and problem.field and problem.reason
