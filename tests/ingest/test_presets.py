"""Bank CSV/XLSX presets: a known export layout imports without a mapping file."""

import csv
import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
import yaml

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest, MappingError, expand, load_mapping
from veriga.ingest.mapping import parse_mapping
from veriga.ingest.preset import match_preset, presets
from veriga.simulate.writers.statements import CSV_LAYOUTS, bank_csv_mapping

OWN = "LV80BANK0000435195001"
OTHER = "LV53BANK0000435195002"
THIRD = "DE89370400440532013000"


def _tx(ws, case="c"):
    engine = ws.records.engine(case)
    rows = engine.query(
        'SELECT locator, account, ref, booking_date, value_date, amount, currency, '
        'counterparty_account, counterparty_name, method, description, balance_after '
        'FROM "transaction" ORDER BY locator'
    ).to_pylist()
    engine.close()
    return rows


def _sim_csv(tmp_path: Path, fmt: str, name: str = "export.csv") -> Path:
    """A bank export in one of the simulator's layouts (as its writer lays it out)."""
    delim, dec, dfmt, cols = CSV_LAYOUTS[fmt]
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delim, lineterminator="\n")
    w.writerow(list(cols.values()))
    rows = [("2026-03-02", "250.00", OTHER, "Boris Sample", "transfer", "R1", "1250.00"),
            ("2026-03-05", "-80.50", THIRD, "Carla Test", "transfer", "R2", "1169.50"),
            ("2026-03-07", "-40.00", "", "ATM Riga", "cash", "R3", "1129.50")]
    for day, amount, cp, cp_name, method, ref, balance in rows:
        when = date.fromisoformat(day)
        value = {"account": OWN, "booking_date": when.strftime(dfmt),
                 "value_date": when.strftime(dfmt), "ref": ref, "method": method,
                 "counterparty_name": cp_name, "counterparty_account": cp,
                 "counterparty_bic": "", "description": f"text {ref}",
                 "amount": amount.replace(".", dec), "currency": "EUR",
                 "balance_after": balance.replace(".", dec)}
        w.writerow([value[k] for k in cols])
    path = tmp_path / name
    path.write_text(buf.getvalue(), encoding="utf-8")
    return path


@pytest.mark.parametrize(("fmt", "preset"), [("csv_lv", "sim-lv"), ("csv_en", "sim-en"),
                                             ("csv_ee", "sim-ee")])
def test_simulator_layouts_import_without_a_mapping(sqlite_ws, tmp_path, fmt, preset):
    path = _sim_csv(tmp_path, fmt)
    assert match_preset(path, "csv").preset.name == preset
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path)])
    assert r.mapping == f"preset {preset}" and r.rejects == []
    auto = _tx(sqlite_ws)
    mapping = tmp_path / "m.yml"
    mapping.write_text(bank_csv_mapping(fmt), encoding="utf-8")
    sqlite_ws.cases.create("d")
    sqlite_ws.records.import_files("d", [ImportRequest(path, mapping=mapping)])
    assert auto == _tx(sqlite_ws, "d")  # the preset reads exactly what the mapping reads
    assert [x["amount"] for x in auto] == [Decimal("250.00"), Decimal("-80.50"),
                                          Decimal("-40.00")]


def test_presets_read_the_same_fields_as_the_simulator_mappings():
    for fmt, name in (("csv_lv", "sim-lv"), ("csv_en", "sim-en"), ("csv_ee", "sim-ee")):
        sim = load_mapping_text(bank_csv_mapping(fmt))
        preset = presets()[name]
        assert set(preset.preset.header) == set(CSV_LAYOUTS[fmt][3].values())
        assert preset.csv["delimiter"] == sim.csv["delimiter"]
        assert {k: (v.columns, v.format, v.decimal) for k, v in
                preset.records["transaction"].items()} == \
            {k: (v.columns, v.format, v.decimal) for k, v in sim.records["transaction"].items()}


def load_mapping_text(text):
    return parse_mapping(yaml.safe_load(text), text=text)


