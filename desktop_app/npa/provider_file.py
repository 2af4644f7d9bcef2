"""The file for LINE WORKS Corp.: every new account once, with 都道府県 as a column, signed.

One line per account not yet sent to the provider (a national duplicate appears once, its 都道府県
cell naming every prefecture that asked; the other 別添 cells are those of the earliest report). Rows
whose account is already with the provider are recorded as requested (they count in their
prefecture's figures) but not sent again. When prefectures reported mistaken requests for accounts
already sent, a separate signed withdrawal list (取下げ依頼) is written beside the file.

The workbook goes through the exchange writer and this unit's key like every other export
(``NpaWriter`` is HQ's ``OutgoingWriter`` with the extra columns these kinds need).
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.exchange.workbook_writer import ColumnSpec
from desktop_app.hq.outgoing import OutgoingWriter, WrittenFile
from desktop_app.hq.received import now_iso
from desktop_app.hq.statuses import RowStatus
from desktop_app.npa.national import NationalService
from desktop_app.services.errors import ServiceError
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.outcomes_repo import OutcomesRepo
from desktop_app.storage.received_repo import ReceivedRepo
from desktop_app.wareki import format_wareki

log = logging.getLogger(__name__)

PROVIDER_KIND = "npa_provider"
WITHDRAWAL_LIST = "withdrawal"
PREFECTURE_COLUMN = ColumnSpec("prefecture", "都道府県", "text", 14)
# Extra dates are shown as 和暦 text: the reader checks only the form's own date column as a date.
WITHDRAWAL_COLUMNS = [PREFECTURE_COLUMN, ColumnSpec("requested_on_text", "依頼日", "text", 16),
                      ColumnSpec("reason", "取下げ理由", "text", 30)]


class NpaWriter(OutgoingWriter):
    """HQ's writer (sequence numbers, key, export record) with a choice of extra columns and title."""

    def write_document(self, path: Path, *, kind: str, rows: Sequence[Mapping[str, Any]],
                       extra_columns: Sequence[ColumnSpec] = (), title: str | None = None,
                       metadata: dict[str, Any] | None = None, target_unit: str | None = None) -> WrittenFile:
        return self.write(path, kind=kind, rows=rows, metadata=metadata, target_unit=target_unit,
                          extra_columns=tuple(extra_columns), title=title)


@dataclass
class ProviderResult:
    path: str | None
    accounts: int
    rows: int
    already_sent: int
    skipped: list[dict[str, Any]] = field(default_factory=list)
    withdrawal_path: str | None = None
    withdrawals: int = 0
    file_hash: str | None = None
    batch_id: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "accounts": self.accounts, "rows": self.rows, "already_sent": self.already_sent,
                "skipped": self.skipped, "withdrawal_path": self.withdrawal_path, "withdrawals": self.withdrawals,
                "file_hash": self.file_hash, "batch_id": self.batch_id}


def _line(r: Mapping[str, Any], prefectures: str) -> dict[str, Any]:
    # The provider looks accounts up by the normalised ID (LINE WORKS IDs are lower case); the
    # typed form travels beside it in the signed metadata.
    return {"row_id": r["row_id"], "prefecture": prefectures, "account_id": r["account_id"],
            "account_id_raw": r["account_id_raw"], "user_name": r["user_name"], "organization": r["organization"],
            "case_type": r["case_type"], "refinement": r["refinement"], "station": r["station"],
            "recognized_on": r["recognized_on"], "recognized_on_text": r.get("recognized_on_text"),
            "prefecture_code": r["prefecture_code"]}


def _request_row(r: Mapping[str, Any], day: str, batch_id: str) -> dict[str, Any]:
    return {"row_id": r["row_id"], "account_id": r["account_id"], "account_id_raw": r["account_id_raw"],
            "user_name": r["user_name"], "organization": r["organization"], "case_type": r["case_type"],
            "refinement": r["refinement"], "prefecture_code": r["prefecture_code"], "prefecture": r["prefecture"],
            "station": r["station"], "recognized_on": r["recognized_on"], "requested_on": day,
            "provider_file": batch_id, "received_from": "npa"}


