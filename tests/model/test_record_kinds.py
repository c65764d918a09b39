"""Bulk record kinds: Veriga's own, and one a plugin adds (mapped, imported, queried)."""

import pyarrow as pa
import pytest

from veriga import plugins
from veriga.ingest import ImportRequest
from veriga.model.records import AMOUNT, BUILTIN, RECORD_KINDS, RecordKind

SHIPMENT = RecordKind(
    name="shipment",
    description="One consignment note (a plugin's kind, for the test).",
    fields=(pa.field("note_no", pa.string()), pa.field("shipped", pa.date32()),
            pa.field("sender_reg", pa.string()), pa.field("sender_country", pa.string()),
            pa.field("value", AMOUNT)),
    required=("note_no", "shipped"),
    registrations=(("sender_reg", "sender_country", "company"),),
)


@pytest.fixture
def shipment():
    plugins.add("record_kinds", "shipment", SHIPMENT)
    yield SHIPMENT
    plugins.remove("record_kinds", "shipment")


def test_veriga_kinds_come_first():
    assert list(RECORD_KINDS)[:3] == ["transaction", "call", "invoice"]
    assert set(BUILTIN) <= set(RECORD_KINDS)


def test_a_plugin_kind_is_mapped_imported_and_queried(sqlite_ws, tmp_path, shipment):
    assert RECORD_KINDS["shipment"] is shipment
    mapping = tmp_path / "notes.mapping.yml"
    mapping.write_text("records:\n  shipment:\n    note_no: {column: note}\n"
                       "    shipped: {column: day}\n    sender_reg: {column: reg}\n"
                       "    sender_country: {literal: EE}\n    value: {column: value}\n",
                       encoding="utf-8")
    path = tmp_path / "notes.csv"
    path.write_text("note,day,reg,value\nN1,2026-03-01,10000001,10.50\n"
                    "N2,2026-03-02,10000002,1.00\n", encoding="utf-8")
    sqlite_ws.cases.create("c")
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path, mapping=mapping)])
    assert r.records == {"shipment": 2}
    assert [(x.locator, x.field) for x in r.rejects] == [("line 3", "sender_reg")]
    engine = sqlite_ws.records.engine("c")
    try:
        rows = engine.query('SELECT note_no, sender_reg FROM "shipment" ORDER BY note_no')
    finally:
        engine.close()
    assert rows.to_pylist() == [{"note_no": "N1", "sender_reg": "10000001"},
                                {"note_no": "N2", "sender_reg": None}]


def test_a_plugin_kind_must_be_a_record_kind_named_by_its_entry_point():
    plugins.add("record_kinds", "parcel", SHIPMENT)
    try:
        with pytest.raises(plugins.PluginError, match="'parcel' is named 'shipment'"):
            RECORD_KINDS["parcel"]
    finally:
        plugins.remove("record_kinds", "parcel")
    plugins.add("record_kinds", "invoice", RecordKind("invoice", (), (), "again"))
    try:
        with pytest.raises(plugins.PluginError, match="one of Veriga's own"):
            list(RECORD_KINDS)
    finally:
        plugins.remove("record_kinds", "invoice")
