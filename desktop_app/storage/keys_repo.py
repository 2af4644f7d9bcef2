"""This unit's own signing keys (public half only: the secret never enters the database),
the export sequence counter and the record of every file exported."""
from __future__ import annotations

from typing import Any

from desktop_app.storage.database import Database

EXPORT_SEQUENCE = "export_sequence"


class KeysRepo:
    def __init__(self, database: Database):
        self._db = database

    def add_own_key(self, row: dict[str, Any]) -> None:
        self._db.db["own_keys"].upsert(row, pk="key_id")

    def own_keys(self) -> list[dict[str, Any]]:
        return list(self._db.db["own_keys"].rows_where(order_by="created_at"))

    def active_key_id(self) -> str | None:
        """The newest active signing key's id (what an export is signed with), or None."""
        row = self._db.db.execute(
            "SELECT key_id FROM own_keys WHERE status = 'active' ORDER BY created_at DESC LIMIT 1").fetchone()
        return row[0] if row else None

    def next_sequence(self, name: str = EXPORT_SEQUENCE) -> int:
        """Take the next number; call inside the transaction that records the export."""
        db = self._db.db
        row = db.execute("SELECT value FROM export_counter WHERE name = ?", [name]).fetchone()
        value = (row[0] if row else 0) + 1
        db["export_counter"].upsert({"name": name, "value": value}, pk="name")
        return value

    def current_sequence(self, name: str = EXPORT_SEQUENCE) -> int:
        row = self._db.db.execute("SELECT value FROM export_counter WHERE name = ?", [name]).fetchone()
        return row[0] if row else 0

    def add_export(self, row: dict[str, Any]) -> None:
        self._db.db["exports"].insert(row)

    def set_export_hash(self, export_id: str, sha256: str) -> None:
        """The file's hash is known only once it is written, after its export row was reserved."""
        self._db.db["exports"].update(export_id, {"sha256": sha256})

    def exports(self) -> list[dict[str, Any]]:
        return list(self._db.db["exports"].rows_where(order_by="created_at"))
