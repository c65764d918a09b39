from importlib import resources

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from veriga.errors import VerigaError
from veriga.store import Store
from veriga.store.schema import metadata


def test_migrations_match_the_schema(db_url):
    store = Store(db_url)
    with store.db.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    store.close()
    assert diff == []


def _head() -> str:
    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("veriga.store") / "migrations"))
    return ScriptDirectory.from_config(cfg).get_current_head()


def test_migrate_twice_is_harmless(db_url):
    """Every start opens the store and migrates it: on a store at the newest revision that
    changes nothing, neither the data nor the revision nor the schema."""
    first = Store(db_url)
    with first.begin() as conn:
        first.create_case(conn, "Operation Amber", "tester")
        assert MigrationContext.configure(conn).get_current_revision() == _head()
    first.close()
    again = Store(db_url)
    with again.begin() as conn:
        assert [c["name"] for c in again.list_cases(conn)] == ["Operation Amber"]
        assert MigrationContext.configure(conn).get_current_revision() == _head()
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    again.close()


def test_case_names_are_unique(ws):
    ws.cases.create("Operation Amber")
    with pytest.raises(VerigaError, match="already exists"):
        ws.cases.create("Operation Amber")
    assert [c["name"] for c in ws.cases.list()] == ["Operation Amber"]


def test_audit_chain_verifies_and_is_append_only(ws):
    ws.cases.create("c1")
    ws.cases.create("c2")
    report = ws.audit.verify()
    assert report.ok and report.checked == 3  # the account bootstrap and two cases
    with pytest.raises(sa.exc.DBAPIError), ws.store.begin() as conn:
        conn.execute(sa.text("UPDATE audit SET actor = 'mallory'"))
    with pytest.raises(sa.exc.DBAPIError), ws.store.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit"))
    assert ws.audit.verify().ok


def _drop_guards(conn):
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("DROP TRIGGER audit_append_only ON audit"))
    else:
        conn.execute(sa.text("DROP TRIGGER audit_no_update"))
        conn.execute(sa.text("DROP TRIGGER audit_no_delete"))


def test_audit_chain_detects_an_edited_entry(ws):
    for name in ("a", "b", "c"):
        ws.cases.create(name)
    with ws.store.begin() as conn:
        _drop_guards(conn)
        conn.execute(sa.text("UPDATE audit SET purpose = 'routine' WHERE seq = 2"))
    report = ws.audit.verify()
    assert not report.ok
    assert report.seq == 2 and "altered" in report.problem


def test_audit_chain_detects_a_deleted_entry(ws):
    for name in ("a", "b", "c"):
        ws.cases.create(name)
    with ws.store.begin() as conn:
        _drop_guards(conn)
        conn.execute(sa.text("DELETE FROM audit WHERE seq = 2"))
    report = ws.audit.verify()
    assert not report.ok
    assert report.seq == 3 and "deleted" in report.problem


def test_a_kept_view_is_read_in_its_state_and_gone_when_the_data_change(ws):
    """Views kept for every server process (both stores): read back only in the state they
    were made in; not kept if the data changed since; deleted by the next change."""
    ws.cases.create("kept")
    store = ws.store
    with store.begin() as conn:
        case_id = store.get_case(conn, "kept")["id"]
        revision = store.fingerprint(conn, case_id)[0]
    store.keep_derived(case_id, "slot", "s1", b"\x00view", revision)
    with store.begin() as conn:
        assert store.derived_value(conn, case_id, "slot", "s1") == b"\x00view"
        assert store.derived_value(conn, case_id, "slot", "s2") is None
    store.keep_derived(case_id, "slot", "s2", b"newer", revision)  # in place of the first
    with store.begin() as conn:
        assert store.derived_value(conn, case_id, "slot", "s1") is None
        store.bump_revision(conn, case_id)
    with store.begin() as conn:
        assert store.derived_value(conn, case_id, "slot", "s2") is None
    store.keep_derived(case_id, "slot", "s3", b"stale", revision)  # made before the change
    with store.begin() as conn:
        assert store.derived_value(conn, case_id, "slot", "s3") is None


@pytest.mark.postgres
def test_postgres_plans_streamed_reads_for_all_their_rows(pg_url: str) -> None:
    """A server-side cursor is read to its end: planned for every row, not the first tenth
    (the default chose plans five times slower for a case's entities)."""
    store = Store(pg_url)
    with store.begin() as conn:
        assert conn.exec_driver_sql("SHOW cursor_tuple_fraction").scalar() == "1"
    store.close()
