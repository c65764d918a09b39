"""MT940/MT942 import: ledger rows, :86: details, balances, duplicates, truncated files."""

from decimal import Decimal

import pytest

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest
from veriga.ingest.registry import detect_format

OWN = "LV80BANK0000435195001"
OTHER = "LV53BANK0000435195002"
THIRD = "DE89370400440532013000"
BAD = "LV81BANK0000435195001"

HAPPY = f"""\
{{1:F01BANKLV2XAXXX0000000000}}{{2:I940BANKLV2XXXXXN}}{{4:
:20:STMT1
:25:{OWN}EUR
:28C:1/1
:60F:C260301EUR100,00
:61:2603020302C250,00NTRFNONREF//B1
:86:166?00GUTSCHRIFT?20rent ?21March?30BANKLV2X?31{OTHER}?32Boris ?33Sample
:61:260303D80,50NTRFREF2//B2
transfer abroad
:86:/IBAN/{THIRD}/BIC/COBADEFF/NAME/Carla Test/REMI/USTD//invoice 7/
:61:260304D2,00NCHGNONREF//B3
:86:account fee
:61:260305D40,00NMSCNONREF//B4
:86:083?00BARGELD?20ATM Riga
:62F:C260305EUR227,50
:64:C260305EUR227,50
-}}
"""


def write(tmp_path, text, name="s.sta"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tx(ws, case="c"):
    engine = ws.records.engine(case)
    rows = engine.query(
        'SELECT record_id, locator, account, ref, booking_date, value_date, amount, currency, '
        'amount_eur, counterparty_account, counterparty_name, counterparty_bic, method, '
        'description FROM "transaction" ORDER BY record_id'
    ).to_pylist()
    engine.close()
    return sorted(rows, key=lambda r: int(r["record_id"].rsplit(":", 1)[1]))


def statement(ref, lines, opening="C260301EUR100,00", closing="C260301EUR100,00",
              account=OWN):
    body = [f":20:{ref}", f":25:{account}", ":28C:1", f":60F:{opening}", *lines]
    if closing:
        body.append(f":62F:{closing}")
    return "\n".join(body) + "\n"


def test_mt940_gives_ledger_and_entities(ws, tmp_path):
    ws.cases.create("c")
    [r] = ws.records.import_files("c", [ImportRequest(write(tmp_path, HAPPY))])
    assert r.format == "mt940"
    assert r.rejects == []
    rows = tx(ws)
    assert [x["amount"] for x in rows] == [Decimal("250.00"), Decimal("-80.50"),
                                          Decimal("-2.00"), Decimal("-40.00")]
    assert [x["method"] for x in rows] == ["transfer", "transfer", "fee", "cash"]
    assert [x["locator"] for x in rows] == ["line 6", "line 8", "line 11", "line 13"]
    first, second = rows[0], rows[1]
    assert first["record_id"] == f"{r.source_id}:1" and first["account"] == OWN
    assert first["ref"] == "B1" and first["currency"] == "EUR"
    assert first["amount_eur"] == Decimal("250.00")
    assert str(first["value_date"]) == "2026-03-02" and str(first["booking_date"]) == "2026-03-02"
    assert first["counterparty_account"] == OTHER
    assert first["counterparty_name"] == "Boris Sample"
    assert first["counterparty_bic"] == "BANKLV2X"
    assert first["description"] == "GUTSCHRIFT rent March"
    assert second["counterparty_account"] == THIRD and second["counterparty_name"] == "Carla Test"
    assert second["counterparty_bic"] == "COBADEFF" and second["description"] == "invoice 7"
    accounts = {e.first("iban") for e in ws.entities.list("c", ["BankAccount"])}
    assert accounts == {OWN, OTHER, THIRD}
    names = {e.first("name") for e in ws.entities.list("c", ["LegalEntity"])}
    assert names == {"Boris Sample", "Carla Test"}
    assert len(list(ws.entities.list("c", ["Ownership"]))) == 2


def test_detect(tmp_path):
    assert detect_format(write(tmp_path, HAPPY)) == "mt940"


def test_plain_multi_statement_balance_mismatch(sqlite_ws, tmp_path):
    text = statement("S1", [":61:260302C10,00NTRFNONREF//K1", ":86:one"],
                     closing="C260302EUR110,00")
    text += statement("S2", [":61:260303D5,00NTRFNONREF//K2", ":86:two"],
                      opening="C260302EUR110,00", closing="C260303EUR104,00")
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    [rej] = r.rejects
    assert rej.locator == "line 8" and rej.field == "balance"
    assert "difference -1.00" in rej.reason
    assert len(tx(sqlite_ws)) == 2


def test_truncated_file_reports_line_numbers(sqlite_ws, tmp_path):
    text = HAPPY.split(":61:260305")[0] + ":61:2603"
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    got = {(x.locator, x.field) for x in r.rejects}
    assert ("line 13", "61") in got
    assert ("line 2", "balance") in got
    assert any("truncated" in x.reason for x in r.rejects)
    assert len(tx(sqlite_ws)) == 3


def test_not_a_statement_is_a_clean_error(sqlite_ws, tmp_path):
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed, match=r"s\.sta: no MT940/MT942 statement found"):
        sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, "hello\n"),
                                                   format="mt940")])
    assert sqlite_ws.records.sources("c") == []


