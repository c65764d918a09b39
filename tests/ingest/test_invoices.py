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
        "INV-3,2026-03-03,,Būve SIA,40003000003,,LV,Ehitus OÜ,10000001,LV100000007,EE,,,"
        "1.00,,EUR,",
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
