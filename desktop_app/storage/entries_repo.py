"""Rows of the 別添 form as entered at this unit."""
from __future__ import annotations

from typing import Any

from desktop_app.storage.database import Database


class EntriesRepo:
    def __init__(self, database: Database):
        self._db = database

    def next_position(self) -> int:
        return self._db.scalar("SELECT coalesce(max(position), 0) + 1 FROM entries")

    def insert(self, row: dict[str, Any]) -> None:
        self._db.db["entries"].insert(row)

    def update(self, entry_id: str, values: dict[str, Any]) -> None:
        self._db.db["entries"].update(entry_id, values)

    def delete(self, entry_id: str) -> None:
        self._db.db["entries"].delete(entry_id)

    def get(self, entry_id: str) -> dict[str, Any] | None:
        rows = self._db.rows("SELECT * FROM entries WHERE id = ?", [entry_id])
        return rows[0] if rows else None

    def all(self, *, statuses: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        if statuses:
            marks = ",".join("?" * len(statuses))
            return self._db.rows(f"SELECT * FROM entries WHERE status IN ({marks}) ORDER BY position", list(statuses))
        return self._db.rows("SELECT * FROM entries ORDER BY position")

    def with_account_id(self, account_id: str) -> list[dict[str, Any]]:
        return self._db.rows("SELECT * FROM entries WHERE account_id = ? ORDER BY position", [account_id])
