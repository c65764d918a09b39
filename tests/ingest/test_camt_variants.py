"""camt variants that real banks write, each in a synthetic fixture of its own
(tests/ingest/data/camt): camt.052.001.01, batch bookings, reversals, interim balances,
pending entries (kept apart, with their status), several accounts in one file, currencies
with three decimals and none; and that every entry of every fixture is kept or reported."""

import xml.etree.ElementTree as ET
from decimal import Decimal
from pathlib import Path

import pytest

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest
from veriga.ingest.registry import detect_format

DATA = Path(__file__).parent / "data" / "camt"
FIXTURES = sorted(p.name for p in DATA.glob("*.xml"))

LV1, LV2, LV3 = "LV44HABA0551000000001", "LV17HABA0551000000002", "LV04UNLA0050000000003"
LT1, LT2 = "LT227300000000000000", "LT927300000000000001"
EE1, DE1 = "EE702200000000000000", "DE89370400440532013000"

# fixture: rows (locator after the statement's container, account, amount, ref,
# counterparty account), rejects (locator after the container, field)
EXPECTED: dict[str, tuple[list[tuple], list[tuple[str, str]]]] = {
    # version suffix on the message element, Tp/Cd balances, TxDtls and Btch in the entry,
    # a proprietary account number, booking date as DtTm
    "camt052-v01.xml": ([
        ("Rpt[1]/Ntry[1]", LV1, "600.00", "HABA-20260302-0001", LT1),
        ("Rpt[1]/Ntry[2]/TxDtls[1]", LV1, "-200.00", "HABA-20260302-0002/1", LV2),
        ("Rpt[1]/Ntry[2]/TxDtls[2]", LV1, "-148.00", "HABA-20260302-0002/2", LV3),
        ("Rpt[1]/Ntry[3]", LV1, "-2.50", None, None),
        ("Rpt[2]/Ntry[1]", "0551-000777", "-30.00", "HABA-20260302-0777", None),
    ], []),
    # interim booked balances only (given latest first): the earliest opens, the latest
    # closes; pending and informational entries are kept apart (PENDING)
    "camt052-v08-interim.xml": ([
        ("Rpt[1]/Ntry[1]", LV1, "100.00", "NONREF", LT1),
        ("Rpt[1]/Ntry[2]", LV1, "-20.00", "NONREF", None),
        ("Rpt[2]/Ntry[1]", LV3, "5.00", None, None),
    ], [("Rpt[2]", "balance")]),
    # booked, pending, informational and future entries in one intraday report
    "camt052-v02-pending.xml": ([
        ("Rpt[1]/Ntry[1]", LV2, "250.00", "PEND-0001", LT1),
        ("Rpt[1]/Ntry[4]", LV2, "-30.00", "PEND-0004", None),
    ], []),
    # a pending batch credit of two payments and a booked fee
    "camt054-v04-pending.xml": ([
        ("Ntfctn[1]/Ntry[2]", LT2, "-12.00", "N54-0002", None),
    ], []),
    # three decimals (KWD) and none (JPY), balanced to the fils and the yen
    "camt053-v08-kwd-jpy.xml": ([
        ("Stmt[1]/Ntry[1]", "KW51NBOK0000000000002010123456", "12.345", "KW-0001",
         "KW81CBKU0000000000001234560101"),
        ("Stmt[1]/Ntry[2]", "KW51NBOK0000000000002010123456", "-250.125", "KW-0002",
         "JO94CBJO0010000000000131000302"),
        ("Stmt[1]/Ntry[3]", "KW51NBOK0000000000002010123456", "-0.005", "KW-0003", None),
        ("Stmt[2]/Ntry[1]", "0012345678", "150000", "JP-0001", "0098765432"),
        ("Stmt[2]/Ntry[2]", "0012345678", "-2500", "JP-0002", None),
        ("Stmt[2]/Ntry[3]", "0012345678", "-37500", "JP-0003", "0055512345"),
    ], []),
    # batches: one NtryDtls of three TxDtls, two NtryDtls of one; details without amounts
    # keep the entry whole; no AcctSvcrRef anywhere; two identical entries both kept
    "camt053-v02-batch.xml": ([
        ("Stmt[1]/Ntry[1]/NtryDtls[1]/TxDtls[1]", LT1, "-500.00", "WAGES-03-1", LT2),
        ("Stmt[1]/Ntry[1]/NtryDtls[1]/TxDtls[2]", LT1, "-450.00", "WAGES-03-2", EE1),
        ("Stmt[1]/Ntry[1]/NtryDtls[1]/TxDtls[3]", LT1, "-550.00", "WAGES-03-3", LV2),
        ("Stmt[1]/Ntry[2]/NtryDtls[1]/TxDtls[1]", LT1, "-400.00", "RENT-03-1", EE1),
        ("Stmt[1]/Ntry[2]/NtryDtls[2]/TxDtls[1]", LT1, "-300.00", "RENT-03-2", EE1),
        ("Stmt[1]/Ntry[3]", LT1, "-40.00", None, None),
        ("Stmt[1]/Ntry[4]", LT1, "80.00", None, LT2),
        ("Stmt[1]/Ntry[5]", LT1, "80.00", None, LT2),
    ], []),
    # OPBD and PRCD both given; a reversal names the party of the payment it undoes; batch
    # details in USD with the account's EUR amount in AmtDtls/TxAmt, their own references
    "camt053-v04-reversal.xml": ([
        ("Stmt[1]/Ntry[1]", DE1, "-120.00", "2026030500017", EE1),
        ("Stmt[1]/Ntry[2]", DE1, "120.00", "2026030500093", EE1),
        ("Stmt[1]/Ntry[3]/NtryDtls[1]/TxDtls[1]", DE1, "-600.00", "2026030500044-1",
         "000123456789"),
        ("Stmt[1]/Ntry[3]/NtryDtls[1]/TxDtls[2]", DE1, "-400.00", "2026030500044-2",
         "000987654321"),
        ("Stmt[1]/Ntry[4]", DE1, "95.50", "2026030500101", "SE3150000000000000000000"),
    ], []),
    # two accounts, an overdrawn opening balance, Sts/Cd, Pty names, a CHF account
    "camt053-v08-accounts.xml": ([
        ("Stmt[1]/Ntry[1]", LV2, "200.00", "LV-0310-1", LV1),
        ("Stmt[1]/Ntry[2]", LV2, "-50.00", "LV-0311-1", EE1),
        ("Stmt[2]/Ntry[1]", "CH890023300000000001A", "310.00", "CH-0320-1", None),
    ], []),
    "camt054-v02-notification.xml": ([
        ("Ntfctn[1]/Ntry[1]/NtryDtls[1]/TxDtls[1]", LT2, "30.00", "LT-0308-A", EE1),
        ("Ntfctn[1]/Ntry[1]/NtryDtls[1]/TxDtls[2]", LT2, "30.00", "LT-0308-B", LV3),
        ("Ntfctn[1]/Ntry[1]/NtryDtls[1]/TxDtls[3]", LT2, "30.00", "LT-0308-C", LV2),
    ], []),
    "camt054-v08-notification.xml": ([
        ("Ntfctn[1]/Ntry[1]", EE1, "450.00", "RENT-04", LT1),
        ("Ntfctn[2]/Ntry[1]", LT1, "-450.00", "RENT-04", EE1),
        ("Ntfctn[2]/Ntry[2]", LT1, "-1.20", "E-0003", None),
    ], []),
}


