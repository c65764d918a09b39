"""In Chromium: a trainer creates a cohort, enrols it from a CSV file, schedules an
international workshop and reads the dashboard with the cohort's learning gain."""

from __future__ import annotations

import random
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
from veriga.training import content
from veriga.training.enrolment import sample
from veriga.web import create_app
from veriga.workspace import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def academy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch
            ) -> Iterator[tuple[str, Workspace, content.Programme]]:
    import uvicorn

    prog = use_sample(tmp_path, monkeypatch)
    settings = Settings(home=tmp_path / "home", database_url=f"sqlite:///{tmp_path / 'v.db'}")
    admin = Workspace.local(settings, username="admin")
    admin.directory.add_org("Valsts policija", "police", "LV")
    admin.directory.add_user("anna", "Valsts policija", ["trainer"], "Anna Bērziņa", PASSWORD)
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
    yield f"http://127.0.0.1:{port}", admin, prog
    srv.should_exit = True
    thread.join(5)
    admin.close()


def _answers(prog: content.Programme, keys: list[str], rng: random.Random, skill: float
             ) -> dict[str, list[int]]:
    out = {}
    for key in keys:
        _, q = prog.question(key)
        right = sorted(q.correct_indices())
        out[key] = right if rng.random() < skill else [
            i for i in range(len(q.choices)) if i not in right][:1]
    return out


def test_a_trainer_enrols_a_cohort_schedules_a_workshop_and_sees_the_dashboard(
        academy, browser, tmp_path: Path) -> None:
    server, admin, prog = academy
    csv_file = tmp_path / "cohort.csv"
    csv_file.write_bytes(sample(40, "Valsts policija", "law_enforcement", "lv"))
    page = browser.new_page()  # type: ignore[attr-defined]
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/login?next=/training/cohorts")
    page.fill("#username", "anna")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/training/cohorts")
    page.get_by_test_id("cohort-name").fill("LV police 2026")
    page.select_option("#language", "lv")
    page.select_option("#profession", "law_enforcement")
    page.get_by_test_id("create-cohort").click()
    page.wait_for_url("**/training/cohorts/coh-*")
    cohort = page.url.rsplit("/", 1)[1]
    page.get_by_test_id("enrol-file").set_input_files(str(csv_file))
    page.get_by_test_id("enrol").click()
    assert "40" in page.get_by_test_id("enrolled").inner_text()
    assert page.get_by_test_id("trainees").locator("tbody tr").count() == 40
    page.locator("#events summary").click()
    page.get_by_test_id("event-title").fill("Riga international workshop")
    page.select_option("#ev-kind", "international_workshop")
    page.get_by_test_id("event-starts").fill("2026-03-02T09:00")
    page.get_by_test_id("event-ends").fill("2026-03-04T17:00")
    page.fill("#ev-place", "Riga")
    page.fill("#ev-materials", "lesson:sample-one")
    page.get_by_test_id("add-event").click()
    page.wait_for_url("**/training/events/evt-*")
    assert "Riga international workshop" in page.locator("h1").inner_text()
    # the trainees take their tests (as they would on their own pages), then the dashboard
    anna = admin.as_user("anna")
    pre = anna.cohorts.create_test(cohort, "pre")
    post = anna.cohorts.create_test(cohort, "post")
    rng = random.Random(7)
    for n in range(1, 31):
        trainee = admin.as_user(f"trainee{n:03d}")
        trainee.cohorts.take(pre["id"], _answers(prog, pre["question_ids"], rng, 0.35))
        trainee.cohorts.take(post["id"], _answers(prog, post["question_ids"], rng, 0.8))
    page.goto(f"{server}/training/cohorts/{cohort}")
    gain = page.get_by_test_id("gain").inner_text()
    assert "%" in gain
    assert page.get_by_test_id("mastery").locator("tbody tr").count() >= 1
    assert page.get_by_test_id("misses").locator("tbody tr").count() >= 1
    assert "Riga international workshop" in page.get_by_test_id("events").inner_text()
    shot(page, "cohort-dashboard")
    assert errors == []
    page.close()
