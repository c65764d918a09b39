"""camt.052/053/054 import: ledger rows, entities, checks and hostile XML."""

import re
import time
from decimal import Decimal

import pytest

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest
from veriga.ingest.registry import detect_format

OWN = "LV80BANK0000435195001"
OTHER = "LV53BANK0000435195002"
THIRD = "DE89370400440532013000"
BAD = "LV81BANK0000435195001"  # checksum off by one


def ntry(amount, ind="CRDT", day="2026-03-02", ref=None, name=None, iban=None, text=None,
         ccy="EUR", extra="", code=("PMNT", "RCDT", "ESCT"), bic=None, status="BOOK"):
    party = "Dbtr" if ind == "CRDT" else "Cdtr"
    refs = f"<AcctSvcrRef>{ref}</AcctSvcrRef>" if ref else ""
    pty = f"<{party}><Nm>{name}</Nm></{party}>" if name else ""
    acct = f"<{party}Acct><Id><IBAN>{iban}</IBAN></Id></{party}Acct>" if iban else ""
    agt = (f"<RltdAgts><{party}Agt><FinInstnId><BICFI>{bic}</BICFI></FinInstnId>"
           f"</{party}Agt></RltdAgts>") if bic else ""
    rmt = f"<RmtInf><Ustrd>{text}</Ustrd></RmtInf>" if text else ""
    dom, fam, sub = code
    return f"""
      <Ntry><Amt Ccy="{ccy}">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd>
        <Sts><Cd>{status}</Cd></Sts>
        <BookgDt><Dt>{day}</Dt></BookgDt><ValDt><Dt>{day}</Dt></ValDt>{refs}
        <BkTxCd><Domn><Cd>{dom}</Cd><Fmly><Cd>{fam}</Cd><SubFmlyCd>{sub}</SubFmlyCd></Fmly>
        </Domn></BkTxCd>
        <NtryDtls><TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId></Refs>{extra}
          <RltdPties>{pty}{acct}</RltdPties>{agt}{rmt}</TxDtls></NtryDtls>
      </Ntry>"""


def bal(code, amount, ind="CRDT", ccy="EUR"):
    return (f"<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp>"
            f"<Amt Ccy=\"{ccy}\">{amount}</Amt><CdtDbtInd>{ind}</CdtDbtInd>"
            "<Dt><Dt>2026-03-01</Dt></Dt></Bal>")


def stmt(entries, opening="100.00", closing=None, iban=OWN, ccy="EUR", tag="Stmt",
         owner="Anna Example"):
    bals = bal("OPBD", opening, ccy=ccy) if opening is not None else ""
    bals += bal("CLBD", closing, ccy=ccy) if closing is not None else ""
    return f"""
    <{tag}><Id>S</Id>
      <Acct><Id><IBAN>{iban}</IBAN></Id><Ccy>{ccy}</Ccy><Ownr><Nm>{owner}</Nm></Ownr>
        <Svcr><FinInstnId><BICFI>BANKLV2X</BICFI></FinInstnId></Svcr></Acct>
      {bals}{''.join(entries)}
    </{tag}>"""


def document(stmts, version="053.001.08", container="BkToCstmrStmt"):
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.{version}">
  <{container}><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-03-31T10:00:00</CreDtTm></GrpHdr>
  {''.join(stmts)}
  </{container}>
