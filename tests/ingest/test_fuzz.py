"""Property-based fuzzing of every importer in the registry (hypothesis).

Inputs are mutations of valid simulated files (bytes inserted, deleted, flipped, repeated,
cut) and structured garbage (random JSON, XML, CSV and spreadsheet cells). The only
outcomes allowed: the file is read, or it fails with a one-line
:class:`~veriga.errors.VerigaError` that is not an importer bug.

Two tiers, both over every importer the registry knows:

* ``test_fuzz_parser``: each input is read as an import would read it (limits, mapping,
  parsing, normalisation, the checks that end an import; :func:`veriga.ingest.read_file`)
  without a store, about 10-50 times faster than a full import. ``VERIGA_FUZZ_EXAMPLES``
  inputs per importer (``make fuzz``: 100,000; the normal test run: 200). An input that takes
  more than :data:`SLOW` seconds twice in a row fails the test (a hang).
* ``test_fuzz_store``: each input is imported into a store; a refused import must leave the
  store and the bulk folder exactly as before. ``VERIGA_FUZZ_STORE_EXAMPLES`` inputs per
  importer (``make fuzz``: 1,000; the normal test run: 60).
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import hostile
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from test_bods import V03, V04
from test_camt import HAPPY as CAMT
from test_mt940 import HAPPY as MT940

from veriga.config import Settings
from veriga.demo import example_files
from veriga.errors import VerigaError
from veriga.ingest import ImportRequest, formats, read_file, run_imports
from veriga.ingest.runner import INTERNAL
from veriga.workspace import Workspace

DATA = Path(__file__).parent / "data"
PARSER_EXAMPLES = int(os.environ.get("VERIGA_FUZZ_EXAMPLES", "200"))
STORE_EXAMPLES = int(os.environ.get("VERIGA_FUZZ_STORE_EXAMPLES", "60"))
#: ``i/n``: run only the i-th of n shares of the importers (``make fuzz`` runs n processes).
SHARD = os.environ.get("VERIGA_FUZZ_SHARD", "0/1")
#: Processor seconds one input may take to read (twice in a row) before it counts as a hang
#: (not wall time: on a machine busy with other work, wall time counts the others too).
SLOW = float(os.environ.get("VERIGA_FUZZ_SLOW", "5"))


def _settings(examples: int) -> settings:
    return settings(max_examples=examples, deadline=None, database=None,
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
        "goaml": ("seed.xml", (DATA / "goaml" / "bi_party.xml").read_bytes(), None),
        "mt940": ("seed.sta", MT940.encode(), None),
        "bods": ("seed.json", json.dumps(V04 + V03, ensure_ascii=False).encode(), None),
        "warc": ("seed.warc", _warc_bytes(tmp), None),
        "html": ("seed.html", SAVED_PAGE, None),
        "adjson": ("seed.json", json.dumps(AD_DUMP, ensure_ascii=False).encode(), None),
    }


AD_PAGE = ('<html lang="lv"><body><article data-ad-id="A7"><h1>Darbs Rīgā</h1>'
           '<p class="text">Zvaniet +371 2 000 0001, 23 g.</p><span class="city">Rīga</span>'
           '<img src="/img/a7.jpg"></article></body></html>').encode()


#: A page as SingleFile saves it, and a scraper's dump of ads (the html and adjson seeds).
SAVED_PAGE = (b"<!DOCTYPE html><html lang=\"lv\"><!--\n Page saved with SingleFile \n url: "
              b"https://ads.example/ad/A7.html \n saved date: Sun Mar 01 2026 12:00:00 GMT+0200 "
              b"(EET)\n--><head><meta charset=\"utf-8\"><title>Darbs</title></head>"
              + AD_PAGE.split(b"<html lang=\"lv\">", 1)[1])
AD_DUMP = {"items": [{"id": "A7", "title": "Darbs Rīgā", "description": "Zvaniet +371 2 000 0001",
                      "url": "https://ads.example/ad/A7.html", "posted": 1772366400,
                      "location": {"city": "Rīga"}, "price": {"amount": 90, "currency": "EUR"}},
                     {"title": "Работа", "text": "звоните", "phone": ["+359 88 123 4567"]}]}


def _warc_bytes(tmp: Path) -> bytes:
    """An uncompressed WARC with an ad page, an image and a redirect, as the crawler writes."""
    from datetime import UTC, datetime

    from veriga.osint.archive import WarcArchive
    from veriga.osint.fetch import Exchange

    path = tmp / "seed.warc"
    path.unlink(missing_ok=True)
    pages = [("/ad/A7.html", 200, "text/html; charset=utf-8", AD_PAGE),
             ("/img/a7.jpg", 200, "image/jpeg", b"\xff\xd8\xff\xe0" + bytes(60)),
             ("/old", 301, "text/plain", b"")]
    with WarcArchive(path) as archive:
        for loc, status, ctype, body in pages:
            archive.write(Exchange(
                url="http://ads.example" + loc, ip="192.0.2.1",
                request_line=f"GET {loc} HTTP/1.1", request_headers=[], status=status,
                reason="OK", headers=[("Content-Type", ctype)], body=body,
                captured_at=datetime(2026, 3, 1, 12, 0, tzinfo=UTC)))
    return path.read_bytes()


# -- generated inputs ------------------------------------------------------------------------
#
# Hypothesis draws one number per input, and the generators below build the input from a
# ``random.Random`` seeded with it. Drawing every edit and cell through hypothesis cost 2-7 ms
# per input, more than reading it; this way an input costs well under a millisecond to make,
# a failure is reproduced from the seed hypothesis prints, and the input itself is kept.

Gen = Callable[[random.Random], bytes]
NUMBERS = st.integers(0, 2**64 - 1)
INSERTS = [b"<", b">", b"{", b"}", b"[", b"]", b'"', b"\\", b"\n", b";", b",", b":", b"\x00",
           b"\xff", b"\xef\xbb\xbf", b"-}", b":61:", b":20:", b"&a;"]
KINDS = ("insert", "delete", "flip", "repeat", "cut", "swap")


def mutate(r: random.Random, seed: bytes) -> bytes:
    """``seed`` with one to six random edits: bytes inserted, deleted, flipped, repeated,
    moved, or the rest cut off."""
    data = bytearray(seed)
    for _ in range(r.randint(1, 6)):
        at = r.randint(0, len(data))
        kind = r.choice(KINDS)
        if kind == "insert":
            data[at:at] = r.randbytes(r.randint(1, 40)) if r.random() < 0.5 \
                else r.choice(INSERTS)
        elif kind == "delete":
            del data[at : at + r.randint(1, 64)]
        elif kind == "flip" and at < len(data):
            data[at] = r.randrange(256)
        elif kind == "repeat":
            piece = bytes(data[at : at + r.randint(1, 200)])
            data[at:at] = piece * r.randint(1, 20)
        elif kind == "cut":
            del data[at:]
        elif kind == "swap" and len(data) > 2:
            other = r.randrange(len(data))
            data[at:at], data[other : other + 1] = data[other : other + 1], b""
    return bytes(data)


def text(r: random.Random, max_size: int, exclude: str = "") -> str:
    """Mostly ASCII, some control characters and any other code point but surrogates."""
    out = []
    for _ in range(r.randint(0, max_size)):
        x = r.random()
        if x < 0.7:
            c = chr(r.randint(32, 126))
        elif x < 0.8:
            c = chr(r.randint(0, 31))
        else:
            c = chr(r.choice((r.randint(0x80, 0xD7FF), r.randint(0xE000, 0x10FFFF))))
        if c not in exclude:
            out.append(c)
    return "".join(out)


JSON_KEYS = ["id", "schema", "properties", "name", "statementId", "recordId", "recordType",
             "recordDetails", "names", "interests", "subject", "interestedParty",
             "identifiers", "entityType", "addresses", "x"]
FLOATS = [0.0, -0.0, 1.5, 1e308, -1e-308, float("nan"), float("inf"), float("-inf")]


def json_leaf(r: random.Random) -> Any:
    kind = r.randrange(5)
    if kind == 0:
        return None
    if kind == 1:
        return r.random() < 0.5
    if kind == 2:
        return r.choice((r.randint(-10, 10), r.randint(-(2**70), 2**70)))
    if kind == 3:
        return r.choice(FLOATS) if r.random() < 0.5 else r.uniform(-1e9, 1e9)
    return text(r, 30)


def json_value(r: random.Random, leaves: list[int] | None = None,
               keys: list[str] = JSON_KEYS) -> Any:
    """Random JSON: leaves, lists and objects (``keys``: those of BODS and FtM, or random),
    at most 20 leaves."""
    leaves = leaves if leaves is not None else [20]
    if leaves[0] <= 0 or r.random() < 0.4:
        leaves[0] -= 1
        return json_leaf(r)
    if r.random() < 0.5:
        return [json_value(r, leaves, keys) for _ in range(r.randint(0, 4))]
    return {(r.choice(keys) if r.random() < 0.7 else text(r, 8)): json_value(r, leaves, keys)
            for _ in range(r.randint(0, 5))}


SCHEMAS = ["Person", "Company", "BankAccount", "Ownership", "Payment", "Thing", "LegalEntity",
           "Nope", ""]


def ftm_line(r: random.Random) -> Any:
    if r.random() < 0.3:
        return json_value(r)
    return {"id": text(r, 10) if r.random() < 0.7 else json_leaf(r),
            "schema": r.choice(SCHEMAS) if r.random() < 0.7 else json_leaf(r),
            "properties": {text(r, 12): json_value(r) for _ in range(r.randint(0, 4))}
            if r.random() < 0.7 else json_value(r)}


CELLS = ["", "01.03.2026", "1,00", "-0,00", "EUR", hostile.IBAN, "1e309", "=1+1", "\x00"]


def rows(r: random.Random) -> list[tuple[str, ...]]:
    return [tuple(text(r, 20) if r.random() < 0.5 else r.choice(CELLS) for _ in range(4))
            for _ in range(r.randint(0, 12))]


XML_TAGS = ["Document", "BkToCstmrStmt", "Stmt", "Ntry", "Amt", "Bal", "CdtDbtInd", "Acct",
            "Id", "IBAN", "BookgDt", "Dt", "TxDtls"]


def xml_tree(r: random.Random, depth: int = 0) -> str:
    tag = r.choice(XML_TAGS)
    if depth > 5 or r.random() < 0.5:
        return f"<{tag}>{text(r, 12, exclude='<&')}</{tag}>"
    children = "".join(xml_tree(r, depth + 1) for _ in range(r.randint(0, 3)))
    return f"<{tag}>{children}</{tag}>"


WARC_LINES = ["WARC/1.1", "WARC-Type: response", "WARC-Type: request", "Content-Length: 12",
              "Content-Length: 99999999999", "WARC-Target-URI: http://ads.example/ad/1",
              "WARC-Payload-Digest: sha256:00", "Content-Type: application/http; msgtype=response",
              "HTTP/1.1 200 OK", "Content-Type: text/html", "", "<article data-ad-id=\"1\">"]
HTML_BITS = ["<html>", "<!--", "-->", "<![CDATA[", "<script>", "</script>", "<article data-ad-id",
             "<h1>", "</h1>", '<p class="text">', '<span class="phone">', "<time datetime=",
             '<meta charset="windows-1251">', "&#x110000;", "&amp", '"', ">", "<",
             "<!-- saved from url=(0020)http://x.example/ -->", "Page saved with SingleFile"]
AD_KEYS = ["id", "title", "text", "description", "phone", "url", "city", "posted", "date",
           "location", "contact", "name", "price", "amount", "items", "images", "x"]


def tag_soup(r: random.Random) -> bytes:
    return "".join(r.choice(HTML_BITS) if r.random() < 0.6 else text(r, 20)
                   for _ in range(r.randint(0, 30))).encode("utf-8", "replace")


def _zipped(r: random.Random, page: bytes) -> bytes:
    """A zip of saved pages (one of them ``page``) and an image that is none."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.example/ad/1.html", page)
        zf.writestr("x.example/img/1.png", r.randbytes(r.randint(0, 40)))
    return buf.getvalue()


