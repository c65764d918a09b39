"""Invoices between companies: the ``invoice`` bulk record kind through the tabular importer."""

import textwrap
from decimal import Decimal

import pytest

from veriga.ingest import ImportRequest, MappingError

MAPPING = textwrap.dedent("""\
    csv: {delimiter: ","}
    records:
      invoice:
        invoice_no: {column: invoice_no}
        issue_date: {column: issue_date, format: "%Y-%m-%d"}
        due_date: {column: due_date, format: "%Y-%m-%d"}
        supplier_name: {column: supplier_name}
        supplier_reg: {column: supplier_reg}
        supplier_vat: {column: supplier_vat}
        supplier_country: {column: supplier_country}
        buyer_name: {column: buyer_name}
        buyer_reg: {column: buyer_reg}
        buyer_vat: {column: buyer_vat}
        buyer_country: {column: buyer_country}
        contract_ref: {column: contract_ref}
        description: {column: description}
        net_amount: {column: net_amount}
        vat_amount: {column: vat_amount}
        currency: {column: currency}
        pay_to_account: {column: pay_to_iban}
""")

HEADER = ("invoice_no,issue_date,due_date,supplier_name,supplier_reg,supplier_vat,"
          "supplier_country,buyer_name,buyer_reg,buyer_vat,buyer_country,contract_ref,"
          "description,net_amount,vat_amount,currency,pay_to_iban")

# registration and VAT numbers with valid check digits (Latvian, Estonian, Finnish, Polish)
GOOD = [
    "INV-1,2026-03-01,2026-03-31,Būve SIA,40003000002,LV40003000002,lv,Ehitus OÜ,10000001,"
    "EE100000007,EE,K-1,Construction works,10000.00,2100.00,EUR,LV80BANK0000435195001",
    "INV-2,2026-03-02,,Rakennus Oy,1000000-4,FI 10000004,FI,Budowa sp. z o.o.,0000123456,"
    "PL5260000005,PL,K-2,Staff,500.50,,PLN,",
]


def _csv(tmp_path, rows, name="invoices.csv"):
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "invoices.mapping.yml"
    path.write_text(MAPPING, encoding="utf-8")
    return path


def _invoices(ws, case="c"):
    engine = ws.records.engine(case)
    try:
        return engine.query('SELECT * FROM "invoice" ORDER BY locator').to_pylist()
    finally:
        engine.close()


def test_invoices_are_records_with_compact_numbers(sqlite_ws, tmp_path, mapping):
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(_csv(tmp_path, GOOD),
                                                             mapping=mapping)])
    assert not r.rejects
    assert r.records == {"invoice": 2}
    first, second = _invoices(sqlite_ws)
    assert first["supplier_reg"] == "40003000002" and first["supplier_country"] == "LV"
    assert first["supplier_vat"] == "LV40003000002"
    assert first["buyer_vat"] == "EE100000007"
    assert first["net_amount"] == Decimal("10000.00")
    assert first["amount_eur"] == Decimal("10000.00")
    assert first["pay_to_account"] == "LV80BANK0000435195001"
    assert str(first["issue_date"]) == "2026-03-01"
    assert first["locator"] == "line 2"
    assert second["supplier_reg"] == "10000004"  # Y-tunnus 1000000-4, compact
    assert second["supplier_vat"] == "FI10000004"
    assert second["buyer_reg"] == "0000123456"  # KRS: ten digits, no check digit
    assert second["amount_eur"] is None  # PLN: no EUR value without a rate
    assert second["due_date"] is None and second["vat_amount"] is None


def test_invalid_numbers_are_reported_and_the_invoice_kept(sqlite_ws, tmp_path, mapping):
    rows = [
        # Latvian check digit wrong; Estonian VAT with the wrong country prefix
        "INV-3,2026-03-03,2026-03-01,Būve SIA,40003000003,,LV,Ehitus OÜ,10000001,LV100000007,"
        "EE,,,1.00,,EUR,",
        # no supplier at all: neither number nor name
        "INV-4,2026-03-03,,,,,LV,Ehitus OÜ,10000001,,EE,,,1.00,,EUR,",
        # impossible date, amount that is no amount
        "INV-5,2026-02-30,,Būve SIA,40003000002,,LV,Ehitus OÜ,10000001,,EE,,,1.00,,EUR,",
        "INV-6,2026-03-03,,Būve SIA,40003000002,,LV,Ehitus OÜ,10000001,,EE,,,ten,,EUR,",
    ]
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(_csv(tmp_path, rows),
                                                             mapping=mapping)])
    got = {(x.locator, x.field): x.reason for x in r.rejects}
    assert "not valid for LV" in got[("line 2", "supplier_reg")]
    assert "value left empty" in got[("line 2", "supplier_reg")]
    assert "prefix LV" in got[("line 2", "buyer_vat")]
    assert "due_date 2026-03-01 is before issue_date 2026-03-03" in got[("line 2", "due_date")]
    assert "record skipped" in got[("line 3", "supplier_reg")]
    assert "not a valid date" in got[("line 4", "issue_date")]
    assert "not an amount" in got[("line 5", "net_amount")]
    [kept] = _invoices(sqlite_ws)
    assert kept["invoice_no"] == "INV-3"
    assert kept["supplier_reg"] is None and kept["supplier_name"] == "Būve SIA"
    assert kept["buyer_reg"] == "10000001"


