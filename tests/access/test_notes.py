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
    with pytest.raises(PermissionDenied):  # not the author
        mart.notes.remove("amber", liga.notes.add("amber", "entity", "p-ivan", "tag", "x"))

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
