"""The case simulation pages: a trainer sets an exercise; a trainee starts an attempt (the
case built in the background), reads the briefing, answers through the form and gets the
graded report; nobody else reaches the attempt or its case."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from webhelpers import PASSWORD, log_in

from veriga.config import Settings
from veriga.store.schema import training_attempts, training_members
from veriga.training.simulation import model_answer
from veriga.web import create_app
from veriga.workspace import Workspace


@pytest.fixture
def academy(tmp_path: Path) -> Iterator[tuple[Settings, Workspace]]:
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'v.db'}")
    admin = Workspace.local(settings, username="admin")
    admin.directory.add_org("Academy", "training", "LV")
    admin.directory.add_org("Safe House", "ngo", "LV")
    admin.directory.add_user("trainer", "Academy", ["trainer"], "Tr", PASSWORD)
    admin.directory.add_user("anna", "Academy", ["trainee"], "Anna", PASSWORD, language="lv")
    admin.directory.add_user("bert", "Academy", ["trainee"], "Bert", PASSWORD)
    admin.directory.add_user("ilze", "Safe House", ["trainee"], "Ilze", PASSWORD)
    cohort = admin.as_user("trainer").cohorts.create("Riga 2026", "lv")
    with admin.store.begin() as conn:
        for name in ("anna", "bert", "ilze"):
            conn.execute(training_members.insert().values(
                cohort_id=cohort["id"], user_id=admin.as_user(name).require_user().id,
                role="trainee", enrolled_at=datetime.now(UTC)))
    yield settings, admin
    admin.close()


def client_of(settings: Settings, user: str) -> TestClient:
    client = TestClient(create_app(settings), base_url="https://testserver")
    log_in(client, user)
    return client


def csrf(page: str) -> str:
    return page.split('name="csrf" value="')[1].split('"')[0]


def start(client: TestClient, exercise: str) -> str:
    page = client.get("/training/exercises")
    assert page.status_code == 200 and f'data-testid="start-{exercise}"' in page.text
    done = client.post(f"/training/exercises/{exercise}/start",
                       data={"csrf": csrf(page.text)}, follow_redirects=False)
    assert done.status_code == 303, done.text
    return str(done.headers["location"].rsplit("/", 1)[1])


def wait_built(client: TestClient, attempt: str) -> str:
    for _ in range(240):
        page = client.get(f"/training/attempts/{attempt}")
        assert page.status_code == 200
        if 'data-testid="building"' not in page.text:
            return page.text
        assert 'http-equiv="refresh"' in page.text
        time.sleep(0.5)
    raise AssertionError("the case was not built in 120 s")


def form_of(answer: dict[str, Any], token: str) -> dict[str, Any]:
    """The answer form's fields for an answer."""
    data: dict[str, Any] = {"csrf": token}
    for row in answer["roles"]:
        data[f"role:{row['entity']}"] = row["role"]
    for n, link in enumerate(answer["links"][:12]):
        data[f"links-from-{n}"], data[f"links-to-{n}"] = link["from"], link["to"]
    for element, items in answer["evidence"].items():
        for n, item in enumerate(items[:3]):
            data[f"ev-{element}-kind-{n}"] = item["kind"]
            data[f"ev-{element}-ref-{n}"] = item["ref"]
    for n, row in enumerate(answer["proceeds"][:10]):
        data[f"proceeds-account-{n}"] = row["account"]
        data[f"proceeds-amount-{n}"] = str(row["amount"])
    data["safeguards"] = answer["safeguards"]
    data["cooperation"] = answer["cooperation"]
    return data


def test_a_trainee_runs_a_simulation_and_gets_a_graded_report(academy) -> None:
    settings, admin = academy
    trainer = client_of(settings, "trainer")
    page = trainer.get("/training/exercises")
    assert 'data-testid="create-exercise"' in page.text
    cohort = admin.as_user("trainer").cohorts.list()[0]["id"]
    done = trainer.post("/training/exercises", data={
        "csrf": csrf(page.text), "title": "Baltic route", "scenario": "sexual-exploitation",
        "difficulty": "easy", "cohort": cohort, "role": "investigator"},
        follow_redirects=False)
    assert done.status_code == 303
    exercise = admin.exercises.list()[0]["id"]
    bad = trainer.post("/training/exercises", data={
        "csrf": csrf(page.text), "title": "x", "scenario": "piracy", "difficulty": "easy"})
    assert bad.status_code == 400 and "unknown scenario" in bad.text

    anna = client_of(settings, "anna")
    assert 'data-testid="create-exercise"' not in anna.get("/training/exercises").text
    assert anna.post("/training/exercises", data={
        "csrf": csrf(page.text), "title": "x", "scenario": "mixed",
        "difficulty": "easy"}).status_code == 403
    attempt = start(anna, exercise)
    text = wait_built(anna, attempt)
    assert 'data-testid="briefing"' in text and 'data-testid="answer-form"' in text
    with admin.store.begin() as conn:
        row = conn.execute(select(training_attempts).where(
            training_attempts.c.id == attempt)).mappings().one()
    case, key = row["case_id"], row["key"]
    assert f'href="/cases/{case}"' in text
    assert "Jūsu instruktāža" in text  # anna reads Latvian
    answer = model_answer(key)
    assert answer["roles"][0]["entity"] in text  # the entities to assess are in the form
    assert '"controller"' not in text.split('data-testid="answer-form"')[0]

    # nobody else reaches the attempt or its case
    bert = client_of(settings, "bert")
    assert bert.get(f"/training/attempts/{attempt}").status_code == 404
    assert bert.get(f"/cases/{case}").status_code == 404
    assert bert.post(f"/training/attempts/{attempt}",
                     data=form_of(answer, csrf(bert.get("/training").text))).status_code == 404
    # no CSRF token, no answer
    assert anna.post(f"/training/attempts/{attempt}", data={"safeguards": ["referral"]}
                     ).status_code == 403

    token = csrf(text)
    wrong = form_of(answer, token)
    wrong["links-from-0"] = "no-such-entity"
    page = anna.post(f"/training/attempts/{attempt}", data=wrong)
    assert page.status_code == 400 and 'data-testid="problems"' in page.text
    assert "links[0].from" in page.text and 'value="no-such-entity"' in page.text
    done = anna.post(f"/training/attempts/{attempt}", data=form_of(answer, token),
                     follow_redirects=False)
    assert done.status_code == 303
    report = anna.get(f"/training/attempts/{attempt}").text
    assert 'data-testid="grade"' in report and 'data-testid="answer-form"' not in report
    assert 'data-testid="component-evidence"' in report and 'data-testid="model-answer"' in report
    assert 'class="verdict pass"' in report

    # the trainer sees the attempt and its report, not the form
    listing = trainer.get("/training/exercises").text
    assert 'data-testid="cohort-attempts"' in listing and f"/training/attempts/{attempt}" in listing
    seen = trainer.get(f"/training/attempts/{attempt}").text
    assert 'data-testid="grade"' in seen and 'data-testid="answer-form"' not in seen