def test_mt942_without_balances(sqlite_ws, tmp_path):
    text = "\n".join([":20:R942", f":25:{OWN}", ":28C:1", ":34F:EURD0,", ":13D:2603021200+0100",
                      ":61:260302D9,99NTRFNONREF//Q1", ":90D:1EUR9,99", ":90C:0EUR0,"]) + "\n"
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text),
                                                             format="mt940")])
    assert r.rejects == []
    assert [x["amount"] for x in tx(sqlite_ws)] == [Decimal("-9.99")]


def test_duplicates_bad_iban_negative_zero_and_bad_dates(sqlite_ws, tmp_path):
    text = statement("S1", [":61:260302C10,00NTRFNONREF//K1", ":86:one"],
                     closing="C260302EUR110,00")
    text += statement("S2", [
        ":61:260302C10,00NTRFNONREF//K1", ":86:one again",
        ":61:260303D0,00NMSCNONREF//K2", f":86:/IBAN/{BAD}/NAME/Dora Fake/",
        ":61:260230C1,00NTRFNONREF//K3",
    ], opening="C260301EUR100,00", closing="C260303EUR111,00")
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    got = {(x.locator, x.field): x.reason for x in r.rejects}
    assert "duplicate" in got[("line 12", "ref")]
    assert "checksum" in got[("line 14", "counterparty_account")]
    assert ("line 16", "value_date") in got
    rows = tx(sqlite_ws)
    assert [x["ref"] for x in rows] == ["K1", "K2"]
    assert str(rows[1]["amount"]) == "0.000" and rows[1]["counterparty_account"] is None
    assert rows[1]["counterparty_name"] == "Dora Fake"


def test_account_with_bank_code_and_cp1252(sqlite_ws, tmp_path):
    text = statement("S1", [":61:260302C10,00NTRFNONREF//K1", ":86:Zahlung von Müller"],
                     closing="C260302EUR110,00", account="37040044/0532013000")
    path = tmp_path / "s.sta"
    path.write_bytes(text.encode("cp1252"))
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path)])
    assert r.rejects == []
    [row] = tx(sqlite_ws)
    assert row["account"] == "37040044/0532013000"
    assert row["description"] == "Zahlung von Müller"
    [acc] = sqlite_ws.entities.list("c", ["BankAccount"])
    assert acc.first("accountNumber") == "37040044/0532013000"


def test_file_over_size_limit_fails(sqlite_ws, tmp_path):
    sqlite_ws.cases.create("c")
    request = ImportRequest(write(tmp_path, HAPPY), options={"max_bytes": 10})
    with pytest.raises(ImportFailed, match="over the limit of 10 bytes"):
        sqlite_ws.records.import_files("c", [request])
