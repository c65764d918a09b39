"""Hostile input is refused in one line naming the file, the place and the limit; nothing is
stored; memory stays bounded (the slow tests measure the peak of a real ``veriga import``)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import hostile
import pytest
from ingesthelpers import snapshot
from test_camt import HAPPY as CAMT
from test_camt import document, ntry, stmt
from test_mt940 import HAPPY as MT940

from veriga.errors import ImportFailed
from veriga.ingest import ImportRequest
from veriga.ingest.limits import DEFAULT, Limits

Maker = Callable[[Path], Path]

# name: (file name, maker, options, format, mapping, expected message after "NAME:")
CASES: dict[str, tuple[str, Maker, dict, str | None, str | None, str]] = {
    "FtM nested 200,000 deep": (
        "deep.ftm.json", lambda p: hostile.ftm_deep(p, 200_000), {}, "ftm", None,
        r"line 1: JSON nested deeper than 64 levels \(max_depth\); refused"),
    "FtM nested one level too deep": (
        "deep.ftm.json", lambda p: hostile.ftm_deep(p, 10), {"max_depth": 10}, "ftm", None,
        r"line 1: JSON nested deeper than 10 levels \(max_depth\); refused"),
    "FtM line too long": (
        "long.ftm.json", lambda p: hostile.ftm_long_value(p, 5000), {"max_line_bytes": 1000},
        "ftm", None, r"line 1: line longer than 1,000 bytes \(max_line_bytes\); refused"),
    "FtM single line without end": (
        "line.ftm.json", lambda p: hostile.long_line(p, 5000), {"max_line_bytes": 1000},
        "ftm", None, r"line 1: line longer than 1,000 bytes \(max_line_bytes\); refused"),
    "FtM value too long": (
        "value.ftm.json", lambda p: hostile.ftm_long_value(p, 500), {"max_value_chars": 100},
        "ftm", None, r"line 1: value of name is 500 characters, over the limit of 100 "
                     r"\(max_value_chars\); refused"),
    "FtM file too large": (
        "big.ftm.json", lambda p: hostile.ftm_long_value(p, 5000), {"max_bytes": 4000},
        "ftm", None,
        r"file is 5,\d\d\d bytes, over the limit of 4,000 bytes \(max_bytes; raise[^)]*\)"),
    "CSV with a million columns": (
        "wide.csv", lambda p: hostile.csv_wide(p, 1_000_000), {}, "csv", "csv",
        r"line 1: the header has [\d,]+ columns, over the limit of 2,000 \(max_columns\)"),
    "CSV too many rows": (
        "rows.csv", lambda p: hostile.csv_rows(p, 200), {"max_rows": 100}, "csv", "csv",
        r"200 rows, over the limit of 100 \(max_rows; raise[^)]*\); refused"),
    "CSV too many cells": (
        "cells.csv", lambda p: hostile.csv_rows(p, 200), {"max_cells": 400}, "csv", "csv",
        r"201 rows of 4 columns, over the limit of 400 cells \(max_cells\); refused"),
    "CSV cell too long": (
        "cell.csv", lambda p: hostile.csv_long_cell(p, 5000), {"max_value_chars": 1000},
        "csv", "csv", r"line 2: column 'ccy' holds a value of 5,000 characters, over the "
                      r"limit of 1,000 \(max_value_chars\); refused"),
    "CSV line too long": (
        "line.csv", lambda p: hostile.csv_long_cell(p, 5000), {"max_line_bytes": 1000},
        "csv", "csv", r"line 2: line longer than 1,000 bytes \(max_line_bytes\); refused"),
    "CSV too large to read whole": (
        "big.csv", lambda p: hostile.csv_rows(p, 200), {"max_read_bytes": 1000}, "csv", "csv",
        r"file is [\d,]+ bytes, over the limit of 1,000 bytes "
        r"\(max_read_bytes; raise[^)]*\); refused"),
    "XLSX too many rows": (
        "rows.xlsx", lambda p: hostile.xlsx_rows(p, 200), {"max_rows": 100}, "xlsx", "xlsx",
        r"row 101: more than 100 rows \(max_rows; raise[^)]*\); refused"),
    "XLSX too many columns": (
        "wide.xlsx", lambda p: hostile.xlsx(p, hostile.xlsx_row(tuple("x" * 30))),
        {"max_columns": 20}, "xlsx", "xlsx",
        r"row 1: 30 columns, over the limit of 20 \(max_columns\); refused"),
    "XLSX cell too long": (
        "cell.xlsx", lambda p: hostile.xlsx_long_cell(p, 5000), {"max_value_chars": 1000},
        "xlsx", "xlsx", r"xl/worksheets/sheet1.xml line 1: XML text longer than 1,000 bytes "
                        r"\(max_value_chars\); refused"),
    "XLSX zip bomb": (
        "bomb.xlsx", lambda p: hostile.zip_bomb(p, 10 << 20), {"max_unzipped_bytes": 1 << 20},
        "xlsx", "xlsx", r"decompresses to [\d,]+ bytes, over the limit of 1 MiB "
                        r"\(max_unzipped_bytes\); refused"),
    "XLSX lying zip bomb": (
        "liar.xlsx", lambda p: hostile.zip_bomb(p, 10 << 20, declared=1000), {}, "xlsx",
        "xlsx", r"not a readable zip/XLSX file: Bad CRC-32"),
    "XLSX with an encrypted part": (
        "locked.xlsx", hostile.encrypted, {}, "xlsx", "xlsx",
        r"zip part xl/worksheets/sheet1\.xml is encrypted; refused"),
    "XLSX part named with a line break": (
        "odd.xlsx", lambda p: hostile.odd_part_name(p, "x\ny.xml", "T" * 5000),
        {"max_value_chars": 1000}, "xlsx", "xlsx",
        r"'x\\ny\.xml' line 1: XML text longer than 1,000 bytes \(max_value_chars\); refused"),
    "BODS nested 200,000 deep": (
        "deep.json", lambda p: _text(p, '[{"statementId": "s", "recordType": "entity", "x": '
                                     + "[" * 200_000 + "]" * 200_000 + "}]"),
        {}, "bods", None, r"JSON nested deeper than 64 levels \(max_depth\); refused"),
    "camt nested too deep": (
        "deep.xml", lambda p: _text(p, CAMT.replace("<Sts>", "<X>" * 100 + "</X>" * 100
                                                    + "<Sts>", 1)),
        {}, "camt", None, r"XML nested deeper than 64 elements \(max_depth\); refused"),
    "camt text too long": (
        "long.xml", lambda p: _text(p, document([stmt([ntry("1.00", ref="L1",
                                                             text="T" * 5000)],
                                                       closing="101.00")])),
        {"max_value_chars": 1000}, "camt", None,
        r"line \d+: XML text longer than 1,000 bytes \(max_value_chars\); refused"),
    "MT940 line too long": (
        "long.sta", lambda p: _text(p, MT940.replace(":86:", ":86:" + "Z" * 600, 1)),
        {"max_line_bytes": 500}, "mt940", None,
        r"line \d+: line longer than 500 bytes \(max_line_bytes\); refused"),
}


def _text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _mapping(tmp_path: Path, kind: str | None) -> Path | None:
    if kind is None:
        return None
    path = tmp_path / f"{kind}.mapping.yml"
    path.write_text(hostile.CSV_MAPPING if kind == "csv" else hostile.XLSX_MAPPING,
                    encoding="utf-8")
    return path


@pytest.mark.parametrize("case", list(CASES))
def test_hostile_input_refused_in_one_line(sqlite_ws, tmp_path, case):
    name, make, options, fmt, mapping, message = CASES[case]
    sqlite_ws.cases.create("c")
    ok = hostile.csv_rows(tmp_path / "ok.csv", 3)
    sqlite_ws.records.import_files("c", [ImportRequest(ok, mapping=_mapping(tmp_path, "csv"))])
    before = snapshot(sqlite_ws)
    path = make(tmp_path / name)
    with pytest.raises(ImportFailed) as err:
        sqlite_ws.records.import_files("c", [ImportRequest(path, format=fmt, options=options,
                                                   mapping=_mapping(tmp_path, mapping))])
    text = str(err.value)
    assert len(text.splitlines()) == 1, text
    assert text.startswith(f"{name}:"), text
    assert re.search(message, text), text
    assert snapshot(sqlite_ws) == before


def test_limits_from_options():
    assert Limits.from_options({}) == DEFAULT
    assert Limits.from_options({"max_rows": 5, "max_depth": None}).max_rows == 5
    small = Limits.from_options({"max_bytes": 100})
    assert (small.max_bytes, small.max_read_bytes) == (100, 100)


def test_within_the_limits_imports(sqlite_ws, tmp_path):
    sqlite_ws.cases.create("c")
    path = hostile.ftm_deep(tmp_path / "ok.ftm.json", 0)
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(path, options={"max_depth": 3})])
    assert r.entities == 1
    [r] = sqlite_ws.records.import_files("c", [ImportRequest(
        hostile.xlsx_rows(tmp_path / "ok.xlsx", 100), mapping=_mapping(tmp_path, "xlsx"),
        options={"max_rows": 101, "max_columns": 4, "max_cells": 404})])
    assert r.records == {"transaction": 100}


# -- real sizes, in a subprocess whose peak memory is measured ------------------------------

MB = 1_000_000
PEAK_LIMIT_MB = 500
_MEASURE = (
    "import json, resource, subprocess, sys\n"
    "r = subprocess.run(sys.argv[1:], capture_output=True, text=True)\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
    "print(json.dumps({'code': r.returncode, 'err': r.stderr, 'peak_mb': peak}))\n"
)

# name: (file name, maker, format, mapping, expected message)
BIG: dict[str, tuple[str, Maker, str, str | None, str]] = {
    "FtM nested 200,000 deep": ("deep.ftm.json", lambda p: hostile.ftm_deep(p, 200_000),
                                "ftm", None, r"line 1: JSON nested deeper than 64"),
    "FtM 200 MB string": ("string.ftm.json", lambda p: hostile.ftm_long_value(p, 200 * MB),
                          "ftm", None, r"line 1: line longer than 8 MiB"),
    "1 GB single line": ("line.ftm.json", lambda p: hostile.long_line(p, 1000 * MB), "ftm",
                         None, r"over the limit of 536,870,912 bytes \(max_bytes; raise[^)]*\)"),
    "CSV 1 GB single line": ("line.csv", lambda p: hostile.csv_long_cell(p, 1000 * MB), "csv",
                             "csv",
                             r"over the limit of [\d,]+ bytes "
                             r"\(max_(read_)?bytes(; raise[^)]*)?\)"),
    "CSV 100 MB single line": ("line.csv", lambda p: hostile.csv_long_cell(p, 100 * MB),
                               "csv", "csv", r"line 2: line longer than 8 MiB"),
    "CSV with a million columns": ("wide.csv", lambda p: hostile.csv_wide(p, 1_000_000),
                                   "csv", "csv", r"over the limit of 2,000 \(max_columns\)"),
    "XLSX 629 MB cell": ("cell.xlsx", lambda p: hostile.xlsx_long_cell(p, 629 * MB), "xlsx",
                         "xlsx", r"decompresses to [\d,]+ bytes, over the limit of 512 MiB"),
    "XLSX 300 MB cell": ("cell.xlsx", lambda p: hostile.xlsx_long_cell(p, 300 * MB), "xlsx",
                         "xlsx", r"XML text longer than 1 MiB \(max_value_chars\)"),
    "XLSX 20 million rows": ("rows.xlsx", lambda p: hostile.xlsx(
        p, hostile.xlsx_row(hostile.HEADER), b"<row><c><v>1</v></c></row>", 20_000_000 * 26),
        "xlsx", "xlsx", r"row 2000001: more than 2,000,000 rows \(max_rows; raise[^)]*\)"),
    "XLSX 20 million empty rows": ("rows.xlsx", lambda p: hostile.xlsx(
        p, hostile.xlsx_row(hostile.HEADER), b"<row/>", 20_000_000 * 6), "xlsx", "xlsx",
        r"row 2000001: more than 2,000,000 rows \(max_rows; raise[^)]*\)"),
    "XLSX zip bomb (1 GB)": ("bomb.xlsx", lambda p: hostile.zip_bomb(p, 1000 * MB), "xlsx",
                             "xlsx", r"decompresses to [\d,]+ bytes, over the limit"),
    "XLSX lying zip bomb (1 GB)": ("liar.xlsx", lambda p: hostile.zip_bomb(
        p, 1000 * MB, declared=1000), "xlsx", "xlsx", r"Bad CRC-32"),
}


def run_measured(args: list[str], env: dict[str, str]) -> dict:
    """Run a command and return its exit code, stderr and peak resident memory in MB."""
    out = subprocess.run([sys.executable, "-c", _MEASURE, *args], env=env, check=True,
                         capture_output=True, text=True, timeout=900)
    return json.loads(out.stdout)


def cli_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERIGA_")}
    env.update(VERIGA_HOME=str(home), VERIGA_USER="tester", VERIGA_PURPOSE="hostile test")
    return env


VERIGA = str(Path(sys.executable).with_name("veriga"))


@pytest.mark.slow
@pytest.mark.parametrize("case", list(BIG))
def test_hostile_file_bounded_memory(tmp_path, case):
    name, make, fmt, mapping, message = BIG[case]
    env = cli_env(tmp_path / "home")
    subprocess.run([VERIGA, "case", "create", "c"], env=env, check=True, capture_output=True)
    path = make(tmp_path / name)
    args = [VERIGA, "import", str(path), "--case", "c", "--format", fmt]
    if mapping:
        args += ["--mapping", str(_mapping(tmp_path, mapping))]
    got = run_measured(args, env)
    path.unlink()
    lines = [x for x in got["err"].splitlines() if x.strip()]
    print(f"{case}: peak {got['peak_mb']:.0f} MB; {lines[-1] if lines else ''}")
    assert got["code"] == 1
    assert len(lines) == 1 and lines[0].startswith(f"error: {name}:"), got["err"]
    assert re.search(message, lines[0]), lines[0]
    assert got["peak_mb"] < PEAK_LIMIT_MB
    bulk = tmp_path / "home" / "bulk"
    assert not [p for p in bulk.rglob("*") if p.is_file()] if bulk.exists() else True
