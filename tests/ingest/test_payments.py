"""Payment edges for the graph, and interim reports (camt.052/054, MT942)."""

from decimal import Decimal

from test_camt import OTHER, OWN, THIRD, bal, document, ntry, stmt, tx, write

from veriga.ingest import ImportRequest
from veriga.ingest.bankstatement import make_id


def _payments(ws, case="c"):
    return {p.id: p for p in ws.entities.list(case, ["Payment"])}


def test_payments_per_pair_and_month_with_holders(sqlite_ws, tmp_path):
    text = document([stmt([
        ntry("100.00", "DBIT", day="2026-03-02", ref="P1", name="Boris Sample", iban=OTHER,
             code=("PMNT", "ICDT", "ESCT")),
        ntry("50.25", "DBIT", day="2026-03-20", ref="P2", name="Boris Sample", iban=OTHER,
             code=("PMNT", "ICDT", "ESCT")),
        ntry("10.00", "DBIT", day="2026-04-01", ref="P3", name="Boris Sample", iban=OTHER,
             code=("PMNT", "ICDT", "ESCT")),
        ntry("7.00", "CRDT", day="2026-03-03", ref="P4", name="Carla Test", iban=THIRD),
        ntry("40.00", "DBIT", ref="P5", text="ATM", code=("PMNT", "CCRD", "CWDL")),
    ], opening="200.00", closing="6.75")])
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    assert r.rejects == [] and r.records == {"transaction": 5}  # every entry still a record
    pays = _payments(sqlite_ws)
    march = pays[make_id("payment", OWN, OTHER, "2026-03")]
    assert march.get("amount") == ["150.25"] and march.get("currency") == ["EUR"]
    assert march.get("startDate") == ["2026-03-02"] and march.get("endDate") == ["2026-03-20"]
    assert march.get("summary") == ["2 transactions"]
    assert march.get("payerAccount") == [make_id("account", OWN)]
    assert march.get("beneficiaryAccount") == [make_id("account", OTHER)]
    holders = {e.first("name"): e.id for e in sqlite_ws.entities.list("c", ["LegalEntity"])}
    assert march.get("payer") == [holders["Anna Example"]]
    assert march.get("beneficiary") == [holders["Boris Sample"]]
    assert pays[make_id("payment", OWN, OTHER, "2026-04")].get("amount") == ["10.00"]
    incoming = pays[make_id("payment", THIRD, OWN, "2026-03")]
    assert incoming.get("payer") == [holders["Carla Test"]]
    assert len(pays) == 3  # the cash withdrawal has no counterparty account: no edge


def test_both_legs_of_a_transfer_give_one_payment(sqlite_ws, tmp_path):
    out = document([stmt([ntry("75.00", "DBIT", ref="L1", name="Boris Sample", iban=OTHER,
                               code=("PMNT", "ICDT", "ESCT"))], closing="25.00")])
    into = document([stmt([ntry("75.00", "CRDT", ref="L2", name="Anna Example", iban=OWN)],
                          iban=OTHER, owner="Boris Sample", opening="0.00", closing="75.00")])
    sqlite_ws.cases.create("c")
    sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, out, "a.xml")),
                                 ImportRequest(write(tmp_path, into, "b.xml"))])
    [pay] = _payments(sqlite_ws).values()
    assert pay.id == make_id("payment", OWN, OTHER, "2026-03")
    assert pay.get("amount") == ["75.00"] and pay.get("summary") == ["1 transaction"]
    assert len(tx(sqlite_ws)) == 2


def test_mt940_payments(sqlite_ws, tmp_path):
    text = "\n".join([":20:S1", f":25:{OWN}", ":28C:1", ":60F:C260301EUR100,00",
                      ":61:260302D30,00NTRFNONREF//K1", f":86:/IBAN/{OTHER}/NAME/Boris Sample/",
                      ":61:260303D0,50NTRFNONREF//K2", f":86:/IBAN/{OTHER}/NAME/Boris Sample/",
                      ":62F:C260303EUR69,50"]) + "\n"
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text, "s.sta"))])
    assert r.rejects == []
    [pay] = _payments(sqlite_ws).values()
    assert pay.id == make_id("payment", OWN, OTHER, "2026-03")
    assert pay.get("amount") == ["30.50"] and pay.get("summary") == ["2 transactions"]


# -- interim reports ---------------------------------------------------------------------


def _camt052(entries, balances):
    text = document([stmt(entries, opening=None, tag="Rpt")], version="052.001.08",
                    container="BkToCstmrAcctRpt")
    return text.replace("</Acct>", "</Acct>" + balances, 1)


def test_camt052_checks_against_the_interim_booked_balance(sqlite_ws, tmp_path):
    entries = [ntry("20.00", ref="I1"), ntry("5.00", "DBIT", ref="I2")]
    good = _camt052(entries, bal("OPBD", "100.00") + bal("ITBD", "115.00")
                    + bal("ITAV", "999.00"))
    bad = _camt052([ntry("1.00", ref="I3")], bal("OPBD", "115.00") + bal("ITBD", "117.00"))
    sqlite_ws.cases.create("c")
    r1, r2 = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, good, "a.xml")),
                                          ImportRequest(write(tmp_path, bad, "b.xml"))])
    assert r1.rejects == []  # ITAV (available, with reservations) is not compared
    [rej] = r2.rejects
    assert rej.locator == "/Document/BkToCstmrAcctRpt/Rpt[1]" and rej.field == "balance"
    assert "interim booked balance is 117.00 (difference 1.00)" in rej.reason
    assert sorted(x["ref"] for x in tx(sqlite_ws)) == ["I1", "I2", "I3"]


def test_camt052_with_only_interim_balances_and_camt054(sqlite_ws, tmp_path):
    report = _camt052([ntry("20.00", ref="J1")], bal("ITBD", "120.00") + bal("ITAV", "90.00"))
    notice = document([stmt([ntry("42.00", "DBIT", ref="N1", name="Eva Demo", iban=OTHER,
                                  code=("PMNT", "ICDT", "ESCT"))], opening=None,
                            tag="Ntfctn")], version="054.001.08",
                      container="BkToCstmrDbtCdtNtfctn")
    sqlite_ws.cases.create("c")
    r1, r2 = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, report, "r.xml")),
                                          ImportRequest(write(tmp_path, notice, "n.xml"))])
    assert r1.rejects == [] and r2.rejects == []
    assert {(x["ref"], x["amount"]) for x in tx(sqlite_ws)} == {
        ("J1", Decimal("20.00")), ("N1", Decimal("-42.00"))}
    [pay] = _payments(sqlite_ws).values()
    assert pay.get("amount") == ["42.00"]


def test_mt942_with_block_headers_has_no_false_balance_reject(sqlite_ws, tmp_path):
    text = ("{1:F01BANKLV2XAXXX0000000000}{2:O9421200260302BANKLV2XAXXX00000000002603021200N}"
            "{4:\n" + "\n".join([
                ":20:R942", f":25:{OWN}", ":28C:7/1",
                ":61:260302D9,99NTRFNONREF//Q1", f":86:/IBAN/{OTHER}/NAME/Boris Sample/",
                ":61:260302C5,00NTRFNONREF//Q2", ":86:refund",
            ]) + "\n-}\n")
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(write(tmp_path, text, "i.942"),
                                                     format="mt940")])
    assert r.rejects == []
    assert [x["amount"] for x in tx(sqlite_ws)] == [Decimal("-9.99"), Decimal("5.00")]
