"""Provider requests (per row), provider outcomes (per account) and the NPA's provider files."""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import Any

from desktop_app.storage.database import Database

REQUEST_COLUMNS = (
    "row_id", "account_id", "account_id_raw", "user_name", "organization", "case_type", "refinement",
    "prefecture_code", "prefecture", "station", "recognized_on", "requested_on", "provider_file",
    "mistaken_on", "mistaken_reason", "withdrawn_on", "withdrawal_file", "received_from",
)


# Where a unit keeps the rows it sent (a station: entries.id; HQ and the NPA: hq_rows.row_id). The
# table and column end up in SQL text, so only these pairs are accepted.
ROW_ID_COLUMN = {"entries": "id", "hq_rows": "row_id"}
_CHUNK = 500  # SQLite's host-parameter limit is 999 on old builds


class OutcomesRepo:
    def __init__(self, database: Database):
        self._db = database

    # ---- which rows are ours -------------------------------------------------------------
    def held_row_ids(self, table: str, row_ids: Sequence[str]) -> set[str]:
        """Which of ``row_ids`` are stored in ``table`` (``entries`` or ``hq_rows``)."""
        column = ROW_ID_COLUMN.get(table)
        if column is None:
            raise ValueError(f"not a table of sent rows: {table!r}")
        found: set[str] = set()
        ids = [r for r in row_ids if r]
        for i in range(0, len(ids), _CHUNK):
            chunk = ids[i:i + _CHUNK]
            marks = ",".join("?" * len(chunk))
            found.update(r[0] for r in self._db.db.execute(
                f"SELECT {column} FROM {table} WHERE {column} IN ({marks})", chunk))
        return found

    def requesting_units(self) -> list[tuple[str, str | None]]:
        """(unit id, unit name) of every unit whose rows went to the provider, by name: whom the
        outcomes go back to (HQs at the NPA, stations at HQ)."""
        cur = self._db.db.execute(
            "SELECT DISTINCT f.unit_id, f.unit_name FROM provider_requests p JOIN hq_rows r ON r.row_id = p.row_id "
            "JOIN hq_files f ON f.id = r.file_id WHERE f.unit_id IS NOT NULL ORDER BY f.unit_name")
        return [(u, n) for u, n in cur.fetchall()]

    # ---- provider requests ---------------------------------------------------------------
    def upsert_requests(self, rows: Iterable[dict[str, Any]]) -> int:
        """Insert or refresh request rows (by row_id); call inside a transaction."""
        rows = list(rows)
        if not rows:
            return 0
        # One executemany per set of columns: sqlite-utils' upsert_all is several times slower at
        # the NPA's 50,000 rows a day, and a column absent from a row must keep its stored value.
        by_columns: dict[tuple[str, ...], list[tuple]] = {}
        for r in rows:
            cols = tuple(k for k in REQUEST_COLUMNS if k in r)
            by_columns.setdefault(cols, []).append(tuple(r[k] for k in cols))
        for cols, values in by_columns.items():
            updates = ", ".join(f"{c} = excluded.{c}" for c in cols if c != "row_id")
            sql = (f"INSERT INTO provider_requests ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))}) "
                   f"ON CONFLICT(row_id) DO UPDATE SET {updates}")
            self._db.db.conn.executemany(sql, values)
        return len(rows)

    def request(self, row_id: str) -> dict[str, Any] | None:
        rows = list(self._db.db["provider_requests"].rows_where("row_id = ?", [row_id]))
        return rows[0] if rows else None

    def requests(self, *, where: str | None = None, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        return list(self._db.db["provider_requests"].rows_where(where, list(args),
                                                                order_by="requested_on, prefecture_code, row_id"))

    def sent_row_ids(self) -> set[str]:
        return {r[0] for r in self._db.db.execute("SELECT row_id FROM provider_requests")}

    def sent_accounts(self) -> dict[str, str]:
        """Normalised account ID → the first day it went to the provider."""
        return {a: d for a, d in self._db.db.execute(
            "SELECT account_id, min(requested_on) FROM provider_requests GROUP BY account_id")}

    def mark_mistaken(self, row_id: str, day: str, reason: str | None) -> None:
        self._db.db["provider_requests"].update(row_id, {"mistaken_on": day, "mistaken_reason": reason})

    def pending_withdrawals(self) -> list[dict[str, Any]]:
        return self.requests(where="mistaken_on IS NOT NULL AND withdrawn_on IS NULL")

    def mark_withdrawn(self, row_ids: Iterable[str], day: str, file_id: str) -> None:
        for rid in row_ids:
            self._db.db["provider_requests"].update(rid, {"withdrawn_on": day, "withdrawal_file": file_id})

    # ---- outcomes ------------------------------------------------------------------------
    def set_outcome(self, account_id: str, outcome: str, outcome_on: str | None, *, recorded_at: str,
                    recorded_by: int | None, source: str, note: str | None = None) -> None:
        self._db.db["account_outcomes"].upsert(
            {"account_id": account_id, "outcome": outcome, "outcome_on": outcome_on,
             "recorded_at": recorded_at, "recorded_by": recorded_by, "source": source, "note": note},
            pk="account_id",
        )

    def outcome(self, account_id: str) -> dict[str, Any] | None:
        rows = list(self._db.db["account_outcomes"].rows_where("account_id = ?", [account_id]))
        return rows[0] if rows else None

    def outcomes(self) -> dict[str, dict[str, Any]]:
        return {r["account_id"]: r for r in self._db.db["account_outcomes"].rows}

    def requests_with_outcomes(self, *, where: str | None = None, args: Sequence[Any] = ()) -> list[dict[str, Any]]:
        """Every request row with its account's outcome (NULL when the provider has not answered)."""
        sql = (
            "SELECT r.*, o.outcome AS outcome, o.outcome_on AS outcome_on "
            "FROM provider_requests r LEFT JOIN account_outcomes o ON o.account_id = r.account_id"
        )
        if where:
            sql += f" WHERE {where}"
        sql += " ORDER BY r.requested_on, r.prefecture_code, r.station, r.row_id"
        cur = self._db.db.execute(sql, list(args))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    # ---- files ---------------------------------------------------------------------------
    def add_file(self, file_id: str, kind: str, *, created_at: str, file_name: str | None, sha256: str | None,
                 rows: int, detail: dict[str, Any] | None = None) -> None:
        self._db.db["provider_files"].insert(
            {"id": file_id, "kind": kind, "created_at": created_at, "file_name": file_name, "sha256": sha256,
             "rows": rows, "detail": json.dumps(detail or {}, ensure_ascii=False)},
        )

    def has_file_hash(self, sha256: str) -> bool:
        return self._db.db.execute("SELECT 1 FROM provider_files WHERE sha256 = ?", [sha256]).fetchone() is not None

    def files(self, kind: str | None = None) -> list[dict[str, Any]]:
        if kind:
            return list(self._db.db["provider_files"].rows_where("kind = ?", [kind], order_by="created_at"))
        return list(self._db.db["provider_files"].rows_where(order_by="created_at"))
