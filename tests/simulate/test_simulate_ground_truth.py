"""Ground truth is consistent with the files: every id and reference it names exists."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

from simhelpers import ground_truth, read_camt, read_mt940

from veriga.simulate.world import ROLES

SEP = {";": ";", "\t": "\t"}


def _csv_ids(path: Path, column: str) -> set[str]:
    mapping = (path.parent / (path.name + ".mapping.yml")).read_text(encoding="utf-8")
    delim = ";" if 'delimiter: ";"' in mapping or "delimiter: ';'" in mapping else (
        "\t" if '"\\t"' in mapping else ",")
    with path.open(encoding="utf-8", newline="") as fh:
        return {row[column] for row in csv.DictReader(fh, delimiter=delim)}


def _ids(world: Path, rel: str, info: dict) -> set[str]:
    path = world / rel
    fmt = info["format"]
    if fmt == "camt.053":
        return {read_camt(path)["iban"]}
    if fmt == "mt940":
        return {st["iban"] for st in read_mt940(path)}
    if fmt == "ftm":
        return {json.loads(line)["id"] for line in path.read_text(encoding="utf-8").splitlines()}
    if fmt == "bods":
        return {s["statementId"] for s in json.loads(path.read_text(encoding="utf-8"))}
    if fmt == "csv" and info["id_field"]:
        return _csv_ids(path, info["id_field"])
    return set()


def test_every_record_reference_exists(world: Path) -> None:
    gt = ground_truth(world)
    cache: dict[str, set[str]] = {}
    checked = 0
    for holder in gt["people"] + gt["companies"]:
        for rec in holder["records"]:
            info = gt["files"][rec["file"]]
            if rec["file"] not in cache:
                cache[rec["file"]] = _ids(world, rec["file"], info)
            assert rec["id"] in cache[rec["file"]], (holder["id"], rec)
            checked += 1
    assert checked > 50
    for typ in gt["typologies"]:
        for ev in typ["evidence"]:
            assert ev["value"] in _csv_ids(world / ev["file"], ev["column"]), ev
    for rel in gt["files"]:
        assert (world / rel).is_file(), rel


def test_typology_transactions_exist_in_statements(world: Path) -> None:
    gt = ground_truth(world)
    booked: set[tuple[str, str]] = set()
    for path in world.glob("bank/*/camt053_*.xml"):
        st = read_camt(path)
        booked.update((st["iban"], ref) for ref, _ in st["entries"])
    for path in world.glob("bank/*/*.sta"):
        for st in read_mt940(path):
            booked.update((st["iban"], ref) for ref, _ in st["entries"])
    for path in world.glob("bank/*/export_*.csv"):
        iban = path.name[len("export_"):-4]
        text = path.read_text(encoding="utf-8")
        booked.update((iban, tok) for tok in text.replace(";", ",").replace("\t", ",").split(",")
                      if tok[:4].isalpha() and tok[4:6].isdigit() and len(tok) == 15)
    codes = {typ["code"] for typ in gt["typologies"]}
    known = {typ["id"]: typ["transactions"] for typ in gt["typologies"]}
    counted: dict[str, int] = {}
    for tx in gt["typology_transactions"]:
        assert (tx["account"], tx["bank_ref"]) in booked, tx
        counted[tx["typology"]] = counted.get(tx["typology"], 0) + 1
    assert counted == {k: v for k, v in known.items() if v}
    assert len(counted) > 5
    assert codes <= {f"R{i}" for i in range(1, 14)}


def test_roles_operations_routes(world: Path) -> None:
    gt = ground_truth(world)
    roles = {p["role"] for p in gt["people"]} | {c["role"] for c in gt["companies"]}
    assert roles <= set(ROLES)
    assert {"victim", "controller", "recruiter", "lawful", "decoy"} <= roles
    for op in gt["operations"]:
        assert {s["stage"] for s in op["stages"]} == {"recruitment", "transport", "exploitation",
                                                      "proceeds"}
        assert op["proceeds"]
    victims = [p["id"] for p in gt["people"] if p["role"] == "victim"]
    assert victims and all(gt["routes"][v] for v in victims)
    shapes = {t["shape"] for t in gt["typologies"]} - {None}
    assert shapes <= {"fan_in", "fan_out", "cycle", "scatter_gather", "gather_scatter",
                      "pass_through"}
    assert all(a["operation"] or a["kind"] != "operation" for a in gt["ads"])


# The operations each scenario holds, by kind (the ``scenario`` of an operation), and the
# roles of the actors two operations share: in ``mixed`` the sexual operation's controller
# also runs the labour operation (docs/simulate.md); elsewhere every operation has its own.
KINDS = {"sexual-exploitation": {"sexual-exploitation"},
         "labour-exploitation": {"labour-exploitation"},
         "mixed": {"sexual-exploitation", "labour-exploitation"}}
PREFIX = {"sexual-exploitation": "OP-SEX-", "labour-exploitation": "OP-LAB-"}
SHARED_ROLES = {"sexual-exploitation": set(), "labour-exploitation": set(),
                "mixed": {"controller"}}


def test_operations_are_those_of_the_scenario(world: Path) -> None:
    gt = ground_truth(world)
    ops = {op["id"]: op for op in gt["operations"]}
    assert {op["scenario"] for op in ops.values()} == KINDS[gt["scenario"]]
    assert all(i.startswith(PREFIX[op["scenario"]]) for i, op in ops.items())
    # typologies, ads and actors name only these operations, and each of them
    assert {t["operation"] for t in gt["typologies"]} - {None} == set(ops)
    assert {a["operation"] for a in gt["ads"] if a["kind"] == "operation"} == set(ops)
    holders = gt["people"] + gt["companies"]
    assert {h["operation"] for h in holders} - {None} == set(ops)
    # sex buyers only beside a sexual operation, labour records only beside a labour one
    kinds = KINDS[gt["scenario"]]
    assert ("client" in {p["role"] for p in gt["people"]}) == ("sexual-exploitation" in kinds)
    assert any(f.startswith("labour/") for f in gt["files"]) == ("labour-exploitation" in kinds)


def test_only_mixed_operations_share_the_controller(world: Path) -> None:
    gt = ground_truth(world)
    holders = {h["id"]: h for h in gt["people"] + gt["companies"]}
    in_ops = Counter(a for op in gt["operations"] for a in set(op["actors"]))
    shared = {a for a, n in in_ops.items() if n > 1}
    assert {holders[a]["role"] for a in shared} == SHARED_ROLES[gt["scenario"]]
    # and his account: typologies of both kinds of operation run through it
    kind = {op["id"]: op["scenario"] for op in gt["operations"]}
    accounts: dict[str, set[str]] = {}
    for typ in gt["typologies"]:
        if typ["operation"]:
            accounts.setdefault(kind[typ["operation"]], set()).update(typ["accounts"])
    assert set(accounts) == KINDS[gt["scenario"]]
    both = set.intersection(*accounts.values()) if len(accounts) > 1 else set()
    assert bool(both) == bool(shared)
    assert both <= {acc for a in shared for acc in holders[a]["accounts"]}