def test_csv_rows_give_payment_edges_and_counterparty_accounts(sqlite_ws, tmp_path):
    sqlite_ws.cases.create("c")
    sqlite_ws.records.import_files("c", [ImportRequest(_sim_csv(tmp_path, "csv_lv"))])
    accounts = {e.first("iban"): e.id for e in sqlite_ws.entities.list("c", ["BankAccount"])}
    assert set(accounts) == {OWN, OTHER, THIRD}
    payments = {(p.first("payerAccount"), p.first("beneficiaryAccount")): p
                for p in sqlite_ws.entities.list("c", ["Payment"])}
    assert set(payments) == {(accounts[OTHER], accounts[OWN]), (accounts[OWN], accounts[THIRD])}
    incoming = payments[(accounts[OTHER], accounts[OWN])]
    assert incoming.get("amount") == ["250.00"] and incoming.get("summary") == ["1 transaction"]
    holders = {e.first("name"): e.id for e in sqlite_ws.entities.list("c", ["LegalEntity"])}
    assert incoming.get("payer") == [holders["Boris Sample"]]
    assert "ATM Riga" not in holders  # no counterparty account: no party, no edge


def test_preset_by_name_and_unknown_preset(sqlite_ws, tmp_path):
    path = _sim_csv(tmp_path, "csv_en")
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path, mapping=Path("preset:sim-en"))])
    assert r.records == {"transaction": 3}
    assert sqlite_ws.records.sources("c")[0]["mapping"].startswith("# English-language")
    with pytest.raises(MappingError, match="unknown preset 'nope'.*sim-en"):
        load_mapping("preset:nope")


def test_unknown_header_is_a_clear_error_that_commits_nothing(sqlite_ws, tmp_path):
    path = tmp_path / "odd.csv"
    path.write_text("Datum;Betrag;Empfänger\n01.03.2026;-5,00;Kiosk\n", encoding="utf-8")
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed) as err:
        sqlite_ws.records.import_files("c", [ImportRequest(_sim_csv(tmp_path, "csv_lv")),
                                     ImportRequest(path)])
    text = str(err.value)
    assert text.startswith("odd.csv: ")
    assert "Header: Datum, Betrag, Empfänger" in text
    assert "sim-lv" in text and "revolut-like" in text and "docs/mapping.md" in text
    assert sqlite_ws.records.sources("c") == []


def test_revolut_like_needs_the_account_and_keeps_completed_rows(sqlite_ws, tmp_path):
    path = tmp_path / "account-statement.csv"
    path.write_text(
        "Type,Product,Started Date,Completed Date,Description,Amount,Fee,Currency,State,"
        "Balance\n"
        "CARD_PAYMENT,Current,2026-03-01 19:42:42,2026-03-02 14:54:46,Cafe,-3.46,0.00,EUR,"
        "COMPLETED,20.03\n"
        "TOPUP,Current,2026-03-04 17:59:03,2026-03-04 17:59:03,Payment from X,200.00,0.00,"
        "EUR,COMPLETED,220.03\n"
        "ATM,Current,2026-03-05 10:00:00,,Cash at ATM,-50.00,1.00,EUR,PENDING,\n",
        encoding="utf-8")
    sqlite_ws.cases.create("c")
    with pytest.raises(ImportFailed, match=r"revolut-like.*pass --account \(the IBAN"):
        sqlite_ws.records.import_files("c", [ImportRequest(path)])
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path, account=OWN)])
    assert [(x.locator, x.field, x.value) for x in r.rejects] == [("line 4", "State",
                                                                    "PENDING")]
    rows = _tx(sqlite_ws)
    assert [(x["account"], str(x["booking_date"]), x["amount"], x["method"]) for x in rows] == [
        (OWN, "2026-03-02", Decimal("-3.46"), "card"),
        (OWN, "2026-03-04", Decimal("200.00"), "transfer")]
    assert [e.first("iban") for e in sqlite_ws.entities.list("c", ["BankAccount"])] == [OWN]


