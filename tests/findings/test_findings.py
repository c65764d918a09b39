import pytest

from veriga.errors import VerigaError
from veriga.findings import Evidence, Finding, Key, ReviewState


def _finding(score=0.8):
    return Finding(
        kind="fan_in", score=score, title="Many small payers",
        explanation="27 people paid this account in the evenings.",
        evidence=Evidence(entity_ids=["a-ivan"], keys=[Key("iban", "BG80BNBG96611020345678")]),
        detector="veriga.finance.fan_in", detector_version="1", citation="FATF-APG 2018",
    )


def test_findings_round_trip_and_review(ws):
    case_id = ws.create_case("c")["id"]
    with ws.store.begin() as conn:
        assert ws.store.save_findings(conn, case_id, [_finding(), _finding()]) == 1
    [stored] = ws.findings("c")
    assert stored.id == _finding().id and stored.review.state is ReviewState.NEW
    assert stored.evidence.keys == [Key("iban", "BG80BNBG96611020345678")]
    with pytest.raises(VerigaError, match="reason"):
        ws.review("c", stored.id, ReviewState.CONFIRMED, " ")
    ws.review("c", stored.id, ReviewState.CONFIRMED, "matches the bank's own report")
    [reviewed] = ws.findings("c")
    assert reviewed.review.state is ReviewState.CONFIRMED and reviewed.review.by == "tester"
    # running the detector again does not reset the person's review
    with ws.store.begin() as conn:
        ws.store.save_findings(conn, case_id, [_finding()])
    assert ws.findings("c")[0].review.state is ReviewState.CONFIRMED


def test_score_must_be_a_probability():
    with pytest.raises(ValueError):
        _finding(score=1.5)