def test_an_ngo_trainee_builds_and_a_harmful_answer_fails(academy) -> None:
    settings, admin = academy
    exercise = admin.as_user("trainer").exercises.create(
        "Workers", "labour-exploitation", "easy", cohort="Riga 2026", role="ngo")
    ilze = client_of(settings, "ilze")
    attempt = start(ilze, exercise["id"])
    text = wait_built(ilze, attempt)
    assert 'data-testid="part-safeguards"' in text and 'data-testid="part-roles"' in text
    with admin.store.begin() as conn:
        key = conn.execute(select(training_attempts.c.key).where(
            training_attempts.c.id == attempt)).scalar()
    answer = model_answer(key)
    victim = next(r["entity"] for r in answer["roles"] if r["role"] == "victim")
    data = form_of(answer, csrf(text))
    data.update({"disclose-entity-0": victim, "disclose-to-0": "defence"})
    assert ilze.post(f"/training/attempts/{attempt}", data=data,
                     follow_redirects=False).status_code == 303
    report = ilze.get(f"/training/attempts/{attempt}").text
    assert 'class="verdict fail"' in report and 'data-testid="grade-harms"' in report
    assert "/training/lessons/" in report or 'data-testid="grade-lessons"' in report


def test_the_grading_messages_are_in_the_catalogs() -> None:
    """The briefings, feedback and labels of the simulations (marked ``N_`` in the domain
    package, which babel.cfg extracts) are in the template the catalogs translate."""
    from babel.messages.extract import extract_from_dir
    from babel.messages.pofile import read_po

    from veriga.web.i18n import LOCALE_DIR

    src = LOCALE_DIR.parents[1]
    assert "[python: src/veriga/training/simulation/**.py]" in (
        src.parents[1] / "babel.cfg").read_text(encoding="utf-8")
    found = {msg for _, _, msg, _, _ in extract_from_dir(
        src / "training" / "simulation", method_map=[("**.py", "python")],
        keywords={"N_": None})}
    with (LOCALE_DIR / "messages.pot").open("rb") as fh:
        pot = {m.id for m in read_po(fh) if m.id}
    assert len(found) > 60 and found - pot == set()


def test_a_trainer_prepares_cases_and_a_trainee_takes_one_at_once(academy) -> None:
    settings, admin = academy
    exercise = admin.as_user("trainer").exercises.create(
        "Workshop", "sexual-exploitation", "easy", cohort="Riga 2026")["id"]
    trainer = client_of(settings, "trainer")
    page = trainer.get("/training/exercises")
    assert f'data-testid="prepare-{exercise}"' in page.text
    token = csrf(page.text)
    assert trainer.post(f"/training/exercises/{exercise}/prepare",
                        data={"csrf": token, "count": "0"}).status_code == 422
    done = trainer.post(f"/training/exercises/{exercise}/prepare",
                        data={"csrf": token, "count": "1"}, follow_redirects=False)
    assert done.status_code == 303
    for _ in range(240):  # built by the server's worker process
        status = trainer.get("/training/exercises").text.split(
            f'data-testid="prepared-{exercise}">')[1].split("<")[0]
        if status.startswith("1 ready"):
            break
        time.sleep(0.5)
    assert status == "1 ready, 0 being built"
    anna = client_of(settings, "anna")
    assert 'data-testid="prepare-' not in anna.get("/training/exercises").text
    assert anna.post(f"/training/exercises/{exercise}/prepare",
                     data={"csrf": token, "count": "1"}).status_code in (403, 404)
    attempt = start(anna, exercise)
    text = anna.get(f"/training/attempts/{attempt}").text  # ready at once: no build to wait
    assert 'data-testid="building"' not in text and 'data-testid="briefing"' in text
    status = trainer.get("/training/exercises").text.split(
        f'data-testid="prepared-{exercise}">')[1].split("<")[0]
    assert status == "0 ready, 0 being built"
