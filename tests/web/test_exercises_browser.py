"""In Chromium: a trainee starts a case simulation, waits for the case to be built, reads the
briefing, answers through the form (roles picked from the case, evidence, safeguards,
instruments) and reads the graded report; screenshots of the attempt page and the report."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from browserhelpers import shot
from sqlalchemy import select
from webhelpers import PASSWORD

from veriga.config import Settings
from veriga.store.schema import training_attempts, training_members
from veriga.training.simulation import model_answer
from veriga.web import create_app
from veriga.workspace import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Workspace]]:
    import uvicorn

    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'v.db'}")
    admin = Workspace.local(settings, username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_user("trainer", "Valsts policija", ["trainer"], "Anna", PASSWORD)
    admin.directory.add_user("liga", "Valsts policija", ["trainee"], "Līga", PASSWORD)
    trainer = admin.as_user("trainer")
    cohort = trainer.cohorts.create("Riga 2026", "en")
    with admin.store.begin() as conn:
        conn.execute(training_members.insert().values(
            cohort_id=cohort["id"], user_id=admin.as_user("liga").require_user().id,
            role="trainee", enrolled_at=datetime.now(UTC)))
    trainer.exercises.create("Baltic route", "sexual-exploitation", "easy", cohort="Riga 2026")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    srv = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                        log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", admin
    srv.should_exit = True
    thread.join(5)
    admin.close()


def test_a_trainee_runs_a_simulation_in_the_browser(server, browser) -> None:
    url, admin = server
    page = browser.new_page(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/login?next=/training/exercises")
    page.fill("#username", "liga")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/training/exercises")
    page.click("button[data-testid^=start-]")
    page.wait_for_url("**/training/attempts/*")
    # the page reloads itself until the case is built
    page.get_by_test_id("briefing").wait_for(timeout=120_000)
    attempt = page.url.rsplit("/", 1)[1]
    with admin.store.begin() as conn:
        key = conn.execute(select(training_attempts.c.key).where(
            training_attempts.c.id == attempt)).scalar()
    answer = model_answer(key)
    assert page.get_by_test_id("assess").locator("li").count() == len(key["assess"])
    shot(page, "exercise-attempt")

    for row in answer["roles"]:
        page.get_by_test_id(f"role-{row['entity']}").select_option(row["role"])
    for n, link in enumerate(answer["links"][:12]):
        page.fill(f"input[name=links-from-{n}]", link["from"])
        page.fill(f"input[name=links-to-{n}]", link["to"])
    for element, items in answer["evidence"].items():
        for n, item in enumerate(items[:3]):
            page.select_option(f"select[name=ev-{element}-kind-{n}]", item["kind"])
            page.fill(f"input[name=ev-{element}-ref-{n}]", item["ref"])
    for n, row in enumerate(answer["proceeds"][:10]):
        page.fill(f"input[name=proceeds-account-{n}]", row["account"])
        page.fill(f"input[name=proceeds-amount-{n}]", str(row["amount"]))
    for value in answer["safeguards"]:
        page.check(f"input[name=safeguards][value={value}]")
    for value in answer["cooperation"]:
        page.check(f"input[name=cooperation][value={value}]")
    page.get_by_test_id("submit-answer").click()
    page.get_by_test_id("grade").wait_for()
    verdict = page.get_by_test_id("grade-verdict")
    assert "passed" in verdict.inner_text() and "not" not in verdict.inner_text()
    assert page.get_by_test_id("component-roles").is_visible()
    assert page.get_by_test_id("model-answer").is_visible()
    shot(page, "exercise-graded-report")
    # the case opens in the normal views (after stating the purpose)
    page.goto(f"{url}/training/attempts/{attempt}")
    page.get_by_test_id("open-case").click()
    page.wait_for_url("**/cases/**")
    assert "/cases/" in page.url
    assert errors == []
