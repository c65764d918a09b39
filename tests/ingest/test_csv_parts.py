"""A large CSV is read and converted in parts (never whole in memory): what it brings is
what the same file read whole brings: records, their order, entities, payment edges and
every reject on its line."""

from __future__ import annotations

import textwrap

import pyarrow.parquet as pq
import pytest

from veriga.ingest import ImportRequest, read_file, table_reader, tabular

MAPPING = textwrap.dedent("""\
    csv: {delimiter: ";"}
    country: LV
    payments: true
    entities:
      person:
        schema: Person
        keys: [name]
        properties:
          name: {column: name}
          birthDate: {column: dob, format: "%d.%m.%Y"}
      account:
        schema: BankAccount
        keys: [iban]
        properties:
          iban: {column: iban}
    records:
      transaction:
        account: {column: iban}
        booking_date: {column: date, format: "%d.%m.%Y"}
        amount: {column: amount, decimal: ","}
        currency: {literal: EUR}
        counterparty_account: {column: other}
        ref: {column: ref}
""")
IBANS = ["LV80BANK0000435195001", "BG80BNBG96611020345678", "LV97HABA0012345678910"]


def _rows(n: int) -> list[str]:
    rows = []
    for i in range(n):
        date = "31.02.2026" if i % 97 == 5 else f"{i % 28 + 1:02d}.03.2026"  # rejected
        amount = "12,345" if i % 101 == 7 else f"{i % 50 - 25},{i % 100:02d}"  # rejected
        rows.append(f"Name {i % 40};01.02.1990;{IBANS[i % 3]};{date};{amount};"
                    f"{IBANS[(i + 1) % 3]};R{i}")
    return rows


@pytest.fixture
def files(tmp_path):
    mapping = tmp_path / "m.yml"
    mapping.write_text(MAPPING, encoding="utf-8")
    path = tmp_path / "t.csv"
    path.write_text("\ufeffname;dob;iban;date;amount;other;ref\n" + "\n".join(_rows(3000))
                    + "\n", encoding="utf-8")
    return path, mapping


def _read(path, mapping):
    result = read_file(ImportRequest(path, mapping=mapping))
    return (result.records, result.entities, result.statements,
            [(r.locator, r.field, r.value, r.reason) for r in result.rejects])


def test_parts_bring_what_the_whole_file_brings(files, monkeypatch):
    path, mapping = files
    whole = _read(path, mapping)
    monkeypatch.setattr(table_reader, "STREAM_BYTES", 0)
    monkeypatch.setattr(table_reader, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 700)
    read = table_reader.read_csv(path, delimiter=";", stream=True)
    assert read.stream is not None  # read in parts indeed
    parts = _read(path, mapping)
    assert parts[:3] == whole[:3]
    assert whole[0] == {"transaction": 3000 - 31 - 30}
    assert sorted(parts[3]) == sorted(whole[3])
    assert len(whole[3]) == 61


def test_a_row_of_several_lines_is_read_whole(files, monkeypatch, tmp_path):
    path, mapping = files
    text = path.read_text(encoding="utf-8").replace("Name 3;", '"Name\n3";', 1)
    path.write_text(text, encoding="utf-8")
    monkeypatch.setattr(table_reader, "STREAM_BYTES", 0)
    monkeypatch.setattr(table_reader, "BLOCK_BYTES", 4096)
    read = table_reader.read_csv(path, delimiter=";", stream=True)
    assert read.stream is None and read.table.num_rows == 3000
    assert read.table["name"][3].as_py() == "Name\n3"


def test_imported_in_parts_in_the_order_of_the_file(files, monkeypatch, sqlite_ws):
    path, mapping = files
    monkeypatch.setattr(table_reader, "STREAM_BYTES", 0)
    monkeypatch.setattr(table_reader, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(tabular, "CHUNK_ROWS", 700)
    sqlite_ws.cases.create("parts")
    (result,) = sqlite_ws.records.import_files("parts", [ImportRequest(path, mapping=mapping)])
    (written,) = sqlite_ws.bulk.root.rglob(f"transaction/{result.source_id}.parquet")
    table = pq.read_table(written)
    lines = [int(loc.split()[1]) for loc in table["locator"].to_pylist()]
    assert lines == sorted(lines) and len(lines) == result.records["transaction"] == 2939
    assert {r.locator for r in result.rejects} >= {"line 7", "line 9"}
