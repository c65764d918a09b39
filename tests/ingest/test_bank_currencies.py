"""Amounts keep their currency's decimals (ISO 4217): three for the Kuwaiti dinar, none for
the yen, in camt, MT940 and CSV imports; balances are checked to the fils and the yen; an
amount with more decimals than its currency has is rejected on its line."""

from decimal import Decimal
from pathlib import Path

from test_camt import document as camt_document
from test_camt import ntry, stmt
from test_mt940 import tx

from veriga.ingest import ImportRequest
from veriga.ingest.bankstatement import make_id

CAMT = Path(__file__).parent / "data" / "camt" / "camt053-v08-kwd-jpy.xml"
MT940 = Path(__file__).parent / "data" / "mt940"
KW1, KW2 = "KW51NBOK0000000000002010123456", "KW81CBKU0000000000001234560101"
JO1 = "JO94CBJO0010000000000131000302"


def _import(ws, *paths: Path):
    ws.cases.create("c")
    return ws.records.import_files("c", [ImportRequest(p) for p in paths])


def _payments(ws):
    return {p.id: p for p in ws.entities.list("c", ["Payment"])}


def test_mt940_in_kuwaiti_dinars_and_yen(sqlite_ws):
    results = _import(sqlite_ws, MT940 / "kwd.sta", MT940 / "jpy.sta")
    assert [r.rejects for r in results] == [[], []]  # both balance exactly
    rows = sorted(tx(sqlite_ws), key=lambda r: r["ref"])
    assert [(r["currency"], r["amount"]) for r in rows] == [
        ("JPY", Decimal("150000")), ("JPY", Decimal("-2500")), ("JPY", Decimal("-37500")),
        ("KWD", Decimal("12.345")), ("KWD", Decimal("-250.125")), ("KWD", Decimal("-0.005"))]
    assert all(r["amount_eur"] is None for r in rows)
    pay = _payments(sqlite_ws)[make_id("payment", KW1, JO1, "2026-03")]
    assert pay.get("amount") == ["250.125"] and pay.get("currency") == ["KWD"]


def test_camt_in_kuwaiti_dinars_and_yen(sqlite_ws):
    [result] = _import(sqlite_ws, CAMT)
    assert result.rejects == []  # 1000.500 + 12.345 - 250.125 - 0.005 = 762.715
    pays = _payments(sqlite_ws)
    assert pays[make_id("payment", KW2, KW1, "2026-03")].get("amount") == ["12.345"]
    yen = pays[make_id("payment", "0098765432", "0012345678", "2026-03")]
    assert yen.get("amount") == ["150000"] and yen.get("currency") == ["JPY"]


def test_the_ledger_keeps_the_fils(sqlite_ws):
    _import(sqlite_ws, CAMT)
    with sqlite_ws.records.ledger("c") as ledger:
        got = ledger.engine.query(
            "SELECT currency, sum(amount) AS total, count(*) AS n FROM ledger "
            "GROUP BY currency ORDER BY currency").to_pylist()
    assert got == [{"currency": "JPY", "total": Decimal("110000"), "n": 3},
                   {"currency": "KWD", "total": Decimal("-237.785"), "n": 3}]


def test_more_decimals_than_the_currency_has_are_rejected(sqlite_ws, tmp_path):
    euro = camt_document([stmt([ntry("1.234", ref="E1"), ntry("2.00", ref="E2")],
                               opening="0.00", closing="2.00")])
    (tmp_path / "euro.xml").write_text(euro, encoding="utf-8")
    yen = (MT940 / "jpy.sta").read_text(encoding="utf-8").replace("D2500,N", "D2500,5N")
    (tmp_path / "yen.sta").write_text(yen, encoding="utf-8")
    dinar = (MT940 / "kwd.sta").read_text(encoding="utf-8").replace("D0,005N", "D0,0051N")
    (tmp_path / "dinar.sta").write_text(dinar, encoding="utf-8")
    results = _import(sqlite_ws, tmp_path / "euro.xml", tmp_path / "yen.sta",
                      tmp_path / "dinar.sta")
    found = [[(r.field, r.reason.split(";")[0]) for r in res.rejects] for res in results]
    assert found[0][0] == ("amount", "amount has more than EUR's 2 decimals or is too large "
                                     "to keep exactly")
    assert found[1][0] == ("amount", "amount has more than JPY's 0 decimals or is too large "
                                     "to keep exactly")
    assert found[2][0][1].startswith("amount has more than KWD's 3 decimals")
    # none of the three statements balances as written: each says so
    assert [len(f) for f in found] == [2, 2, 2]
    assert all("balance mismatch" in res.rejects[1].reason for res in results)
    assert sorted(r["ref"] for r in tx(sqlite_ws)) == ["E2", "JP-0001", "JP-0003", "KW-0001",
                                                       "KW-0002"]


CSV_MAPPING = """\
csv: {delimiter: ";"}
records:
  transaction:
    account: {column: iban}
    booking_date: {column: date, format: "%Y-%m-%d"}
    amount: {column: amount}
    currency: {column: currency}
    balance_after: {column: balance}
    ref: {column: ref}
"""


def test_csv_amounts_keep_their_currency_decimals(sqlite_ws, tmp_path):
    (tmp_path / "m.yml").write_text(CSV_MAPPING, encoding="utf-8")
    lines = ["iban;date;amount;currency;balance;ref",
             f"{KW1};2026-03-02;12.345;KWD;1012.845;K1",
             f"{KW1};2026-03-03;-0.5;kwd;1012.345;K2",
             f"{KW1};2026-03-03;1000;JPY;;J1",
             f"{KW1};2026-03-04;1000.5;JPY;;J2",
             f"{KW1};2026-03-04;1.234;EUR;;E1",
             f"{KW1};2026-03-05;7.50;EUR;7.505;E2"]
    (tmp_path / "t.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    sqlite_ws.cases.create("c")
    [result] = sqlite_ws.records.import_files("c", [ImportRequest(
        tmp_path / "t.csv", mapping=tmp_path / "m.yml")])
    assert sorted((r.locator, r.field, r.value) for r in result.rejects) == [
        ("line 5", "amount", "1000.5"), ("line 6", "amount", "1.234"),
        ("line 7", "balance_after", "7.505")]
    assert "more than the 0 decimals of JPY; record skipped" in result.rejects[0].reason
    engine = sqlite_ws.records.engine("c")
    rows = engine.query('SELECT ref, amount, amount_eur, balance_after FROM "transaction" '
                        "ORDER BY ref").to_pylist()
    engine.close()
    assert [(r["ref"], r["amount"], r["balance_after"]) for r in rows] == [
        ("E2", Decimal("7.50"), None), ("J1", Decimal("1000"), None),
        ("K1", Decimal("12.345"), Decimal("1012.845")),
        ("K2", Decimal("-0.5"), Decimal("1012.345"))]
    assert rows[0]["amount_eur"] == Decimal("7.50")
