"""Who is at the browser: the session cookie, CSRF tokens, the purpose stated per case.

The purpose stated for a case is kept on the server, in the session's row (never in a
cookie the browser could rewrite): the open-case form sets it after validating it
(:func:`valid_purpose`) and auditing it (``case.open``); every later request of the session
on that case acts with it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fastapi import HTTPException, Request
from starlette.datastructures import UploadFile

from veriga.access import directory
from veriga.access.auth import AuthError, check_csrf, csrf_token, load_session
from veriga.access.directory import User
from veriga.access.policy import Op, allows
from veriga.errors import NotFound
from veriga.web.i18n import pick
from veriga.workspace import Workspace

COOKIE = "veriga_session"
LANG = "veriga_lang"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
#: A stated purpose says something: at least this many characters and words (of two or more
#: letters each), and at most MAX_PURPOSE characters.
MIN_PURPOSE = 10
MIN_PURPOSE_WORDS = 2
MAX_PURPOSE = 300
_WORD = re.compile(r"[^\W\d_]{2,}")


class LoginRequired(Exception):
    """No live session: the browser is sent to the login page."""


@dataclass
class Web:
    """One request's user: a workspace acting as them, with the case's stated purpose."""

    ws: Workspace
    user: User
    csrf: str  # the session's CSRF token, for forms (and to check a streamed form's field)
    lang: str
    purpose: str | None  # stated in this session for the case of the request's path
    session_id: str
    csrf_checked: bool = True  # False: a streamed body whose view checks the form's token

    @property
    def may_learn(self) -> bool:
        """Whether the user may take the training programme (the header links it)."""
        return any(allows(role, Op.TRAINING_LEARN) for role in self.user.roles)


def valid_purpose(text: str) -> str | None:
    """The purpose with its whitespace folded, or None if it says too little (fewer than
    MIN_PURPOSE characters or MIN_PURPOSE_WORDS words) or too much (over MAX_PURPOSE)."""
    purpose = " ".join(text.split())
    if not MIN_PURPOSE <= len(purpose) <= MAX_PURPOSE:
        return None
    return purpose if len(_WORD.findall(purpose)) >= MIN_PURPOSE_WORDS else None


async def _current(request: Request, read_form: bool) -> Web:
    store = request.app.state.store
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        raise LoginRequired()
    case = request.path_params.get("case")
    case_id = None
    try:
        with store.begin() as conn:
            state = load_session(conn, session_id)
            user = directory.load_user(conn, user_id=state.user_id)
            if case and state.purposes:
                try:
                    case_id = store.get_case(conn, case)["id"]
                except NotFound:
                    case_id = None
    except AuthError as exc:
        raise LoginRequired() from exc
    checked = True
    if request.method in UNSAFE:
        token: str | UploadFile | None = request.headers.get("x-csrf-token")
        if token is None and read_form and "form" in request.headers.get("content-type", ""):
            token = (await request.form()).get("csrf")
        if token is not None or read_form:
            if not check_csrf(state.csrf_secret, token if isinstance(token, str) else None):
                raise HTTPException(403, "missing or wrong CSRF token; reload the page")
        else:
            checked = False
    purpose = state.purposes.get(case_id) if case_id else None
    ws = Workspace(request.app.state.settings, user, purpose, store=store)
    ws.resolve_once = True  # lives for this request only
    request.state.ws = ws  # the response is minimised as this session's reads were
    lang = pick(request.cookies.get(LANG), pick(user.language))
    request.state.lang = lang  # pseudonyms in the response are written in it
    return Web(ws, user, csrf_token(state.csrf_secret), lang, purpose, session_id, checked)


async def current(request: Request) -> Web:
    """The dependency of every page and API call that needs a user."""
    return await _current(request, read_form=True)


async def current_unread(request: Request) -> Web:
    """As :func:`current`, but never reads the request's body (a view streaming an upload
    checks access first): a change without the ``x-csrf-token`` header comes back with
    ``csrf_checked`` False, and the view must check the form's ``csrf`` field itself before
    acting on anything else in the body."""
    return await _current(request, read_form=False)
