"""The laundering world: its answer key agrees with its statements, and it imports cleanly."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from simhelpers import ground_truth, read_camt, read_mt940

from veriga.simulate.scenarios.laundering import PER_SHAPE, SHAPES


def _booked(world: Path) -> dict[str, set[str]]:
    """Bank references written per account (camt and MT940 statements, CSV exports)."""
    out: dict[str, set[str]] = {}
    for path in world.glob("bank/*/camt053_*.xml"):
        st = read_camt(path)
        out.setdefault(st["iban"], set()).update(ref for ref, _ in st["entries"])
    for path in world.glob("bank/*/*.sta"):
        for st in read_mt940(path):
            out.setdefault(st["iban"], set()).update(ref for ref, _ in st["entries"])
    for path in world.glob("bank/*/export_*.csv"):
        text = path.read_text(encoding="utf-8")
        out.setdefault(path.name[len("export_"):-4], set()).update(
            tok for tok in text.replace(";", ",").replace("\t", ",").split(",")
            if tok[:4].isalpha() and tok[4:6].isdigit() and len(tok) == 15)
    return out


def test_the_key_agrees_with_the_statements(all_worlds: dict[str, Path]) -> None:
    world = all_worlds["laundering"]
    gt = ground_truth(world)
    assert gt["scenario"] == "laundering"
    shapes = [t for t in gt["typologies"] if t["code"].startswith("shape.")]
    assert shapes == gt["typologies"]
    assert Counter(t["shape"] for t in shapes) == {s: PER_SHAPE["small"] for s in SHAPES}
    booked = _booked(world)
    rows: dict[str, list[dict]] = {}
    for tx in gt["typology_transactions"]:
        assert tx["bank_ref"] in booked.get(tx["account"], set()), tx
        rows.setdefault(tx["typology"], []).append(tx)
    members: set[str] = set()
    for t in shapes:
        mine = rows[t["id"]]
        assert len(mine) == t["transactions"]
        # every account of the shape holds a statement and both legs of each transfer are in
        # the key: as many credits as debits, of equal sums
        assert {r["account"] for r in mine} == set(t["accounts"]), t["id"]
        credits = sorted(r["amount"] for r in mine if not r["amount"].startswith("-"))
        debits = sorted(r["amount"][1:] for r in mine if r["amount"].startswith("-"))
        assert credits == debits, t["id"]
        assert not members & set(t["accounts"]), "an account takes part in one shape"
        members |= set(t["accounts"])
    sizes: dict[str, set[int]] = {}
    for t in shapes:
        sizes.setdefault(t["shape"], set()).add(len(t["accounts"]))
    assert sum(len(v) > 1 for v in sizes.values()) >= 4, sizes  # shapes vary in size


def test_amounts_vary_within_a_tolerance_and_lawful_fans_are_there(
        all_worlds: dict[str, Path]) -> None:
    gt = ground_truth(all_worlds["laundering"])
    fan = next(t for t in gt["typologies"] if t["shape"] == "fan_in")
    amounts = [float(r["amount"]) for r in gt["typology_transactions"]
               if r["typology"] == fan["id"] and not r["amount"].startswith("-")]
    assert len(set(amounts)) > 1 and max(amounts) <= 1.5 * min(amounts)
    kinds = Counter((x["kind"], x["shape"]) for x in gt["lookalikes"])
    assert kinds[("payroll", "fan_out")] >= 1 and kinds[("shop", "fan_in")] >= 1
    held = {a["iban"] for a in gt["accounts"] if a["statement_format"]}
    assert all(x["account"] in held for x in gt["lookalikes"])
    roles = {p["role"] for p in gt["people"]}
    assert {"money_mule", "lawful"} <= roles and "victim" not in roles
