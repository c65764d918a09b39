"""A trainee in real headless Chromium: logs in, switches to Latvian, opens a lesson from the
programme, answers its quiz and sees the feedback on each answer; screenshots of the hub and
the lesson."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from browserhelpers import shot
from webhelpers import PASSWORD

from learncontent import use_sample
from veriga.config import Settings
from veriga.web import create_app
from veriga.workspace import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def training_server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    import uvicorn

    use_sample(tmp_path, monkeypatch)
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'v.db'}")
    admin = Workspace.local(settings, purpose="setting up", username="admin")
    admin.directory.add_org("Academy", "training", "LV")
    admin.directory.add_user("tereza", "Academy", ["trainee"], "Tereza", PASSWORD)
    admin.close()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                           log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(100):
        if server.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(5)


def test_trainee_takes_a_lesson_and_its_quiz_in_latvian(training_server: str,
                                                        browser: object) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{training_server}/login")
    page.fill("#username", "tereza")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.get_by_test_id("training-link").click()
    page.wait_for_url("**/training")
    page.select_option("#lang", "lv")
    page.click("header form.inline button[type=submit]")  # the language form's button
    page.wait_for_url("**/training")
    assert page.locator("html").get_attribute("lang") == "lv"
    assert page.get_by_text("Parauga modulis").is_visible()
    shot(page, "training-hub-lv")

    page.click("a[href='/training/lessons/sample-one']")
    assert page.locator("h1").inner_text() == "Pirmā nodarbība"
    assert page.get_by_test_id("untranslated").count() == 0
    page.get_by_test_id("question-q1").get_by_label("Nepareizi").check()
    page.get_by_test_id("question-q2").get_by_label("A").check()
    page.get_by_test_id("question-q2").get_by_label("C").check()
    page.get_by_test_id("check").click()
    wrong = page.get_by_test_id("feedback-q1")
    assert "Nepareizi." in wrong.inner_text() and "Nepareizi: no." in wrong.inner_text()
    assert "Pareizā atbilde: Pareizi" in wrong.inner_text()
    right = page.get_by_test_id("feedback-q2").inner_text()
    assert "Pareizi." in right and "A is right." in right and "C is right too." in right
    shot(page, "training-lesson-lv")

    page.get_by_test_id("question-q1").get_by_label("Pareizi", exact=True).check()
    page.get_by_test_id("check").click()
    assert page.get_by_test_id("completed").is_visible()

    page.goto(f"{training_server}/training/lessons/sample-two")
    assert page.get_by_test_id("untranslated").is_visible()
    assert "latviešu valodā" in page.get_by_test_id("untranslated").inner_text()
    shot(page, "training-lesson-untranslated-lv")
    assert errors == []
