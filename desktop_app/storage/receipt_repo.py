"""The receipt log: every file a unit received, hash-chained and append-only (triggers forbid
UPDATE and DELETE). Offline there is no timestamp authority; this log plays that role (signing.md §4)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from desktop_app.storage.database import Database

GENESIS = "0" * 64
FIELDS = ("at", "file_hash", "file_name", "unit_id", "key_id", "sequence", "kind", "result", "detail")


def record_hash(prev_hash: str, record: dict[str, Any]) -> str:
    body = json.dumps({k: record.get(k) for k in FIELDS}, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


class ReceiptRepo:
    def __init__(self, database: Database):
        self._db = database

    def append(self, *, file_hash: str, file_name: str, result: str, unit_id: str | None = None,
               key_id: str | None = None, sequence: int | None = None, kind: str | None = None,
               detail: dict[str, Any] | None = None, at: dt.datetime | None = None) -> int:
        """Append one record; call inside the transaction of the import it records (or alone for a refusal)."""
        conn = self._db.db.conn
        last = conn.execute("SELECT hash FROM receipt_log ORDER BY id DESC LIMIT 1").fetchone()
        prev = last[0] if last else GENESIS
        rec: dict[str, Any] = {
            "at": (at or dt.datetime.now().astimezone()).isoformat(timespec="seconds"),
            "file_hash": file_hash, "file_name": file_name, "unit_id": unit_id, "key_id": key_id,
            "sequence": sequence, "kind": kind, "result": result,
            "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
        }
        rec["prev_hash"] = prev
        rec["hash"] = record_hash(prev, rec)
        cols = list(rec)
        cur = conn.execute(f"INSERT INTO receipt_log ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                           [rec[c] for c in cols])
        return cur.lastrowid

    def rows(self) -> Iterator[dict[str, Any]]:
        cur = self._db.db.conn.execute("SELECT * FROM receipt_log ORDER BY id")
        names = [d[0] for d in cur.description]
        for r in cur:
            yield dict(zip(names, r))

    def verify_chain(self) -> int | None:
        """The id of the first record that does not chain, or None when the log is intact."""
        prev = GENESIS
        for r in self.rows():
            if r["prev_hash"] != prev or r["hash"] != record_hash(prev, r):
                return r["id"]
            prev = r["hash"]
        return None

    def head(self) -> str:
        last = self._db.db.conn.execute("SELECT hash FROM receipt_log ORDER BY id DESC LIMIT 1").fetchone()
        return last[0] if last else GENESIS
