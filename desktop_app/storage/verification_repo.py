"""Dual-entry records: verification requests, blind attempts and adjudications."""
from __future__ import annotations

from typing import Any

from desktop_app.storage.database import Database


class VerificationRepo:
    def __init__(self, database: Database):
        self._db = database

    # ---- requests ------------------------------------------------------------------------
    def open_request(self, entry_id: str, requested_by: int | None, at: str) -> int:
        """A new blind check of the row's current values; earlier attempts no longer count."""
        return self._db.db["verification_requests"].insert(
            {"entry_id": entry_id, "requested_by": requested_by, "at": at}).last_pk

    def current_request(self, entry_id: str) -> int:
        """The id of the latest request, 0 for rows sent to verification before requests existed."""
        return self._db.scalar("SELECT max(id) FROM verification_requests WHERE entry_id = ?", [entry_id]) or 0

    # ---- attempts ------------------------------------------------------------------------
    def add_attempt(self, row: dict[str, Any]) -> int:
        return self._db.db["verification_attempts"].insert(row).last_pk

    def attempts(self, entry_id: str, request_id: int, column: str | None = None) -> list[dict[str, Any]]:
        where, args = "entry_id = ? AND request_id = ?", [entry_id, request_id]
        if column is not None:
            where += " AND column = ?"
            args.append(column)
        return self._db.rows(f"SELECT * FROM verification_attempts WHERE {where} ORDER BY id", args)

    def all_attempts(self) -> list[dict[str, Any]]:
        return self._db.rows("SELECT * FROM verification_attempts ORDER BY id")

    # ---- adjudications -------------------------------------------------------------------
    def add_adjudication(self, row: dict[str, Any]) -> int:
        return self._db.db["adjudications"].insert(row).last_pk

    def adjudications(self, entry_id: str, request_id: int, column: str | None = None) -> list[dict[str, Any]]:
        where, args = "entry_id = ? AND request_id = ?", [entry_id, request_id]
        if column is not None:
            where += " AND column = ?"
            args.append(column)
        return self._db.rows(f"SELECT * FROM adjudications WHERE {where} ORDER BY id", args)

    def adjudications_for(self, entry_id: str) -> list[dict[str, Any]]:
        return self._db.rows("SELECT * FROM adjudications WHERE entry_id = ? ORDER BY id", [entry_id])

    def all_adjudications(self) -> list[dict[str, Any]]:
        return self._db.rows("SELECT * FROM adjudications ORDER BY id")
