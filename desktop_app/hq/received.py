"""Received rows at HQ: reading them for screens and moving them between states.

Every state change goes through ``transition``: it checks the rows' current states, writes in one
transaction and appends one audit record per row (who, when, from, to, why).
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from desktop_app.hq.statuses import STATUS_LABELS, RowStatus, label
from desktop_app.services.errors import NotAllowed, ServiceError
from desktop_app.storage.audit_repo import AuditRepo
from desktop_app.storage.database import Database
from desktop_app.storage.received_repo import ReceivedRepo, RowFilter

log = logging.getLogger(__name__)


def now_iso() -> str:
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class ReceivedRow:
    """One row as the review screen and the CLI show it."""
    data: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        try:
            return self.data[name]
        except KeyError:
            raise AttributeError(name) from None

    @property
    def status_label(self) -> str:
        return label(self.data["status"])

    @property
    def issues(self) -> list[dict[str, Any]]:
        return json.loads(self.data.get("issues") or "[]")

    @property
    def dups(self) -> list[dict[str, Any]]:
        return json.loads(self.data.get("dups") or "[]")

    @property
    def problem_text(self) -> str:
        parts = [i["message"] for i in self.issues] + [d["message"] for d in self.dups]
        return " / ".join(parts)


class ReceivedRows:
    def __init__(self, database: Database):
        self._db = database
        self.repo = ReceivedRepo(database)
        self._audit = AuditRepo(database)

    # ---- reading --------------------------------------------------------------------------
    def query(self, flt: RowFilter | None = None, **kw: Any) -> list[ReceivedRow]:
        return [ReceivedRow(r) for r in self.repo.query(flt or RowFilter(), **kw)]

    def count(self, flt: RowFilter | None = None) -> int:
        return self.repo.count(flt or RowFilter())

    def get(self, rid: int) -> ReceivedRow:
        row = self.repo.row(rid)
        if row is None:
            raise ServiceError(f"行(受付番号{rid})が見つかりません")
        return ReceivedRow(row)

    def many(self, rids: Sequence[int]) -> list[ReceivedRow]:
        rows = {r["rid"]: r for r in self.repo.rows(rids)}
        missing = [r for r in rids if r not in rows]
        if missing:
            raise ServiceError(f"行(受付番号{missing[0]})が見つかりません")
        return [ReceivedRow(rows[r]) for r in rids]

    # ---- state changes ----------------------------------------------------------------------
    def transition(self, rids: Sequence[int], *, allowed: Collection[RowStatus], to: RowStatus,
                   action: str, officer_id: int | None, reason: str | None = None,
                   extra: dict[str, Any] | None = None, require_reason: bool = False) -> list[ReceivedRow]:
        if not rids:
            raise ServiceError("行が選ばれていません")
        if require_reason and not (reason or "").strip():
            raise ServiceError("理由を入力してください")
        rows = self.many(list(dict.fromkeys(rids)))
        bad = [r for r in rows if RowStatus(r.status) not in allowed]
        if bad:
            allowed_txt = "・".join(STATUS_LABELS[s] for s in allowed)
            raise NotAllowed(f"受付番号{bad[0].rid}は「{bad[0].status_label}」のため、この操作はできません"
                             f"(できるのは{allowed_txt}の行)")
        values = {"status": to.value, "decided_by": officer_id, "decided_at": now_iso(), **(extra or {})}
        if reason is not None:
            values["reason"] = reason.strip()
        with self._db.transaction():
            self._write(rows, values, action, officer_id)
        return self.many([r.rid for r in rows])

    def _write(self, rows: list[ReceivedRow], values: dict[str, Any], action: str, officer_id: int | None) -> None:
        self.repo.update_rows([r.rid for r in rows], values)
        for r in rows:
            self._audit.append(action, officer_id=officer_id, entity="hq_row", entity_id=str(r.rid),
                               detail={"from": r.status, "to": values["status"], "reason": values.get("reason"),
                                       "row_id": r.row_id, "account_id": r.account_id,
                                       **{k: v for k, v in values.items() if k in ("hold_until", "batch_id")}})

    def confirm(self, rids: Sequence[int], officer_id: int | None) -> list[ReceivedRow]:
        """受理 → 確認済 (HQ checked it), or 未確認 → 受理 for a hand-filled file a person has checked."""
        rows = self.many(list(rids))
        unconfirmed = [r.rid for r in rows if r.status == RowStatus.UNCONFIRMED]
        received = [r.rid for r in rows if r.status != RowStatus.UNCONFIRMED]
        out = []
        if unconfirmed:
            out += self.transition(unconfirmed, allowed={RowStatus.UNCONFIRMED}, to=RowStatus.RECEIVED,
                                   action="hq.confirm_unsigned", officer_id=officer_id)
        if received:
            errs = [r for r in rows if r.rid in received and r.errors]
            if errs:
                raise NotAllowed(f"受付番号{errs[0].rid}には誤りがあります。差し戻すか保留にしてください")
            out += self.transition(received, allowed={RowStatus.RECEIVED}, to=RowStatus.CONFIRMED,
                                   action="hq.confirm", officer_id=officer_id)
        return out

    def confirm_file(self, file_id: int, officer_id: int | None) -> int:
        """A person confirms a whole hand-filled file at once: its 未確認 rows become 受理."""
        rids = self.repo.rids(RowFilter(file_id=file_id, statuses=(RowStatus.UNCONFIRMED.value,)))
        if not rids:
            raise ServiceError("確認が必要な行はありません")
        self.transition(rids, allowed={RowStatus.UNCONFIRMED}, to=RowStatus.RECEIVED,
                        action="hq.confirm_unsigned", officer_id=officer_id)
        with self._db.transaction():
            self.repo.update_file(file_id, {"status": "imported", "confirmed_by": officer_id, "confirmed_at": now_iso()})
        return len(rids)
