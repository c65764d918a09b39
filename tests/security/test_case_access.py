"""Attacks on who may decide about a case and what an NGO user can learn through the service
layer: re-sharing a case that is only shared with you, searching restricted sources, telling
who is behind a pseudonym from search, ids, account numbers, file names and saved views."""

from __future__ import annotations

from pathlib import Path

import pytest

from veriga.config import Settings
from veriga.ingest import ImportRequest
from veriga.workspace import PermissionDenied, Workspace

VICTIM_IBAN = "LV80BANK0000435195001"


@pytest.fixture
def agencies(tmp_path: Path, db_url: str, examples):
    settings = Settings(home=tmp_path / "home", database_url=db_url)
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_org("Prokuratūra", "prosecution", "LV")
    admin.directory.add_org("Politsei", "police", "EE")
    admin.directory.add_org("Safe House", "ngo", "LV")
    admin.directory.add_user("liga", "Valsts policija", ["investigator"])
    admin.directory.add_user("janis", "Prokuratūra", ["prosecutor"])
    admin.directory.add_user("mart", "Politsei", ["investigator"])
    admin.directory.add_user("ilze", "Safe House", ["ngo_worker"])
    admin.directory.add_user("dace", "Valsts policija", ["dpo"])
    liga = admin.as_user("liga", purpose="investigation LV-2026-17")
    liga.cases.create("amber")
    liga.records.import_files("amber", [ImportRequest(examples["people"])])
    # the victim's account, known only from a file named after it, and a payment to a
    # relative whose label carries her surname
    bank = tmp_path / f"export_{VICTIM_IBAN}.ftm.json"
    bank.write_text(
        '{"id": "acc-anna", "schema": "BankAccount", "properties": {"iban": ["'
        + VICTIM_IBAN + '"]}}\n'
        '{"id": "own-anna", "schema": "Ownership", "properties": {"owner": ["p-anna"], '
        '"asset": ["acc-anna"]}}\n'
        '{"id": "le-fam", "schema": "LegalEntity", "properties": {"name": ["Ozola family"]}}\n'
        '{"id": "le-anna", "schema": "LegalEntity", "properties": {"name": ["OZOLA ANNA"]}}\n',
        encoding="utf-8")
    liga.records.import_files("amber", [ImportRequest(bank)])
    liga.entities.set_subject_role("amber", "p-anna", "victim")
    liga.entities.set_subject_role("amber", "p-ivan", "suspect")
    liga.cases.share("amber", "Prokuratūra")
    liga.cases.share("amber", "Safe House")
    yield {"admin": admin, "liga": liga,
           "janis": admin.as_user("janis", purpose="prosecution review of the case"),
           "mart": admin.as_user("mart", purpose="cross-border check"),
           "ilze": admin.as_user("ilze", purpose="victim support"),
           "dace": admin.as_user("dace", purpose="data protection review")}
    admin.close()


def test_only_the_owner_manages_a_case(agencies):
    """A prosecutor of an organisation the case is only shared with may not reconfigure it,
    share it onward or add members: that is the owner's decision."""
    janis = agencies["janis"]
    with pytest.raises(PermissionDenied, match="belongs to another organisation"):
        janis.cases.configure("amber", ngo_sees_suspects=True)
    with pytest.raises(PermissionDenied):
        janis.cases.share("amber", "Politsei")
    with pytest.raises(PermissionDenied):
        janis.cases.add_member("amber", "mart")
    with pytest.raises(PermissionDenied):
        janis.entities.set_handling("amber", "p-ivan", "H3")
    assert "amber" not in {c["name"] for c in agencies["mart"].cases.list()}
    agencies["liga"].cases.share("amber", "Politsei")  # the owner may
    assert "amber" in {c["name"] for c in agencies["mart"].cases.list()}


def test_search_does_not_reach_restricted_sources(agencies, tmp_path):
    liga = agencies["liga"]
    secret = tmp_path / "informant.ftm.json"
    secret.write_text('{"id": "inf-1", "schema": "Person", "properties": '
                      '{"name": ["Source Seven"], "phone": ["+37129999999"]}}\n',
                      encoding="utf-8")
    liga.records.import_files("amber", [ImportRequest(secret)], handling="H0",
                      handling_orgs=["Valsts policija"])
    assert liga.entities.search("amber", "Source Seven")
    janis = agencies["janis"]
    assert janis.entities.search("amber", "Source Seven") == []
    assert janis.entities.search("amber", "29999999") == []


def test_ngo_search_finds_pseudonyms_only_by_pseudonym(agencies):
    ilze, liga = agencies["ilze"], agencies["liga"]
    anna = liga.entities.get("amber", "p-anna").entity
    for q in (anna.first("name"), "Ozola", anna.first("phone"), VICTIM_IBAN):
        assert ilze.entities.search("amber", q) == [], q
    victims = ilze.entities.search("amber", "Victim")
    assert victims and all(p.first("name").startswith("Victim ") for p in victims)


def test_one_pseudonym_for_every_record_of_a_person(agencies):
    ilze = agencies["ilze"]
    shown = {p.id: p.first("name", quiet=True) for p in ilze.entities.list("amber")}
    assert "p-anna" not in shown and "acc-anna" not in shown and "le-anna" not in shown
    labels = {n for n in shown.values() if n and n.startswith("Victim ")}
    anna_label = next(iter({n for n in labels if "account" not in n}))
    # her person record and the holder record under her name (other order, other case)
    assert sum(n == anna_label for n in shown.values()) == 2
    # the relative's label no longer gives her surname away
    assert all("Ozola" not in (n or "") for n in shown.values())


def test_victims_accounts_are_minimised_everywhere(agencies):
    ilze = agencies["ilze"]
    text = repr([p.to_dict() for p in ilze.entities.list("amber")])
    text += repr(ilze.records.sources("amber")) + repr(ilze.findings.list("amber"))
    assert VICTIM_IBAN not in text and "LV80 BANK" not in text
    assert any(s["file_name"].startswith("export_Victim ") for s in ilze.records.sources("amber"))
    # the pseudonym key never leaves the workspace
    assert "pseudonym_key" not in ilze.cases.get("amber")
    assert all("pseudonym_key" not in c for c in ilze.cases.list())


def test_a_real_id_tells_an_ngo_user_nothing(agencies):
    ilze = agencies["ilze"]
    from veriga.errors import NotFound

    with pytest.raises(NotFound):
        ilze.entities.get("amber", "p-anna")
    assert ilze.entities.by_id("amber", ["p-anna"]) == []


def test_saved_views_are_minimised_and_audited(agencies):
    liga, ilze = agencies["liga"], agencies["ilze"]
    phone = liga.entities.get("amber", "p-anna").entity.first("phone")
    view = liga.saved_views.save("amber", "network", "Anna's contacts",
                          {"ids": ["p-anna"], "note": f"call {phone}"})
    listed = ilze.saved_views.list("amber", "network")
    got = ilze.saved_views.get("amber", view)
    text = repr(listed) + repr(got)
    assert "p-anna" not in text and phone not in text and "Anna" not in text
    assert got["state"]["ids"][0].startswith("pseudo-")
    # a view the NGO user saves with a real id in it does not turn it into a pseudonym
    mine = ilze.saved_views.save("amber", "network", "p-anna", {"ids": ["p-anna"]})
    again = ilze.saved_views.get("amber", mine)
    assert again["name"] == "[withheld]" and again["state"]["ids"] == ["[withheld]"]
    actions = [e["action"] for e in agencies["dace"].audit.log("amber")]
    assert "view.list" in actions and "view.read" in actions
