"""Attacks on logins and sessions: telling which user names exist, forging the purpose."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi.testclient import TestClient
from webhelpers import PASSWORD, Site, log_in

from veriga.access import auth
from veriga.store.schema import users


def _login_page_error(client: TestClient, username: str, password: str) -> str:
    page = client.get("/login")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    done = client.post("/login", data={"username": username, "password": password,
                                       "csrf": token, "next": "/cases"},
                       follow_redirects=False)
    assert done.status_code == 200, "refused logins stay on the login page"
    return done.text.split('role="alert">')[1].split("</p>")[0]


def _refusal(site: Site, username: str, password: str, client: str) -> tuple[float, str]:
    started = time.perf_counter()
    try:
        auth.login(site.ws.store, username, password, client)
    except auth.AuthError as exc:
        return time.perf_counter() - started, str(exc)
    raise AssertionError(f"{username} logged in")


def test_unknown_known_and_locked_names_get_the_same_answer(client: TestClient,
                                                             site: Site) -> None:
    admin = site.ws.as_user("admin", purpose="setting up the attack")
    admin.directory.add_user("locked-olga", "Valsts policija", ["analyst"], "Olga", PASSWORD)
    admin.directory.add_user("no-password", "Valsts policija", ["analyst"], "CLI only")
    with admin.store.begin() as conn:
        conn.execute(users.update().where(users.c.username == "locked-olga")
                     .values(locked_until=datetime.now(UTC) + timedelta(minutes=10)))
    unknown = _login_page_error(client, "nobody-at-all", "a wrong password")
    known = _login_page_error(client, "liga", "a wrong password")
    locked = _login_page_error(client, "locked-olga", PASSWORD)  # even with the password
    no_password = _login_page_error(client, "no-password", "a wrong password")
    assert unknown == known == locked == no_password
    assert "locked" not in unknown.split("(")[0]  # one sentence for every refusal


def test_login_takes_as_long_for_unknown_names_as_for_known_ones(site: Site) -> None:
    """Before: 6 ms for an unknown name against 238 ms for a known one (argon2 ran only for
    known users), so the time told whether a name exists."""
    admin = site.ws.as_user("admin", purpose="setting up the attack")
    admin.directory.add_user("timed-rita", "Valsts policija", ["analyst"], "Rita", PASSWORD)
    _refusal(site, "warm-up", "a wrong password", "10.7.0.1")
    timings: dict[str, list[float]] = {"unknown": [], "known": [], "locked": []}
    messages = set()
    for i in range(6):  # each from its own address: the per-address limit stays out of it
        for kind, name in (("unknown", f"ghost-{i}"), ("known", "timed-rita"),
                           ("locked", "timed-rita")):
            if kind == "locked":  # after MAX_FAILURES the account is locked
                with admin.store.begin() as conn:
                    conn.execute(sa.update(users).where(users.c.username == "timed-rita")
                                 .values(locked_until=datetime.now(UTC) + timedelta(hours=1)))
            took, message = _refusal(site, name, "a wrong password", f"10.7.{i}.{len(kind)}")
            timings[kind].append(took)
            messages.add(message)
            if kind == "locked":
                with admin.store.begin() as conn:
                    conn.execute(sa.update(users).where(users.c.username == "timed-rita")
                                 .values(locked_until=None, failed_logins=0))
    medians = {k: statistics.median(v) for k, v in timings.items()}
    print("login medians (ms):", {k: round(v * 1000, 1) for k, v in medians.items()})
    assert len(messages) == 1
    slowest, fastest = max(medians.values()), min(medians.values())
    assert slowest < 3 * fastest, medians


def _case_audit(site: Site) -> list[dict]:
    with site.ws.store.begin() as conn:
        case_id = site.ws.store.get_case(conn, site.case)["id"]
        return site.ws.store.list_audit(conn, case_id)


def test_a_forged_purpose_cookie_is_ignored(client: TestClient, site: Site) -> None:
    """Before: a one-character purpose set in a cookie was accepted, without a
    ``case.open`` audit entry."""
    log_in(client, "liga")
    client.cookies.set("veriga_purposes", '{"amber": "x"}')
    url = f"/api/cases/{site.case}/search"
    got = client.get(url, params={"q": "an"})
    assert got.status_code == 428, "no purpose was stated in this session"
    assert not [e for e in _case_audit(site) if e["purpose"] == "x"]


def test_the_purpose_is_validated_audited_and_kept_on_the_server(client: TestClient,
                                                                  site: Site) -> None:
    log_in(client, "liga")
    page = client.get(f"/cases/{site.case}/open")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    for weak in ("x", "abcdefghijkl", "to check", "12345 67890", " " * 20):
        refused = client.post(f"/cases/{site.case}/open",
                              data={"purpose": weak, "csrf": token}, follow_redirects=False)
        assert refused.status_code == 400 and "at least 10 characters" in refused.text, weak
    assert client.get(f"/api/cases/{site.case}/search", params={"q": "an"}).status_code == 428
    purpose = "checking   the payments of\tthe suspects"
    done = client.post(f"/cases/{site.case}/open", data={"purpose": purpose, "csrf": token},
                       follow_redirects=False)
    assert done.status_code == 303
    assert "purpose" not in done.headers.get("set-cookie", "")
    assert {c.name for c in client.cookies.jar} <= {"veriga_session", "veriga_login_csrf"}
    stated = "checking the payments of the suspects"
    opened = [e for e in _case_audit(site) if e["action"] == "case.open"
              and e["actor"] == "liga"]
    assert opened[-1]["purpose"] == stated
    assert client.get(f"/api/cases/{site.case}/search", params={"q": "an"}).status_code == 200
    searched = [e for e in _case_audit(site) if e["action"] == "entity.search"]
    assert searched[-1]["purpose"] == stated
    # the purpose belongs to this session: another login of the same user states its own
    with TestClient(client.app, base_url="https://testserver") as other:
        log_in(other, "liga")
        assert other.get(f"/api/cases/{site.case}/search",
                         params={"q": "an"}).status_code == 428
    # and it ends with the session
    client.post("/logout", data={"csrf": token})
    assert client.get(f"/api/cases/{site.case}/search", params={"q": "an"}).status_code == 401
