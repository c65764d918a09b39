"""The cohort pages: a trainer's cohorts and dashboard, CSV enrolment by upload (rejects
shown with their lines, all or nothing, size limit, CSRF), events with attendance and the
feedback form, a trainee's tests, certificates and the public verification page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webhelpers import PASSWORD, log_in

from learncontent import use_sample
from veriga.config import Settings
from veriga.training import content
from veriga.training.enrolment import MAX_BYTES, sample
from veriga.web import create_app
from veriga.workspace import Workspace


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
          ) -> Iterator[tuple[Settings, Workspace, content.Programme]]:
    prog = use_sample(tmp_path, monkeypatch)
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'v.db'}")
    admin = Workspace.local(settings, username="admin")
    admin.directory.add_org("Academy", "training", "LV")
    admin.directory.add_org("Safe House", "ngo", "LV")
    admin.directory.add_user("anna", "Academy", ["trainer"], "Anna Trainer", PASSWORD)
    admin.directory.add_user("peeter", "Academy", ["trainer"], "Peeter", PASSWORD)
    admin.directory.add_user("kalle", "Academy", ["trainee"], "Kalle Trainee", PASSWORD)
    admin.directory.add_user("ilze", "Safe House", ["ngo_worker"], "Ilze", PASSWORD)
    yield settings, admin, prog
    admin.close()


def _client(settings: Settings, user: str | None) -> TestClient:
    client = TestClient(create_app(settings), base_url="https://testserver")
    if user:
        log_in(client, user)
    return client


def _csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def _cohort(client: TestClient) -> tuple[str, str]:
    page = client.get("/training/cohorts")
    done = client.post("/training/cohorts", data={
        "csrf": _csrf(page.text), "name": "LV police 2026", "language": "lv",
        "profession": "law_enforcement"}, follow_redirects=False)
    assert done.status_code == 303
    return done.headers["location"].rsplit("/", 1)[1], _csrf(page.text)


def _upload(client: TestClient, cohort: str, csrf: str | None, data: bytes):
    fields = {"csrf": csrf} if csrf else {}
    return client.post(f"/training/cohorts/{cohort}/enrol", data=fields,
                       files={"file": ("cohort.csv", data, "text/csv")})


def test_a_trainer_enrols_schedules_and_reads_the_dashboard(setup):
    settings, admin, prog = setup
    anna = _client(settings, "anna")
    cohort, csrf = _cohort(anna)
    assert "LV police 2026" in anna.get("/training/cohorts").text
    # a bad row: the whole file rejected, with its line
    bad = sample(30, "Academy").decode().replace("trainee017@example.org", "not-an-email")
    page = _upload(anna, cohort, csrf, bad.encode())
    assert page.status_code == 400 and 'data-testid="rejects"' in page.text
    assert re.search(r"<td>18</td><td>email</td>", page.text)
    assert "Trainee 001" not in page.text
    page = _upload(anna, cohort, csrf, sample(300, "Academy"))
    assert page.status_code == 200 and 'data-testid="enrolled"' in page.text
    assert page.text.count("Trainee 2") == 100
    # a workshop
    done = anna.post(f"/training/cohorts/{cohort}/events", data={
        "csrf": csrf, "title": "Riga workshop", "kind": "international_workshop",
        "starts": "2026-03-02T09:00", "ends": "2026-03-04T17:00", "place": "Riga",
        "agenda": "Day 1", "materials": "lesson:sample-one https://example.org/a"},
        follow_redirects=False)
    assert done.status_code == 303
    event = anna.get(done.headers["location"])
    assert "Riga workshop" in event.text and 'href="/training/lessons/sample-one"' in event.text
    board = anna.get(f"/training/cohorts/{cohort}")
    assert "Riga workshop" in board.text and 'data-testid="gain"' in board.text
    assert "No answers yet." in board.text and board.text.count("<td>0 / 2</td>") == 300


def test_others_may_not_read_a_cohort_and_uploads_are_checked(setup):
    settings, admin, prog = setup
    anna = _client(settings, "anna")
    cohort, csrf = _cohort(anna)
    admin.as_user("anna").cohorts.enrol(cohort, sample(3, "Academy") + (
        b"kalle,Kalle Trainee,,Academy,law_enforcement,lv,trainee\n"))
    for user in ("peeter", "ilze", "kalle"):  # another cohort's trainer, an NGO, a trainee
        other = _client(settings, user)
        page = other.get(f"/training/cohorts/{cohort}")
        assert page.status_code in (403, 404) and "Trainee 001" not in page.text
        refused = _upload(other, cohort, _csrf(other.get("/training/tests").text),
                          sample(1, "Academy", prefix="x"))
        assert refused.status_code in (403, 404)
    # no CSRF token, too large, not multipart
    assert _upload(anna, cohort, None, sample(2, "Academy", prefix="y")).status_code == 403
    huge = b"username,display_name\n" + b"a" * (MAX_BYTES + 70_000)
    assert _upload(anna, cohort, csrf, huge).status_code == 413
    assert anna.post(f"/training/cohorts/{cohort}/enrol", data={"csrf": csrf}).status_code == 400
    assert len(admin.cohorts.show(cohort)["members"]) == 5


def test_a_trainee_takes_tests_gives_feedback_and_gets_a_verified_certificate(setup):
    settings, admin, prog = setup
    anna_ws = admin.as_user("anna")
    cohort = anna_ws.cohorts.create("Judges LV", "lv", "judges")["id"]
    anna_ws.cohorts.enrol(cohort, b"username,display_name,organisation,profession,language,"
                          b"role\nkalle,Kalle Trainee,Academy,judges,lv,trainee\n")
    now = datetime.now(UTC)
    event = anna_ws.cohorts.add_event(cohort, "national_training", "Training day",
                                      now - timedelta(hours=1), now + timedelta(hours=1))
    post = anna_ws.cohorts.create_test(cohort, "post")
    kalle = _client(settings, "kalle")
    mine = kalle.get("/training/cohorts")
    assert "Training day" in mine.text and "Create cohort" not in mine.text
    csrf = _csrf(mine.text)
    # the feedback form, once
    form = {"csrf": csrf, "relevance": "5", "content": "4", "delivery": "4", "materials": "3",
            "overall": "5", "useful": "The cases", "improve": ""}
    assert 'data-testid="feedback-form"' in kalle.get(f"/training/events/{event['id']}").text
    assert kalle.post(f"/training/events/{event['id']}/feedback", data=form).status_code == 200
    again = kalle.post(f"/training/events/{event['id']}/feedback", data=form)
    assert again.status_code == 400
    # the post-test, in Latvian, once
    tests = kalle.get("/training/tests")
    assert f'href="/training/tests/{post["id"]}"' in tests.text
    page = kalle.get(f"/training/tests/{post['id']}")
    assert "Which one?" in page.text  # the English account's language
    answers: dict[str, list[str]] = {}
    for key in post["question_ids"]:
        _, q = prog.question(key)
        answers[key] = [str(i) for i in sorted(q.correct_indices())]
    done = kalle.post(f"/training/tests/{post['id']}", data={"csrf": csrf, **answers})
    assert done.status_code == 200 and 'data-testid="score"' in done.text
    assert kalle.post(f"/training/tests/{post['id']}", data={"csrf": csrf}).status_code == 400
    # the trainer sees the feedback and issues the certificate
    anna = _client(settings, "anna")
    seen = anna.get(f"/training/events/{event['id']}")
    assert "The cases" in seen.text and "5.0 / 5" in seen.text
    issued = anna.post(f"/training/cohorts/{cohort}/certificates",
                       data={"csrf": _csrf(seen.text), "username": "kalle"})
    digest = re.search(r'href="/verify/([0-9a-f]{64})"', issued.text).group(1)
    pdf = kalle.get(f"/training/certificates/{digest}.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert _client(settings, "peeter").get(f"/training/certificates/{digest}.pdf"
                                          ).status_code == 404
    # anyone verifies it, without logging in, and learns nothing else of the trainee
    public = _client(settings, None)
    page = public.get(f"/verify/{digest}")
    assert page.status_code == 200 and "Kalle Trainee" in page.text and "Academy" in page.text
    assert "kalle<" not in page.text and "Training day" not in page.text
    assert public.get("/verify/" + "0" * 64).status_code == 404
    assert public.get("/verify/not-a-hash").status_code == 404
    anna.post(f"/training/certificates/{digest}/revoke", data={
        "csrf": _csrf(seen.text), "cohort": cohort, "reason": "issued in error"})
    assert 'data-testid="verdict"' in public.get(f"/verify/{digest}").text
    assert "revoked" in public.get(f"/verify/{digest}").text
