"""Readers the simulate tests share: camt.053, MT940 and the ground truth."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

from defusedxml import ElementTree

NS = {"c": "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"}


def ground_truth(world: Path) -> dict[str, Any]:
    return json.loads((world / "ground_truth.json").read_text(encoding="utf-8"))


def signed(el: Any) -> Decimal:
    amount = Decimal(el.find("c:Amt", NS).text)
    return amount if el.find("c:CdtDbtInd", NS).text == "CRDT" else -amount


def read_camt(path: Path) -> dict[str, Any]:
    """IBAN, opening and closing balance, entries (ref, signed amount) of one camt.053."""
    root = ElementTree.parse(path).getroot()
    stmt = root.find("c:BkToCstmrStmt/c:Stmt", NS)
    bals = {b.find("c:Tp/c:CdOrPrtry/c:Cd", NS).text: signed(b) for b in stmt.findall("c:Bal", NS)}
    entries = [(n.find("c:AcctSvcrRef", NS).text, signed(n)) for n in stmt.findall("c:Ntry", NS)]
    return {"iban": stmt.find("c:Acct/c:Id/c:IBAN", NS).text, "opening": bals["OPBD"],
            "closing": bals["CLBD"], "entries": entries}


_BAL = re.compile(r":(60F|62F):([CD])(\d{6})([A-Z]{3})([\d,]+)")
_LINE = re.compile(r":61:\d{6}\d{4}([CD])([\d,]+)N[A-Z0-9]{3}.*?//(\S+)")


def read_mt940(path: Path) -> list[dict[str, Any]]:
    """Statements of an MT940 file: IBAN, balances and entries (ref, signed amount)."""
    out: list[dict[str, Any]] = []
    for line in path.read_text(encoding="ascii").splitlines():
        if line.startswith(":25:"):
            out.append({"iban": line[4:], "entries": []})
        elif m := _BAL.match(line):
            value = Decimal(m.group(5).replace(",", "."))
            out[-1]["opening" if m.group(1) == "60F" else "closing"] = \
                value if m.group(2) == "C" else -value
        elif m := _LINE.match(line):
            value = Decimal(m.group(2).replace(",", "."))
            out[-1]["entries"].append((m.group(3), value if m.group(1) == "C" else -value))
    return out
