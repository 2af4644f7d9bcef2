"""Station side: why rows left the station's hands after export — returned by HQ (差戻し) or reported
by the station as 誤依頼 — one record per row and event, kept beside the entry."""
from __future__ import annotations

from typing import Any

from desktop_app.storage.database import Database

# The ``kind`` of a record.
RETURNED_BY_HQ = "return"
MISTAKEN_REPORTED = "mistaken_reported"


class StationReturnsRepo:
    def __init__(self, database: Database):
        self._db = database

    def record(self, entry_id: str, *, kind: str, reason: str | None, file_hash: str | None,
               from_unit: str | None, returned_at: str) -> None:
        """Call inside the caller's transaction (with the entry's state change and audit record)."""
        self._db.db["station_returns"].insert({"entry_id": entry_id, "reason": reason, "file_hash": file_hash,
                                               "from_unit": from_unit, "returned_at": returned_at, "kind": kind})

    def for_entry(self, entry_id: str) -> list[dict[str, Any]]:
        """Every record for one entry, oldest first."""
        return list(self._db.db["station_returns"].rows_where("entry_id = ?", [entry_id], order_by="id"))