def test_swedbank_baltic_row_types_sign_column_and_trailing_delimiter(sqlite_ws, tmp_path):
    head = ('"Kliendi konto";"Reatüüp";"Kuupäev";"Saaja/Maksja";"Selgitus";"Summa";"Valuuta";'
            '"Deebet/Kreedit";"Arhiveerimistunnus";"Tehingu tüüp";"Viitenumber";'
            '"Dokumendi number";')
    lines = [
        f'"{OWN}";"10";"01.03.2026";"";"Algsaldo";"100,00";"EUR";"K";"";"AS";"";"";',
        f'"{OWN}";"20";"02.03.2026";"MCDONALDS";"Payment";"5,59";"EUR";"D";"2026030201";'
        '"K";"";"";',
        f'"{OWN}";"20";"03.03.2026";"Boris Sample";"rent";"250,00";"EUR";"K";"2026030302";'
        '"MK";"";"";',
        f'"{OWN}";"20";"04.03.2026";"Bank";"fee";"-0,00";"EUR";"D";"2026030403";"M";"";"";',
        f'"{OWN}";"86";"31.03.2026";"";"Lõppsaldo";"344,41";"EUR";"K";"";"LS";"";"";',
    ]
    path = tmp_path / "statement.csv"
    path.write_text("\n".join([head, *lines]) + "\n", encoding="utf-8")
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path)])
    assert r.mapping == "preset swedbank-baltic-et" and r.rejects == []
    got = [(x["locator"], x["ref"], str(x["amount"])) for x in _tx(sqlite_ws)]
    assert got == [("line 3", "2026030201", "-5.590"), ("line 4", "2026030302", "250.000"),
                   ("line 5", "2026030403", "0.000")]  # -0,00 debit is stored as 0.000


def test_swedbank_se_preamble_and_windows_1252(sqlite_ws, tmp_path):
    text = ("* Transaktioner Period 2026-03-01 – 2026-03-31 Skapad 2026-04-01 08:15 CEST\n"
            "Radnummer,Clearingnummer,Kontonummer,Produkt,Valuta,Bokföringsdag,"
            "Transaktionsdag,Valutadag,Referens,Beskrivning,Belopp,Bokfört saldo\n"
            '1,8327-9,123 456 789-0,Privatkonto,SEK,2026-03-28,2026-03-27,2026-03-28,'
            '"Swish","Kalle Kärlsson",-482.50,12345.67\n')
    path = tmp_path / "Transaktioner.csv"
    path.write_bytes(text.encode("cp1252"))
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path)])
    assert r.mapping == "preset swedbank-se" and r.rejects == []
    [row] = _tx(sqlite_ws)
    assert row["locator"] == "line 3" and row["account"] == "8327-9/123456789-0"
    assert row["amount"] == Decimal("-482.50") and row["currency"] == "SEK"
    assert row["description"] == "Swish / Kalle Kärlsson"
    [acc] = sqlite_ws.entities.list("c", ["BankAccount"])
    assert acc.first("accountNumber") == "8327-9/123456789-0"


def test_seb_like_with_account_option(sqlite_ws, tmp_path):
    path = tmp_path / "seb.csv"
    path.write_text("Bokföringsdatum;Valutadatum;Verifikationsnummer;Text/mottagare;Belopp;"
                    "Saldo\n2026-03-21;2026-03-21;5501234567;Leverantör AB;-1 000,00;8 000,00\n",
                    encoding="utf-8")
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path, account="5000-12345678")])
    assert r.mapping == "preset seb-se-like"
    [row] = _tx(sqlite_ws)
    assert (row["account"], row["amount"], row["currency"], row["balance_after"]) == \
        ("5000-12345678", Decimal("-1000.00"), "SEK", Decimal("8000.00"))


def test_xlsx_with_a_known_header(sqlite_ws, tmp_path):
    source = _sim_csv(tmp_path, "csv_en")
    book = openpyxl.Workbook()
    for row in csv.reader(io.StringIO(source.read_text(encoding="utf-8"))):
        book.active.append(row)
    path = tmp_path / "export.xlsx"
    book.save(path)
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path)])
    assert r.format == "xlsx" and r.mapping == "preset sim-en"
    assert [x["locator"] for x in _tx(sqlite_ws)] == ["row 2", "row 3", "row 4"]


def test_folder_takes_csv_files_in_a_known_layout(tmp_path):
    folder = tmp_path / "bank"
    folder.mkdir()
    _sim_csv(folder, "csv_lv", "a.csv")
    (folder / "notes.csv").write_text("a;b\n1;2\n", encoding="utf-8")
    requests, skipped = expand([folder])
    assert [r.path.name for r in requests] == ["a.csv"] and requests[0].mapping is None
    assert [(p.name, "matches no preset" in why) for p, why in skipped] == [("notes.csv", True)]
