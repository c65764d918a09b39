import json
from decimal import Decimal

import pytest

from veriga.errors import VerigaError
from veriga.findings import N_, Evidence, Finding, Key, ReviewState, Text, eur, num, pct


def _finding(score=0.8):
    return Finding(
        kind="fan_in", score=score, title="Many small payers",
        explanation="27 people paid this account in the evenings.",
        evidence=Evidence(entity_ids=["a-ivan"], keys=[Key("iban", "BG80BNBG96611020345678")]),
        detector="veriga.finance.fan_in", detector_version="1", citation="FATF-APG 2018",
    )


def test_findings_round_trip_and_review(ws):
    case_id = ws.cases.create("c")["id"]
    with ws.store.begin() as conn:
        assert ws.store.save_findings(conn, case_id, [_finding(), _finding()]) == 1
    [stored] = ws.findings.list("c")
    assert stored.id == _finding().id and stored.review.state is ReviewState.NEW
    assert stored.evidence.keys == [Key("iban", "BG80BNBG96611020345678")]
    with pytest.raises(VerigaError, match="reason"):
        ws.findings.review("c", stored.id, ReviewState.CONFIRMED, " ")
    ws.findings.review("c", stored.id, ReviewState.CONFIRMED, "matches the bank's own report")
    [reviewed] = ws.findings.list("c")
    assert reviewed.review.state is ReviewState.CONFIRMED and reviewed.review.by == "tester"
    # running the detector again does not reset the person's review
    with ws.store.begin() as conn:
        ws.store.save_findings(conn, case_id, [_finding()])
    assert ws.findings.list("c")[0].review.state is ReviewState.CONFIRMED


def test_score_must_be_a_probability():
    with pytest.raises(ValueError):
        _finding(score=1.5)


def test_a_text_is_said_in_the_readers_language_with_its_numbers() -> None:
    text = Text(N_("%(n)s payments, %(total)s, %(share)s moved on (%(rate)s a month)"),
                {"n": Decimal("12"), "total": eur(Decimal("12345.5")), "share": pct(0.934),
                 "rate": num(2.25, 1)})
    assert str(text) == "12 payments, 12,345.50 EUR, 93% moved on (2.2 a month)"
    bulgarian = {text.msgid: "%(n)s плащания, %(total)s, %(share)s (%(rate)s на месец)"}
    shown = text.render(lambda m: bulgarian.get(m, m), "bg")
    assert shown == "12 плащания, 12\xa0345,50 EUR, 93% (2,2 на месец)"
    broken = text.render(lambda m: "%(missing)s", "bg")  # a bad catalog entry: English
    assert broken.startswith("12 payments")
    assert Text.from_dict(json.loads(json.dumps(text.to_dict()))) == text


def test_a_finding_keeps_its_translatable_texts_in_the_store(ws) -> None:
    title = Text(N_("Proceeds retained by %(who)s: %(amount)s"), {"who": "A", "amount": eur(5)})
    text = Text(N_("%(n)s payments"), {"n": 3})
    f = Finding(kind="R1", score=0.9, explanation=str(text), message=text, title=str(title),
                title_message=title, evidence=Evidence(entity_ids=["x"]), detector="t",
                detector_version="1")
    case_id = ws.cases.create("c")["id"]
    with ws.store.begin() as conn:
        ws.store.save_findings(conn, case_id, [f])
    [back] = ws.findings.list("c")
    assert back.message == text and back.title_message == title
    assert back.heading() == "Proceeds retained by A: 5.00 EUR"
    assert back.text() == "3 payments"
