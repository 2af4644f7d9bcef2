"""Opening a database that is already up to date must not wait for sqlite-utils, and must stay safe."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlite_utils

from desktop_app.storage import open_database
from desktop_app.storage.migrations import MIGRATIONS
from desktop_app.storage.schema_version import MIGRATION_COUNT

ROOT = Path(__file__).resolve().parents[2]


def test_migration_count_matches_the_migrations():
    fresh = sqlite_utils.Database(memory=True)
    assert MIGRATION_COUNT == len(MIGRATIONS.pending(fresh)), "append to schema_version.py with each migration"


def test_open_stamps_the_schema_version(tmp_path):
    database = open_database(tmp_path / "t.db")
    assert database.scalar("PRAGMA user_version") == MIGRATION_COUNT
    database.close()


def test_a_database_from_before_the_stamp_still_gets_missing_migrations(tmp_path):
    # A data folder made by an older Teishi: migrations up to m004 applied, user_version never set.
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    MIGRATIONS.apply(sqlite_utils.Database(conn), stop_before="m005_exchange_keys_trust")
    conn.close()
    database = open_database(path)
    try:
        assert "trusted_keys" in database.db.table_names() or database.rows(
            "SELECT name FROM sqlite_master WHERE name LIKE '%trust%'")
        assert not MIGRATIONS.pending(database.db)
        assert database.scalar("PRAGMA user_version") == MIGRATION_COUNT
    finally:
        database.close()


def test_second_start_reads_settings_and_signs_in_without_loading_sqlite_utils(tmp_path):
    from desktop_app.context import AppContext

    ctx = AppContext.open(tmp_path / "data")
    ctx.setup.initialise("station", "27", "中央警察署")
    ctx.officers.add("1001", "計測太郎", "1357")
    ctx.close()
    script = textwrap.dedent(f"""
        import sys
        from desktop_app.context import AppContext
        ctx = AppContext.open({str(tmp_path / "data")!r})
        assert ctx.settings.is_set_up
        officer = ctx.officers.authenticate("1001", "1357")
        ctx.entries.list()
        ctx.stations.all("27")
        print("sqlite_utils" in sys.modules, officer.staff_no)
    """)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "1001"]


def test_sign_in_is_audited_on_the_plain_connection(tmp_path):
    from desktop_app.context import AppContext

    ctx = AppContext.open(tmp_path / "data", log_to_file=False)
    ctx.officers.add("1001", "計測太郎", "1357")
    ctx.officers.authenticate("1001", "1357")
    actions = [r["action"] for r in ctx.audit.rows()]
    assert actions[-1] == "officer.login"
    assert ctx.audit.verify_chain() is None
    ctx.close()


def test_nested_transaction_failure_undoes_only_the_inner_part(tmp_path):
    database = open_database(tmp_path / "t.db")
    try:
        with database.transaction() as db:
            db["settings"].insert({"key": "outer", "value": "1"})
            with pytest.raises(RuntimeError), database.transaction() as inner:
                inner["settings"].insert({"key": "inner", "value": "2"})
                raise RuntimeError("inner fails")
        keys = [r["key"] for r in database.rows("SELECT key FROM settings")]
        assert "outer" in keys and "inner" not in keys
    finally:
        database.close()
