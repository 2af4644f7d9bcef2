"""Storage: migrations, WAL, foreign keys, the append-only hash-chained audit log, transactions."""
from __future__ import annotations

import sqlite3

import pytest
import sqlite_utils

from desktop_app.storage import open_database
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.migrations import MIGRATIONS


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "teishi.sqlite3"


@pytest.fixture
def database(db_path):
    database = open_database(db_path)
    yield database
    database.close()


def _officer(database) -> int:
    with database.transaction() as db:
        return db["officers"].insert({"staff_no": "1001", "name": "山田太郎", "pin_hash": "x"}).last_pk


def test_migrations_applied_through_sqlite_utils(database):
    applied = [m.name for m in MIGRATIONS.applied(database.db)]
    assert applied == [m.name for m in MIGRATIONS.pending(sqlite_utils.Database(memory=True))]
    assert "m001_initial" in applied
    assert MIGRATIONS.pending(database.db) == []
    rows = list(database.db["_sqlite_migrations"].rows_where("migration_set = ?", ["teishi"]))
    assert len(rows) == len(applied)
    for table in ("settings", "officers", "stations", "entries", "audit_log"):
        assert database.db[table].exists(), table


def test_reopening_applies_nothing_and_keeps_data(db_path):
    first = open_database(db_path)
    with first.transaction() as db:
        db["settings"].insert({"key": "tier", "value": '"station"'})
    count = first.db["_sqlite_migrations"].count
    first.close()
    again = open_database(db_path)
    try:
        assert again.db["_sqlite_migrations"].count == count
        assert again.db["settings"].get("tier")["value"] == '"station"'
    finally:
        again.close()


def test_wal_and_foreign_keys_are_on(database, db_path):
    assert database.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    # WAL is a property of the file: another connection sees it too
    other = sqlite3.connect(db_path)
    try:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        other.close()


def test_foreign_key_is_enforced(database):
    with pytest.raises(sqlite3.IntegrityError):
        with database.transaction() as db:
            db["entries"].insert({"id": "e1", "position": 1, "status": "draft", "entered_by": 999,
                                  "created_at": "2026-11-20", "updated_at": "2026-11-20"})
    assert database.db["entries"].count == 0


# ---- audit log ------------------------------------------------------------------------------
def _fill_audit(database, n=5):
    audit = AuditRepo(database)
    with database.transaction():
        for i in range(n):
            audit.append("entry.create", officer_id=None, entity="entry", entity_id=f"e{i}",
                         detail={"account_id": f"user{i}@example.co.jp", "名前": "山田"})
    return audit


def test_audit_rows_read_back(database):
    audit = _fill_audit(database, 3)
    rows = list(audit.rows())
    assert [r["entity_id"] for r in rows] == ["e0", "e1", "e2"]
    assert rows[1]["detail"] == {"account_id": "user1@example.co.jp", "名前": "山田"}
    assert [r["entity_id"] for r in audit.rows(entity_id="e2")] == ["e2"]


def test_audit_chain_verifies(database):
    audit = _fill_audit(database)
    assert audit.verify_chain() is None
    rows = list(database.db["audit_log"].rows_where(order_by="id"))
    assert all(rows[i + 1]["prev_hash"] == rows[i]["hash"] for i in range(len(rows) - 1))


@pytest.mark.parametrize("sql", [
    "UPDATE audit_log SET action = 'entry.delete' WHERE id = 2",
    "UPDATE audit_log SET detail = '{}'",
    "DELETE FROM audit_log WHERE id = 2",
    "DELETE FROM audit_log",
])
def test_audit_log_refuses_update_and_delete(database, db_path, sql):
    audit = _fill_audit(database)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        database.db.execute(sql)
    # also from a connection that is not the application's (the triggers live in the file)
    other = sqlite3.connect(db_path)
    try:
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            other.execute(sql)
    finally:
        other.close()
    assert database.db["audit_log"].count == 5
    assert audit.verify_chain() is None


