"""The prefecture's station master list, with dated renames and mergers."""
from __future__ import annotations

from typing import Any

from desktop_app.storage.database import Database


class StationsRepo:
    def __init__(self, database: Database):
        self._db = database

    def all(self, prefecture_code: str) -> list[dict[str, Any]]:
        return self._db.rows("SELECT * FROM stations WHERE prefecture_code = ? ORDER BY coalesce(code, ''), name",
                             [prefecture_code])

    def data_version(self) -> int:
        """Changes whenever another connection commits (SQLite's PRAGMA data_version)."""
        return self._db.scalar("PRAGMA data_version")

    def insert(self, row: dict[str, Any]) -> int:
        return self._db.db["stations"].insert(row).last_pk

    def update(self, station_id: int, values: dict[str, Any]) -> None:
        self._db.db["stations"].update(station_id, values)

    def delete(self, station_id: int) -> None:
        self._db.db["stations"].delete(station_id)

    def find(self, prefecture_code: str, name: str) -> list[dict[str, Any]]:
        return self._db.rows("SELECT * FROM stations WHERE prefecture_code = ? AND name = ? ORDER BY valid_from",
                             [prefecture_code, name])
