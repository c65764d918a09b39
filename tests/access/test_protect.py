"""Who minimisation takes in: every record that may be the same person as a marked one."""

from __future__ import annotations

from veriga.access.protect import Row, name_key, protect


def _rows(*entities: tuple[str, str, dict[str, list[str]]]) -> list[Row]:
    types = {"name": "name", "phone": "phone", "iban": "identifier", "passportNumber":
             "identifier", "number": "identifier", "email": "email"}
    out = []
    for entity_id, schema, props in entities:
        for prop, values in props.items():
            for value in values:
                latin = None
                if "|" in value:
                    value, latin = value.split("|")
                out.append(Row(entity_id, schema, prop, types[prop], value, latin))
    return out


def _links(*links: tuple[str, str, str, str]) -> list[Row]:
    return [Row(link, schema, prop, "entity", value) for link, schema, prop, value in links]


VALUES = _rows(
    ("olena", "Person", {"name": ["Олена Шевченко|Olena Shevchenko"],
                         "phone": ["+380501234567"]}),
    ("payroll", "Person", {"name": ["SHEVCHENKO OLENA"]}),
    ("booking", "Person", {"name": ["O. S."], "phone": ["+380501234567"]}),
    ("holder", "LegalEntity", {"name": ["Olena Shevchenko"]}),
    ("acc", "BankAccount", {"iban": ["LV80BANK0000435195001"]}),
    ("acc2", "BankAccount", {"iban": ["EE382200221020145685"]}),
    ("pass", "Passport", {"number": ["FE123456"]}),
    ("maria", "Person", {"name": ["Maria Ozola"], "phone": ["+371 2000 0002"]}),
    ("boss", "Person", {"name": ["Ivan Petrov"], "phone": ["+380509999999"]}),
    ("stranger", "Person", {"name": ["Kadri Tamm"]}),
    ("company", "Company", {"name": ["Olena Shevchenko"]}),
)
LINKS = _links(("own", "Ownership", "owner", "holder"), ("own", "Ownership", "asset", "acc"),
               ("pass", "Passport", "holder", "olena"))


def test_records_of_one_person_carry_one_pseudonym() -> None:
    p = protect("key", {"olena": "victim", "maria": "victim"}, VALUES, LINKS)
    olena = {e for e, seed in p.group_of.items() if seed == "olena"}
    # another script, swapped and upper-case names, a shared phone, the holder record, the
    # account it holds, her passport
    assert olena == {"olena", "payroll", "booking", "holder", "acc", "pass"}
    assert len({p.label(e) for e in olena}) == 1
    assert p.label("olena") != p.label("maria")
    assert not {"stranger", "company"} & set(p.group_of)


def test_a_marked_suspect_sharing_her_phone_keeps_his_own_identity() -> None:
    values = VALUES + _rows(("boss", "Person", {"phone": ["+380501234567"]}))
    p = protect("key", {"olena": "victim", "boss": "suspect"}, values, LINKS)
    assert p.group_of["boss"] == "boss" and p.label("boss").startswith("Suspect ")
    # the phone they share names neither of them
    assert p.scrubber("call +380 50 123 4567") == "call [withheld]"
    # an unmarked record with her phone is taken in as possibly her
    p = protect("key", {"olena": "victim"}, values, LINKS)
    assert p.group_of["boss"] == "olena"


def test_accounts_that_bank_records_name_after_her() -> None:
    p = protect("key", {"olena": "victim"}, VALUES, LINKS,
                named_accounts=[("EE382200221020145685", "SHEVCHENKO  OLENA"),
                                ("EE382200221020145685", None),
                                ("LT601010012345678901", "Olena Shevchenko")])
    assert p.group_of["acc2"] == "olena"
    assert "LT601010012345678901" not in p.scrubber("to LT60 1010 0123 4567 8901")


def test_her_names_parts_and_numbers_leave_every_text() -> None:
    p = protect("key", {"olena": "victim"}, VALUES, LINKS)
    label = p.label("olena")
    text = ("Olena Shevchenko paid LV80BANK0000435195001 to the Shevchenko family; "
            "passport FE123456; Олена Шевченко; olena")
    out = p.scrubber(text)
    for secret in ("Olena", "Shevchenko", "LV80BANK", "FE123456", "Олена", "Шевченко"):
        assert secret not in out, secret
    assert out.startswith(f"{label} paid {label} account ")
    assert p.entity_id("olena").startswith("pseudo-") and p.real_id(p.entity_id("olena")) == \
        "olena"
    assert p.scrubber("olena") == p.entity_id("olena")  # her id, wherever it appears


def test_the_pseudonyms_depend_on_the_case_key() -> None:
    one = protect("key one", {"olena": "victim"}, VALUES, LINKS)
    two = protect("key two", {"olena": "victim"}, VALUES, LINKS)
    assert one.label("olena") != two.label("olena")
    assert one.entity_id("olena") != two.entity_id("olena")


def test_name_keys_ignore_order_case_accents() -> None:
    assert name_key("ȚURCAN, Denisa") == name_key("denisa turcan")
