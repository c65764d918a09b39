import textwrap
from decimal import Decimal

import openpyxl
import pytest

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest, MappingError

MAPPING = textwrap.dedent("""\
    csv: {delimiter: ";"}
    country: LV
    entities:
      person:
        schema: Person
        keys: [name]
        properties:
          name: {column: name}
          phone: {column: phone}
          birthDate: {column: dob, format: "%d.%m.%Y"}
      account:
        schema: BankAccount
        keys: [iban]
        properties:
          iban: {column: iban}
      holder:
        schema: Ownership
        keys: [name, iban]
        properties:
          owner: {entity: person}
          asset: {entity: account}
    records:
      transaction:
        account: {column: iban}
        booking_date: {column: date, format: "%d.%m.%Y"}
        amount: {column: amount, decimal: ","}
        currency: {literal: EUR}
        ref: {column: ref}
""")

HEADER = "name;phone;dob;iban;date;amount;ref"
ROWS = [
    "Jānis Bērziņš;2012 3456;01.02.1990;LV80BANK0000435195001;01.03.2026;-12,50;R1",
    "Jānis Bērziņš;2012 3456;01.02.1990;LV80BANK0000435195001;02.03.2026;100,00;R2",
    "Мария Иванова;+359 88 123 4567;15.07.1999;BG80BNBG96611020345678;03.03.2026;-0,00;R3",
]


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "m.yml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def _csv(tmp_path, rows, name="t.csv", encoding="utf-8", header=HEADER):
    path = tmp_path / name
    path.write_bytes(("\n".join([header, *rows]) + "\n").encode(encoding))
    return path


def _tx(ws, case="c"):
    engine = ws.records.engine(case)
    rows = engine.query(
        'SELECT ref, booking_date, amount, locator, account FROM "transaction" ORDER BY ref'
    ).to_pylist()
    engine.close()
    return rows


def test_csv_with_mapping_gives_entities_and_records(ws, tmp_path, mapping):
    ws.cases.create("c")
    [r] = ws.records.import_files("c", [ImportRequest(_csv(tmp_path, ROWS), mapping=mapping)])
    assert not r.rejects
    assert r.records == {"transaction": 3}
    people = {e.first("name"): e for e in ws.entities.list("c", ["Person"])}
    assert set(people) == {"Jānis Bērziņš", "Мария Иванова"}
    assert people["Jānis Bērziņš"].get("phone") == ["+37120123456"]
    assert people["Мария Иванова"].get("birthDate") == ["1999-07-15"]
    owners = list(ws.entities.list("c", ["Ownership"]))
    assert len(owners) == 2 and all(o.get("owner") and o.get("asset") for o in owners)
    tx = _tx(ws)
    assert [t["amount"] for t in tx] == [Decimal("-12.50"), Decimal("100.00"), Decimal("0.00")]
    assert str(tx[2]["amount"]) == "0.000"  # negative zero is zero
    assert [t["locator"] for t in tx] == ["line 2", "line 3", "line 4"]


def test_bad_values_are_rejected_with_their_line(sqlite_ws, tmp_path, mapping):
    rows = [
        ROWS[0],
        "Anna;2012 3457;01.02.1990;LV80BANK0000435195001;32.03.2026;1,00;R2",
        "Anna;2012 3457;01.02.1990;LV81BANK0000435195001;03.03.2026;1,00;R3",
        "Anna;2012 3457;01.02.1990;LV80BANK0000435195001;03.03.2026;ten;R4",
        "Anna;2012 3457;1990-13-45;LV80BANK0000435195001;03.03.2026;1,005;R5",
        "only;three;fields",
    ]
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(_csv(tmp_path, rows),
                                                             mapping=mapping)])
    got = sorted((x.locator, x.field or "") for x in r.rejects)
    assert ("line 3", "booking_date") in got
    assert ("line 4", "account") in got
    assert ("line 5", "amount") in got
    assert ("line 6", "amount") in got
    assert ("line 6", "birthDate") in got
    assert ("line 7", "") in got
    assert [t["ref"] for t in _tx(sqlite_ws)] == ["R1"]


def test_quoted_newlines_keep_true_line_numbers(sqlite_ws, tmp_path, mapping):
    rows = ['"Anna\nOzola";2012 3456;01.02.1990;LV80BANK0000435195001;01.03.2026;5,00;R1',
            "Anna;2012 3456;01.02.1990;LV80BANK0000435195001;99.03.2026;5,00;R2"]
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(_csv(tmp_path, rows),
                                                             mapping=mapping)])
    assert [(x.locator, x.field) for x in r.rejects] == [("line 4", "booking_date")]


def test_wrong_encoding_is_a_clear_error_and_encoding_option_fixes_it(sqlite_ws, tmp_path,
                                                                       mapping):
    path = _csv(tmp_path, ROWS[2:], encoding="cp1251")
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed, match=r"t.csv:line 2: .*--encoding"):
        sqlite_ws.records.import_files("c", [ImportRequest(path, mapping=mapping)])
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path, mapping=mapping,
                                                             encoding="cp1251")])
    assert [e.first("name") for e in sqlite_ws.entities.list("c", ["Person"])] == ["Мария Иванова"]
    assert not r.rejects


def test_missing_columns_name_what_the_file_has(sqlite_ws, tmp_path, mapping):
    path = _csv(tmp_path, ["a;b"], header="name;phone")
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed, match="'amount'.*not in the file.*it has: name, phone"):
        sqlite_ws.records.import_files("c", [ImportRequest(path, mapping=mapping)])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("entities:\n  p:\n    schema: Persn\n    keys: [a]\n", "unknown schema 'Persn'"),
        ("entities:\n  p:\n    schema: Person\n    keys: [a]\n    properties:\n"
         "      nme: {column: a}\n", "Person has no property 'nme'"),
        ("entities:\n  p:\n    schema: Person\n    properties:\n      name: a\n", "keys"),
        ("records:\n  transaction:\n    account: {column: a}\n", "required field"),
        ("records:\n  wire:\n    x: {column: a}\n", "unknown record kind"),
        ("entities: [1, 2", "not valid YAML"),
        ("entities:\n  o:\n    schema: Ownership\n    keys: [a]\n    properties:\n"
         "      owner: {entity: ghost}\n", "no entity named 'ghost'"),
    ],
)
def test_mapping_errors_name_the_place(sqlite_ws, tmp_path, text, message):
    mapping = tmp_path / "bad.yml"
    mapping.write_text(text, encoding="utf-8")
    sqlite_ws.cases.create("c")
    with pytest.raises(MappingError, match=message):
        sqlite_ws.records.import_files("c", [ImportRequest(_csv(tmp_path, ROWS), mapping=mapping)])


def test_csv_without_mapping_says_so(sqlite_ws, tmp_path):
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed, match="need a mapping"):
        sqlite_ws.records.import_files("c", [ImportRequest(_csv(tmp_path, ROWS))])


def test_xlsx_with_mapping(sqlite_ws, tmp_path, mapping):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(";"))
    for row in ROWS:
        sheet.append(row.split(";"))
    sheet.append(["Bad Date", "2012 3456", "01.02.1990", "LV80BANK0000435195001", "nope",
                  "1,00", "R9"])
    path = tmp_path / "t.xlsx"
    book.save(path)
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path, mapping=mapping)])
    assert r.format == "xlsx"
    assert [(x.locator, x.field) for x in r.rejects] == [("row 5", "booking_date")]
    assert len(_tx(sqlite_ws)) == 3