def test_forged_row_appended_behind_the_apps_back_is_detected(database, db_path):
    audit = _fill_audit(database)
    last = database.db.execute("SELECT * FROM audit_log ORDER BY id DESC LIMIT 1").fetchone()
    cols = [d[0] for d in database.db.execute("SELECT * FROM audit_log LIMIT 0").description]
    last = dict(zip(cols, last))
    other = sqlite3.connect(db_path)
    try:
        # Copy a genuine record's hashes onto an invented action.
        other.execute(
            "INSERT INTO audit_log (at, officer_id, action, entity, entity_id, detail, prev_hash, hash) "
            "VALUES (?, ?, 'entry.adjudicate', 'entry', 'e4', '{}', ?, ?)",
            (last["at"], None, last["prev_hash"], last["hash"]))
        other.commit()
        forged_id = other.execute("SELECT max(id) FROM audit_log").fetchone()[0]
    finally:
        other.close()
    assert audit.verify_chain() == forged_id


def test_forged_row_inserted_before_the_first_is_detected(database, db_path):
    audit = _fill_audit(database)
    other = sqlite3.connect(db_path)
    try:
        other.execute(
            "INSERT INTO audit_log (id, at, officer_id, action, entity, entity_id, detail, prev_hash, hash) "
            "VALUES (0, '2026-01-01T00:00:00+09:00', NULL, 'officer.add', 'officer', '9', '{}', ?, ?)",
            ("0" * 64, "f" * 64))
        other.commit()
    finally:
        other.close()
    assert audit.verify_chain() == 0


def test_edited_row_is_detected_even_with_triggers_dropped(database, db_path):
    audit = _fill_audit(database)
    other = sqlite3.connect(db_path)
    try:
        other.execute("DROP TRIGGER audit_log_no_update")
        other.execute("UPDATE audit_log SET detail = ? WHERE id = 3",
                      ('{"account_id":"someone.else@example.co.jp"}',))
        other.commit()
    finally:
        other.close()
    assert audit.verify_chain() == 3


def test_appends_continue_the_chain_after_reopen(db_path):
    first = open_database(db_path)
    _fill_audit(first, 2)
    first.close()
    again = open_database(db_path)
    try:
        audit = _fill_audit(again, 2)
        assert again.db["audit_log"].count == 4
        assert audit.verify_chain() is None
    finally:
        again.close()


# ---- transactions -----------------------------------------------------------------------------
def test_failing_write_inside_a_transaction_leaves_nothing(database):
    officer_id = _officer(database)
    audit = AuditRepo(database)
    before_audit = database.db["audit_log"].count
    with pytest.raises(sqlite3.IntegrityError):
        with database.transaction() as db:
            db["entries"].insert({"id": "e1", "position": 1, "status": "draft", "entered_by": officer_id,
                                  "created_at": "2026-11-20", "updated_at": "2026-11-20"})
            audit.append("entry.create", officer_id=officer_id, entity="entry", entity_id="e1")
            # same position again: the unique index refuses the second row
            db["entries"].insert({"id": "e2", "position": 1, "status": "draft", "entered_by": officer_id,
                                  "created_at": "2026-11-20", "updated_at": "2026-11-20"})
    assert database.db["entries"].count == 0
    assert database.db["audit_log"].count == before_audit
    assert audit.verify_chain() is None


def test_an_exception_in_python_rolls_back_too(database):
    with pytest.raises(RuntimeError):
        with database.transaction() as db:
            db["settings"].insert({"key": "tier", "value": '"hq"'})
            raise RuntimeError("power cut")
    assert database.db["settings"].count == 0


def test_nested_transaction_failure_rolls_back_the_whole(database):
    with pytest.raises(RuntimeError):
        with database.transaction() as db:
            db["settings"].insert({"key": "a", "value": "1"})
            with database.transaction() as inner:
                inner["settings"].insert({"key": "b", "value": "2"})
            raise RuntimeError("after the inner block")
    assert database.db["settings"].count == 0


def test_committed_write_is_visible_to_another_connection(database, db_path):
    with database.transaction() as db:
        db["settings"].insert({"key": "tier", "value": '"station"'})
    other = sqlite3.connect(db_path)
    try:
        assert other.execute("SELECT value FROM settings WHERE key='tier'").fetchone() == ('"station"',)
    finally:
        other.close()
