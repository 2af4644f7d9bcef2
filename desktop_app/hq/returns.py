"""差戻し (return): HQ marks rows wrong with a reason and writes a signed return file per station;
the station imports it and those rows become Status.RETURNED with the reason, so they are
corrected, go through dual entry again and come back in a later export (replacing the returned
row at HQ: same stable row id)."""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.entry import STATUS_LABELS, Status
from desktop_app.exchange.errors import ExchangeRefused, FileProblem
from desktop_app.hq.aggregation import row_for_file
from desktop_app.hq.incoming import RETURN, IncomingFile
from desktop_app.hq.outgoing import OutgoingWriter, WrittenFile
from desktop_app.hq.received import ReceivedRows
from desktop_app.hq.statuses import RowStatus
from desktop_app.services.errors import ServiceError
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.entries_repo import EntriesRepo
from desktop_app.storage.station_returns_repo import RETURNED_BY_HQ, StationReturnsRepo

log = logging.getLogger(__name__)

# A station may have exported the row or (not yet exported) still hold it verified.
RETURNABLE_AT_STATION = frozenset({Status.EXPORTED, Status.VERIFIED, Status.RETURNED})


@dataclass
class ReturnResult:
    files: list[WrittenFile] = field(default_factory=list)
    rows: int = 0
    without_file: list[int] = field(default_factory=list)  # hand-filled rows: tell the station another way

    def to_json(self) -> dict[str, Any]:
        return {"rows": self.rows, "files": [{"path": str(w.path), "unit": w.target_unit, "rows": w.rows,
                                              "file_hash": w.file_hash, "sequence": w.sequence} for w in self.files],
                "rows_without_file": self.without_file}


def _safe(text: str | None) -> str:
    return re.sub(r"[^\w\-]+", "_", text or "unknown")[:40]


class ReturnService:
    def __init__(self, rows: ReceivedRows, writer: OutgoingWriter):
        self._rows = rows
        self._writer = writer

    def return_rows(self, rids: Sequence[int], *, reason: str, officer_id: int | None, out_dir: Path | str) -> ReturnResult:
        if not (reason or "").strip():
            raise ServiceError("差戻しの理由を入力してください")
        rows = self._rows.many(list(dict.fromkeys(rids)))
        allowed = {RowStatus.RECEIVED, RowStatus.CONFIRMED, RowStatus.UNCONFIRMED, RowStatus.HELD}
        bad = [r for r in rows if RowStatus(r.status) not in allowed]
        if bad:
            raise ServiceError(f"受付番号{bad[0].rid}は「{bad[0].status_label}」のため差し戻せません")
        by_unit: dict[str, list] = {}
        result = ReturnResult()
        for r in rows:
            if r.unit_id and r.row_id:
                by_unit.setdefault(r.unit_id, []).append(r)
            else:
                result.without_file.append(r.rid)
        out_dir = Path(out_dir)
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        written: list[WrittenFile] = []
        try:
            for unit, unit_rows in by_unit.items():
                out_rows = [{**row_for_file(r.data, n), "reason": reason.strip()} for n, r in enumerate(unit_rows, start=1)]
                written.append(self._writer.write(out_dir / f"差戻し_{_safe(unit)}_{stamp}.xlsx", kind=RETURN,
                                                  rows=out_rows, target_unit=unit,
                                                  metadata={"reason": reason.strip(),
                                                            "returned_rows": [r.row_id for r in unit_rows]}))
            self._rows.transition([r.rid for r in rows], allowed=allowed, to=RowStatus.RETURNED, action="hq.return",
                                  officer_id=officer_id, reason=reason)
        except Exception:
            for w in written:
                w.path.unlink(missing_ok=True)
            raise
        with self._rows._db.transaction():
            for w in written:
                self._rows.repo.insert_batch({"kind": RETURN, "day": dt.date.today().isoformat(), "batch_id": w.batch_id,
                                              "file_name": w.path.name, "file_hash": w.file_hash, "rows": w.rows,
                                              "created_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
                                              "created_by": officer_id, "target_unit": w.target_unit})
        result.files = written
        result.rows = len(rows)
        return result


def apply_return_at_station(database: Database, doc: IncomingFile, officer_id: int | None) -> int:
    """Station side, inside the importer's transaction: the rows HQ returned become 差戻し with the reason.

    Every row must be one of ours; otherwise the whole file is refused (all-or-nothing).
    """
    entries = EntriesRepo(database)
    audit = AuditRepo(database)
    returns = StationReturnsRepo(database)
    problems = []
    targets = []
    for r in doc.rows:
        entry = entries.get(r.row_id) if r.row_id else None
        if entry is None:
            problems.append(FileProblem(doc.path.name, f"差し戻された行(番号{r.position})はこの警察署の行ではありません",
                                        row=r.sheet_row))
        elif Status(entry["status"]) not in RETURNABLE_AT_STATION:
            problems.append(FileProblem(doc.path.name, f"差し戻された行(番号{r.position})は「{STATUS_LABELS[Status(entry['status'])]}」"
                                        "のため差戻しを反映できません", row=r.sheet_row))
        else:
            targets.append((r, entry))
    if problems:
        raise ExchangeRefused(doc.path.name, problems, signed=True)
    now = dt.datetime.now().astimezone().isoformat(timespec="seconds")
    reason_default = doc.metadata.get("reason") if isinstance(doc.metadata, dict) else None
    for r, entry in targets:
        reason = r.reason or reason_default or "本部から差戻し"
        # Cleared so the corrected row can go out again in a later export (the audit keeps the old one).
        entries.update(entry["id"], {"status": Status.RETURNED.value, "verified_by": None, "verified_at": None,
                                     "export_id": None, "exported_at": None, "updated_at": now})
        returns.record(entry["id"], kind=RETURNED_BY_HQ, reason=reason, file_hash=doc.file_hash,
                       from_unit=doc.unit_id, returned_at=now)
        audit.append("entry.returned", officer_id=officer_id, entity="entry", entity_id=entry["id"],
                     detail={"reason": reason, "status_before": entry["status"], "file": doc.path.name,
                             "previous_export_id": entry.get("export_id"),
                             "file_hash": doc.file_hash, "from_unit": doc.unit_id})
    return len(targets)


def return_reasons(database: Database, entry_id: str) -> list[dict[str, Any]]:
    """Station side: why HQ returned this row (latest last), for the entry screen."""
    return StationReturnsRepo(database).for_entry(entry_id)
