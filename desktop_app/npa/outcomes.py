"""What the provider did with each requested account: 利用停止, 削除, 措置なし, 確認中.

Entered by hand (``set_outcome``) or imported from the provider's result workbook
(``import_result_workbook``: all rows or none, one transaction, the same file never twice). Outcomes
then flow back down as signed files (see ``outcome_files``) so HQ and stations see what happened.
Every change is audited.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.exchange.errors import ExchangeRefused, FileProblem
from desktop_app.normalize import normalize_account_id
from desktop_app.npa.outcome_kinds import OUTCOME_LABELS, Outcome, choices_text, parse_outcome
from desktop_app.npa.result_workbook import read_result_workbook
from desktop_app.services.errors import ServiceError
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.outcomes_repo import OutcomesRepo
from desktop_app.wareki import WarekiError, format_wareki, parse_date

log = logging.getLogger(__name__)

RESULT_IMPORT = "result_import"


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class ResultImport:
    path: str
    status: str  # imported | already_imported | refused
    rows: int = 0
    changed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "rows": self.rows, "changed": self.changed,
                "errors": self.errors, "warnings": self.warnings}


class OutcomeService:
    def __init__(self, database: Database, *, today: Callable[[], dt.date] = dt.date.today):
        self._db = database
        self.repo = OutcomesRepo(database)
        self._audit = AuditRepo(database)
        self._today = today

    # ---- by hand ---------------------------------------------------------------------------
    def set_outcome(self, account_text: str, outcome_text: str, day: str | dt.date | None = None, *,
                    officer_id: int | None, note: str | None = None) -> dict[str, Any]:
        account = normalize_account_id(account_text)
        if not account:
            raise ServiceError("アカウントIDを入力してください")
        first = self.repo.sent_accounts().get(account)
        if first is None:
            raise ServiceError(f"アカウントID「{account}」は事業者に依頼していません(依頼済みのアカウントにだけ結果を記録できます)")
        outcome = parse_outcome(outcome_text)
        if outcome is None:
            raise ServiceError(f"結果「{outcome_text}」は {choices_text()} のいずれかで指定してください")
        when = self._check_day(day, outcome, first)
        with self._db.transaction():
            before = self.repo.outcome(account)
            self.repo.set_outcome(account, outcome.value, when, recorded_at=now_iso(), recorded_by=officer_id,
                                  source="hand", note=note)
            self._audit.append("npa.outcome.set", officer_id=officer_id, entity="account", entity_id=account,
                               detail={"outcome": outcome.value, "outcome_on": when, "note": note,
                                       "before": {k: before[k] for k in ("outcome", "outcome_on")} if before else None})
        log.info("outcome of %s set to %s", account, outcome.value)
        return self.repo.outcome(account)

    def _check_day(self, day: str | dt.date | None, outcome: Outcome, requested_on: str) -> str | None:
        if day in (None, ""):
            if outcome == Outcome.PENDING:
                return None
            day = self._today()
        try:
            when = parse_date(day, today=self._today())
        except WarekiError as exc:
            raise ServiceError(f"日付: {exc}") from None
        if when > self._today():
            raise ServiceError(f"日付 {format_wareki(when)} は未来の日付です")
        if when.isoformat() < requested_on:
            raise ServiceError(f"日付 {format_wareki(when)} は依頼日({format_wareki(requested_on)})より前です")
        return when.isoformat()

    # ---- the provider's result workbook -----------------------------------------------------
    def import_result_workbook(self, path: str | Path, *, officer_id: int | None) -> ResultImport:
        path = Path(path)
        res = ResultImport(str(path), "refused")
        try:
            sha = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError as exc:
            res.errors.append(FileProblem(path.name, f"ファイルを読めません({exc.strerror or exc})").to_dict())
            return res
        if self.repo.has_file_hash(sha):
            res.status = "already_imported"
            res.warnings.append("同じ内容の結果ファイルは取り込み済みです。何も変更しませんでした")
            return res
        try:
            rows, warnings = read_result_workbook(path, today=self._today())
        except ExchangeRefused as exc:
            res.errors = [p.to_dict() for p in exc.problems]
            return res
        res.warnings += warnings
        sent = self.repo.sent_accounts()
        problems = []
        for r in rows:
            first = sent.get(r.account_id)
            if first is None:
                problems.append(FileProblem(path.name, f"アカウントID「{r.account_id_raw}」は事業者に依頼していません",
                                            sheet=r.sheet, row=r.row, column_label="アカウントID"))
            elif r.outcome_on and r.outcome_on.isoformat() < first:
                problems.append(FileProblem(path.name, f"日付が依頼日({format_wareki(first)})より前です",
                                            sheet=r.sheet, row=r.row, column_label="日付"))
        if problems:
            res.errors = [p.to_dict() for p in problems]
            return res
        if not rows:
            res.errors.append(FileProblem(path.name, "結果の行がありません").to_dict())
            return res
        recorded_at = now_iso()
        current = self.repo.outcomes()
        with self._db.transaction():
            for r in rows:
                day = r.outcome_on.isoformat() if r.outcome_on else None
                before = current.get(r.account_id)
                if before and (before["outcome"], before["outcome_on"]) == (r.outcome.value, day):
                    continue
                self.repo.set_outcome(r.account_id, r.outcome.value, day, recorded_at=recorded_at,
                                      recorded_by=officer_id, source=f"file:{sha[:16]}")
                res.changed += 1
            self.repo.add_file(str(uuid.uuid4()), RESULT_IMPORT, created_at=recorded_at, file_name=path.name,
                               sha256=sha, rows=len(rows))
            self._audit.append("npa.outcome.import", officer_id=officer_id, entity="file", entity_id=sha,
                               detail={"file": path.name, "rows": len(rows), "changed": res.changed})
        res.status, res.rows = "imported", len(rows)
        log.info("imported %d outcomes (%d changed) from %s", len(rows), res.changed, path.name)
        return res

    # ---- reading ------------------------------------------------------------------------------
    def rows(self, **kw: Any) -> list[dict[str, Any]]:
        """Every request row with its account's outcome, for screens and exports."""
        return self.repo.requests_with_outcomes(**kw)

    @staticmethod
    def labels() -> dict[str, str]:
        return {o.value: label for o, label in OUTCOME_LABELS.items()}