MT940_TAGS = [":20:", ":25:", ":28C:", ":60F:", ":61:", ":86:", ":62F:", ":64:", "-}", "{1:"]
CAMT_HEAD = '<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'


def garbage(fmt: str) -> Gen:
    """Structured garbage in the shape of ``fmt``."""
    if fmt == "ftm":
        return lambda r: "\n".join(json.dumps(ftm_line(r))
                                   for _ in range(r.randint(0, 6))).encode()
    if fmt == "bods":
        return lambda r: json.dumps(json_value(r)).encode()
    if fmt == "csv":
        return lambda r: "\n".join(";".join(row) for row in [hostile.HEADER, *rows(r)]).encode()
    if fmt == "camt":
        return lambda r: (CAMT_HEAD + xml_tree(r) + "</Document>").encode()
    if fmt == "mt940":
        return lambda r: "\n".join(r.choice(MT940_TAGS) + text(r, 30)
                                   for _ in range(r.randint(0, 12))).encode()
    if fmt == "warc":
        return lambda r: "\r\n".join(r.choice(WARC_LINES) if r.random() < 0.8 else text(r, 30)
                                     for _ in range(r.randint(0, 20))).encode()
    if fmt == "html":
        return lambda r: _zipped(r, tag_soup(r)) if r.random() < 0.3 else tag_soup(r)
    if fmt == "adjson":
        return lambda r: json.dumps({"items": [json_value(r, [8], AD_KEYS)
                                               for _ in range(r.randint(0, 5))]}).encode()
    return lambda r: r.randbytes(r.randint(0, 600))