# fixture: entries not booked (locator after the container, status), kept apart as
# pending_transaction records; each statement with some has a warning counting them
PENDING: dict[str, list[tuple[str, str]]] = {
    "camt052-v08-interim.xml": [("Rpt[1]/Ntry[3]", "pending"), ("Rpt[2]/Ntry[2]", "info")],
    "camt052-v02-pending.xml": [("Rpt[1]/Ntry[2]", "pending"), ("Rpt[1]/Ntry[3]", "info"),
                                ("Rpt[1]/Ntry[5]", "future")],
    "camt054-v02-notification.xml": [("Ntfctn[1]/Ntry[2]", "pending")],
    "camt054-v04-pending.xml": [("Ntfctn[1]/Ntry[1]/NtryDtls[1]/TxDtls[1]", "pending"),
                                ("Ntfctn[1]/Ntry[1]/NtryDtls[1]/TxDtls[2]", "pending")],
}


def _after_container(locator: str) -> str:
    return locator.split("/", 3)[3]  # drop "", "Document" and the message element


def _rows(ws, case="c", kind="transaction"):
    engine = ws.records.engine(case)
    rows = engine.query(
        'SELECT record_id, locator, account, amount, ref, counterparty_account, '
        f'counterparty_name, description FROM "{kind}"').to_pylist()
    engine.close()
    return sorted(rows, key=lambda r: int(r["record_id"].rsplit(":", 1)[1]))


