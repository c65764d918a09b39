"""Who is at the browser: the session cookie, CSRF tokens, the purpose stated per case."""

from __future__ import annotations

import json
from dataclasses import dataclass
from urllib.parse import quote, unquote

from fastapi import HTTPException, Request

from veriga.coop import directory
from veriga.coop.auth import AuthError, check_csrf, csrf_token, session_user
from veriga.coop.directory import User
from veriga.web.i18n import pick
from veriga.workspace import Workspace

COOKIE = "veriga_session"
PURPOSES = "veriga_purposes"
LANG = "veriga_lang"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


class LoginRequired(Exception):
    """No live session: the browser is sent to the login page."""


@dataclass
class Web:
    """One request's user: a workspace acting as them, with the case's stated purpose."""

    ws: Workspace
    user: User
    csrf: str
    lang: str
    purposes: dict[str, str]


def purposes(request: Request) -> dict[str, str]:
    raw = request.cookies.get(PURPOSES)
    try:
        data = json.loads(unquote(raw)) if raw else {}
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}


def encode_purposes(data: dict[str, str]) -> str:
    return quote(json.dumps(data, ensure_ascii=False))


async def current(request: Request) -> Web:
    """The dependency of every page and API call that needs a user."""
    store = request.app.state.store
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        raise LoginRequired()
    try:
        with store.begin() as conn:
            user_id, secret = session_user(conn, session_id)
            user = directory.load_user(conn, user_id=user_id)
    except AuthError as exc:
        raise LoginRequired() from exc
    if request.method in UNSAFE:
        token = request.headers.get("x-csrf-token")
        if token is None and "form" in request.headers.get("content-type", ""):
            token = (await request.form()).get("csrf")  # type: ignore[assignment]
        if not check_csrf(secret, token if isinstance(token, str) else None):
            raise HTTPException(403, "missing or wrong CSRF token; reload the page")
    stated = purposes(request)
    case = request.path_params.get("case")
    ws = Workspace(request.app.state.settings, user, stated.get(case) if case else None,
                   store=store)
    lang = pick(request.cookies.get(LANG), pick(user.language))
    return Web(ws, user, csrf_token(secret), lang, stated)
