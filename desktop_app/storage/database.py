"""Opening the unit's database: WAL, foreign keys, migrations, one transaction per write."""
from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import sqlite_utils

from desktop_app.storage.migrations import MIGRATIONS

log = logging.getLogger(__name__)


class Database:
    """A thin owner of the sqlite-utils ``Database``; repositories borrow ``db`` from it."""

    def __init__(self, db: sqlite_utils.Database, path: Path | None):
        self.db = db
        self.path = path

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """Every write goes through here: all of it lands or none of it does.

        The outermost transaction takes the write lock at once (BEGIN IMMEDIATE): the audit chain
        reads its last hash before appending, and a CLI run beside the GUI must not fork it.
        """
        conn = self.db.conn
        if conn.in_transaction:
            with self.db.atomic():  # nested: a savepoint
                yield self.db
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    def set_page_cache(self, kib: int) -> None:
        """Size this connection's page cache (SQLite's default is 2 MiB)."""
        self.db.conn.execute(f"PRAGMA cache_size = -{int(kib)}")

    def set_wal_autocheckpoint(self, pages: int) -> None:
        """How many WAL pages this connection's commits let pile up before one checkpoints them
        (SQLite's default is 1000). Durability is unchanged: WAL + synchronous=NORMAL either way."""
        self.db.conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")

    def close(self) -> None:
        self.db.close()


def open_database(path: Path | str | None) -> Database:
    """Open (and migrate) the database at ``path``; ``None`` gives an in-memory one for tests."""
    if path is None:
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    else:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        # autocommit mode: transactions are opened explicitly by Database.transaction()
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA foreign_keys = ON")
    if path is not None:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
    db = sqlite_utils.Database(conn)
    pending = [m.name for m in MIGRATIONS.pending(db)]
    if pending:
        log.info("applying migrations %s to %s", pending, path)
    MIGRATIONS.apply(db)
    return Database(db, Path(path) if path else None)
