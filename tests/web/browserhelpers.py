"""Shared by the browser tests: Chromium, the running server, screenshots, logging in, polling."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from webhelpers import PASSWORD

CHROMIUM = os.environ.get("VERIGA_CHROMIUM", "/usr/bin/chromium")
SHOTS = Path(os.environ.get("VERIGA_SCREENSHOTS", "test-screenshots"))


_SHARED: dict[str, Any] = {"users": 0}


def acquire_browser() -> object:
    """One Chromium for the whole test process: Playwright's sync API runs one instance per
    thread, and several conftest files (web, security) hand out a browser fixture."""
    if "browser" not in _SHARED:
        from playwright.sync_api import sync_playwright

        _SHARED["playwright"] = sync_playwright().start()
        _SHARED["browser"] = _SHARED["playwright"].chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox"])
    _SHARED["users"] += 1
    return _SHARED["browser"]


def release_browser() -> None:
    """Close the shared Chromium once its last user is done."""
    _SHARED["users"] -= 1
    if _SHARED["users"] == 0 and "browser" in _SHARED:
        _SHARED.pop("browser").close()
        _SHARED.pop("playwright").stop()


def shot(page: object, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]


def log_in(page: object, server: str, user: str, case: str, purpose: str) -> None:
    """By element ids, whatever the user's language."""
    page.goto(f"{server}/login")  # type: ignore[attr-defined]
    page.fill("#username", user)  # type: ignore[attr-defined]
    page.fill("#password", PASSWORD)  # type: ignore[attr-defined]
    page.click("button[type=submit]")  # type: ignore[attr-defined]
    page.click(f"a[href='/cases/{case}/open']")  # type: ignore[attr-defined]
    page.fill("#purpose", purpose)  # type: ignore[attr-defined]
    page.click("main button[type=submit]")  # type: ignore[attr-defined]


def logged_in(browser: object, server: str, user: str, case: str, purpose: str,
              width: int = 1400, height: int = 900) -> Any:
    """A new page of ``user``, the case opened with ``purpose``; the page's script errors
    are collected in ``page.errors``."""
    new_page: Any = browser.new_page  # type: ignore[attr-defined]
    page = new_page(viewport={"width": width, "height": height})
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    log_in(page, server, user, case, purpose)
    return page


def poll(page: object, script: str, timeout: float = 20.0) -> object:
    """Playwright's wait_for_function needs 'unsafe-eval', which the CSP forbids."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = page.evaluate(script)  # type: ignore[attr-defined]
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {script}")