def test_a_mapping_must_name_each_party(tmp_path):
    from veriga.ingest.mapping import load_mapping

    path = tmp_path / "m.yml"
    text = "\n".join(line for line in MAPPING.splitlines()
                     if not line.strip().startswith(("buyer_name:", "buyer_reg:")))
    path.write_text(text, encoding="utf-8")
    with pytest.raises(MappingError, match="buyer_reg or buyer_name"):
        load_mapping(path)


# -- presets: plain invoice ledgers without a mapping file ---------------------------------

LEDGER_EN = """\
Invoice No,Invoice Date,Due Date,Supplier,Supplier Reg No,Supplier VAT No,Customer,\
Customer Reg No,Customer VAT No,Description,Net,VAT,Total,Currency,Reference
2026/001,2026-03-01,2026-03-31,Būve SIA,40003000002,LV40003000002,Ehitus OÜ,10000001,\
EE100000007,Construction works,"12,500.00","2,625.00","15,125.00",EUR,K-1
2026/002,2026-03-05,,Rakennus Oy,1000000-4,FI10000004,Ehitus OÜ,10000001,EE100000007,\
Staff hire,800.00,192.00,992.00,EUR,
2026/003,05/03/2026,,Budowa sp. z o.o.,0000123456,PL5260000005,Ehitus OÜ,10000002,\
EE100000007,Scaffolding,100.00,,100.00,PLN,K-9
"""

LEDGER_LV = """\
Rēķina Nr.;Datums;Apmaksas termiņš;Piegādātājs;Piegādātāja reģ. Nr.;Piegādātāja PVN Nr.;\
Pircējs;Pircēja reģ. Nr.;Pircēja PVN Nr.;Apraksts;Summa bez PVN;PVN;Kopā;Valūta;Atsauce
BV-17;01.03.2026;31.03.2026;SIA "Būve";40003000002;LV40003000002;SIA "Pasūtītājs";\
40003000017;LV40003000017;Celtniecības darbi;12 500,00;2 625,00;15 125,00;EUR;L-2026/4
BV-18;02.03.2026;;SIA "Būve";40003000002;LV40003000002;SIA "Pasūtītājs";40003000017;\
LV40003000017;Darbaspēka noma;1 000,50;210,11;1 210,61;EUR;L-2026/4
"""

LEDGER_ET = """\
Arve nr;Kuupäev;Maksetähtaeg;Tarnija;Tarnija registrikood;Tarnija KMKR nr;Ostja;\
Ostja registrikood;Ostja KMKR nr;Selgitus;Summa km-ta;Käibemaks;Kokku;Valuuta;Viide
A-100;15.03.2026;14.04.2026;Ehitus OÜ;10000001;EE100000007;Būve SIA;40003000002;\
LV40003000002;Ehitustööd;4 000,00;880,00;4 880,00;EUR;H-7
"""


def _ledger(tmp_path, text, name):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_english_ledger_imports_by_its_preset(sqlite_ws, tmp_path):
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(
        _ledger(tmp_path, LEDGER_EN, "ledger.csv"))])
    assert r.mapping == "preset invoice-ledger-en"
    assert r.records == {"invoice": 3}
    # the third buyer's registry code has a wrong check digit: reported, invoice kept
    assert [(x.locator, x.field, x.value) for x in r.rejects] == [
        ("line 4", "buyer_reg", "10000002")]
    first, second, third = _invoices(sqlite_ws)
    assert first["net_amount"] == Decimal("12500.00")
    assert first["total_amount"] == Decimal("15125.00")
    assert (first["supplier_country"], first["buyer_country"]) == ("LV", "EE")  # VAT prefix
    assert first["contract_ref"] == "K-1"
    assert second["supplier_reg"] == "10000004" and second["supplier_country"] == "FI"
    assert str(third["issue_date"]) == "2026-03-05"  # day first
    assert third["buyer_reg"] is None and third["buyer_name"] == "Ehitus OÜ"
    assert third["buyer_country"] == "EE" and third["buyer_vat"] == "EE100000007"


