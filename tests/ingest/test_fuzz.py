"""Property-based fuzzing of every importer in the registry (hypothesis).

Inputs are mutations of valid simulated files (bytes inserted, deleted, flipped, repeated,
cut) and structured garbage (random JSON, XML, CSV and spreadsheet cells). The only
outcomes allowed: the import succeeds, or it fails with a one-line
:class:`~veriga.errors.VerigaError` that is not an importer bug, and the store and the bulk
folder are then exactly as before. ``VERIGA_FUZZ_EXAMPLES`` sets the number of inputs per
importer (``make fuzz``: 100,000; the normal test run: 60).
"""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import hostile
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_bods import V03, V04
from test_camt import HAPPY as CAMT
from test_mt940 import HAPPY as MT940

from veriga.config import Settings
from veriga.demo import example_files
from veriga.errors import VerigaError
from veriga.ingest import ImportRequest, formats, run_imports
from veriga.ingest.runner import INTERNAL
from veriga.workspace import Workspace

EXAMPLES = int(os.environ.get("VERIGA_FUZZ_EXAMPLES", "60"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, database=None,
                suppress_health_check=list(HealthCheck))
#: Small limits, so that the fuzzer also meets them and each input stays fast.
OPTIONS = {"max_bytes": 256 * 1024, "max_line_bytes": 16 * 1024, "max_value_chars": 4096,
           "max_rows": 2000, "max_columns": 64, "max_cells": 20_000,
           "max_unzipped_bytes": 1 << 20}


def _xlsx_bytes(tmp: Path, rows: list[tuple[str, ...]]) -> bytes:
    path = hostile.xlsx(tmp / "seed.xlsx", "".join(hostile.xlsx_row(r) for r in rows))
    return path.read_bytes()


def _sheet(rows: list[tuple[str, ...]]) -> str:
    return "".join(hostile.xlsx_row(r) for r in rows)


CSV_ROWS = [hostile.HEADER, (hostile.IBAN, "01.03.2026", "12,50", "EUR"),
            (hostile.IBAN, "02.03.2026", "-3,00", "EUR")]


def seeds(tmp: Path) -> dict[str, tuple[str, bytes, str | None]]:
    """Per format: file name, a valid file, and the mapping (CSV/XLSX)."""
    ex = example_files()
    return {
        "ftm": ("seed.ftm.json", ex["people"].read_bytes(), None),
        "csv": ("seed.csv", ex["transactions"].read_bytes(),
                ex["mapping"].read_text(encoding="utf-8")),
        "xlsx": ("seed.xlsx", _xlsx_bytes(tmp, CSV_ROWS), hostile.XLSX_MAPPING),
        "camt": ("seed.xml", CAMT.encode(), None),
        "mt940": ("seed.sta", MT940.encode(), None),
        "bods": ("seed.json", json.dumps(V04 + V03, ensure_ascii=False).encode(), None),
    }


# -- generated inputs ------------------------------------------------------------------------

@st.composite
def mutated(draw: st.DrawFn, seed: bytes) -> bytes:
    """``seed`` with a few random edits."""
    data = bytearray(seed)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(data)))
        kind = draw(st.sampled_from(["insert", "delete", "flip", "repeat", "cut", "swap"]))
        if kind == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=40) | st.sampled_from(
                [b"<", b">", b"{", b"}", b"[", b"]", b'"', b"\\", b"\n", b";", b",", b":",
                 b"\x00", b"\xff", b"\xef\xbb\xbf", b"-}", b":61:", b":20:", b"&a;"]))
        elif kind == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif kind == "flip" and at < len(data):
            data[at] = draw(st.integers(0, 255))
        elif kind == "repeat":
            piece = bytes(data[at : at + draw(st.integers(1, 200))])
            data[at:at] = piece * draw(st.integers(1, 20))
        elif kind == "cut":
            del data[at:]
        elif kind == "swap" and len(data) > 2:
            other = draw(st.integers(0, len(data) - 1))
            data[at:at], data[other : other + 1] = data[other : other + 1], b""
    return bytes(data)


JSON_LEAF = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(
    max_size=30)
JSON = st.recursive(JSON_LEAF, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
    st.sampled_from(["id", "schema", "properties", "name", "statementId", "recordId",
                     "recordType", "recordDetails", "names", "interests", "subject",
                     "interestedParty", "identifiers", "entityType", "addresses", "x"]) |
    st.text(max_size=8), inner, max_size=5), max_leaves=20)
SCHEMAS = st.sampled_from(["Person", "Company", "BankAccount", "Ownership", "Payment", "Thing",
                           "LegalEntity", "Nope", ""])
FTM_LINE = st.fixed_dictionaries({"id": st.text(max_size=10) | JSON_LEAF,
                                  "schema": SCHEMAS | JSON_LEAF,
                                  "properties": st.dictionaries(st.text(max_size=12), JSON,
                                                                max_size=4) | JSON})
CELL = st.text(max_size=20) | st.sampled_from(["", "01.03.2026", "1,00", "-0,00", "EUR",
                                                hostile.IBAN, "1e309", "=1+1", "\x00"])
ROWS = st.lists(st.tuples(CELL, CELL, CELL, CELL), max_size=12)
XML_TAGS = st.sampled_from(["Document", "BkToCstmrStmt", "Stmt", "Ntry", "Amt", "Bal",
                            "CdtDbtInd", "Acct", "Id", "IBAN", "BookgDt", "Dt", "TxDtls"])


