"""The append-only, hash-chained audit log (triggers forbid UPDATE and DELETE)."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from desktop_app.storage.database import Database

GENESIS = "0" * 64


def _record_hash(prev_hash: str, record: dict[str, Any]) -> str:
    body = json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


class AuditRepo:
    def __init__(self, database: Database):
        self._db = database

    def append(self, action: str, *, officer_id: int | None = None, entity: str = "",
               entity_id: str = "", detail: dict[str, Any] | None = None, at: dt.datetime | None = None) -> int:
        """Append one record; call inside the transaction of the change it records."""
        prev = self._db.scalar("SELECT hash FROM audit_log ORDER BY id DESC LIMIT 1") or GENESIS
        record = {
            "at": (at or dt.datetime.now().astimezone()).isoformat(timespec="seconds"),
            "officer_id": officer_id,
            "action": action,
            "entity": entity,
            "entity_id": str(entity_id),
            "detail": json.dumps(detail or {}, ensure_ascii=False, sort_keys=True),
        }
        record["prev_hash"] = prev
        record["hash"] = _record_hash(prev, {k: record[k] for k in record if k not in ("prev_hash", "hash")})
        # a plain INSERT: signing in appends here, and start-up should not wait for sqlite-utils
        cols = ", ".join(record)
        marks = ", ".join("?" * len(record))
        return self._db.conn.execute(f"INSERT INTO audit_log ({cols}) VALUES ({marks})", list(record.values())).lastrowid

    def rows(self, *, entity_id: str | None = None, action_prefix: str | None = None) -> Iterator[dict[str, Any]]:
        where, args = [], []
        if entity_id is not None:
            where.append("entity_id = ?")
            args.append(str(entity_id))
        if action_prefix:
            where.append("action LIKE ?")
            args.append(action_prefix + "%")
        for r in self._db.db["audit_log"].rows_where(" AND ".join(where) or None, args, order_by="id"):
            r = dict(r)
            r["detail"] = json.loads(r["detail"] or "{}")
            yield r

    def verify_chain(self) -> int | None:
        """Return the id of the first record whose hash does not chain, or None when intact."""
        prev = GENESIS
        for r in self._db.db["audit_log"].rows_where(order_by="id"):
            fields = {k: r[k] for k in ("at", "officer_id", "action", "entity", "entity_id", "detail")}
            if r["prev_hash"] != prev or r["hash"] != _record_hash(prev, fields):
                return r["id"]
            prev = r["hash"]
        return None
