"""Authentication: argon2 passwords, API tokens, sessions with CSRF secrets, login rate
limiting, and the security headers the web server sends."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, select

from veriga.errors import VerigaError
from veriga.store import Store, new_id
from veriga.store.schema import api_tokens, login_attempts, sessions, users

_hasher = PasswordHasher()

MAX_FAILURES = 5  # per account before it is locked
LOCK_FOR = timedelta(minutes=15)
CLIENT_WINDOW = timedelta(minutes=10)
MAX_CLIENT_FAILURES = 20  # per client address within the window
SESSION_TTL = timedelta(hours=8)
MIN_PASSWORD = 12

SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data: blob:; "
    "style-src 'self' 'unsafe-inline'; script-src 'self'; worker-src 'self' blob:; "
    "frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "geolocation=(), camera=(), microphone=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cache-Control": "no-store",
}


#: The one answer to every refused login (unknown name, wrong password, locked or inactive
#: account): the answer must not tell whether a user name exists.
REFUSED = "wrong user name or password (after repeated failures an account is locked for a " \
    "while)"


class AuthError(VerigaError):
    """Login refused; the message never says whether the user exists."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise VerigaError(f"a password needs at least {MIN_PASSWORD} characters")
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    if not stored:
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


@cache
def _dummy_hash() -> str:
    """A hash to verify against when the user name is unknown (or has no password), so that
    such a login costs as much time as a known one."""
    return _hasher.hash(secrets.token_urlsafe(24))


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def login(store: Store, username: str, password: str, client: str) -> str:
    """Check a password; returns the user id. Locks an account after repeated failures and
    slows down a client address that guesses many accounts. Failures are committed before
    the refusal is raised, so they count.

    Unknown, locked, inactive and password-less accounts get the same answer as a wrong
    password, after the same work (an argon2 verification), so neither the message nor the
    time tells whether a user name exists."""
    with store.begin() as conn:
        user_id, refusal = _attempt(conn, username, password, client)
    if refusal or user_id is None:
        raise AuthError(refusal or REFUSED)
    return user_id


def _attempt(conn: Connection, username: str, password: str,
             client: str) -> tuple[str | None, str | None]:
    now = datetime.now(UTC)
    since = now - CLIENT_WINDOW
    recent = conn.execute(
        select(func.count()).select_from(login_attempts).where(
            login_attempts.c.client == client, login_attempts.c.at >= since,
            login_attempts.c.ok.is_(False))
    ).scalar() or 0
    if recent >= MAX_CLIENT_FAILURES:
        return None, "too many failed logins from this address; try again later"
    user = conn.execute(select(users).where(users.c.username == username)).mappings().first()
    locked = user is not None and user["locked_until"] is not None and \
        _aware(user["locked_until"]) > now
    stored = user["password_hash"] if user is not None else None
    # always one argon2 verification, against a dummy hash when there is nothing to verify
    matches = verify_password(stored or _dummy_hash(), password) and bool(stored)
    ok = bool(user and user["active"] and not locked and matches)
    conn.execute(login_attempts.insert().values(client=client, username=username, at=now, ok=ok))
    if user is not None:
        if ok:
            conn.execute(users.update().where(users.c.id == user["id"])
                         .values(failed_logins=0, locked_until=None))
        elif not locked:
            failures = user["failed_logins"] + 1
            values: dict[str, Any] = {"failed_logins": failures}
            if failures >= MAX_FAILURES:
                values["locked_until"] = now + LOCK_FOR
            conn.execute(users.update().where(users.c.id == user["id"]).values(**values))
    if not ok or user is None:
        return None, REFUSED
    return user["id"], None


def _aware(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at


def create_token(conn: Connection, user_id: str, name: str) -> str:
    """A new API token for the CLI; only its hash is stored, the token is shown once."""
    token = "vrg_" + secrets.token_urlsafe(32)
    conn.execute(api_tokens.insert().values(
        id=new_id("tok"), user_id=user_id, token_hash=_digest(token), name=name,
        created_at=datetime.now(UTC), revoked=False,
    ))
    return token


def user_for_token(conn: Connection, token: str) -> str:
    row = conn.execute(select(api_tokens).where(api_tokens.c.token_hash == _digest(token))) \
        .mappings().first()
    if row is None or row["revoked"]:
        raise AuthError("invalid or revoked API token")
    conn.execute(api_tokens.update().where(api_tokens.c.id == row["id"])
                 .values(last_used_at=datetime.now(UTC)))
    user_id: str = row["user_id"]
    return user_id


def create_session(conn: Connection, user_id: str) -> tuple[str, str]:
    """A new session: (session id for the cookie, CSRF token for forms)."""
    session_id = secrets.token_urlsafe(32)
    secret = secrets.token_hex(32)
    now = datetime.now(UTC)
    conn.execute(sessions.insert().values(id_hash=_digest(session_id), user_id=user_id,
                                          csrf_secret=secret, created_at=now,
                                          expires_at=now + SESSION_TTL))
    return session_id, csrf_token(secret)


@dataclass(frozen=True)
class SessionState:
    """A live session as the server keeps it."""

    user_id: str
    csrf_secret: str
    purposes: dict[str, str] = field(default_factory=dict)  # {case id: stated purpose}


def load_session(conn: Connection, session_id: str) -> SessionState:
    """The live session of ``session_id``, with the purposes stated in it."""
    row = conn.execute(select(sessions).where(sessions.c.id_hash == _digest(session_id))) \
        .mappings().first()
    if row is None or _aware(row["expires_at"]) <= datetime.now(UTC):
        raise AuthError("session expired; log in again")
    stated = row["purposes"] if isinstance(row["purposes"], dict) else {}
    return SessionState(row["user_id"], row["csrf_secret"],
                        {str(k): str(v) for k, v in stated.items()})


def session_user(conn: Connection, session_id: str) -> tuple[str, str]:
    """(user id, CSRF secret) of a live session."""
    state = load_session(conn, session_id)
    return state.user_id, state.csrf_secret


def state_purpose(conn: Connection, session_id: str, case_id: str, purpose: str) -> None:
    """Keep the purpose stated for a case in the session, on the server: the only place the
    web application reads it from (the caller has validated and audited it)."""
    query = select(sessions.c.purposes).where(sessions.c.id_hash == _digest(session_id))
    row = conn.execute(query.with_for_update()).first()
    if row is None:
        raise AuthError("session expired; log in again")
    stated = dict(row[0]) if isinstance(row[0], dict) else {}
    stated[case_id] = purpose
    conn.execute(sessions.update().where(sessions.c.id_hash == _digest(session_id))
                 .values(purposes=stated))


def end_session(conn: Connection, session_id: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.id_hash == _digest(session_id)))


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"veriga-csrf", hashlib.sha256).hexdigest()


def check_csrf(secret: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(csrf_token(secret), token or "")
