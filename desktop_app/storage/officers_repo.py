"""The station's roster of officers."""
from __future__ import annotations

from typing import Any

from desktop_app.storage.database import Database


class OfficersRepo:
    def __init__(self, database: Database):
        self._db = database

    def insert(self, row: dict[str, Any]) -> int:
        return self._db.db["officers"].insert(row).last_pk

    def get(self, officer_id: int) -> dict[str, Any] | None:
        rows = self._db.rows("SELECT * FROM officers WHERE id = ?", [officer_id])
        return rows[0] if rows else None

    def by_staff_no(self, staff_no: str) -> dict[str, Any] | None:
        rows = self._db.rows("SELECT * FROM officers WHERE staff_no = ?", [staff_no])
        return rows[0] if rows else None

    def all(self) -> list[dict[str, Any]]:
        return self._db.rows("SELECT * FROM officers ORDER BY staff_no")

    def update(self, officer_id: int, values: dict[str, Any]) -> None:
        self._db.db["officers"].update(officer_id, values)
