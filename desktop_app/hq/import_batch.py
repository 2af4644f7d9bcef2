"""Several imported files in one transaction, each in its own savepoint.

Committing once per file cost more than checking the file; a batch commits every ``BATCH_FILES``
files or ``BATCH_SECONDS``, on cancel and at the end (``Importer.import_paths``).
"""
from __future__ import annotations

import logging
import time

from desktop_app.storage.database import Database

log = logging.getLogger(__name__)

BATCH_FILES = 50
BATCH_SECONDS = 0.25


class FileBatch:
    """One outer transaction holding several files' savepoints (see ``Importer.import_paths``)."""

    def __init__(self, database: Database):
        self._conn = database.conn
        self._started: float | None = None
        self._files = 0

    def begin(self) -> None:
        if self._started is None:
            # IMMEDIATE: take the write lock now, as Database.transaction does, so the receipt and
            # audit chains read the head no other connection can move before the commit.
            self._conn.execute("BEGIN IMMEDIATE")
            self._started = time.monotonic()
            self._files = 0
        self._files += 1

    def due(self) -> bool:
        return self._started is not None and (self._files >= BATCH_FILES
                                              or time.monotonic() - self._started >= BATCH_SECONDS)

    def commit(self) -> None:
        if self._started is not None:
            self._started = None
            self._conn.execute("COMMIT")

    def close_after_error(self) -> bool:
        """Keep the files that finished before an unexpected error, if the transaction survived it;
        True when they landed."""
        if self._started is None:
            return False
        self._started = None
        if not self._conn.in_transaction:  # SQLite already rolled it back (I/O error, disk full)
            return False
        try:
            self._conn.execute("COMMIT")
        except Exception:
            log.exception("could not commit the files imported before the error; rolling them back")
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            return False
        return True
