"""The training pages and API as trainees use them: the programme, a lesson in Latvian (marked
where it is not yet translated), its quiz with feedback on every chosen answer, the review;
one trainee never sees another's progress; a role that may not learn is refused."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from webhelpers import PASSWORD, log_in

from learncontent import use_sample
from veriga.config import Settings
from veriga.web import create_app
from veriga.workspace import Workspace

UNTRANSLATED_LV = "Šī nodarbība vēl nav pārtulkota latviešu valodā"


@pytest.fixture
def app_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    use_sample(tmp_path, monkeypatch)
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'v.db'}")
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Academy", "training", "LV")
    admin.directory.add_user("tereza", "Academy", ["trainee"], "Tereza", PASSWORD,
                             language="lv")
    admin.directory.add_user("juris", "Academy", ["trainee"], "Juris", PASSWORD)
    admin.directory.add_user("dpo", "Academy", ["dpo"], "Dace", PASSWORD)
    admin.close()
    yield settings


@pytest.fixture
def web(app_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings), base_url="https://testserver") as c:
        yield c


def _csrf(html: str) -> str:
    return html.split('name="csrf" value="')[1].split('"')[0]


def test_hub_lists_the_programme_with_status_in_latvian(web: TestClient) -> None:
    log_in(web, "tereza")
    page = web.get("/training")
    assert page.status_code == 200 and '<html lang="lv">' in page.text
    assert 'href="/training"' in page.text  # the header's link
    assert "Parauga modulis" in page.text and "Pirmā nodarbība" in page.text
    assert "Second lesson" in page.text and "angļu valodā" in page.text  # marked English
    assert 'href="/training/lessons/sample-one"' in page.text
    assert "nav sākta" in page.text  # not started
    assert "dažas nodarbības angļu valodā" in page.text  # the module: partly translated
    # the programme's other sections are linked where this installation has them
    paths = {getattr(r, "path", "") for v in web.app.state.views for r in v.router.routes}
    for url in ("/training/exercises", "/training/library"):
        assert (f'href="{url}"' in page.text) == (url in paths)
    assert 'href="/training/cohorts"' not in page.text  # for trainers only
    assert "visi moduļi" in page.text  # no profession recorded: every module
    judges = web.get("/training?profession=judges")
    assert judges.status_code == 200 and "(Tiesneši)" in judges.text
    assert web.get("/training?profession=astronauts").status_code == 400


def test_lesson_in_latvian_and_its_untranslated_sibling(web: TestClient) -> None:
    log_in(web, "tereza")
    one = web.get("/training/lessons/sample-one")
    assert one.status_code == 200
    assert "Pirmā nodarbība" in one.text and "<strong>Pirmā</strong> nodarbība" in one.text
    assert "Atšķirt A no B." in one.text and "Piemērs" in one.text
    assert "A synthetic source, Article 1" in one.text
    assert "<code>veriga train</code>" in one.text  # an example's Markdown is rendered
    assert UNTRANSLATED_LV not in one.text
    two = web.get("/training/lessons/sample-two")
    assert UNTRANSLATED_LV in two.text and 'data-testid="untranslated"' in two.text
    assert "Second lesson" in two.text and 'lang="en"' in two.text
    # raw HTML in a lesson is shown as text, never run
    assert "<script>alert" not in two.text and "&lt;script&gt;alert(1)" in two.text


def test_quiz_form_gives_feedback_on_every_chosen_answer(web: TestClient) -> None:
    log_in(web, "tereza")
    token = _csrf(web.get("/training/lessons/sample-one").text)
    done = web.post("/training/lessons/sample-one",
                    data={"csrf": token, "q-q1": "1", "q-q2": ["0", "1"]})
    assert done.status_code == 200
    assert "Nepareizi: no." in done.text  # the feedback of the wrong choice picked
    assert "A is right." in done.text and "B is not." in done.text  # both picked in q2
    assert "Pareizā atbilde:" in done.text  # the right answer shown
    assert re.search(r'value="1"\s+checked', done.text)  # the picks are kept
    again = web.post("/training/lessons/sample-one",
                     data={"csrf": token, "q-q1": "0", "q-q2": ["0", "2"]})
    assert "Pareizi: yes." in again.text and "C is right too." in again.text
    assert 'data-testid="completed"' in again.text
    # without the CSRF token nothing is stored
    refused = web.post("/training/lessons/sample-one", data={"q-q1": "0"})
    assert refused.status_code == 403
    assert "pabeigta" in web.get("/training").text  # completed on the hub


def test_api_answers_and_trainees_see_only_their_own(web: TestClient) -> None:
    log_in(web, "tereza")
    token = _csrf(web.get("/training").text)
    answers = "/api/training/lessons/{}/questions/{}/answers"
    answered = web.post(answers.format("sample-one", "q2"), headers={"x-csrf-token": token},
                        json={"choices": [0], "lang": "lv"})
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["correct"] is False and body["lesson_completed"] is False
    assert [c["feedback"] for c in body["chosen"]] == ["A is right."]
    assert [c["index"] for c in body["answer"]] == [0, 2]
    assert body["next_review"] is not None
    bad = web.post(answers.format("sample-one", "q2"), headers={"x-csrf-token": token},
                   json={"choices": [7]})
    assert bad.status_code == 400
    missing = web.post(answers.format("nope", "q2"), headers={"x-csrf-token": token},
                       json={"choices": [0]})
    assert missing.status_code == 404
    mine = web.get("/api/training/overview?lang=lv").json()
    assert mine["modules"][0]["lessons"][0]["status"] == "started"
    assert web.get("/api/training/reviews").json() == []  # due tomorrow, not now

    web.cookies.clear()
    log_in(web, "juris")
    other = web.get("/api/training/overview").json()
    assert {le["status"] for m in other["modules"] for le in m["lessons"]} == {"not_started"}
    assert "0 / 2" in web.get("/training").text


def test_a_role_that_may_not_learn_is_refused(web: TestClient) -> None:
    log_in(web, "dpo")
    assert web.get("/training").status_code == 403
    assert web.get("/api/training/overview").status_code == 403
    assert 'data-testid="training-link"' not in web.get("/cases").text


def test_review_page(web: TestClient) -> None:
    log_in(web, "tereza")
    page = web.get("/training/review")
    assert page.status_code == 200 and 'data-testid="nothing-due"' in page.text