def test_latvian_and_estonian_ledgers_import_by_their_presets(sqlite_ws, tmp_path):
    sqlite_ws.cases.create("c")
    results = sqlite_ws.records.import_files("c", [
        ImportRequest(_ledger(tmp_path, LEDGER_LV, "rekini.csv")),
        ImportRequest(_ledger(tmp_path, LEDGER_ET, "arved.csv"))])
    assert [r.mapping for r in results] == ["preset invoice-ledger-lv", "preset invoice-ledger-et"]
    assert all(not r.rejects for r in results)
    rows = _invoices(sqlite_ws)
    by_no = {r["invoice_no"]: r for r in rows}
    assert by_no["BV-18"]["net_amount"] == Decimal("1000.50")
    assert by_no["BV-18"]["vat_amount"] == Decimal("210.11")
    assert by_no["BV-17"]["buyer_vat"] == "LV40003000017"
    assert str(by_no["BV-17"]["due_date"]) == "2026-03-31"
    assert by_no["A-100"]["supplier_reg"] == "10000001"
    assert by_no["A-100"]["supplier_country"] == "EE"
    assert by_no["A-100"]["amount_eur"] == Decimal("4000.00")


def test_ledger_party_country_comes_from_the_import_when_the_file_has_none(sqlite_ws,
                                                                          tmp_path):
    text = LEDGER_EN.splitlines()[0] + "\n" + \
        "X-1,2026-03-01,,Ehitus OÜ,10000001,,Other OÜ,10000018,,Work,1.00,,1.00,EUR,\n"
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(
        _ledger(tmp_path, text, "ee.csv"), country="EE")])
    assert not r.rejects
    [row] = _invoices(sqlite_ws)
    assert (row["supplier_country"], row["buyer_reg"]) == ("EE", "10000018")
    # without a country, a number cannot be checked: only compacted, nothing rejected
    sqlite_ws.cases.create("d")
    [r] = sqlite_ws.records.import_files("d", [ImportRequest(
        _ledger(tmp_path, text.replace("10000018", "10000019"), "any.csv"))])
    assert not r.rejects
    [row] = _invoices(sqlite_ws, "d")
    assert (row["buyer_country"], row["buyer_reg"]) == (None, "10000019")


REGISTER = """\
registration_number;country;name
40003000002;LV;Būve SIA
10000001;EE;Ehitus OÜ
"""
REGISTER_MAPPING = """\
csv: {delimiter: ";"}
entities:
  company:
    schema: Company
    keys: [registration_number, country]
    properties:
      name: {column: name}
      registrationNumber: {column: registration_number}
      jurisdiction: {column: country}
"""


def test_invoices_of_companies_the_case_does_not_know_are_reported(sqlite_ws, tmp_path,
                                                                   mapping):
    register = _ledger(tmp_path, REGISTER, "register.csv")
    register_mapping = _ledger(tmp_path, REGISTER_MAPPING, "register.mapping.yml")
    rows = [GOOD[0],  # both parties in the register
            # a Finnish supplier and a Polish buyer the register does not hold
            GOOD[1],
            # a valid Estonian registry code of no company in the register
            "INV-9,2026-03-09,,Muu OÜ,10000018,,EE,Ehitus OÜ,10000001,,EE,,,1.00,,EUR,"]
    sqlite_ws.cases.create("c")
    # the invoices come first in the run: the check waits for the register
    invoices, _ = sqlite_ws.records.import_files("c", [
        ImportRequest(_csv(tmp_path, rows), mapping=mapping),
        ImportRequest(register, mapping=register_mapping)])
    got = sorted((x.locator, x.field, x.value) for x in invoices.rejects)
    assert got == [("line 3", "buyer_reg", "0000123456"), ("line 3", "supplier_reg", "10000004"),
                   ("line 4", "supplier_reg", "10000018")]
    assert all("invoice kept" in x.reason for x in invoices.rejects)
    assert len(_invoices(sqlite_ws)) == 3
    [source] = [s for s in sqlite_ws.records.sources("c") if s["file_name"] == "invoices.csv"]
    assert source["reject_count"] == 3


def test_ledger_in_xlsx_imports_by_its_preset_and_strict_refuses_unknown_parties(
        sqlite_ws, tmp_path):
    import csv
    import io

    import openpyxl

    from veriga.errors import ImportFailed

    book = openpyxl.Workbook()
    sheet = book.active
    for row in csv.reader(io.StringIO("\n".join(LEDGER_EN.splitlines()[:3]))):
        sheet.append(row)  # the rows whose numbers are all valid
    path = tmp_path / "ledger.xlsx"
    book.save(path)
    register = _ledger(tmp_path, REGISTER, "register.csv")
    register_mapping = _ledger(tmp_path, REGISTER_MAPPING, "register.mapping.yml")
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed, match="no company of the case, in strict mode"):
        sqlite_ws.records.import_files("c", [
            ImportRequest(register, mapping=register_mapping), ImportRequest(path)],
            strict=True)
    assert sqlite_ws.records.sources("c") == []  # nothing of the run stored
    _, r = sqlite_ws.records.import_files("c", [
        ImportRequest(register, mapping=register_mapping), ImportRequest(path)])
    assert r.mapping == "preset invoice-ledger-en" and r.records == {"invoice": 2}
    assert [(x.locator, x.field) for x in r.rejects] == [("row 3", "supplier_reg")]
    assert _invoices(sqlite_ws)[1]["supplier_reg"] == "10000004"