def test_every_fixture_has_its_expectation():
    assert set(FIXTURES) == set(EXPECTED)


@pytest.mark.parametrize("name", FIXTURES)
def test_camt_variant_is_detected_and_imported(sqlite_ws, name):
    rows, rejects = EXPECTED[name]
    path = DATA / name
    assert detect_format(path) == "camt"
    sqlite_ws.cases.create("c")
    [result] = sqlite_ws.records.import_files("c", [ImportRequest(path)])
    assert sorted((_after_container(r.locator), r.field) for r in result.rejects) == \
        sorted(rejects)
    got = [(_after_container(r["locator"]), r["account"], r["amount"], r["ref"],
            r["counterparty_account"]) for r in _rows(sqlite_ws)]
    assert got == [(loc, acc, Decimal(amount), ref, cp) for loc, acc, amount, ref, cp in rows]


@pytest.mark.parametrize("name", FIXTURES)
def test_entries_not_booked_are_kept_apart_and_counted(sqlite_ws, name):
    sqlite_ws.cases.create("c")
    [result] = sqlite_ws.records.import_files("c", [ImportRequest(DATA / name)])
    engine = sqlite_ws.records.engine("c")
    got = engine.query("SELECT locator, status FROM pending_transaction").to_pylist()
    engine.close()
    expected = PENDING.get(name, [])
    assert sorted((_after_container(r["locator"]), r["status"]) for r in got) == \
        sorted(expected)
    counted = [w for w in result.warnings if w.field == "status"]
    statements = {loc.split("/Ntry")[0] for loc, _ in expected}
    assert len(counted) == len(statements)
    entries = {loc.split("/NtryDtls")[0] for loc, _ in expected}
    assert sum(int(w.reason.split()[0]) for w in counted) == len(entries)


def test_reversal_is_marked_and_names_the_other_party(sqlite_ws):
    sqlite_ws.cases.create("c")
    sqlite_ws.records.import_files("c", [ImportRequest(DATA / "camt053-v04-reversal.xml")])
    [rev] = [r for r in _rows(sqlite_ws) if r["locator"].endswith("Ntry[2]")]
    assert rev["counterparty_name"] == "Harju Holding OÜ"
    assert rev["description"] == "reversal: Lodging deduction March"


def test_interim_balances_that_do_not_add_up_are_reported(sqlite_ws):
    sqlite_ws.cases.create("c")
    [result] = sqlite_ws.records.import_files(
        "c", [ImportRequest(DATA / "camt052-v08-interim.xml")])
    [balance] = [r for r in result.rejects if r.field == "balance"]
    assert "opening 10.00 + 1 entries 5.00 = 15.00" in balance.reason
    assert "difference 5.00" in balance.reason


# -- no entry is lost without a word ------------------------------------------------------