</Document>
"""


def write(tmp_path, text, name="s.xml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tx(ws, case="c", where=""):
    engine = ws.records.engine(case)
    rows = engine.query(
        'SELECT record_id, locator, account, ref, booking_date, amount, currency, amount_eur, '
        'counterparty_account, counterparty_name, counterparty_bic, counterparty_country, '
        f'method, description FROM "transaction" {where} ORDER BY locator'
    ).to_pylist()
    engine.close()
    return rows


HAPPY = document([stmt([
    ntry("250.00", "CRDT", ref="R1", name="Boris Sample", iban=OTHER, text="rent March",
         bic="BANKLV2X"),
    ntry("80.50", "DBIT", ref="R2", name="Carla Test", iban=THIRD, text="transfer",
         code=("PMNT", "ICDT", "ESCT")),
    ntry("2.00", "DBIT", ref="R3", text="monthly fee", code=("ACMT", "MDOP", "CHRG")),
    ntry("40.00", "DBIT", ref="R4", text="ATM", code=("PMNT", "CCRD", "CWDL")),
], opening="100.00", closing="227.50")])


def test_camt053_gives_ledger_and_entities(ws, tmp_path):
    ws.cases.create("c")
    [r] = ws.records.import_files("c", [ImportRequest(write(tmp_path, HAPPY))])
    assert r.format == "camt"
    assert r.rejects == []
    assert r.records == {"transaction": 4}
    rows = tx(ws)
    assert [x["amount"] for x in rows] == [Decimal("250.00"), Decimal("-80.50"),
                                          Decimal("-2.00"), Decimal("-40.00")]
    assert [x["method"] for x in rows] == ["transfer", "transfer", "fee", "cash"]
    first = rows[0]
    assert first["record_id"] == f"{r.source_id}:1"
    assert first["locator"] == "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]"
    assert first["account"] == OWN and first["ref"] == "R1"
    assert first["counterparty_account"] == OTHER
    assert first["counterparty_name"] == "Boris Sample"
    assert first["counterparty_bic"] == "BANKLV2X" and first["counterparty_country"] == "LV"
    assert first["amount_eur"] == Decimal("250.00") and first["description"] == "rent March"
    assert rows[1]["counterparty_name"] == "Carla Test"
    assert str(first["booking_date"]) == "2026-03-02"
    accounts = {e.first("iban"): e for e in ws.entities.list("c", ["BankAccount"])}
    assert set(accounts) == {OWN, OTHER, THIRD}
    assert accounts[OWN].get("bic") == ["BANKLV2X"]
    holders = {e.first("name"): e.id for e in ws.entities.list("c", ["LegalEntity"])}
    assert set(holders) == {"Anna Example", "Boris Sample", "Carla Test"}
    owned = {(o.first("owner"), o.first("asset")) for o in ws.entities.list("c", ["Ownership"])}
    assert (holders["Anna Example"], accounts[OWN].id) in owned
    assert (holders["Carla Test"], accounts[THIRD].id) in owned


def test_detect_by_namespace(tmp_path):
    assert detect_format(write(tmp_path, HAPPY)) == "camt"


def test_same_account_from_two_files_is_one_entity(sqlite_ws, tmp_path):
    sqlite_ws.cases.create("c")
    a = write(tmp_path, document([stmt([ntry("1.00", ref="A1")], closing="101.00")]), "a.xml")
    b = write(tmp_path, document([stmt([ntry("2.00", ref="B1")], closing="102.00")]), "b.xml")
    sqlite_ws.records.import_files("c", [ImportRequest(a)])
    sqlite_ws.records.import_files("c", [ImportRequest(b)])
    assert [e.first("iban") for e in sqlite_ws.entities.list("c", ["BankAccount"])] == [OWN]
    assert len(tx(sqlite_ws)) == 2


def test_balance_mismatch_is_reported_with_statement_locator(sqlite_ws, tmp_path):
    text = document([stmt([ntry("10.00", ref="X1"), ntry("3.00", "DBIT", ref="X2")],
                          opening="100.00", closing="108.00")])
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    [rej] = r.rejects
    assert rej.locator == "/Document/BkToCstmrStmt/Stmt[1]" and rej.field == "balance"
    assert "difference 1.00" in rej.reason and "107.00" in rej.reason
    assert len(tx(sqlite_ws)) == 2  # kept: the check reports, it does not drop


def test_bad_ibans_are_rejected_with_location(sqlite_ws, tmp_path):
    text = document([
        stmt([ntry("5.00", ref="Y1", name="Dora Fake", iban=BAD)], closing="105.00"),
        stmt([ntry("1.00", ref="Y2")], closing="101.00", iban=BAD),
    ])
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    got = {(x.locator, x.field) for x in r.rejects}
    assert ("/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]", "counterparty_account") in got
    assert ("/Document/BkToCstmrStmt/Stmt[2]", "account") in got
    assert all("checksum" in x.reason or "as written" in x.reason for x in r.rejects)
    rows = tx(sqlite_ws)
    assert rows[0]["counterparty_account"] is None
    assert rows[1]["account"] == BAD  # kept as written so nothing is lost
    assert BAD not in {e.first("iban") for e in sqlite_ws.entities.list("c", ["BankAccount"])}


def test_duplicates_across_overlapping_statements_and_files(sqlite_ws, tmp_path):
    overlap = document([
        stmt([ntry("10.00", ref="D1"), ntry("5.00", text="cash in", day="2026-03-03")],
             closing="115.00"),
        stmt([ntry("10.00", ref="D1"), ntry("5.00", text="cash in", day="2026-03-03"),
              ntry("7.00", ref="D3")], opening="100.00", closing="122.00"),
    ])
    later = document([stmt([ntry("7.00", ref="D3"), ntry("1.00", ref="D4")], opening="115.00",
                           closing="123.00")])
    sqlite_ws.cases.create("c")
    r1, r2 = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, overlap, "a.xml")),
                                          ImportRequest(write(tmp_path, later, "b.xml"))])
    assert sorted(x.locator for x in r1.rejects) == [
        "/Document/BkToCstmrStmt/Stmt[2]/Ntry[1]", "/Document/BkToCstmrStmt/Stmt[2]/Ntry[2]"]
    assert all("duplicate" in x.reason for x in r1.rejects)
    [dup] = r2.rejects
    assert dup.locator.endswith("Stmt[1]/Ntry[1]") and "a.xml:" in dup.reason
    refs = [x["ref"] for x in tx(sqlite_ws)]
    assert sorted(r for r in refs if r) == ["D1", "D3", "D4"] and len(refs) == 4


def test_identical_entries_in_one_statement_are_both_kept(sqlite_ws, tmp_path):
    text = document([stmt([ntry("3.50", "DBIT", text="coffee"), ntry("3.50", "DBIT",
                                                                      text="coffee")],
                          closing="93.00")])
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    assert r.rejects == [] and r.records == {"transaction": 2}


def batch_entry(first, second):
    def tx_part(amount, name, iban):
        return (f'<TxDtls><Amt Ccy="EUR">{amount}</Amt><RltdPties><Cdtr><Nm>{name}</Nm></Cdtr>'
                f"<CdtrAcct><Id><IBAN>{iban}</IBAN></Id></CdtrAcct></RltdPties></TxDtls>")

    details = tx_part(first, "Fay Mock", OTHER) + tx_part(second, "Gus Mock", THIRD)
    return re.sub(r"<NtryDtls>.*</NtryDtls>", f"<NtryDtls>{details}</NtryDtls>",
                  ntry("300.00", "DBIT", ref="B1"), flags=re.S)


def test_batch_booking_gives_one_row_per_payment(sqlite_ws, tmp_path):
    text = document([stmt([batch_entry("100.00", "200.00")], opening="500.00",
                          closing="200.00")])
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    assert r.rejects == []
    got = [(x["locator"].split("Ntry[1]")[1], x["ref"], x["amount"], x["counterparty_name"],
            x["counterparty_account"]) for x in tx(sqlite_ws)]
    assert got == [
        ("/NtryDtls[1]/TxDtls[1]", "B1/1", Decimal("-100.00"), "Fay Mock", OTHER),
        ("/NtryDtls[1]/TxDtls[2]", "B1/2", Decimal("-200.00"), "Gus Mock", THIRD),
    ]


def test_batch_details_that_do_not_add_up_keep_the_entry_whole(sqlite_ws, tmp_path):
    text = document([stmt([batch_entry("100.00", "150.00")], opening="500.00",
                          closing="200.00")])
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    [rej] = r.rejects
    assert rej.locator.endswith("Ntry[1]") and "add up to -250.00" in rej.reason
    assert [x["amount"] for x in tx(sqlite_ws)] == [Decimal("-300.00")]


def test_mixed_currencies_with_eur_equivalents(sqlite_ws, tmp_path):
    cntr = ('<AmtDtls><CntrValAmt><Amt Ccy="EUR">91.00</Amt></CntrValAmt></AmtDtls>')
    xchg = ('<AmtDtls><TxAmt><Amt Ccy="USD">50.00</Amt><CcyXchg><SrcCcy>USD</SrcCcy>'
            '<TrgtCcy>EUR</TrgtCcy><UnitCcy>USD</UnitCcy><XchgRate>0.9</XchgRate></CcyXchg>'
            '</TxAmt></AmtDtls>')
    usd = stmt([ntry("100.00", ref="U1", ccy="USD", extra=cntr),
                ntry("50.00", "DBIT", ref="U2", ccy="USD", extra=xchg),
                ntry("10.00", ref="U3", ccy="USD")],
               iban=OTHER, ccy="USD", opening="0.00", closing="60.00")
    eur = stmt([ntry("12.34", "DBIT", ref="E1")], closing="87.66")
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, document([usd,
                                                                                       eur])))])
    assert r.rejects == []
    got = {x["ref"]: (x["currency"], x["amount"], x["amount_eur"]) for x in tx(sqlite_ws)}
    assert got == {
        "U1": ("USD", Decimal("100.00"), Decimal("91.00")),
        "U2": ("USD", Decimal("-50.00"), Decimal("-45.00")),
        "U3": ("USD", Decimal("10.00"), None),
        "E1": ("EUR", Decimal("-12.34"), Decimal("-12.34")),
    }


def test_negative_zero_and_exact_amounts(sqlite_ws, tmp_path):
    text = document([stmt([ntry("0.00", "DBIT", ref="Z1"), ntry("-0.00", "CRDT", ref="Z2"),
                           ntry("0.10", ref="Z3"), ntry("0.20", ref="Z4")],
                          opening="0.00", closing="0.30")])
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    assert r.rejects == []  # 0.1 + 0.2 == 0.3 exactly
    engine = sqlite_ws.records.engine("c")
    amounts = engine.query('SELECT CAST(amount AS VARCHAR) AS a FROM "transaction" '
                           "ORDER BY ref").column("a").to_pylist()
    engine.close()
    assert amounts == ["0.000", "0.000", "0.100", "0.200"]  # kept to the fils (KWD)


def test_dates_out_of_range_and_pending_entries(sqlite_ws, tmp_path):
    text = document([stmt([ntry("1.00", ref="O1", day="1850-01-01"),
                           ntry("2.00", ref="O2", day="2999-01-01"),
                           ntry("3.00", ref="O3"), ntry("9.00", ref="P1", status="PDNG")],
                          closing="106.00")], version="052.001.02",
                    container="BkToCstmrAcctRpt").replace("<Stmt>", "<Rpt>")
    text = text.replace("</Stmt>", "</Rpt>")
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    got = {(x.locator.rsplit("/", 1)[-1], x.field) for x in r.rejects}
    assert got == {("Ntry[1]", "booking_date"), ("Ntry[2]", "booking_date")}
    assert [x["ref"] for x in tx(sqlite_ws)] == ["O3"]
    assert r.records == {"transaction": 1, "pending_transaction": 1}  # P1, kept apart
    [warning] = r.warnings
    assert warning.reason.startswith("1 entry not booked (pending 1)")


def test_camt054_notification_without_balances(sqlite_ws, tmp_path):
    text = document([stmt([ntry("42.00", ref="N1", name="Eva Demo", iban=OTHER)],
                          opening=None, tag="Ntfctn")],
                    version="054.001.02", container="BkToCstmrDbtCdtNtfctn")
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    assert r.rejects == []
    [row] = tx(sqlite_ws)
    assert row["locator"] == "/Document/BkToCstmrDbtCdtNtfctn/Ntfctn[1]/Ntry[1]"


# -- hostile and broken input -------------------------------------------------------------


def _nothing_stored(ws):
    return ws.records.sources("c") == []


def test_xxe_external_entity_does_not_leak(sqlite_ws, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT")
    text = HAPPY.replace(
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<?xml version="1.0"?>\n<!DOCTYPE Document [<!ENTITY x SYSTEM "file://{secret}">]>',
    ).replace("rent March", "&x;")
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed) as err:
        sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text), format="camt")])
    assert "TOP-SECRET" not in str(err.value) and "DTD" in str(err.value)
    assert _nothing_stored(sqlite_ws)


def test_billion_laughs_fails_fast(sqlite_ws, tmp_path):
    ents = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    ]
    text = ('<?xml version="1.0"?>\n<!DOCTYPE Document [' + "".join(ents) + "]>\n"
            '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">&lol9;</Document>')
    sqlite_ws.cases.create("c")
    start = time.monotonic()
    with pytest.raises(ImportFailed, match="refused"):
        sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text), format="camt")])
    assert time.monotonic() - start < 2
    assert _nothing_stored(sqlite_ws)


def test_file_over_size_limit_fails(sqlite_ws, tmp_path):
    path = write(tmp_path, HAPPY)
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed, match="over the limit of 1,000 bytes"):
        sqlite_ws.records.import_files("c", [ImportRequest(path, options={"max_bytes": 1000})])
    assert _nothing_stored(sqlite_ws)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HAPPY[: len(HAPPY) // 2], r"s\.xml:line \d+, column \d+: malformed or truncated XML"),
        (HAPPY.replace("<Amt Ccy", "<Amt <Ccy", 1), r"line 8, column 61: malformed"),
        ("", r"line 1, column 0: malformed or truncated XML: no element found"),
        ('<?xml version="1.0"?><Document xmlns="urn:iso:std:iso:20022:tech:xsd:pain.001.001.09">'
         "</Document>", "not a camt.052/053/054 message"),
        (HAPPY.replace("BkToCstmrStmt", "FIToFIPmtStsRpt"), "'FIToFIPmtStsRpt' is not a camt"),
    ],
)
def test_broken_xml_is_a_clean_one_line_error(sqlite_ws, tmp_path, text, message):
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed, match=message) as err:
        sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text), format="camt")])
    assert "\n" not in str(err.value)
    assert _nothing_stored(sqlite_ws)
