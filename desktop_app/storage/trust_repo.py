"""The trust list (other units' public keys) and the sequence numbers seen from each unit."""
from __future__ import annotations

from typing import Any

from desktop_app.storage.database import Database


class TrustRepo:
    def __init__(self, database: Database):
        self._db = database

    def get(self, key_id: str) -> dict[str, Any] | None:
        rows = list(self._db.db["trust_keys"].rows_where("key_id = ?", [key_id]))
        return rows[0] if rows else None

    def insert(self, row: dict[str, Any]) -> None:
        self._db.db["trust_keys"].insert(row)

    def update(self, key_id: str, values: dict[str, Any]) -> None:
        self._db.db["trust_keys"].update(key_id, values)

    def all(self) -> list[dict[str, Any]]:
        return list(self._db.db["trust_keys"].rows_where(order_by="unit_id, added_at"))

    def for_unit(self, unit_id: str) -> list[dict[str, Any]]:
        return list(self._db.db["trust_keys"].rows_where("unit_id = ?", [unit_id], order_by="added_at"))

    def seen(self, unit_id: str, sequence: int) -> dict[str, Any] | None:
        rows = list(self._db.db["seen_sequences"].rows_where(
            "unit_id = ? AND sequence = ?", [unit_id, sequence]))
        return rows[0] if rows else None

    def max_seen(self, unit_id: str) -> int | None:
        row = self._db.db.execute("SELECT max(sequence) FROM seen_sequences WHERE unit_id = ?", [unit_id]).fetchone()
        return row[0]

    def record_seen(self, row: dict[str, Any]) -> None:
        self._db.db["seen_sequences"].insert(row)
