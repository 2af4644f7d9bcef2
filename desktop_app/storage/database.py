"""Opening the unit's database: WAL, foreign keys, migrations, one transaction per write."""
from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.storage.schema_version import MIGRATION_COUNT

if TYPE_CHECKING:
    import sqlite_utils

log = logging.getLogger(__name__)


class Database:
    """The unit's connection; repositories borrow the sqlite-utils ``db`` from it for tables.

    The sqlite-utils wrapper is built on first use: reads on the start-up path go through ``rows`` and
    ``scalar`` on the plain connection, so the application shows its window before sqlite-utils loads.
    """

    def __init__(self, conn: sqlite3.Connection, path: Path | None):
        self.conn = conn
        self.path = path
        self._db: sqlite_utils.Database | None = None
        self._depth = 0

    @property
    def db(self) -> sqlite_utils.Database:
        if self._db is None:
            import sqlite_utils

            # recursive_triggers is already on (open_database): the wrapper must not change the connection
            self._db = sqlite_utils.Database(self.conn, recursive_triggers=False)
        return self._db

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def rows(self, sql: str, params: list | tuple = ()) -> list[dict[str, Any]]:
        """Rows of a query as dicts (what sqlite-utils' ``rows_where`` gives), on the plain connection."""
        cur = self.conn.execute(sql, params)
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]

    def scalar(self, sql: str, params: list | tuple = ()) -> Any:
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite_utils.Database]:
        """Every write goes through here: all of it lands or none of it does.

        The outermost transaction takes the write lock at once (BEGIN IMMEDIATE): the audit chain
        reads its last hash before appending, and a CLI run beside the GUI must not fork it.
        """
        conn = self.conn
        if conn.in_transaction:
            with self._savepoint():  # nested
                yield _Tables(self)
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield _Tables(self)
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    @contextlib.contextmanager
    def _savepoint(self) -> Iterator[None]:
        name = f"teishi_{id(self)}_{self._depth}"
        self._depth += 1
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield
        except BaseException:
            self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
            self.conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        else:
            self.conn.execute(f"RELEASE SAVEPOINT {name}")
        finally:
            self._depth -= 1

    def set_page_cache(self, kib: int) -> None:
        """Size this connection's page cache (SQLite's default is 2 MiB)."""
        self.conn.execute(f"PRAGMA cache_size = -{int(kib)}")

    def set_wal_autocheckpoint(self, pages: int) -> None:
        """How many WAL pages this connection's commits let pile up before one checkpoints them
        (SQLite's default is 1000). Durability is unchanged: WAL + synchronous=NORMAL either way."""
        self.conn.execute(f"PRAGMA wal_autocheckpoint = {int(pages)}")

    def close(self) -> None:
        self.conn.close()


class _Tables:
    """What ``transaction()`` yields: the sqlite-utils ``Database``, built only when a table is touched
    (a transaction that only appends to the audit log, such as signing in, never loads sqlite-utils)."""

    __slots__ = ("_owner",)

    def __init__(self, owner: Database):
        self._owner = owner

    def __getitem__(self, name: str):
        return self._owner.db[name]

    def __getattr__(self, name: str):
        return getattr(self._owner.db, name)


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
    conn.execute("PRAGMA recursive_triggers = ON")  # as sqlite-utils sets it; kept before it loads
    database = Database(conn, Path(path) if path else None)
    if database.scalar("PRAGMA user_version") != MIGRATION_COUNT:
        _migrate(database, path)
    return database


def _migrate(database: Database, path) -> None:
    from desktop_app.storage.migrations import MIGRATIONS

    pending = [m.name for m in MIGRATIONS.pending(database.db)]
    if pending:
        log.info("applying migrations %s to %s", pending, path)
    MIGRATIONS.apply(database.db)
    known = len(MIGRATIONS._migrations)  # noqa: SLF001 (sqlite-utils keeps the list there)
    if known == MIGRATION_COUNT:
        database.conn.execute(f"PRAGMA user_version = {known}")
    else:  # a migration added without schema_version.py: always check, never skip one
        log.warning("schema_version.MIGRATION_COUNT=%s but %s migrations exist", MIGRATION_COUNT, known)
