"""The audit chain: gap-free sequence, hash schemes, reads covered by the chain, anchors."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from veriga.store import audit as audit_log
from veriga.store.audit import GENESIS, Anchor, entry_hash, verify


def _drop_guards(conn):
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("DROP TRIGGER audit_append_only ON audit"))
    else:
        conn.execute(sa.text("DROP TRIGGER audit_no_update"))
        conn.execute(sa.text("DROP TRIGGER audit_no_delete"))


def _rows(n, scheme_from=1, seqs=None):
    """``n`` chained entries in memory; scheme 1 before entry ``scheme_from``."""
    rows, prev = [], GENESIS
    for i, seq in enumerate(seqs or range(1, n + 1), start=1):
        row = {"seq": seq, "at": datetime(2026, 1, 1, tzinfo=UTC), "actor": "a",
               "action": "x", "case_id": None, "purpose": None, "target": str(i), "detail": {}}
        row["prev_hash"] = prev
        row["hash"] = prev = entry_hash(prev, row, scheme=2 if i >= scheme_from else 1)
        rows.append(row)
    return rows


def _verify(ws, anchor=None):
    with ws.store.begin() as conn:
        return ws.store.verify_audit(conn, anchor)


def _seqs(ws):
    with ws.store.begin() as conn:
        return [r["seq"] for r in ws.store.list_audit(conn)]


def test_seq_is_gap_free_even_after_a_rollback(ws):
    ws.cases.create("a")
    with pytest.raises(RuntimeError), ws.store.begin() as conn:
        ws.store.audit(conn, actor="x", action="case.open", case_id=None, purpose=None)
        raise RuntimeError("rolled back")
    ws.cases.create("b")
    assert _seqs(ws) == [1, 2, 3]
    assert _verify(ws).ok


def test_entries_hash_their_seq(ws):
    for name in ("a", "b", "c"):
        ws.cases.create(name)
    with ws.store.begin() as conn:
        _drop_guards(conn)
        conn.execute(sa.text("DELETE FROM audit WHERE seq = 4"))
        conn.execute(sa.text("UPDATE audit SET seq = 4 WHERE seq = 3"))
    report = _verify(ws)
    assert not report.ok and report.seq == 4 and "altered" in report.problem


def test_entries_written_before_seq_was_hashed_still_verify():
    assert verify(_rows(5, scheme_from=99)).ok  # a store written by an older version
    report = verify(_rows(5, scheme_from=3))  # upgraded in between
    assert report.ok and report.head == Anchor(5, report.head.hash, 5)


def test_the_old_scheme_cannot_follow_the_new_one():
    rows = _rows(4, scheme_from=2)
    rows[2]["hash"] = entry_hash(rows[2]["prev_hash"], rows[2], scheme=1)
    rows[3]["prev_hash"] = rows[2]["hash"]
    rows[3]["hash"] = entry_hash(rows[3]["prev_hash"], rows[3])
    report = verify(rows)
    assert not report.ok and report.seq == 3 and "altered" in report.problem


def test_gaps_are_tolerated_only_between_old_entries_of_a_postgresql_store():
    old = _rows(3, scheme_from=99, seqs=[1, 2, 5])
    assert not verify(old).ok and "missing" in verify(old).problem
    assert verify(old, legacy_gaps=True).ok
    new = _rows(3, scheme_from=3, seqs=[1, 2, 5])
    report = verify(new, legacy_gaps=True)
    assert not report.ok and report.seq == 5 and "entries 3 to 4 are missing" in report.problem


def test_every_entity_read_is_recorded_and_chained(ws):
    ids = [f"e{i:05d}" for i in range(2500)]
    with ws.store.begin() as conn:
        ws.store.audit(conn, actor="x", action="entity.read", case_id=None, purpose="p",
                       reads=ids)
        entry = ws.store.list_audit(conn)[-1]
        assert ws.store.audit_seqs_reading(conn, "e02499") == {entry["seq"]}
    assert entry["detail"]["entity_count"] == 2500
    assert entry["detail"]["entity_ids"] == ids[:audit_log.FIRST_IDS]
    assert _verify(ws).ok
    with ws.store.begin() as conn:
        conn.execute(sa.text("DELETE FROM audit_reads WHERE entity_id = 'e01234'"))
    report = _verify(ws)
    assert not report.ok and "entities read by entry 2 were altered" in report.problem
    with ws.store.begin() as conn:
        conn.execute(sa.text("INSERT INTO audit_reads (seq, entity_id) VALUES "
                             "(2, 'e01234'), (1, 'framed')"))
    report = _verify(ws)
    assert not report.ok and "reads recorded for entry 1" in report.problem


def test_the_anchor_catches_truncation_and_rewriting(ws):
    for name in ("a", "b", "c"):
        ws.cases.create(name)
    anchor = _verify(ws).head
    assert (anchor.seq, anchor.count) == (4, 4)
    ws.cases.create("d")
    assert _verify(ws, anchor).ok  # later entries are fine
    with ws.store.begin() as conn:
        _drop_guards(conn)
        conn.execute(sa.text("DELETE FROM audit WHERE seq >= 4"))
    assert _verify(ws).ok  # consistent in itself...
    report = _verify(ws, anchor)  # ...but cut
    assert not report.ok and "newest entries were deleted" in report.problem
    report = _verify(ws, Anchor(3, anchor.hash, 3))
    assert not report.ok and "not the one anchored" in report.problem


def test_an_anchor_is_read_strictly():
    anchor = Anchor(7, "a" * 64, 7)
    assert Anchor.from_dict({**anchor.to_dict(), "at": "2026-01-01"}) == anchor
    for bad in ({"seq": 1}, {"seq": "x", "hash": "a" * 64, "count": 1},
                {"seq": 1, "hash": "short", "count": 1}):
        with pytest.raises(ValueError, match="anchor"):
            Anchor.from_dict(bad)


def test_concurrent_writers_extend_one_chain(tmp_path, db_url):
    from concurrent.futures import ThreadPoolExecutor

    from veriga.store import Store

    stores = [Store(db_url) for _ in range(4)]

    def write(store):
        for _ in range(25):
            with store.begin() as conn:
                store.audit(conn, actor="x", action="case.open", case_id=None, purpose="p")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, stores))
    with stores[0].begin() as conn:
        assert [r["seq"] for r in stores[0].list_audit(conn)] == list(range(1, 101))
        assert stores[0].verify_audit(conn).ok
    for store in stores:
        store.close()


def test_entries_appended_apart_extend_the_one_chain(ws):
    """A read's entry committed at once in a transaction of its own (PostgreSQL) hashes as
    an entry appended in the reader's transaction does, with its reads, interleaved with
    those and with writers on other threads; a transaction that has written appends in
    itself (it may hold the chain's lock); SQLite always does."""
    from concurrent.futures import ThreadPoolExecutor

    postgres = ws.store.db.dialect.name == "postgresql"

    def entry(conn, **kw):  # as a read's access writes its entry
        entry = {"case_id": None, "purpose": None, **kw}
        if not ws.store.audit_apart(conn, **entry):
            ws.store.audit(conn, **entry)

    odd = {"text": "Ņina \"Ōta\" \\ ✓", "seq": 0, "nested": {"target": [1, None]}}
    with ws.store.begin() as conn:
        assert ws.store.audit_apart(conn, actor="x", action="entity.read", case_id=None,
                                    purpose="p", target='t "1"', detail=odd,
                                    reads=["b", "a", "b"]) is postgres
        ws.cases.create("between")  # (another transaction: appended in it)
        conn.execute(sa.select(sa.text("1")))  # a read that locks nothing: still apart
        assert ws.store.audit_apart(conn, actor="x", action="entity.read", case_id=None,
                                    purpose="p") is postgres
        if postgres:  # a row locked: an entry apart could wait for a lock this one holds
            conn.execute(sa.text("SELECT seq FROM audit WHERE seq = 1 FOR SHARE"))
            assert not ws.store.audit_apart(conn, actor="x", action="entity.read",
                                            case_id=None, purpose="p")
        conn.execute(sa.text("UPDATE audit SET seq = seq WHERE 1 = 0"))  # this one has written
        assert not ws.store.audit_apart(conn, actor="x", action="entity.read", case_id=None,
                                        purpose="p")

    def read(n):
        for _ in range(10):
            with ws.store.begin() as conn:
                entry(conn, actor=f"r{n}", action="entity.read", reads=[f"e{n}"])

    def write(n):
        for _ in range(10):
            with ws.store.begin() as conn:
                ws.store.audit(conn, actor=f"w{n}", action="case.open", case_id=None,
                               purpose="p")

    with ThreadPoolExecutor(6) as pool:
        list(pool.map(lambda f: f[0](f[1]), [(read, 1), (read, 2), (read, 3), (write, 4),
                                             (write, 5), (read, 6)]))
    with ws.store.begin() as conn:
        rows = ws.store.list_audit(conn)
        assert [r["seq"] for r in rows] == list(range(1, len(rows) + 1))
        # the workspace's own, the two apart (PostgreSQL), the case created, the threads'
        assert len(rows) == 1 + 2 * postgres + 1 + 60
        assert ws.store.audit_seqs_reading(conn, "e6") == {
            r["seq"] for r in rows if r["actor"] == "r6"}
        if postgres:
            first = next(r for r in rows if r["target"] == 't "1"')
            assert first["detail"]["text"] == odd["text"]
            assert first["detail"]["entity_count"] == 2
            assert ws.store.audit_seqs_reading(conn, "a") == {first["seq"]}
        assert ws.store.verify_audit(conn).ok


def test_a_read_is_audited_before_its_data_is_handed_on(ws):
    """On PostgreSQL a read's entry is committed when it is written (in a transaction of its
    own): a read that fails later is still logged; a change's entry stands or falls with
    the change. On SQLite both are written in the access's transaction."""
    from veriga.access.policy import Op

    postgres = ws.store.db.dialect.name == "postgresql"
    ws.cases.create("a")
    for op, action in ((Op.ENTITY_READ, "entity.read"), (Op.ENTITY_WRITE, "entity.change")):
        with pytest.raises(RuntimeError), ws.case("a", op) as access:
            access.audit(action, "x", reads=["x"])
            raise RuntimeError("failed after the entry was written")
    with ws.store.begin() as conn:
        actions = [r["action"] for r in ws.store.list_audit(conn)]
        assert actions[-1] == ("entity.read" if postgres else "case.create")
        assert "entity.change" not in actions
        assert ws.store.verify_audit(conn).ok
