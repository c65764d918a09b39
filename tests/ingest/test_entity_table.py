"""Entities made in bulk (EntityTable): payment edges summed in Python and in DuckDB alike,
values normalised and reported as drafts' are, statements stored with the ids drafts get."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pyarrow as pa
import pytest

from veriga.ingest import bankstatement
from veriga.ingest.base import EntityTable, ImportContext
from veriga.ingest.normalise import entity_table
from veriga.model.records import TRANSACTION
from veriga.store import statement_id
from veriga.store import store as store_module

OWN = "LV80BANK0000435195001"
OTHER = "EE382200221020145685"
THIRD = "FI2112345600000785"


def _transactions(n: int) -> pa.Table:
    """``n`` rows over three accounts, three currencies and four months, some named."""
    rows: dict[str, list] = {f.name: [] for f in TRANSACTION.schema}
    for i in range(n):
        ccy, amount = [("EUR", Decimal("10.25")), ("JPY", Decimal("1500")),
                       ("KWD", Decimal("1.125"))][i % 3]
        values = {
            "record_id": f"s:{i}", "source_id": "s", "locator": f"line {i + 1}",
            "account": OWN if i % 5 else OTHER,
            "counterparty_account": [OTHER, THIRD, None, OWN][i % 4],
            "counterparty_name": [None, "Boris  Sample", "Carla Test"][i % 3],
            "booking_date": date(2026, 1 + i % 4, 1 + i % 28),
            "amount": amount if i % 2 else -amount, "currency": ccy,
        }
        for name in rows:
            rows[name].append(values.get(name))
    arrays = [bankstatement.column(rows[f.name], f.type) for f in TRANSACTION.schema]
    return pa.Table.from_arrays(arrays, schema=TRANSACTION.schema)


def _statements(items: list) -> set[tuple]:
    found: set[tuple] = set()
    for item in items:
        if isinstance(item, EntityTable):
            found |= set(zip(*(item.table[c].to_pylist() for c in
                               ("entity_id", "prop", "value", "locator")), strict=True))
        else:
            found |= {(item.id, p, v, item.locator) for p, v in [("id", item.id),
                                                                   *item.values]}
    return found


@pytest.mark.parametrize("parties", [False, True])
def test_payments_in_duckdb_are_those_summed_in_python(tmp_path: Path, monkeypatch,
                                                        parties: bool) -> None:
    """Summed in Python and given as drafts (a small file), or summed in DuckDB and given
    as tables (a large one): the same statements."""
    table = _transactions(600)
    owners = {OWN: "Anna Example"}
    ctx = ImportContext(path=tmp_path / "x", source_id="s")
    small = list(bankstatement.payment_entities(ctx, table, owners, parties))
    assert not any(isinstance(i, EntityTable) for i in small)
    monkeypatch.setattr(bankstatement, "SMALL_TABLE", 0)
    monkeypatch.setattr(bankstatement, "BULK_ENTITIES", 0)
    monkeypatch.setattr(bankstatement, "BULK_PART", 7)  # in parts
    large = list(bankstatement.payment_entities(ctx, table, owners, parties))
    assert sum(isinstance(i, EntityTable) for i in large) > 1
    assert _statements(small) == _statements(large)
    values: dict[str, dict[str, str]] = {}
    for entity, prop, value, _loc in _statements(small):
        values.setdefault(entity, {})[prop] = value
    decimals = {"EUR": 2, "JPY": 0, "KWD": 3}
    payments = [v for v in values.values() if "amount" in v]
    assert {v["currency"] for v in payments} == set(decimals)
    for v in payments:  # each currency keeps its own decimals
        assert len(v["amount"].partition(".")[2]) == decimals[v["currency"]]
    assert ctx.rejects == []


def test_values_are_normalised_and_bad_ones_reported(tmp_path: Path) -> None:
    ctx = ImportContext(path=tmp_path / "x", source_id="s")
    found = entity_table(ctx, "Payment", ["p1", "p2"], ["line 1", "line 2"], {
        "startDate": ["2026-03-01", "2026-13-45"],
        "summary": ["  two  ", None],
        "notAProperty": ["x", None],
    })
    assert found is not None
    rows = set(zip(*(found.table[c].to_pylist() for c in
                     ("entity_id", "prop", "value", "original_value")), strict=True))
    assert ("p1", "startDate", "2026-03-01", None) in rows
    assert ("p1", "summary", "two", None) in rows  # stripped, as Draft.add strips
    assert not any(e == "p2" and p == "startDate" for e, p, _v, _o in rows)
    assert {("p1", "id", "p1", None), ("p2", "id", "p2", None)} <= rows
    assert [(r.locator, r.field, r.value) for r in ctx.rejects] == [
        ("line 2", "startDate", "2026-13-45"), ("line 1", "notAProperty", "x")]


def test_bulk_entities_are_stored_with_the_ids_drafts_get(ws, tmp_path: Path,
                                                          monkeypatch) -> None:
    from test_camt import OTHER as CP
    from test_camt import document, ntry, stmt, write

    from veriga.ingest import ImportRequest

    monkeypatch.setattr(bankstatement, "BULK_ENTITIES", 0)  # two payments, as a table
    monkeypatch.setattr(store_module, "CHUNK", 5)  # written in several parts
    text = document([stmt([ntry("100.00", "DBIT", ref="P1", name="Boris Sample", iban=CP),
                           ntry("5.00", "CRDT", ref="P2", name="Boris Sample", iban=CP)],
                          opening="200.00", closing="105.00")])
    ws.cases.create("c")
    [result] = ws.records.import_files("c", [ImportRequest(write(tmp_path, text))])
    with ws.store.begin() as conn:
        rows = conn.exec_driver_sql(
            "SELECT id, case_id, entity_id, prop, value, source_id FROM statements "
            "WHERE schema = 'Payment'").fetchall()
    assert len(rows) >= 2 * 8  # two payments (one each way), id and seven values or more
    for sid, case, entity, prop, value, source in rows:
        assert source == result.source_id
        assert sid == statement_id(case, entity, prop, value, source)
