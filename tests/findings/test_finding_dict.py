"""A finding as JSON values: every field of the dataclasses, as ``dataclasses.asdict`` gives
them (with the review's state and time, and the texts, as JSON)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

from veriga.findings import Evidence, Finding, Key, Review, ReviewState, Text, eur


def test_to_dict_is_asdict_made_json() -> None:
    finding = Finding(
        kind="R1", score=0.75, explanation="Paid 10 EUR", detector="r1", detector_version="2",
        evidence=Evidence(entity_ids=["e1", "e2"], statement_ids=["s1"], source_ids=["src"],
                          record_ids=["src:1"], keys=[Key("iban", "LV80BANK0000435195001")]),
        title="Payments", citation="Art. 2", details={"route": [{"city": "Riga", "n": 2}]},
        review=Review(ReviewState.CONFIRMED, "liga", datetime(2026, 3, 1, tzinfo=UTC), "ok"),
        message=Text("Paid %(amount)s", {"amount": eur(10)}),
        title_message=Text("Payments to %(who)s", {"who": "Anna"}))
    expected = asdict(finding)
    expected["review"]["state"] = "confirmed"
    expected["review"]["at"] = "2026-03-01T00:00:00+00:00"
    expected["message"] = finding.message.to_dict() if finding.message else None
    expected["title_message"] = {"msgid": "Payments to %(who)s", "args": {"who": "Anna"}}
    made = finding.to_dict()
    assert made == expected and list(made) == list(expected)
    assert list(made["evidence"]) == list(expected["evidence"])
    made["details"]["route"][0]["city"] = "changed"
    made["evidence"]["entity_ids"].append("changed")
    assert finding.details == {"route": [{"city": "Riga", "n": 2}]}
    assert finding.evidence.entity_ids == ["e1", "e2"]
    bare = Finding(kind="R2", score=0.1, explanation="x", detector="d", detector_version="1",
                   evidence=Evidence())
    assert bare.to_dict()["review"] == {"state": "new", "by": None, "at": None, "reason": None}
    assert bare.to_dict()["message"] is None and bare.to_dict()["details"] is None
