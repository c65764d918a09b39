"""goAML (``python -m benchmarks bench_goaml``): a report of 50,000 bi-party transactions
(5,000 with --quick) between 1,000 accounts with holders, read without a store and imported
(transactions per second; against a bare lxml iterparse of the same file), and a report of
as many transactions built from ledger records, checked against the profile and the XSD and
written (transactions per second). Each figure in a fresh process."""

from __future__ import annotations

import random
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from benchmarks.harness import measure

ACCOUNTS = 1000


def _iban(n: int) -> str:
    bban = f"BANK{n:013d}"
    digits = "".join(str(int(c, 36)) for c in bban + "LV00")
    return f"LV{98 - int(digits) % 97:02d}{bban}"


def write_report(path: str, n: int) -> None:
    """A synthetic goAML STR of ``n`` transactions."""
    rng = random.Random(7)
    day = date(2024, 1, 1)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("<?xml version='1.0' encoding='UTF-8'?>\n<report><rentity_id>1</rentity_id>"
                 "<submission_code>E</submission_code><report_code>STR</report_code>"
                 "<entity_reference>B-1</entity_reference>"
                 "<submission_date>2024-12-01T00:00:00</submission_date>"
                 "<currency_code_local>EUR</currency_code_local><reason>benchmark</reason>\n")
        for i in range(n):
            a, b = rng.sample(range(ACCOUNTS), 2)
            when = (day + timedelta(days=i % 300)).isoformat()
            sides = []
            for way, acc in (("from", a), ("to", b)):
                sides.append(
                    f"<t_{way}><{way}_funds_code>ACCOUNT</{way}_funds_code><{way}_account>"
                    f"<institution_name>Bank {acc % 7}</institution_name>"
                    f"<account>{_iban(acc)}</account><iban>{_iban(acc)}</iban>"
                    f"<t_entity><name>Holder {acc} SIA</name></t_entity></{way}_account>"
                    f"<{way}_country>LV</{way}_country></t_{way}>")
            fh.write(f"<transaction><transactionnumber>T{i}</transactionnumber>"
                     f"<transaction_location>Riga</transaction_location>"
                     f"<date_transaction>{when}T00:00:00</date_transaction>"
                     f"<transmode_code>EFT</transmode_code>"
                     f"<amount_local>{rng.randint(100, 900000) / 100:.2f}</amount_local>"
                     f"{''.join(sides)}</transaction>\n")
        fh.write("<report_indicators><indicator>VRG-R1</indicator></report_indicators>"
                 "</report>\n")


def lxml_parse(path: str) -> dict:
    from lxml import etree

    start = time.perf_counter()
    n = 0
    for _, elem in etree.iterparse(path, events=("end",), tag="transaction",
                                   resolve_entities=False, no_network=True):
        n += 1
        elem.clear()
        while elem.getprevious() is not None:
            del elem.getparent()[0]
    return {"transactions": n, "seconds": round(time.perf_counter() - start, 3)}


def read_only(path: str) -> dict:
    from veriga.ingest import ImportRequest
    from veriga.ingest.runner import read_file

    start = time.perf_counter()
    result = read_file(ImportRequest(Path(path)))
    return {"entities": result.entities, "records": sum(result.records.values()),
            "rejects": len(result.rejects), "seconds": round(time.perf_counter() - start, 3)}


def import_full(path: str, home: str) -> dict:
    from veriga.config import Settings
    from veriga.ingest import ImportRequest
    from veriga.workspace import Workspace

    settings = Settings(home=Path(home), database_url=f"sqlite:///{Path(home) / 'v.db'}")
    with Workspace.local(settings, purpose="benchmark", username="bench") as ws:
        ws.cases.create("bench")
        start = time.perf_counter()
        [result] = ws.records.import_files("bench", [ImportRequest(Path(path))])
        seconds = time.perf_counter() - start
    return {"records": sum(result.records.values()), "rejects": len(result.rejects),
            "seconds": round(seconds, 3)}


def export(n: int, out: str) -> dict:
    """Build, check and write a report of ``n`` transactions from ledger records."""
    from veriga.export.goaml import GOAML, Material
    from veriga.findings import Evidence, Finding
    from veriga.ingest.goaml import load_profile
    from veriga.model import model

    rng = random.Random(8)
    accounts, holders = {}, {}
    for i in range(ACCOUNTS):
        acc = model.make_entity("BankAccount")
        acc.id = f"acc-{i}"
        acc.add("iban", _iban(i))
        acc.add("bankName", f"Bank {i % 7}")
        holder = model.make_entity("Company")
        holder.id = f"h-{i}"
        holder.add("name", f"Holder {i} SIA")
        accounts[_iban(i)], holders[_iban(i)] = acc, holder
    records = []
    for i in range(n):
        a, b = rng.sample(range(ACCOUNTS), 2)
        records.append({
            "record_id": f"r{i}", "account": _iban(a), "counterparty_account": _iban(b),
            "counterparty_name": f"Holder {b} SIA", "counterparty_bic": None,
            "counterparty_country": "LV", "amount": -Decimal(rng.randint(100, 900000)) / 100,
            "currency": "EUR", "amount_eur": None, "booking_date": date(2024, 1, 1)
            + timedelta(days=i % 300), "value_date": None, "ref": f"T{i}", "method": "transfer",
            "description": None})
    finding = Finding(kind="R1", score=0.9, explanation="benchmark", detector="bench",
                      detector_version="1", evidence=Evidence(record_ids=["r0"]))
    profile = load_profile()
    from dataclasses import replace

    profile = replace(profile, rentity_id="1")
    start = time.perf_counter()
    written = GOAML.write_report(Material("bench", [finding], records, accounts, holders),
                                 Path(out), profile, "B-1")
    seconds = time.perf_counter() - start
    return {"transactions": written.transactions, "seconds": round(seconds, 3),
            "mb": round(Path(out).stat().st_size / 2**20, 1)}


def run(quick: bool = False) -> list[dict[str, Any]]:
    n = 5_000 if quick else 50_000
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "report.xml")
        write_report(path, n)
        bare = measure("benchmarks.bench_goaml:lxml_parse", path=path)
        read = measure("benchmarks.bench_goaml:read_only", path=path)
        full = measure("benchmarks.bench_goaml:import_full", path=path,
                       home=str(Path(tmp) / "home"))
        out = measure("benchmarks.bench_goaml:export", n=n, out=str(Path(tmp) / "out.xml"))
    for name, fig in (("lxml iterparse", bare), ("read (no store)", read),
                      ("import", full), ("export", out)):
        row = {"name": f"goaml: {name}, {n:,} transactions", **fig,
               "per_s": round(n / fig["seconds"]) if fig["seconds"] else None}
        if name in ("read (no store)", "import") and bare["seconds"]:
            row["ratio_to_lxml_iterparse"] = round(fig["seconds"] / bare["seconds"], 1)
        rows.append(row)
    return rows
