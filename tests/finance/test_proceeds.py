"""Proceeds estimate against the simulated operations' gross earnings."""

from __future__ import annotations

import json
from decimal import Decimal

from worldhelpers import World


def test_client_takings_match_what_was_banked(small: World) -> None:
    truth = json.loads(small.truth.read_text())
    sex = [o["proceeds"] for o in truth["operations"] if o["id"].startswith("OP-SEX")]
    banked = sum(Decimal(p["client_p2p"]) + Decimal(p["client_cash"]) +
                 Decimal(p["client_card"]) * Decimal("0.98") for p in sex)  # processor fee
    lines = {line.label: line for line in small.run.estimate.lines}
    takings = sum(line.amount for line in small.run.estimate.lines
                  if line.method == "client volume × price")
    assert abs(takings - banked) / banked < Decimal("0.05"), (takings, banked)
    assert any("R1" in label for label in lines)
    for line in small.run.estimate.lines:
        assert line.record_ids and line.count == len(line.record_ids)


def test_wages_withheld_are_estimated(small: World) -> None:
    truth = json.loads(small.truth.read_text())
    lab = [o["proceeds"] for o in truth["operations"] if o["id"].startswith("OP-LAB")]
    expected = sum(Decimal(p["wage_kickback"]) + Decimal(p["wages_to_controller"]) +
                   Decimal(p["recruitment_fee"]) for p in lab)
    withheld = sum(line.amount for line in small.run.estimate.lines
                   if line.method == "wages withheld")
    assert abs(withheld - expected) / expected < Decimal("0.1"), (withheld, expected)


def test_proceeds_findings_name_the_holders(small: World) -> None:
    found = [f for f in small.run.findings if f.kind == "proceeds"]
    assert found[0].title == "Proceeds estimate for the case"
    assert "lower bound" in found[0].explanation
    assert any("retained by" in f.title for f in found[1:])