def _entries(path: Path) -> dict[str, Decimal]:
    """Every Ntry of a camt file by its locator, with its signed amount, read with the
    standard library's parser (not the importer's)."""
    root = ET.parse(path).getroot()
    ns = root.tag[1:].split("}")[0]
    found: dict[str, Decimal] = {}
    for message in root:
        m_name = message.tag.split("}")[1]
        counts: dict[str, int] = {}
        for stmt in message:
            s_name = stmt.tag.split("}")[1]
            if s_name not in ("Stmt", "Rpt", "Ntfctn"):
                continue
            counts[s_name] = counts.get(s_name, 0) + 1
            for k, ntry in enumerate(stmt.findall(f"{{{ns}}}Ntry"), start=1):
                amount = Decimal(ntry.findtext(f"{{{ns}}}Amt"))
                sign = -1 if ntry.findtext(f"{{{ns}}}CdtDbtInd") == "DBIT" else 1
                found[f"/Document/{m_name}/{s_name}[{counts[s_name]}]/Ntry[{k}]"] = \
                    sign * amount
    assert len(found) == sum(1 for e in root.iter() if e.tag == f"{{{ns}}}Ntry")
    return found


@pytest.mark.parametrize("name", FIXTURES)
def test_every_entry_is_kept_or_reported(sqlite_ws, name):
    """Entries in the file = entries imported (their rows add up to the entry) + entries
    rejected with their locator; no row comes from anywhere else."""
    entries = _entries(DATA / name)
    sqlite_ws.cases.create("c")
    [result] = sqlite_ws.records.import_files("c", [ImportRequest(DATA / name)])
    rows = _rows(sqlite_ws) + _rows(sqlite_ws, kind="pending_transaction")

    def within(locator: str, entry: str) -> bool:
        return locator == entry or locator.startswith(entry + "/")

    imported = rejected = 0
    for entry, amount in entries.items():
        parts = [r["amount"] for r in rows if within(r["locator"], entry)]
        reported = [r for r in result.rejects if within(r.locator, entry)]
        if parts and not reported:
            assert sum(parts) == amount, entry
            imported += 1
        else:
            assert reported, f"{entry} neither imported nor reported"
            rejected += 1
    assert imported + rejected == len(entries)
    assert all(any(within(r["locator"], e) for e in entries) for r in rows)


def test_an_entry_outside_a_statement_fails_the_import(sqlite_ws, tmp_path):
    text = (DATA / "camt053-v08-accounts.xml").read_text(encoding="utf-8")
    # a report inside a statement message: its entries belong to no statement read
    text = text.replace("<Stmt>\n      <Id>MULTI-0008-CHF", "<Rpt>\n      <Id>MULTI-0008-CHF")
    text = text.replace("</Stmt>\n  </BkToCstmrStmt>", "</Rpt>\n  </BkToCstmrStmt>")
    path = tmp_path / "odd.xml"
    path.write_text(text, encoding="utf-8")
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed, match=r"odd\.xml:/Document/BkToCstmrStmt/Rpt/Ntry: "
                                           r"an entry \(Ntry\) outside a statement"):
        sqlite_ws.records.import_files("c", [ImportRequest(path)])
    assert sqlite_ws.records.sources("c") == []


@pytest.mark.parametrize("version", [f"053.001.{v:02d}" for v in range(2, 14)])
def test_every_camt053_version_reads_alike(sqlite_ws, tmp_path, version):
    """The message versions differ in the elements above (each read in both forms), not in
    how the importer finds statements and entries."""
    text = (DATA / "camt053-v02-batch.xml").read_text(encoding="utf-8")
    path = tmp_path / "v.xml"
    path.write_text(text.replace("camt.053.001.02", f"camt.{version}"), encoding="utf-8")
    assert detect_format(path) == "camt"
    sqlite_ws.cases.create("c")
    [result] = sqlite_ws.records.import_files("c", [ImportRequest(path)])
    assert result.rejects == []
    rows, _ = EXPECTED["camt053-v02-batch.xml"]
    assert [(_after_container(r["locator"]), r["amount"]) for r in _rows(sqlite_ws)] == \
        [(loc, Decimal(amount)) for loc, _, amount, _, _ in rows]
