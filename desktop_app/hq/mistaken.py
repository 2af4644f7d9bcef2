"""誤依頼 (mistaken request): when an investigation shows an account was not used in crime, the row
is marked and a signed mistaken-request report is written at once — separate from the daily
batch (circular 4(3)). HQ reports to the NPA; a station reports to HQ the same way, and HQ's
import of a station's report produces HQ's own report for the NPA immediately."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from desktop_app.entry import Status
from desktop_app.hq.aggregation import row_for_file
from desktop_app.hq.incoming import MISTAKEN_REQUEST
from desktop_app.hq.outgoing import OutgoingWriter, WrittenFile
from desktop_app.hq.received import ReceivedRows, now_iso
from desktop_app.hq.statuses import RowStatus
from desktop_app.services.errors import NotAllowed, ServiceError
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.entries_repo import EntriesRepo
from desktop_app.storage.station_returns_repo import MISTAKEN_REPORTED, StationReturnsRepo

log = logging.getLogger(__name__)

MARKABLE = frozenset({RowStatus.RECEIVED, RowStatus.CONFIRMED, RowStatus.HELD, RowStatus.SENT, RowStatus.UNCONFIRMED})


def report_name(prefix: str = "誤依頼報告") -> str:
    return f"{prefix}_{dt.datetime.now():%Y%m%d-%H%M%S}.xlsx"


class MistakenService:
    """HQ side."""

    def __init__(self, rows: ReceivedRows, writer: OutgoingWriter):
        self._rows = rows
        self._writer = writer

    def report(self, rids: Sequence[int], *, reason: str, officer_id: int | None, out: Path | str) -> WrittenFile:
        if not (reason or "").strip():
            raise ServiceError("誤依頼の理由を入力してください")
        rows = self._rows.many(list(dict.fromkeys(rids)))
        bad = [r for r in rows if RowStatus(r.status) not in MARKABLE]
        if bad:
            raise NotAllowed(f"受付番号{bad[0].rid}は「{bad[0].status_label}」のため誤依頼にできません")
        return self._write_and_mark(rows, reason.strip(), officer_id, Path(out), mark=True)

    def report_marked(self, rids: Sequence[int], *, officer_id: int | None, out: Path | str) -> WrittenFile:
        """Rows already marked 誤依頼 (by a station's report): write HQ's report for the NPA."""
        rows = self._rows.many(list(rids))
        return self._write_and_mark(rows, None, officer_id, Path(out), mark=False)

    def _write_and_mark(self, rows, reason: str | None, officer_id: int | None, out: Path, *, mark: bool) -> WrittenFile:
        out_rows = []
        for n, r in enumerate(rows, start=1):
            d = row_for_file(r.data, n)
            d["reason"] = reason or r.reason
            d["sent_on"] = r.batch_day
            out_rows.append(d)
        written = self._writer.write(out, kind=MISTAKEN_REQUEST, rows=out_rows,
                                     metadata={"reason": reason, "rows": [
                                         {"row_id": r.row_id, "sent_batch": r.batch_id, "sent_on": r.batch_day}
                                         for r in rows]})
        try:
            if mark:
                self._rows.transition([r.rid for r in rows], allowed=MARKABLE, to=RowStatus.MISTAKEN,
                                      action="hq.mistaken", officer_id=officer_id, reason=reason)
            with self._rows._db.transaction():
                self._rows.repo.insert_batch({
                    "kind": MISTAKEN_REQUEST, "day": dt.date.today().isoformat(), "batch_id": written.batch_id,
                    "file_name": written.path.name, "file_hash": written.file_hash, "rows": len(rows),
                    "created_at": now_iso(), "created_by": officer_id})
                self._rows._audit.append("hq.mistaken_report", officer_id=officer_id, entity="hq_batch",
                                         entity_id=written.batch_id,
                                         detail={"rows": [r.rid for r in rows], "file": written.path.name,
                                                 "hash": written.file_hash})
        except Exception:
            out.unlink(missing_ok=True)
            raise
        return written


class StationMistakenService:
    """Station side: report exported rows to HQ as 誤依頼 (the entries keep their state; the report
    is recorded beside them)."""

    def __init__(self, database: Database, writer: OutgoingWriter):
        self._db = database
        self._entries = EntriesRepo(database)
        self._audit = AuditRepo(database)
        self._returns = StationReturnsRepo(database)
        self._writer = writer

    def report(self, entry_ids: Sequence[str], *, reason: str, officer_id: int | None, out: Path | str) -> WrittenFile:
        if not (reason or "").strip():
            raise ServiceError("誤依頼の理由を入力してください")
        rows: list[dict[str, Any]] = []
        for n, eid in enumerate(entry_ids, start=1):
            e = self._entries.get(eid)
            if e is None:
                raise ServiceError(f"行({eid})が見つかりません")
            if e["status"] != Status.EXPORTED.value:
                raise NotAllowed("本部へ送付済みの行だけを誤依頼として報告できます")
            rows.append({"number": n, "row_id": e["id"], "account_id": e["account_id_raw"] or e["account_id"],
                         "user_name": e["user_name"], "organization": e["organization"], "case_type": e["case_type"],
                         "refinement": e["refinement"], "station": e["station"],
                         "recognized_on": e["recognized_on"] or e["recognized_on_text"], "reason": reason.strip()})
        written = self._writer.write(Path(out), kind=MISTAKEN_REQUEST, rows=rows, metadata={"reason": reason.strip()})
        now = now_iso()
        with self._db.transaction():
            for r in rows:
                self._returns.record(r["row_id"], kind=MISTAKEN_REPORTED, reason=reason.strip(),
                                     file_hash=written.file_hash, from_unit=None, returned_at=now)
                self._audit.append("entry.mistaken_reported", officer_id=officer_id, entity="entry",
                                   entity_id=r["row_id"], detail={"reason": reason.strip(), "file": written.path.name,
                                                                  "hash": written.file_hash})
        return written
