"""Rows of the 別添 form as entered at this unit."""
from __future__ import annotations

from typing import Any

from desktop_app.storage.database import Database


class EntriesRepo:
    def __init__(self, database: Database):
        self._db = database

    def next_position(self) -> int:
        row = self._db.db.execute("SELECT coalesce(max(position), 0) + 1 FROM entries").fetchone()
        return row[0]

    def insert(self, row: dict[str, Any]) -> None:
        self._db.db["entries"].insert(row)

    def update(self, entry_id: str, values: dict[str, Any]) -> None:
        self._db.db["entries"].update(entry_id, values)

    def delete(self, entry_id: str) -> None:
        self._db.db["entries"].delete(entry_id)

    def get(self, entry_id: str) -> dict[str, Any] | None:
        rows = list(self._db.db["entries"].rows_where("id = ?", [entry_id]))
        return rows[0] if rows else None

    def all(self, *, statuses: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
        if statuses:
            marks = ",".join("?" * len(statuses))
            return list(self._db.db["entries"].rows_where(f"status IN ({marks})", list(statuses), order_by="position"))
        return list(self._db.db["entries"].rows_where(order_by="position"))

    def with_account_id(self, account_id: str) -> list[dict[str, Any]]:
        return list(self._db.db["entries"].rows_where("account_id = ?", [account_id], order_by="position"))
