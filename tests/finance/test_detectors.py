"""The red-flag and shape detectors against the simulator's answer key."""

from __future__ import annotations

import json

import pytest
from worldhelpers import World, build_world

from veriga.finance.quality import evaluate

# At `small`, each letterbox company withdraws cash once; R5 (repeated structuring) and R10
# (cash intensity over 10,000 EUR) need the longer `medium` world, tested below.
NEEDS_MEDIUM = {"R5", "R10"}
GOAL_RECALL, GOAL_PRECISION = 0.9, 0.8


def test_every_typology_found_in_small_world(small: World) -> None:
    scores = {s.detector: s for s in evaluate(small.run.result, small.truth,
                                          findings=small.run.findings)}
    truth = json.loads(small.truth.read_text())
    kinds = {t["code"] if t["shape"] not in ("cycle", "scatter_gather") else
             f"shape.{t['shape']}" for t in truth["typologies"]} - {"R13"}
    assert kinds <= set(scores)
    for kind in kinds - NEEDS_MEDIUM:
        assert scores[kind].recall >= GOAL_RECALL, (kind, scores[kind])
    for score in scores.values():
        assert score.precision >= GOAL_PRECISION, score
    assert scores["R13 (companies)"].recall == 1.0


def test_decoys_and_lawful_accounts_are_not_flagged(small: World) -> None:
    truth = json.loads(small.truth.read_text())
    role = {p["id"]: p["role"] for p in truth["people"]}
    role |= {c["id"]: c["role"] for c in truth["companies"]}
    innocent = {a["iban"] for a in truth["accounts"] if role[a["holder"]] in ("decoy", "lawful")}
    decoys = {a["iban"] for a in truth["accounts"] if role[a["holder"]] == "decoy"}
    assert decoys, "the world must contain decoys"
    result = small.run.result
    for finding in result.findings:
        if finding.score < 0.5 or finding.kind.startswith("shape."):
            continue
        group = result.group_of[finding.id]
        assert group.key not in innocent, (finding.kind, finding.explanation)


def test_findings_explain_cite_and_rest_on_transactions(small: World) -> None:
    sources = {s["id"] for s in small.ws.records.sources(small.case)}
    stored = {f.id: f for f in small.ws.findings.list(small.case)}
    assert len(stored) == len(small.run.findings)
    for finding in small.run.findings:
        assert finding.explanation and finding.title
        assert any(name in finding.citation for name in ("FATF", "FinCEN", "Europol", "OSCE"))
        assert finding.evidence.keys
        if finding.kind != "R13":
            assert finding.evidence.record_ids
            assert set(finding.evidence.source_ids) <= sources
            assert any(k.type == "iban" for k in finding.evidence.keys)
        assert stored[finding.id].explanation == finding.explanation


def test_transfer_findings_carry_both_legs(small: World) -> None:
    result = small.run.result
    r2 = [f for f in result.findings if f.kind == "R2"]
    assert r2
    accounts = {result.records[r]["account"] for r in r2[0].evidence.record_ids}
    assert len(accounts) >= 2  # the controller's credits and the letterbox's debits


def test_rerun_keeps_reviewed_and_replaces_the_rest(small: World) -> None:
    from veriga.findings import ReviewState

    first = small.ws.findings.list(small.case)
    small.ws.findings.review(small.case, first[0].id, ReviewState.CONFIRMED,
                             "checked the statements")
    run = small.ws.analyses.run(small.case, ["finance"])["finance"].detail
    again = {f.id: f for f in small.ws.findings.list(small.case)}
    assert set(again) == {f.id for f in run.findings} | {first[0].id}
    assert again[first[0].id].review.state is ReviewState.CONFIRMED


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["sexual-exploitation", "labour-exploitation", "mixed"])
def test_medium_worlds_meet_the_goal(scenario: str, tmp_path_factory: pytest.TempPathFactory
                                     ) -> None:
    """Recall >= 0.9 at precision >= 0.8 for every typology on medium worlds with decoys."""
    world = build_world(tmp_path_factory.mktemp(scenario), scenario, "medium", 1)
    try:
        scores = evaluate(world.run.result, world.truth, findings=world.run.findings)
    finally:
        world.ws.close()
    short = {}
    for s in scores:
        if s.truth and s.recall < GOAL_RECALL or s.precision < GOAL_PRECISION:
            short[s.detector] = (round(s.recall, 2), round(s.precision, 2))
    # R7 on sexual exploitation: the controller's rent for his own home is paid the same way
    # as the flats he rents for the women and cannot be told apart from the bank data alone.
    allowed = {"R7"} if scenario != "labour-exploitation" else set()
    assert set(short) <= allowed, short
    for kind in set(short) & allowed:
        assert short[kind][0] >= GOAL_RECALL and short[kind][1] >= 0.7, short
