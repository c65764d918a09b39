"""Undoing what changes a case: a file withdrawn (an import undone) is left out of every view
until restored, nothing deleted; a saved view deleted; a member taken off the case. Each is
audited and shown in the activity feed, and only for those who may."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from veriga.config import Settings
from veriga.errors import ImportFailed, NotFound, VerigaError
from veriga.ingest import ImportRequest, expand
from veriga.simulate import simulate
from veriga.workspace import PermissionDenied, Workspace


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Liga's case ``a`` of the world's bank and police files; Andris investigates it with
    her, the NGO reads it."""
    root = tmp_path_factory.mktemp("withdraw")
    simulate("mixed", "tiny", 3, root / "world")
    settings = Settings(home=root / "home", database_url=f"sqlite:///{root / 'v.db'}")
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_org("Safe House", "ngo", "LV")
    admin.directory.add_user("liga", "Valsts policija", ["investigator"])
    admin.directory.add_user("andris", "Valsts policija", ["analyst"])
    admin.directory.add_user("ilze", "Safe House", ["ngo_worker"])
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    liga.cases.create("a")
    requests, _ = expand([root / "world" / d for d in ("bank", "police")],
                         ImportRequest(path=Path(".")))
    liga.records.import_files("a", requests)
    liga.cases.add_member("a", "andris")
    liga.cases.share("a", "Safe House")
    yield {"liga": liga, "andris": admin.as_user("andris", "analysis LV-2026-17"),
           "ilze": admin.as_user("ilze", "victim support"), "root": root}
    admin.close()


def _police(ws: Workspace) -> dict[str, Any]:
    return next(s for s in ws.records.sources("a") if s["file_name"] == "police_lv.csv")


def _bank(ws: Workspace) -> dict[str, Any]:
    return next(s for s in ws.records.sources("a") if s["record_count"])


def test_a_withdrawn_file_is_left_out_of_every_view_until_restored(world) -> None:
    liga = world["liga"]
    police, bank = _police(liga), _bank(liga)
    people = {p.id for p in liga.entities.list("a", ["Person"])}
    counts = liga.entities.count("a")
    ledger = liga.records.ledger("a").engine
    rows = ledger.query("SELECT count(*) AS n FROM ledger").column("n")[0].as_py()
    ledger.close()
    with pytest.raises(VerigaError):  # the reason is kept with it
        liga.records.withdraw("a", police["id"], "  ")
    liga.records.withdraw("a", police["id"], "imported into the wrong case")
    liga.records.withdraw("a", bank["file_name"], "a statement of another account")
    listed = {s["id"]: s for s in liga.records.sources("a")}
    assert listed[police["id"]]["withdrawn_by"] == "liga"
    assert listed[police["id"]]["withdrawn_reason"] == "imported into the wrong case"
    after = {p.id for p in liga.entities.list("a", ["Person"])}
    assert after < people and sum(liga.entities.count("a").values()) < sum(counts.values())
    ledger = liga.records.ledger("a").engine
    fewer = ledger.query("SELECT count(*) AS n FROM ledger").column("n")[0].as_py()
    ledger.close()
    assert fewer < rows
    # everyone sees the case whole still: notes and analyses are not refused for it
    assert liga.notes.of("a", "entity", sorted(after)[0]).withheld == 0
    liga.analyses.run("a", ["finance"])
    # the same file again: restore it instead
    with pytest.raises(ImportFailed, match="withdrawn"):
        liga.records.import_files("a", [ImportRequest(
            world["root"] / "world" / "police" / "police_lv.csv",
            mapping=world["root"] / "world" / "police" / "police_lv.csv.mapping.yml")])
    liga.records.restore("a", police["id"])
    liga.records.restore("a", bank["id"])
    assert {p.id for p in liga.entities.list("a", ["Person"])} == people
    assert liga.entities.count("a") == counts
    actions = [r["action"] for r in liga.audit.activity("a")]
    assert actions[:2] == ["import.restore", "import.restore"]
    assert actions.count("import.withdraw") == 2 and actions.count("import.restore") == 2


def test_the_ngo_sees_that_a_file_was_withdrawn_not_why(world) -> None:
    liga, ilze = world["liga"], world["ilze"]
    police = _police(liga)
    liga.records.withdraw("a", police["id"], "about Anna K., the wrong case")
    try:
        seen = next(s for s in ilze.records.sources("a") if s["id"] == police["id"])
        assert seen["withdrawn_at"] is not None and seen["withdrawn_reason"] is None
        assert "Anna" not in str(ilze.audit.activity("a"))
    finally:
        liga.records.restore("a", police["id"])


def test_only_the_importer_or_a_manager_withdraws(world) -> None:
    andris, ilze = world["andris"], world["ilze"]
    police = _police(world["liga"])
    with pytest.raises(PermissionDenied):
        andris.records.withdraw("a", police["id"], "not mine to undo")
    with pytest.raises((PermissionDenied, NotFound)):
        ilze.records.withdraw("a", police["id"], "the NGO may not")
    with pytest.raises(VerigaError):
        world["liga"].records.restore("a", police["id"])  # not withdrawn


def test_a_saved_view_deleted_and_a_member_taken_off(world) -> None:
    liga, andris = world["liga"], world["andris"]
    view = andris.saved_views.save("a", "network", "andris's layout", {"nodes": []})
    mine = liga.saved_views.save("a", "network", "liga's layout", {"nodes": []})
    with pytest.raises(PermissionDenied):
        andris.saved_views.delete("a", mine)
    andris.saved_views.delete("a", view)
    liga.saved_views.delete("a", mine)  # (she manages the case)
    assert not liga.saved_views.list("a", "network")
    with pytest.raises(VerigaError):
        liga.cases.remove_member("a", "liga")
    liga.cases.remove_member("a", "andris")
    with pytest.raises((PermissionDenied, NotFound)):
        andris.entities.count("a")
    actions = [r["action"] for r in liga.audit.activity("a")][:3]
    assert actions[0] == "case.member.remove" and "view.delete" in actions
    liga.cases.add_member("a", "andris")
