"""Hostile and broken input: a clean error naming the file and place, and nothing stored."""

from decimal import Decimal

import pytest
from ingesthelpers import snapshot
from test_camt import HAPPY, OTHER, OWN, document, ntry, stmt
from test_mt940 import HAPPY as MT940

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest


def _file(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _laughs():
    ents = ['<!ENTITY a0 "ha">'] + [f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 9)]
    return ('<?xml version="1.0"?>\n<!DOCTYPE Document [' + "".join(ents) + "]>\n"
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&a8;</Document>')


HARD = {
    "external DTD (XXE)": ("x.xml", HAPPY.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?>\n<!DOCTYPE Document SYSTEM "file:///etc/passwd">'),
        {}, r"x\.xml: XML with a DOCTYPE/DTD is refused"),
    "parameter entity (XXE)": ("x.xml", HAPPY.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY % p SYSTEM "http://127.0.0.1:9/x"> %p;]>'),
        {}, r"x\.xml: XML with a DOCTYPE/DTD is refused"),
    "billion laughs": ("x.xml", _laughs(), {}, r"x\.xml: .*refused"),
    "camt over the size limit": ("x.xml", HAPPY + "<!-- other -->", {"max_bytes": 500},
                                 r"x\.xml: file is [\d,]+ bytes, over the limit of 500 bytes"),
    "truncated XML": ("x.xml", HAPPY[:700], {},
                      r"x\.xml:line \d+, column \d+: malformed or truncated XML"),
    "MT940 over the size limit": ("x.sta", MT940, {"max_bytes": 50},
                                  r"x\.sta: file is [\d,]+ bytes, over the limit of 50 bytes"),
    "not a statement": ("x.sta", ":20:\n", {"max_bytes": None},
                        r"x\.sta: nothing to import"),
    "CSV of unknown layout": ("x.csv", "when;what\n2026-03-01;5\n", {},
                              r"x\.csv: .*Header: when, what"),
}


@pytest.mark.parametrize("case", list(HARD))
def test_hard_errors_store_nothing(sqlite_ws, tmp_path, case):
    name, text, options, message = HARD[case]
    sqlite_ws.cases.create("c")
    sqlite_ws.records.import_files("c", [ImportRequest(_file(tmp_path, "ok.xml", HAPPY))])
    before = snapshot(sqlite_ws)
    fmt = {"xml": "camt", "sta": "mt940", "csv": "csv"}[name.rsplit(".", 1)[1]]
    second = document([stmt([ntry("1.00", ref="Z9")], closing="101.00")])
    with pytest.raises(ImportFailed, match=message) as err:
        sqlite_ws.records.import_files("c", [
            ImportRequest(_file(tmp_path, "also.xml", second)),  # fine, but undone too
            ImportRequest(_file(tmp_path, name, text), format=fmt, options=options),
        ])
    assert "root:" not in str(err.value)  # no file content leaks into the message
    assert snapshot(sqlite_ws) == before


def test_truncated_mt940_reports_file_and_line(sqlite_ws, tmp_path):
    cut = MT940.split(":86:083")[0]  # cut inside the last record, before :62F:
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(_file(tmp_path, "cut.sta", cut))])
    rendered = [x.render(r.file_name) for x in r.rejects]
    assert rendered == ["cut.sta:line 2: balance=None statement has no closing balance; "
                        "the file may be truncated"]
    assert r.records == {"transaction": 4}


CSV_MAPPING = """\
csv: {delimiter: ";"}
records:
  transaction:
    account: {column: iban}
    booking_date: {column: date, format: "%d.%m.%Y"}
    amount: {column: amount, decimal: ","}
    currency: {column: ccy}
"""


def test_csv_dates_out_of_range_mixed_currencies_and_negative_zero(sqlite_ws, tmp_path):
    rows = ["iban;date;amount;ccy",
            f"{OWN};01.03.2026;-0,00;EUR",
            f"{OWN};02.03.2026;12,50;USD",
            f"{OWN};01.01.1850;1,00;EUR",
            f"{OWN};01.01.2999;1,00;EUR",
            f"{OTHER};03.03.2026;-7,25;eur"]
    mapping = _file(tmp_path, "m.yml", CSV_MAPPING)
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(_file(tmp_path, "t.csv",
                                                                   "\n".join(rows)),
                                                     mapping=mapping)])
    assert [(x.locator, x.field) for x in r.rejects] == [("line 4", "booking_date"),
                                                          ("line 5", "booking_date")]
    assert "from 1900-01-01" in r.rejects[0].reason
    engine = sqlite_ws.records.engine("c")
    got = engine.query('SELECT locator, CAST(amount AS VARCHAR) AS a, currency, amount_eur '
                       'FROM "transaction" ORDER BY locator').to_pylist()
    engine.close()
    assert [(x["locator"], x["a"], x["currency"], x["amount_eur"]) for x in got] == [
        ("line 2", "0.000", "EUR", Decimal("0.00")),  # amounts kept to 3 decimals (KWD)
        ("line 3", "12.500", "USD", None),  # no rate given: no EUR amount invented
        ("line 6", "-7.250", "eur", Decimal("-7.25")),
    ]


def test_mixed_currencies_in_one_camt_statement(sqlite_ws, tmp_path):
    text = document([stmt([ntry("10.00", ref="M1"), ntry("3.00", ref="M2", ccy="SEK")],
                          opening="0.00", closing="13.00")])
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(_file(tmp_path, "m.xml", text))])
    engine = sqlite_ws.records.engine("c")
    got = engine.query('SELECT ref, amount, currency, amount_eur FROM "transaction" '
                       "ORDER BY ref").to_pylist()
    engine.close()
    assert [(x["ref"], x["amount"], x["currency"], x["amount_eur"]) for x in got] == [
        ("M1", Decimal("10.00"), "EUR", Decimal("10.00")),
        ("M2", Decimal("3.00"), "SEK", None)]
