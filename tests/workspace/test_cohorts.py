"""Cohorts in the workspace (ws.cohorts), on SQLite and PostgreSQL: a trainer reaches only the
cohorts they run, a trainee never the dashboard; 300 trainees enrol from a CSV, a bad row
rejects the whole file with its line; tests measure the gain; certificates verify, tamper
and revocation fail them; everything is audited."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from learncontent import use_sample
from veriga.errors import NotFound, VerigaError
from veriga.store.schema import training_certificates, training_members, users
from veriga.training import content
from veriga.training.enrolment import EnrolmentRejected, sample
from veriga.workspace import PermissionDenied, Workspace

NOW = datetime.now(UTC)


@pytest.fixture
def sample_programme(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> content.Programme:
    return use_sample(tmp_path, monkeypatch)


@pytest.fixture
def trainers(ws: Workspace, sample_programme: content.Programme
             ) -> tuple[Workspace, Workspace]:
    ws.directory.add_org("Academy", "training", "LV")
    ws.directory.add_org("Safe House", "ngo", "LV")
    ws.directory.add_user("anna", "Academy", ["trainer"], "Anna Trainer")
    ws.directory.add_user("peeter", "Academy", ["trainer"], "Peeter Trainer")
    return ws.as_user("anna"), ws.as_user("peeter")


def _audit(ws: Workspace, action: str) -> list[dict]:
    with ws.store.begin() as conn:
        return [e for e in ws.store.list_audit(conn) if e["action"] == action]


def _right(prog: content.Programme, keys: list[str], wrong: int = 0) -> dict[str, list[int]]:
    """Answers to ``keys``, the first ``wrong`` of them wrong."""
    out = {}
    for n, key in enumerate(keys):
        _, q = prog.question(key)
        right = sorted(q.correct_indices())
        out[key] = right if n >= wrong else [i for i in range(len(q.choices))
                                             if i not in right][:1]
    return out


def test_300_trainees_enrol_from_a_csv_and_are_audited(ws, trainers):
    anna, _ = trainers
    cohort = anna.cohorts.create("LV police 2026", "lv", "law_enforcement")
    result = anna.cohorts.enrol(cohort["id"], sample(300, "Academy"))
    assert result == {"enrolled": 300, "created": 300, "already": 0, "trainers": 0}
    with ws.store.begin() as conn:
        created = conn.execute(select(users.c.roles, users.c.password_hash).where(
            users.c.username == "trainee150")).one()
        members = conn.execute(select(func.count()).select_from(training_members).where(
            training_members.c.cohort_id == cohort["id"])).scalar()
    assert created.roles == ["trainee"] and created.password_hash is None
    assert members == 301  # and anna, its trainer
    assert [c["trainees"] for c in anna.cohorts.list()] == [300]
    # the same file again changes nothing; the audit says who enrolled whom
    assert anna.cohorts.enrol(cohort["id"], sample(300, "Academy"))["already"] == 300
    entry = _audit(ws, "training.enrol")[0]
    assert entry["actor"] == "anna" and entry["detail"]["enrolled"] == 300


def test_a_bad_row_rejects_the_whole_file_with_its_line(ws, trainers):
    anna, _ = trainers
    cohort = anna.cohorts.create("Judges EE", "et", "judges")
    lines = sample(20, "Academy", "judges", "et").decode().splitlines()
    lines[12] = lines[12].replace("Academy", "No Such Org")  # line 13 of the file
    lines[15] = lines[15].replace("judges", "astronauts")  # line 16
    lines.append("peeter,Peeter,,Academy,judges,et,trainer")  # a trainer: ok
    lines.append("ghost,Ghost,,Academy,judges,et,trainer")  # line 23: no such trainer
    with pytest.raises(EnrolmentRejected) as caught:
        anna.cohorts.enrol(cohort["id"], "\n".join(lines).encode())
    assert [(r.line, r.column) for r in caught.value.rejects] == [
        (13, "organisation"), (16, "profession"), (23, "username")]
    with ws.store.begin() as conn:
        assert conn.execute(select(func.count()).select_from(users).where(
            users.c.username.like("trainee%"))).scalar() == 0
    assert anna.cohorts.show(cohort["id"])["members"][0]["username"] == "anna"
    assert len(anna.cohorts.show(cohort["id"])["members"]) == 1


def test_a_trainer_of_another_cohort_and_trainees_cannot_read_it(ws, trainers):
    anna, peeter = trainers
    cohort = anna.cohorts.create("LV police 2026", "lv", "law_enforcement")
    anna.cohorts.enrol(cohort["id"], sample(3, "Academy"))
    peeter.cohorts.create("Peeter's cohort", "et")
    assert [c["name"] for c in peeter.cohorts.list()] == ["Peeter's cohort"]
    for attempt in (lambda: peeter.cohorts.dashboard(cohort["id"]),
                    lambda: peeter.cohorts.show("LV police 2026"),
                    lambda: peeter.cohorts.enrol(cohort["id"], sample(1, "Academy", prefix="x")),
                    lambda: peeter.cohorts.create_test(cohort["id"], "pre"),
                    lambda: peeter.cohorts.events(cohort["id"])):
        with pytest.raises(NotFound):
            attempt()
    trainee = ws.as_user("trainee001")
    for attempt in (lambda: trainee.cohorts.dashboard(cohort["id"]),
                    lambda: trainee.cohorts.show(cohort["id"]),
                    lambda: trainee.cohorts.list(),
                    lambda: trainee.cohorts.issue(cohort["id"], "trainee002")):
        with pytest.raises(PermissionDenied):
            attempt()
    ws.directory.add_user("ilze", "Safe House", ["ngo_worker"])
    with pytest.raises(PermissionDenied):
        ws.as_user("ilze").cohorts.dashboard(cohort["id"])
    # the administrator runs every cohort
    assert len(ws.cohorts.dashboard(cohort["id"])["trainees"]) == 3


def test_events_attendance_and_one_feedback_form_per_participant(ws, trainers):
    anna, _ = trainers
    cohort = anna.cohorts.create("Workshop Riga", "lv")
    anna.cohorts.enrol(cohort["id"], sample(3, "Academy"))
    event = anna.cohorts.add_event(
        cohort["id"], "international_workshop", "Riga workshop", NOW - timedelta(hours=2),
        NOW + timedelta(hours=6), "Riga", "Day 1: the chain",
        ["lesson:sample-one", "library:good-practice-1", "https://example.org/agenda"])
    assert [m["kind"] for m in event["materials"]] == ["lesson", "library", "link"]
    with pytest.raises(VerigaError, match="no such lesson"):
        anna.cohorts.add_event(cohort["id"], "study_visit", "Visit", NOW, NOW,
                               materials=["lesson:nope"])
    with pytest.raises(VerigaError, match="event kind"):
        anna.cohorts.add_event(cohort["id"], "party", "Party", NOW, NOW)
    assert anna.cohorts.attend(event["id"], ["trainee001", "trainee002"]) == 2
    anna.cohorts.attend(event["id"], ["trainee003"], "absent")
    form = {"relevance": 5, "content": 4, "delivery": 4, "materials": 3, "overall": 5,
            "useful": "The money view", "improve": ""}
    one = ws.as_user("trainee001")
    one.cohorts.submit_feedback(event["id"], form)
    with pytest.raises(VerigaError, match="already"):
        one.cohorts.submit_feedback(event["id"], form)
    with pytest.raises(PermissionDenied):  # marked absent: no participant
        ws.as_user("trainee003").cohorts.submit_feedback(event["id"], form)
    with pytest.raises(PermissionDenied):  # the trainer is no participant
        anna.cohorts.submit_feedback(event["id"], form)
    with pytest.raises(VerigaError, match="rating"):
        ws.as_user("trainee002").cohorts.submit_feedback(event["id"], {**form, "overall": 9})
    seen = anna.cohorts.event(event["id"])
    assert seen["feedback"]["forms"] == 1 and seen["feedback"]["means"]["overall"] == 5
    assert {a["username"]: a["status"] for a in seen["attendance"]} == {
        "trainee001": "present", "trainee002": "present", "trainee003": "absent"}
    mine = one.cohorts.event(event["id"])
    assert mine["my_feedback"] and "attendance" not in mine and "feedback" not in mine
    assert [e["present"] for e in anna.cohorts.events(cohort["id"])] == [2]
    assert _audit(ws, "training.feedback") and _audit(ws, "training.event.read")


def test_tests_gain_dashboard_and_certificates(ws, trainers, sample_programme):
    anna, peeter = trainers
    cohort = anna.cohorts.create("LV police 2026", "lv", "law_enforcement")
    anna.cohorts.enrol(cohort["id"], sample(3, "Academy"))
    pre = anna.cohorts.create_test(cohort["id"], "pre")
    post = anna.cohorts.create_test(cohort["id"], "post")
    later = anna.cohorts.create_test(cohort["id"], "delayed", opens_at=NOW + timedelta(days=30))
    keys = pre["question_ids"]
    assert len(keys) == 4 and keys == post["question_ids"]
    one, two = ws.as_user("trainee001"), ws.as_user("trainee002")
    shown = one.cohorts.test(pre["id"])
    assert "correct" not in str(shown["questions"])  # the choices, not which are right
    assert one.cohorts.take(pre["id"], _right(sample_programme, keys, wrong=3))["score"] == 0.25
    assert one.cohorts.take(post["id"], _right(sample_programme, keys))["score"] == 1.0
    two.cohorts.take(pre["id"], _right(sample_programme, keys, wrong=2))
    two.cohorts.take(post["id"], _right(sample_programme, keys, wrong=1))
    with pytest.raises(VerigaError, match="taken this test already"):
        one.cohorts.take(pre["id"], {})
    with pytest.raises(VerigaError, match="not open"):
        one.cohorts.take(later["id"], {})
    with pytest.raises(NotFound):  # a trainer takes no test
        anna.cohorts.take(post["id"], {})
    assert {t["kind"]: t["state"] for t in one.cohorts.my_tests()} == {
        "pre": "taken", "post": "taken", "delayed": "upcoming"}

    board = anna.cohorts.dashboard(cohort["id"])
    gain = board["gain"]
    assert gain.trainees == 2 and gain.pre == pytest.approx(0.375)
    assert gain.post == pytest.approx(0.875) and gain.gain == pytest.approx(0.5)
    assert gain.normalised == pytest.approx(0.5 / 0.625)
    rows = {t["username"]: t for t in board["trainees"]}
    assert rows["trainee001"]["normalised"] == pytest.approx(1.0)
    assert rows["trainee003"]["pre"] is None and rows["trainee001"]["required"] == 2
    assert {m["outcome_id"] for m in board["mastery"]} == {"o1"}
    assert board["misses"][0]["wrong"] == 1  # latest answers: the post-test's
    assert _audit(ws, "training.dashboard.read")[0]["detail"]["trainees"] == 3

    # a certificate for who passed the post-test, not for who did not
    with pytest.raises(VerigaError, match="not yet"):
        anna.cohorts.issue(cohort["id"], "trainee003")
    with pytest.raises(NotFound):
        peeter.cohorts.issue(cohort["id"], "trainee001")
    cert = anna.cohorts.issue(cohort["id"], "trainee001")
    assert cert["url"].endswith(f"/verify/{cert['hash']}")
    public = Workspace(ws.settings, None, store=ws.store)
    seen = public.cohorts.verify(cert["hash"])
    assert seen is not None and seen["valid"] and seen["holder"] == "Trainee 001"
    assert set(seen) <= {"hash", "holder", "cohort", "modules", "date", "issuer", "revoked",
                         "revoked_at", "intact", "valid"}
    assert seen["issuer"] == "Academy" and seen["modules"] == ["Parauga modulis"]
    pdf = one.cohorts.pdf(cert["hash"])
    assert public.cohorts.verify_pdf(pdf)["valid"]
    with pytest.raises(NotFound):  # another trainee's certificate
        two.cohorts.pdf(cert["hash"])
    with pytest.raises(NotFound):
        peeter.cohorts.pdf(cert["hash"])
    assert public.cohorts.verify("0" * 64) is None
    # a stored payload changed after issue no longer matches its hash
    with ws.store.begin() as conn:
        row = conn.execute(select(training_certificates.c.payload)).scalar_one()
        conn.execute(training_certificates.update().values(
            payload={**row, "holder": "Someone Else"}))
    assert not public.cohorts.verify(cert["hash"])["valid"]
    with ws.store.begin() as conn:
        conn.execute(training_certificates.update().values(payload=row))
    with pytest.raises(PermissionDenied):
        one.cohorts.revoke(cert["hash"], "not mine to revoke")
    anna.cohorts.revoke(cert["hash"], "issued in error")
    after = public.cohorts.verify(cert["hash"])
    assert after["revoked"] and not after["valid"]
    assert anna.cohorts.issue(cohort["id"], "trainee001")["hash"] != cert["hash"]
    actions = {e["action"] for e in _audit(ws, "training.certificate.issue")
               + _audit(ws, "training.certificate.revoke")
               + _audit(ws, "training.certificate.verify")}
    assert actions == {"training.certificate.issue", "training.certificate.revoke",
                       "training.certificate.verify"}
