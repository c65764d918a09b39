"""Notes, tags and assignments: written by those who may change the case, kept when removed
(an undo brings them back), never shown to an NGO reader, never reached by another agency,
and each change in the case's activity feed."""

from __future__ import annotations

import json

import pytest

from veriga.errors import NotFound, VerigaError
from veriga.workspace.context import PermissionDenied


def test_notes_tags_and_assignment_on_an_entity(agencies):
    liga = agencies["liga"]
    first = liga.notes.add("amber", "entity", "p-ivan", "note", "Seen at the bus station")
    liga.notes.add("amber", "entity", "p-ivan", "note", "Drives the minibus")
    tag = liga.notes.add("amber", "entity", "p-ivan", "tag", "  driver ")
    assert liga.notes.add("amber", "entity", "p-ivan", "tag", "DRIVER") == tag  # once
    liga.notes.add("amber", "entity", "p-anna", "tag", "driver")
    liga.notes.add("amber", "entity", "p-ivan", "assign", "liga")
    got = liga.notes.of("amber", "entity", "p-ivan")
    assert [n["text"] for n in got.notes] == ["Seen at the bus station", "Drives the minibus"]
    assert [t["text"] for t in got.tags] == ["driver"]
    assert got.assignee is not None and got.assignee["text"] == "liga"
    assert liga.notes.tags("amber") == {"driver": 2}
    with pytest.raises(VerigaError, match="no member"):
        liga.notes.add("amber", "entity", "p-ivan", "assign", "mart")
    with pytest.raises(VerigaError, match="empty"):
        liga.notes.add("amber", "entity", "p-ivan", "note", "   ")
    with pytest.raises(NotFound):
        liga.notes.add("amber", "entity", "no-such-entity", "note", "x y")

    liga.notes.remove("amber", first)
    assert [n["text"] for n in liga.notes.of("amber", "entity", "p-ivan").notes] == [
        "Drives the minibus"]
    liga.notes.restore("amber", first)  # undo
    assert len(liga.notes.of("amber", "entity", "p-ivan").notes) == 2

    feed = liga.audit.activity("amber")
    actions = [r["action"] for r in feed]
    assert actions[:2] == ["note.restore", "note.remove"] and "import" in actions
    assert all("Seen at" not in json.dumps(r["detail"]) for r in feed)  # ids, not text


def test_another_agency_and_the_ngo(agencies):
    liga, mart, ilze = agencies["liga"], agencies["mart"], agencies["ilze"]
    note = liga.notes.add("amber", "entity", "p-anna", "note", "Anna Ozola is afraid of Ivan")
    for attempt in (lambda: mart.notes.of("amber", "entity", "p-anna"),
                    lambda: mart.notes.add("amber", "entity", "p-anna", "note", "x y"),
                    lambda: mart.notes.remove("amber", note),
                    lambda: mart.audit.activity("amber")):
        with pytest.raises(NotFound):
            attempt()
    liga.cases.share("amber", "Politsei", ["p-ivan"])
    with pytest.raises(NotFound):  # shared, but not this person
        mart.notes.of("amber", "entity", "p-anna")
    liga.notes.add("amber", "entity", "p-ivan", "note", "Anna Ozola is his cousin")
    shown = mart.notes.of("amber", "entity", "p-ivan")  # a note may name someone not shared
    assert shown.notes == [] and shown.withheld == 1
    with pytest.raises(PermissionDenied):  # not the author
        mart.notes.remove("amber", liga.notes.add("amber", "entity", "p-ivan", "tag", "x"))
    # the feed names no entity, file or reason to an agency that sees part of the case
    feed = mart.audit.activity("amber")
    assert feed and all(r["target"] is None and r["detail"] == {} for r in feed)

    liga.cases.share("amber", "Safe House")
    victim = next(e for e in ilze.entities.list("amber", ["Person"])
                  if e.first("name").startswith("Victim"))
    seen = ilze.notes.of("amber", "entity", victim.id)
    assert seen.notes == [] and seen.withheld == 1
    with pytest.raises(NotFound):  # the real id says nothing to her
        ilze.notes.of("amber", "entity", "p-anna")
    with pytest.raises(PermissionDenied):
        ilze.notes.add("amber", "entity", victim.id, "note", "she called us")
    assert ilze.notes.tags("amber") == {}
    feed = ilze.audit.activity("amber")
    assert feed and all(r["target"] is None and r["detail"] == {} for r in feed)
    assert "p-anna" not in json.dumps(feed, default=str)


def test_links_from_the_investigators_knowledge(agencies):
    liga, mart, ilze = agencies["liga"], agencies["mart"], agencies["ilze"]
    link = liga.notes.add_link("amber", "p-ivan", "p-anna", "drove her to Riga",
                               "witness statement of 2026-11-30, page 4")
    [found] = liga.notes.links("amber", ["p-anna"])
    assert (found["entity_id"], found["other_id"], found["relation"]) == (
        "p-ivan", "p-anna", "drove her to Riga")
    assert found["source"].startswith("witness statement") and found["created_by"] == "liga"
    assert liga.notes.of("amber", "entity", "p-ivan").notes == []  # a link is no note
    with pytest.raises(VerigaError, match="two different"):
        liga.notes.add_link("amber", "p-ivan", "p-ivan", "self", "x")
    with pytest.raises(VerigaError, match="empty"):
        liga.notes.add_link("amber", "p-ivan", "p-anna", "knows", "  ")
    liga.notes.remove("amber", link)
    assert liga.notes.links("amber", ["p-ivan"]) == []
    liga.notes.restore("amber", link)
    assert len(liga.notes.links("amber", ["p-ivan"])) == 1
    # shared with Ivan only: the link to Anna is not shown (it would name her)
    liga.cases.share("amber", "Politsei", ["p-ivan"])
    assert mart.notes.links("amber", ["p-ivan"]) == []
    liga.cases.share("amber", "Safe House")
    assert ilze.notes.links("amber", ["p-ivan"]) == []
