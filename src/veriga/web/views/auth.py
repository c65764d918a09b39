"""Log in and out, and choose the interface language."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from veriga.access.auth import AuthError, create_session, end_session, login
from veriga.web.i18n import LANGUAGES
from veriga.web.session import COOKIE, LANG, Web, current
from veriga.web.views import View

router = APIRouter()
LOGIN_CSRF = "veriga_login_csrf"


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") \
        else "/cases"


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None, error: str | None = None
               ) -> Response:
    token = secrets.token_urlsafe(16)
    response = request.app.state.render(request, None, "login.html", next=_safe_next(next),
                                        error=error, login_csrf=token)
    response.set_cookie(LOGIN_CSRF, token, httponly=True, samesite="strict")
    return response


@router.post("/login", include_in_schema=False)
def login_submit(request: Request, username: Annotated[str, Form()],
                 password: Annotated[str, Form()], csrf: Annotated[str, Form()],
                 next: Annotated[str, Form()] = "/cases") -> Response:
    store = request.app.state.store
    expected = request.cookies.get(LOGIN_CSRF)
    if not expected or not secrets.compare_digest(expected, csrf):
        return login_page(request, next, "The form expired; please try again.")
    client = request.client.host if request.client else "unknown"
    try:
        user_id = login(store, username.strip(), password, client)
    except AuthError as exc:
        return login_page(request, next, str(exc))
    with store.begin() as conn:
        session_id, _ = create_session(conn, user_id)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(COOKIE, session_id, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    response.delete_cookie(LOGIN_CSRF)
    return response


@router.post("/logout", include_in_schema=False)
def logout(request: Request, web: Annotated[Web, Depends(current)]) -> Response:
    with request.app.state.store.begin() as conn:
        end_session(conn, request.cookies[COOKIE])
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


@router.post("/language", include_in_schema=False)
def language(request: Request, web: Annotated[Web, Depends(current)],
             lang: Annotated[str, Form()], back: Annotated[str, Form()] = "/cases"
             ) -> Response:
    response = RedirectResponse(_safe_next(back), status_code=303)
    if lang in LANGUAGES:
        response.set_cookie(LANG, lang, httponly=True, samesite="strict",
                            max_age=365 * 24 * 3600)
    return response


VIEW = View("login", "Log in", router, nav=False, order=0)
