"""Proposed matches as Findings: which records are probably one person or company, and why.

A cluster of the linkage (records joined by pairs at or above the cluster threshold) becomes
one proposal; so does a pair below that threshold but above the pair threshold whose records
ended in different clusters ("possibly the same"). Each proposal's score is its weakest
link: the lowest match probability on the strongest chain of pairs that joins its records
(a maximum spanning tree), and it is explained by that pair: for each comparison, whether the
field agreed, differed or was missing in one, and how much it weighed (the log2 Bayes factor
of its level). Conflicts inside a proposal (two birth dates, two genders, no country in
common) are listed, so a reviewer sees what speaks against it. Names, phones and accounts go
into the values, never the message, so a restricted reader sees them minimised.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import pyarrow as pa

from veriga.findings import N_, Evidence, Finding, Key, Text, joined, nested, num, pct

VERSION = "1"
KINDS = {"person": "match.person", "company": "match.company"}
TITLES = {"person": N_("Possibly the same person"), "company": N_("Possibly the same company")}

#: The comparisons of ``veriga.resolve.link.COMPARISONS`` as a reader reads them.
FIELDS = {"name": N_("name"), "birth_date": N_("birth date"), "phones": N_("phone"),
          "emails": N_("e-mail"), "ibans": N_("bank account"),
          "reg_numbers": N_("registration or document number"), "countries": N_("country"),
          "gender": N_("gender"), "address": N_("address"),
          "context": N_("linked parties")}
#: Their levels (the labels of ``veriga.resolve.link.Level``) as a reader reads them.
LEVELS = {"exact": N_("the same"), "sounds alike": N_("sounds alike"),
          "typo": N_("one typo apart"), "part of": N_("one contains the other"),
          "initials": N_("the same initials"), "part misspelt": N_("a part misspelt"),
          "shares a part": N_("a part in common"), "same month": N_("the same month"),
          "same year": N_("the same year"), "shared": N_("one in common"),
          "same": N_("the same"), "similar": N_("similar"), "different": N_("different"),
          "mostly shared": N_("mostly the same"),
          "different, nothing else": N_("different, and nothing else identifies them")}
#: Values two records of one proposal share, as the keys a person recognises.
SHARED = {"phones": "phone", "ibans": "iban", "reg_numbers": "registration", "emails": "email"}


def _spanning(members: Sequence[str], pairs: Sequence[dict[str, Any]]
              ) -> list[dict[str, Any]]:
    """The strongest pairs that join ``members`` (a maximum spanning tree, Kruskal)."""
    parent = {m: m for m in members}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    tree = []
    for pair in sorted(pairs, key=lambda p: (-p["match_probability"], p["left_id"],
                                              p["right_id"])):
        a, b = find(pair["left_id"]), find(pair["right_id"])
        if a != b:
            parent[a] = b
            tree.append(pair)
    return tree


def _part(field: str, level: str, weight: float) -> dict[str, Any]:
    return nested(Text(N_("%(field)s: %(level)s (%(weight)s)"), {
        "field": nested(Text(FIELDS.get(field, field))),
        "level": nested(Text(LEVELS.get(level, level))), "weight": num(weight, 1)}))


def _because(pair: Mapping[str, Any]) -> tuple[list[Any], list[Any], list[Any]]:
    """The comparisons of a pair: those that agreed, differed and were missing in one."""
    agreed, differed, missing = [], [], []
    for field in FIELDS:
        level = pair.get(f"{field}_level")
        if level is None:
            continue
        weight = float(pair.get(f"{field}_weight") or 0.0)
        part = _part(field, level, weight)
        if level == "missing":
            missing.append(nested(Text(FIELDS[field])))
        elif weight > 0:
            agreed.append((-weight, part))
        else:
            differed.append((weight, part))
    return ([p for _, p in sorted(agreed, key=lambda x: x[0])],
            [p for _, p in sorted(differed, key=lambda x: x[0])], missing)


def _conflicts(rows: Sequence[Mapping[str, Any]]) -> list[Any]:
    """What speaks against one entity inside a proposal."""
    out = []
    births = sorted({r["birth_date"] for r in rows if r.get("birth_date")})
    if len(births) > 1:
        out.append(nested(Text(N_("%(n)s different birth dates"), {"n": len(births)})))
    genders = {r["gender"] for r in rows if r.get("gender")}
    if len(genders) > 1:
        out.append(nested(Text(N_("both genders"))))
    countries = [set(r.get("countries") or ()) for r in rows]
    known = [c for c in countries if c]
    if len(known) > 1 and not set.intersection(*known):
        out.append(nested(Text(N_("no country in common"))))
    return out


def _shared_keys(rows: Sequence[Mapping[str, Any]]) -> list[Key]:
    keys = []
    for column, key_type in SHARED.items():
        counts: dict[str, int] = defaultdict(int)
        for row in rows:
            for value in set(row.get(column) or ()):
                counts[value] += 1
        keys += [Key(key_type, v) for v, n in sorted(counts.items()) if n > 1]
    return keys


def _finding(kind: str, members: Sequence[str], weakest: Mapping[str, Any],
             rows: Sequence[Mapping[str, Any]], joined_by: int) -> Finding:
    agreed, differed, missing = _because(weakest)
    conflicts = _conflicts(rows)
    parts: dict[str, Any] = {
        "n": len(members), "kind": nested(Text(N_("person") if kind == "person"
                                                  else N_("company"))),
        "p": pct(weakest["match_probability"]), "pairs": joined_by,
        "agreed": joined(agreed or [nested(Text(N_("nothing")))], "; "),
        "differed": joined(differed or [nested(Text(N_("nothing")))], "; "),
        "missing": joined(missing or [nested(Text(N_("nothing")))], ", ")}
    if conflicts:
        text = Text(N_(
            "%(n)s records are possibly the same %(kind)s: joined by %(pairs)s pair(s), the "
            "weakest with a match probability of %(p)s. In that pair, agreeing: %(agreed)s. "
            "Differing: %(differed)s. Missing in one: %(missing)s. Against it: "
            "%(conflicts)s."), {**parts, "conflicts": joined(conflicts, "; ")})
    else:
        text = Text(N_(
            "%(n)s records are possibly the same %(kind)s: joined by %(pairs)s pair(s), the "
            "weakest with a match probability of %(p)s. In that pair, agreeing: %(agreed)s. "
            "Differing: %(differed)s. Missing in one: %(missing)s."), parts)
    detector = KINDS.get(kind, f"match.{kind}")
    return Finding(
        kind=detector, score=round(float(weakest["match_probability"]), 2),
        title=TITLES.get(kind, N_("Possibly the same person")), explanation=str(text),
        message=text, evidence=Evidence(entity_ids=sorted(members), keys=_shared_keys(rows)),
        detector=f"veriga.resolve.{kind}", detector_version=VERSION,
        citation="Fellegi & Sunter (1969) A Theory for Record Linkage; Splink")


def proposals(records: pa.Table, pairs: pa.Table, clusters: pa.Table,
              threshold: float = 0.9) -> list[Finding]:
    """One Finding per cluster of two or more records, and one per pair below
    ``threshold`` that joins two clusters (its score is its probability)."""
    by_id = {r["record_id"]: r for r in records.to_pylist()}
    cluster_of = dict(zip(clusters.column("record_id").to_pylist(),
                          clusters.column("cluster_id").to_pylist(), strict=True))
    members: dict[str, list[str]] = defaultdict(list)
    for record_id, cluster_id in cluster_of.items():
        members[cluster_id].append(record_id)
    inside: dict[str, list[dict[str, Any]]] = defaultdict(list)
    between: list[dict[str, Any]] = []
    for pair in pairs.to_pylist():
        left, right = cluster_of.get(pair["left_id"]), cluster_of.get(pair["right_id"])
        if left is not None and left == right:
            inside[left].append(pair)
        elif pair["match_probability"] < threshold:
            between.append(pair)
    found: list[Finding] = []
    for cluster_id, ids in sorted(members.items()):
        if len(ids) < 2 or not inside[cluster_id]:
            continue
        tree = _spanning(sorted(ids), inside[cluster_id])
        weakest = min(tree, key=lambda p: (p["match_probability"], p["left_id"]))
        rows = [by_id[i] for i in sorted(ids) if i in by_id]
        found.append(_finding(str(rows[0]["kind"]), sorted(ids), weakest, rows, len(tree)))
    for pair in between:
        ids = sorted({pair["left_id"], pair["right_id"]})
        rows = [by_id[i] for i in ids if i in by_id]
        found.append(_finding(str(rows[0]["kind"]), ids, pair, rows, 1))
    return sorted(found, key=lambda f: (-f.score, f.id))


def kinds(findings: Iterable[Finding]) -> dict[str, int]:
    """How many proposals of each finding kind."""
    out: dict[str, int] = defaultdict(int)
    for f in findings:
        out[f.kind] += 1
    return dict(out)
