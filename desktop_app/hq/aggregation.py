"""集約: one signed 別添 workbook per day with every 確認済 row, numbered from 1, naming the source
files (unit, sequence, file hash) inside the signed data; its rows become 送付済."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from desktop_app.hq import deadlines as dl
from desktop_app.hq.incoming import HQ_DAILY
from desktop_app.hq.outgoing import OutgoingWriter, WrittenFile
from desktop_app.hq.received import ReceivedRows, now_iso
from desktop_app.hq.statuses import RowStatus
from desktop_app.services.errors import ServiceError
from desktop_app.wareki import format_wareki

log = logging.getLogger(__name__)


@dataclass
class AggregateResult:
    day: dt.date
    written: WrittenFile
    rows: int
    sources: list[dict[str, Any]]
    deadline: dl.BatchDeadline

    def to_json(self) -> dict[str, Any]:
        return {"day": self.day.isoformat(), "path": str(self.written.path), "file_hash": self.written.file_hash,
                "sequence": self.written.sequence, "batch_id": self.written.batch_id, "rows": self.rows,
                "sources": self.sources, "deadline": self.deadline.deadline.isoformat(timespec="minutes"),
                "deadline_state": self.deadline.state, "message": self.deadline.message}


def row_for_file(r: dict[str, Any], number: int) -> dict[str, Any]:
    """A received row as the exchange writer takes it (form keys + the stable id)."""
    return {"number": number, "row_id": r["row_id"], "account_id": r["account_id_raw"] or r["account_id"],
            "account_id_normalized": r["account_id"], "user_name": r["user_name"], "organization": r["organization"],
            "case_type": r["case_type"], "refinement": r["refinement"], "station": r["station"],
            "recognized_on": r["recognized_on"] or r["recognized_on_text"], "reason": r.get("reason")}


class AggregationService:
    def __init__(self, rows: ReceivedRows, writer: OutgoingWriter, calendar: Callable, *,
                 now: Callable[[], dt.datetime], warn_hours: Callable[[], float], officer_name: Callable[[int | None], str]):
        self._rows = rows
        self._writer = writer
        self._calendar = calendar
        self._now = now
        self._warn_hours = warn_hours
        self._officer_name = officer_name

    def candidates(self, day: dt.date) -> list[dict[str, Any]]:
        """確認済 rows received on or before ``day`` (held rows are not 確認済, so they stay out)."""
        return self._rows.repo.confirmed_rows_through(day.isoformat())

    def deadline(self, day: dt.date) -> dl.BatchDeadline:
        pending = self._rows.repo.confirmed_days().get(day.isoformat(), 0)
        return dl.classify(self._calendar(), day, pending, self._now(), self._warn_hours())

    def deadlines(self) -> list[dl.BatchDeadline]:
        return dl.pending_deadlines(self._calendar(), self._rows.repo.confirmed_days(), self._now(), self._warn_hours())

    def aggregate(self, day: dt.date, out: Path | str, *, officer_id: int | None) -> AggregateResult:
        rows = self.candidates(day)
        if not rows:
            raise ServiceError(f"{format_wareki(day)}までに受理した確認済の行はありません(集約するものがありません)")
        deadline = self.deadline(day)
        file_ids = sorted({r["file_id"] for r in rows})
        files = {f: self._rows.repo.file(f) for f in file_ids}
        sources = [{"unit_id": f["unit_id"], "unit_name": f["unit_name"], "sequence": f["sequence"],
                    "file_hash": f["file_hash"], "file_name": f["file_name"], "signed": bool(f["signed"]),
                    "rows": sum(1 for r in rows if r["file_id"] == fid)}
                   for fid, f in files.items()]
        out_rows = [row_for_file(r, n) for n, r in enumerate(rows, start=1)]
        written = self._writer.write(Path(out), kind=HQ_DAILY, rows=out_rows,
                                     metadata={"day": day.isoformat(), "sources": sources,
                                               "deadline": deadline.deadline.isoformat(timespec="minutes")})
        sent_at = now_iso()
        try:
            with self._rows._db.transaction():
                self._rows.repo.update_rows([r["rid"] for r in rows], {
                    "status": RowStatus.SENT.value, "batch_day": day.isoformat(), "batch_id": written.batch_id,
                    "sent_at": sent_at, "sent_by": self._officer_name(officer_id),
                    "decided_by": officer_id, "decided_at": sent_at})
                self._rows.repo.insert_batch({
                    "kind": HQ_DAILY, "day": day.isoformat(), "batch_id": written.batch_id, "file_name": written.path.name,
                    "file_hash": written.file_hash, "rows": len(rows), "created_at": sent_at, "created_by": officer_id,
                    "deadline": deadline.deadline.isoformat(timespec="minutes")})
                self._rows._audit.append("hq.aggregate", officer_id=officer_id, entity="hq_batch", entity_id=written.batch_id,
                                         detail={"day": day.isoformat(), "rows": len(rows), "file": written.path.name,
                                                 "hash": written.file_hash, "sources": len(sources),
                                                 "deadline_state": deadline.state})
        except Exception:
            # the rows are not marked sent, so the file must not exist either
            Path(out).unlink(missing_ok=True)
            raise
        log.info("aggregated %d rows for %s into %s", len(rows), day, out)
        return AggregateResult(day, written, len(rows), sources, deadline)