def inputs(fmt: str, seed: bytes) -> Gen:
    """A generator of inputs for ``fmt``: a third mutations of ``seed``, a third structured
    garbage, a third random bytes (XLSX: the sheet's XML mutated or made of random rows and
    zipped, or the zip itself mutated)."""
    if fmt == "xlsx":
        sheet = (hostile.SHEET_HEAD + _sheet(CSV_ROWS) + hostile.SHEET_TAIL).encode()
        choices: list[Gen] = [
            lambda r: _pack(mutate(r, sheet)),
            lambda r: _pack((hostile.SHEET_HEAD + _sheet([hostile.HEADER, *rows(r)])
                             + hostile.SHEET_TAIL).encode()),
            lambda r: mutate(r, seed)]
    else:
        choices = [lambda r: mutate(r, seed), garbage(fmt),
                   lambda r: r.randbytes(r.randint(0, 300))]
    return lambda r: r.choice(choices)(r)


def _pack(sheet: bytes) -> bytes:
    """An XLSX file with ``sheet`` as its one worksheet."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, part in _XLSX_TEMPLATE[0].items():
            zf.writestr(name, part)
        zf.writestr("xl/worksheets/sheet1.xml", sheet)
    return buf.getvalue()


#: The parts of the seed XLSX but its worksheet (filled in by the first test that needs it).
_XLSX_TEMPLATE: list[dict[str, bytes]] = []


# -- the properties ----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fuzz_ws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workspace]:
    root = tmp_path_factory.mktemp("fuzz")
    ws = Workspace.local(Settings(home=root / "home", database_url=f"sqlite:///{root / 'f.db'}"),
                         purpose="fuzzing", username="fuzzer")
    ws.cases.create("fuzz")
    yield ws
    ws.close()


def _snapshot(ws: Workspace) -> tuple:
    with ws.store.begin() as conn:
        counts = tuple(conn.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
                       for t in ("sources", "statements", "rejects", "audit"))
    return counts, tuple(ws.bulk.files())


def _clean(exc: VerigaError) -> str:
    """The refusal's message, checked: one line, and not an importer bug."""
    text = str(exc)
    assert text and len(text.splitlines()) == 1, text
    assert INTERNAL not in text, text
    return text


