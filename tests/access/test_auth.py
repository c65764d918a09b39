from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from veriga.access import auth
from veriga.errors import VerigaError
from veriga.store.schema import api_tokens, users
from veriga.workspace import PermissionDenied, Workspace


def test_passwords_are_argon2_and_logins_lock_after_failures(agencies):
    admin = agencies["admin"]
    admin.directory.add_user("olga", "Valsts policija", ["analyst"],
                             password="correct horse battery")
    with admin.store.begin() as conn:
        stored = conn.execute(sa.select(users.c.password_hash)
                              .where(users.c.username == "olga")).scalar()
        assert stored.startswith("$argon2")
    assert auth.login(admin.store, "olga", "correct horse battery", "10.0.0.1")
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError, match="wrong user name or password"):
            auth.login(admin.store, "olga", "wrong password!", "10.0.0.2")
    with pytest.raises(auth.AuthError, match="locked"):
        auth.login(admin.store, "olga", "correct horse battery", "10.0.0.3")
    with admin.store.begin() as conn:  # the lock ends
        conn.execute(users.update().where(users.c.username == "olga")
                     .values(locked_until=datetime.now(UTC) - timedelta(seconds=1)))
    assert auth.login(admin.store, "olga", "correct horse battery", "10.0.0.3")


def test_a_guessing_client_is_slowed_down(agencies):
    store = agencies["admin"].store
    for i in range(auth.MAX_CLIENT_FAILURES):
        with pytest.raises(auth.AuthError):
            auth.login(store, f"nobody{i}", "x" * 12, "10.9.9.9")
    with pytest.raises(auth.AuthError, match="too many"):
        auth.login(store, "liga", "x" * 12, "10.9.9.9")


def test_short_passwords_are_refused(agencies):
    with pytest.raises(Exception, match="at least"):
        agencies["admin"].directory.add_user("pat", "Valsts policija", ["analyst"],
                                             password="short")


def test_api_tokens_identify_the_user_and_can_be_revoked(agencies):
    liga = agencies["liga"]
    token = liga.directory.new_token("laptop")
    ws = Workspace.local(liga.settings, purpose="via token", token=token)
    assert ws.user.username == "liga"
    with liga.store.begin() as conn:
        conn.execute(api_tokens.update().values(revoked=True))
    with pytest.raises(auth.AuthError):
        Workspace.local(liga.settings, token=token)


def test_sessions_and_csrf(agencies):
    store = agencies["admin"].store
    with store.begin() as conn:
        user_id = conn.execute(sa.select(users.c.id).where(users.c.username == "liga")).scalar()
        session_id, csrf = auth.create_session(conn, user_id)
    with store.begin() as conn:
        found, secret = auth.session_user(conn, session_id)
    assert found == user_id
    assert auth.check_csrf(secret, csrf) and not auth.check_csrf(secret, "forged")
    with store.begin() as conn:
        auth.end_session(conn, session_id)
    with pytest.raises(auth.AuthError), store.begin() as conn:
        auth.session_user(conn, session_id)
    assert "frame-ancestors 'none'" in auth.SECURITY_HEADERS["Content-Security-Policy"]


def test_an_administrator_sets_a_password_for_an_account_made_without_one(agencies):
    """A trainee enrolled from a CSV has no password until an administrator sets one; the
    account is unlocked and its open sessions end; no one else may set it."""
    admin, liga = agencies["admin"], agencies["liga"]
    with pytest.raises(auth.AuthError):
        auth.login(admin.store, "liga", "a new long passphrase", "10.0.0.4")
    with admin.store.begin() as conn:
        user_id = conn.execute(sa.select(users.c.id).where(users.c.username == "liga")).scalar()
        session_id, _ = auth.create_session(conn, user_id)
        conn.execute(users.update().where(users.c.id == user_id).values(
            locked_until=datetime.now(UTC) + timedelta(hours=1)))
    with pytest.raises(PermissionDenied):
        liga.directory.set_password("liga", "a new long passphrase")
    with pytest.raises(VerigaError, match="at least"):
        admin.directory.set_password("liga", "short")
    admin.directory.set_password("liga", "a new long passphrase")
    assert auth.login(admin.store, "liga", "a new long passphrase", "10.0.0.4")
    with pytest.raises(auth.AuthError), admin.store.begin() as conn:
        auth.session_user(conn, session_id)
    assert any(e["action"] == "user.password" and e["target"] == "liga"
               for e in admin.audit.log(None))