@st.composite
def xml_tree(draw: st.DrawFn, depth: int = 0) -> str:
    tag = draw(XML_TAGS)
    if depth > 5 or draw(st.booleans()):
        text = draw(st.text(alphabet=st.characters(blacklist_categories=["Cs"],
                                                    blacklist_characters="<&"), max_size=12))
        return f"<{tag}>{text}</{tag}>"
    children = "".join(draw(st.lists(xml_tree(depth + 1), max_size=3)))
    return f"<{tag}>{children}</{tag}>"


def garbage(fmt: str) -> st.SearchStrategy[bytes]:
    """Structured garbage in the shape of ``fmt``."""
    if fmt == "ftm":
        return st.lists(FTM_LINE | JSON, max_size=6).map(
            lambda items: "\n".join(json.dumps(i) for i in items).encode())
    if fmt == "bods":
        return JSON.map(lambda v: json.dumps(v).encode())
    if fmt == "csv":
        return ROWS.map(lambda rows: "\n".join(";".join(r) for r in [hostile.HEADER, *rows])
                        .encode())
    if fmt == "camt":
        ns = '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
        return xml_tree().map(lambda t: (ns + t + "</Document>").encode())
    if fmt == "mt940":
        fields = st.lists(st.sampled_from([":20:", ":25:", ":28C:", ":60F:", ":61:", ":86:",
                                           ":62F:", ":64:", "-}", "{1:"]).flatmap(
            lambda tag: st.text(max_size=30).map(lambda v: tag + v)), max_size=12)
        return fields.map(lambda lines: "\n".join(lines).encode())
    return st.binary(max_size=600)


def inputs(fmt: str, seed: bytes) -> st.SearchStrategy[bytes]:
    if fmt == "xlsx":  # mutate the sheet's XML and zip it, or mutate the zip itself
        sheet = (hostile.SHEET_HEAD + _sheet(CSV_ROWS) + hostile.SHEET_TAIL).encode()
        return (mutated(sheet).map(lambda s: ("sheet", s)) | ROWS.map(
            lambda rows: ("sheet", (hostile.SHEET_HEAD + _sheet([hostile.HEADER, *rows])
                                    + hostile.SHEET_TAIL).encode()))
                | mutated(seed).map(lambda z: ("zip", z))).map(_pack)
    return mutated(seed) | garbage(fmt) | st.binary(max_size=300)


def _pack(item: tuple[str, bytes]) -> bytes:
    kind, data = item
    if kind == "zip":
        return data
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        ref = zipfile.ZipFile(io.BytesIO(_XLSX_TEMPLATE[0]))
        for info in ref.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                zf.writestr(info.filename, ref.read(info))
        zf.writestr("xl/worksheets/sheet1.xml", data)
    return buf.getvalue()


_XLSX_TEMPLATE: list[bytes] = []


# -- the property ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    root = tmp_path_factory.mktemp("fuzz")
    ws = Workspace.local(Settings(home=root / "home", database_url=f"sqlite:///{root / 'f.db'}"),
                         purpose="fuzzing", username="fuzzer")
    ws.create_case("fuzz")
    yield ws
    ws.close()


def _snapshot(ws: Workspace) -> tuple:
    with ws.store.begin() as conn:
        counts = tuple(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                       for t in ("sources", "statements", "rejects", "audit"))
    return counts, tuple(ws.bulk.files())


def test_every_registered_importer_has_a_seed(tmp_path):
    assert set(formats()) <= set(seeds(tmp_path)), "add a seed for the new importer here"


RATES: dict[str, str] = {}


@pytest.mark.parametrize("fmt", formats())
def test_fuzz_importer(fuzz_ws: Workspace, tmp_path: Path, fmt: str) -> None:
    name, seed, mapping_text = seeds(tmp_path)[fmt]
    if not _XLSX_TEMPLATE:
        _XLSX_TEMPLATE.append(_xlsx_bytes(tmp_path, CSV_ROWS))
    mapping = None
    if mapping_text is not None:
        mapping = tmp_path / "fuzz.mapping.yml"
        mapping.write_text(mapping_text, encoding="utf-8")
    case_id = fuzz_ws.case("fuzz")["id"]
    outcomes = {"imported": 0, "refused": 0}
    target = tmp_path / name

    @FUZZ
    @given(data=inputs(fmt, seed))
    def run(data: bytes) -> None:
        target.write_bytes(data)
        before = _snapshot(fuzz_ws)
        try:
            run_imports(fuzz_ws.store, fuzz_ws.bulk, case_id,
                        [ImportRequest(target, format=fmt, mapping=mapping,
                                       options=dict(OPTIONS))], "fuzzer", "fuzzing")
        except VerigaError as exc:
            text = str(exc)
            assert text and len(text.splitlines()) == 1, text
            assert INTERNAL not in text, text
            assert _snapshot(fuzz_ws) == before, text
            outcomes["refused"] += 1
        else:
            outcomes["imported"] += 1

    start = time.monotonic()
    run()
    took = time.monotonic() - start
    total = sum(outcomes.values())
    RATES[fmt] = (f"{fmt}: {total} inputs in {took:.1f} s ({total / took:.0f}/s), "
                  f"{outcomes['imported']} imported, {outcomes['refused']} refused")
    print("fuzz", RATES[fmt])