def _setup(tmp_path: Path, fmt: str) -> tuple[str, bytes, Path | None]:
    """The seed's file name and bytes, and the mapping file (CSV/XLSX) for ``fmt``; a format
    without a seed fails here."""
    index, shares = (int(n) for n in SHARD.split("/"))
    if formats().index(fmt) % shares != index:
        pytest.skip(f"{fmt} is fuzzed by another share ({SHARD})")
    name, seed, mapping_text = seeds(tmp_path)[fmt]
    if not _XLSX_TEMPLATE:
        with zipfile.ZipFile(io.BytesIO(_xlsx_bytes(tmp_path, CSV_ROWS))) as ref:
            _XLSX_TEMPLATE.append({i.filename: ref.read(i) for i in ref.infolist()
                                   if i.filename != "xl/worksheets/sheet1.xml"})
    mapping = None
    if mapping_text is not None:
        mapping = tmp_path / "fuzz.mapping.yml"
        mapping.write_text(mapping_text, encoding="utf-8")
    return name, seed, mapping


@contextmanager
def _kept_on_failure(tmp_path: Path, fmt: str, data: bytes) -> Iterator[None]:
    """On any failure, the input is written to a file named in the report."""
    try:
        yield
    except BaseException:
        kept = tmp_path / f"failing-{fmt}.bin"
        kept.write_bytes(data)
        note(f"input kept in {kept}")
        raise