class ProviderFileService:
    def __init__(self, database: Database, writer: NpaWriter, *, today: Callable[[], dt.date] = dt.date.today):
        self._db = database
        self._writer = writer
        self._today = today
        self.national = NationalService(database, today=today)
        self.outcomes = OutcomesRepo(database)
        self._received = ReceivedRepo(database)
        self._audit = AuditRepo(database)

    def plan(self) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
        """(lines for the provider, rows of accounts already sent, rows left out with errors, all rows to record)."""
        rows = [r for r in self.national.rows() if r["row_id"]]
        sent = self.outcomes.sent_accounts()
        sent_rows = self.outcomes.sent_row_ids()
        skipped = [r for r in rows if (r.get("errors") or 0) > 0 or not r.get("account_id")]
        usable = [r for r in rows if r not in skipped and r["row_id"] not in sent_rows]
        by_account: dict[str, list[dict[str, Any]]] = {}
        for r in usable:
            by_account.setdefault(r["account_id"], []).append(r)
        lines, already = [], []
        for acc, group in by_account.items():
            if acc in sent:
                already += group
                continue
            group.sort(key=lambda r: (r.get("recognized_on") or "9999", r.get("received_at") or ""))
            # every prefecture that asked, in JIS code order (as the statistics list them)
            prefs = dict(sorted({r["prefecture_code"] or "": r["prefecture"] for r in group}.items()))
            lines.append(_line(group[0], "・".join(prefs.values())))
        lines.sort(key=lambda line: (line["prefecture_code"] or "", line["recognized_on"] or ""))
        for n, line in enumerate(lines, start=1):
            line["number"] = n
        return lines, already, skipped, usable

    def write(self, out: str | Path, *, officer_id: int | None) -> ProviderResult:
        out = Path(out)
        lines, already, skipped, usable = self.plan()
        pending_withdrawals = self.outcomes.pending_withdrawals()
        if not usable and not pending_withdrawals:
            raise ServiceError("事業者に送る新しいアカウントも取下げもありません")
        day = self._today().isoformat()
        res = ProviderResult(None, len(lines), len(usable), len(already),
                             skipped=[{"row_id": r["row_id"], "prefecture": r["prefecture"], "station": r["station"],
                                       "account_id": r["account_id_raw"] or r["account_id"],
                                       "message": "行に誤りがあるため送付していません"} for r in skipped])
        written = None
        if lines:
            written = self._writer.write_document(
                out, kind=PROVIDER_KIND, rows=lines, extra_columns=[PREFECTURE_COLUMN],
                metadata={"day": day, "list": "new_accounts", "rows_recorded": len(usable),
                          "already_sent": len(already)})
            res.path, res.file_hash, res.batch_id = str(written.path), written.file_hash, written.batch_id
        batch_id = written.batch_id if written else f"no-file-{day}"
        try:
            with self._db.transaction():
                if usable:
                    self.outcomes.upsert_requests(_request_row(r, day, batch_id) for r in usable)
                    self._received.update_rows([r["rid"] for r in usable], {
                        "status": RowStatus.SENT.value, "batch_day": day, "batch_id": batch_id, "sent_at": now_iso(),
                        "decided_by": officer_id, "decided_at": now_iso()})
                if written:
                    self.outcomes.add_file(batch_id, PROVIDER_KIND, created_at=now_iso(), file_name=out.name,
                                           sha256=written.file_hash, rows=len(lines),
                                           detail={"rows_recorded": len(usable), "already_sent": len(already)})
                self._audit.append("npa.provider_file", officer_id=officer_id, entity="provider_file", entity_id=batch_id,
                                   detail={"accounts": len(lines), "rows": len(usable), "already_sent": len(already),
                                           "skipped": len(skipped), "file": out.name if written else None})
        except Exception:
            if written:
                out.unlink(missing_ok=True)  # not recorded as sent, so the file must not exist either
            raise
        if pending_withdrawals:
            wpath = out.with_name(out.stem + "_取下げ" + (out.suffix or ".xlsx"))
            w = self.write_withdrawals(wpath, officer_id=officer_id)
            res.withdrawal_path, res.withdrawals = str(w.path), w.rows
        log.info("provider file: %d accounts (%d rows, %d already sent, %d skipped)", len(lines), len(usable),
                 len(already), len(skipped))
        return res

    def write_withdrawals(self, out: str | Path, *, officer_id: int | None) -> WrittenFile:
        """The signed withdrawal list: accounts sent to the provider and since reported as 誤依頼."""
        out = Path(out)
        pending = self.outcomes.pending_withdrawals()
        if not pending:
            raise ServiceError("取下げを依頼する誤依頼はありません")
        # An account is withdrawn only when every request for it is mistaken; otherwise it stays.
        live = {}
        for r in self.outcomes.requests(where="mistaken_on IS NULL"):
            live.setdefault(r["account_id"], []).append(r)
        rows, seen = [], set()
        for r in pending:
            if r["account_id"] in live or r["account_id"] in seen:
                continue
            seen.add(r["account_id"])
            rows.append({"row_id": r["row_id"], "number": len(rows) + 1, "prefecture": r["prefecture"],
                         "account_id": r["account_id"], "account_id_raw": r["account_id_raw"],
                         "user_name": r["user_name"], "organization": r["organization"], "case_type": r["case_type"],
                         "refinement": r["refinement"],
                         "station": r["station"], "recognized_on": r["recognized_on"], "requested_on": r["requested_on"],
                         "requested_on_text": format_wareki(r["requested_on"]), "reason": r["mistaken_reason"] or "誤依頼"})
        day = self._today().isoformat()
        if not rows:
            # every mistaken row's account is still asked for by another report: nothing to withdraw
            with self._db.transaction():
                self.outcomes.mark_withdrawn([r["row_id"] for r in pending], day, "not-needed")
            raise ServiceError("誤依頼のアカウントは他の都道府県からも依頼されているため、取下げは不要です")
        written = self._writer.write_document(
            out, kind=PROVIDER_KIND, rows=rows, extra_columns=WITHDRAWAL_COLUMNS,
            title="LINE WORKSの犯行利用アカウント情報(取下げ依頼)", metadata={"day": day, "list": WITHDRAWAL_LIST})
        try:
            with self._db.transaction():
                self.outcomes.mark_withdrawn([r["row_id"] for r in pending], day, written.batch_id)
                self.outcomes.add_file(written.batch_id, WITHDRAWAL_LIST, created_at=now_iso(), file_name=out.name,
                                       sha256=written.file_hash, rows=len(rows))
                self._audit.append("npa.withdrawal_file", officer_id=officer_id, entity="provider_file",
                                   entity_id=written.batch_id, detail={"accounts": len(rows), "file": out.name})
        except Exception:
            out.unlink(missing_ok=True)
            raise
        return written
