"""Cross-referencing cases (``ws.xref``): shared entities and candidate matches across two
cases built from one simulated world, as each case lets the user see them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from veriga.config import Settings
from veriga.errors import NotFound, VerigaError
from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate
from veriga.workspace import Workspace

BOTH = "police"  # the files imported into both cases


@pytest.fixture(scope="module")
def two_cases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Case ``a`` holds the world's bank and police files, ``b`` its police, travel, register
    and labour files; ``secret`` belongs to another police force. The NGO reads ``a`` and
    ``b``, where a person of the police files is a victim in ``a`` only."""
    root = tmp_path_factory.mktemp("xref")
    world = root / "world"
    simulate("mixed", "tiny", 3, world)
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_org("Politsei", "police", "EE")
    admin.directory.add_org("Safe House", "ngo", "LV")
    admin.directory.add_user("liga", "Valsts policija", ["investigator"])
    admin.directory.add_user("mart", "Politsei", ["investigator"])
    admin.directory.add_user("ilze", "Safe House", ["ngo_worker"])
    admin.directory.add_user("dace", "Valsts policija", ["dpo"])
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    mart = admin.as_user("mart", purpose="investigation EE-2026-3")
    for case, dirs in (("a", ["bank", BOTH]), ("b", [BOTH, "travel", "registers", "labour"])):
        liga.cases.create(case)
        requests, _ = expand([world / d for d in dirs], ImportRequest(path=Path(".")))
        liga.records.import_files(case, requests)
    mart.cases.create("secret")
    requests, _ = expand([world / BOTH], ImportRequest(path=Path(".")))
    mart.records.import_files("secret", requests)
    in_a = {p.id: p for p in liga.entities.list("a", ["Person"])}
    in_b = {p.id: p for p in liga.entities.list("b", ["Person"])}
    both = sorted(in_a.keys() & in_b.keys())
    victim = both[0]
    liga.entities.set_subject_role("a", victim, "victim")
    liga.cases.share("a", "Safe House")
    liga.cases.share("b", "Safe House")
    yield {"liga": liga, "mart": mart, "world": world, "both": both, "victim": victim,
           "victim_name": in_a[victim].caption, "ilze": admin.as_user("ilze", "victim support"),
           "dace": admin.as_user("dace", purpose="data protection review"), "admin": admin}
    admin.close()


def test_records_in_both_cases_are_shared(two_cases) -> None:
    result = two_cases["liga"].xref.compare(["a", "b"])
    people = {s.left.entity_id for s in result.shared if s.left.schema == "Person"}
    assert people == set(two_cases["both"])  # every person of the police files, no other
    for s in result.shared:
        assert (s.left.case, s.right.case) == ("a", "b")
        assert s.left.entity_id == s.right.entity_id and s.records == (s.left.entity_id,)
    assert any(s.left.schema == "BankAccount" for s in result.shared)
    assert result.records["a"] > 0 and result.records["b"] > 0


def test_candidates_are_people_of_one_case_who_are_people_of_the_other(two_cases) -> None:
    result = two_cases["liga"].xref.compare(["a", "b"], min_probability=0.9)
    truth = json.loads((two_cases["world"] / "ground_truth.json").read_text("utf-8"))
    identity = {r["entity_id"]: r["identity"] for r in truth["records"]}
    shared = {s.left.entity_id for s in result.shared}
    assert result.candidates
    probabilities = [c.probability for c in result.candidates]
    assert probabilities == sorted(probabilities, reverse=True)
    for c in result.candidates:
        assert (c.left.case, c.right.case) == ("a", "b") and c.probability >= 0.9
        assert c.left.entity_id not in shared and c.right.entity_id not in shared
        assert c.kind in ("person", "company") and c.agreed
        assert set(c.levels) >= {"name", "birth_date", "phones"}
    right = [c for c in result.candidates
             if identity.get(c.left.entity_id) == identity.get(c.right.entity_id) is not None]
    assert len(right) >= len(result.candidates) * 0.75
    # one person written differently in the two cases: a bank payer and a travel booking
    assert any(c.left.name != c.right.name for c in right)


def test_a_case_the_user_may_not_read_is_a_case_that_does_not_exist(two_cases) -> None:
    liga, admin = two_cases["liga"], two_cases["admin"]
    before = {c: _entries(two_cases, c) for c in ("a", "b")}
    with pytest.raises(NotFound) as hidden:
        liga.xref.compare(["a", "secret"])
    with pytest.raises(NotFound) as missing:
        liga.xref.compare(["a", "nonesuch"])
    assert str(hidden.value).replace("secret", "X") == str(missing.value).replace("nonesuch", "X")
    # an administrator member may open the case but not read it: the same answer
    admin.directory.add_user("root2", "Valsts policija", ["administrator", "investigator"])
    liga.cases.add_member("b", "root2", "administrator")
    with pytest.raises(NotFound) as unread:
        admin.as_user("root2", "checking").xref.compare(["b", "a"])
    assert str(unread.value) == str(missing.value).replace("nonesuch", "b")
    # nothing was read, of the readable case either
    assert {c: _entries(two_cases, c) for c in ("a", "b")} == before
    with pytest.raises(VerigaError, match="two different cases"):
        liga.xref.compare(["a", "a"])


def test_each_case_audits_the_cross_reference(two_cases) -> None:
    liga, dace = two_cases["liga"], two_cases["dace"]
    liga.xref.compare(["a", "b"])
    for case, other in (("a", "b"), ("b", "a")):
        entry = [e for e in dace.audit.log(case) if e["action"] == "case.xref"][-1]
        assert entry["detail"]["with_cases"] == [other] and entry["actor"] == "liga"
        assert entry["detail"]["entity_count"] > 0
        assert entry["purpose"] == "investigation LV-2026-17"
        reached = dace.audit.who_accessed(case, two_cases["both"][1])
        assert any(e["action"] == "case.xref" for e in reached)


def test_ngo_readers_see_each_case_minimised_and_no_protected_person(two_cases) -> None:
    ilze, victim = two_cases["ilze"], two_cases["victim"]
    result = ilze.xref.compare(["a", "b"], min_probability=0.5)
    sides = [s for item in [*result.shared, *result.candidates] for s in (item.left, item.right)]
    assert sides
    # the victim of case a is compared with nothing, in either case
    assert victim not in {s.entity_id for s in sides}
    assert not any(s.entity_id.startswith("pseudo-") for s in sides)
    in_a = [s for s in sides if s.case == "a"]
    assert two_cases["victim_name"] not in {s.name for s in in_a}
    # the investigator sees the victim shared (nothing is protected from her)
    full = two_cases["liga"].xref.compare(["a", "b"])
    assert victim in {s.left.entity_id for s in full.shared}
    assert len(result.shared) < len(full.shared)


def test_export_needs_the_right_to_export_and_is_audited(two_cases) -> None:
    liga, dace = two_cases["liga"], two_cases["dace"]
    result = liga.xref.compare(["a", "b"])
    rows = liga.xref.export(result, "matches.csv")
    assert len(rows) == len(result.candidates)
    assert {"left_case", "left_id", "right_id", "match_probability", "name_level"} <= set(rows[0])
    entry = [e for e in dace.audit.log("b") if e["action"] == "export"][-1]
    assert entry["target"] == "matches.csv" and entry["detail"]["with_cases"] == ["a"]


def _entries(two_cases: dict[str, Any], case: str) -> int:
    """Reads audited in the case."""
    return sum(1 for e in two_cases["dace"].audit.log(case)
               if e["action"] in ("case.xref", "entity.list", "entity.read"))