def _report(tier: str, fmt: str, outcomes: dict[str, int], took: float) -> None:
    total = sum(outcomes.values())
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    line = (f"fuzz {tier} {fmt}: {total} inputs in {took:.1f} s ({total / took:.0f}/s), "
            f"{outcomes['read']} read, {outcomes['refused']} refused; peak RSS {peak} MiB")
    RATES[f"{tier} {fmt}"] = line
    print(line, flush=True)


def test_every_registered_importer_has_a_seed(tmp_path):
    assert set(formats()) <= set(seeds(tmp_path)), "add a seed for the new importer here"


RATES: dict[str, str] = {}


@pytest.mark.parametrize("fmt", formats())
def test_fuzz_parser(tmp_path: Path, fmt: str) -> None:
    """Every input is read to the end (as by an import) or refused in one clean line, in
    bounded time."""
    name, seed, mapping = _setup(tmp_path, fmt)
    target = tmp_path / name  # one file, rewritten for each input
    outcomes = {"read": 0, "refused": 0}
    slow: list[bytes] = []

    def read(data: bytes) -> float:
        target.write_bytes(data)
        start = time.process_time()  # processor time: a busy machine is no hang
        try:
            read_file(ImportRequest(target, format=fmt, mapping=mapping, options=dict(OPTIONS)))
        except VerigaError as exc:
            _clean(exc)
            outcomes["refused"] += 1
        else:
            outcomes["read"] += 1
        return time.process_time() - start

    make = inputs(fmt, seed)

    @_settings(PARSER_EXAMPLES)
    @given(number=NUMBERS)
    def run(number: int) -> None:
        data = make(random.Random(number))
        with _kept_on_failure(tmp_path, fmt, data):
            if read(data) > SLOW:
                slow.append(data)

    start = time.monotonic()
    run()
    _report("parser", fmt, outcomes, time.monotonic() - start)
    for data in slow:  # once more, to tell a hang from a busy machine
        took = read(data)
        if took > SLOW:
            kept = tmp_path / f"slow-{fmt}.bin"
            kept.write_bytes(data)
            pytest.fail(f"{fmt}: an input of {len(data):,} bytes took {took:.1f} s to read "
                        f"(kept in {kept})")


@pytest.mark.parametrize("fmt", formats())
def test_fuzz_store(fuzz_ws: Workspace, tmp_path: Path, fmt: str) -> None:
    """Every input is imported, or refused in one clean line with the store and the bulk
    folder exactly as before."""
    name, seed, mapping = _setup(tmp_path, fmt)
    case_id = fuzz_ws.cases.get("fuzz")["id"]
    outcomes = {"read": 0, "refused": 0}
    target = tmp_path / name

    make = inputs(fmt, seed)

    @_settings(STORE_EXAMPLES)
    @given(number=NUMBERS)
    def run(number: int) -> None:
        data = make(random.Random(number))
        target.write_bytes(data)
        before = _snapshot(fuzz_ws)
        with _kept_on_failure(tmp_path, fmt, data):
            try:
                run_imports(fuzz_ws.store, fuzz_ws.bulk, case_id,
                            [ImportRequest(target, format=fmt, mapping=mapping,
                                           options=dict(OPTIONS))], "fuzzer", "fuzzing")
            except VerigaError as exc:
                message = _clean(exc)
                assert _snapshot(fuzz_ws) == before, message
                outcomes["refused"] += 1
            else:
                outcomes["read"] += 1

    start = time.monotonic()
    run()
    _report("store", fmt, outcomes, time.monotonic() - start)
