"""保留 (hold): rows whose sending would hinder an investigation leave the daily cycle, with a
reason and a review date, until someone releases them; both steps are in the audit log."""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence

from desktop_app.hq.received import ReceivedRow, ReceivedRows
from desktop_app.hq.statuses import RowStatus
from desktop_app.services.errors import ServiceError
from desktop_app.storage.received_repo import RowFilter
from desktop_app.wareki import WarekiError, format_wareki, parse_date

log = logging.getLogger(__name__)


class HoldService:
    def __init__(self, rows: ReceivedRows, today=dt.date.today):
        self._rows = rows
        self._today = today

    def hold(self, rids: Sequence[int], *, reason: str, review_on: str | dt.date, officer_id: int | None) -> list[ReceivedRow]:
        try:
            day = review_on if isinstance(review_on, dt.date) else parse_date(str(review_on), today=self._today())
        except WarekiError as exc:
            raise ServiceError(f"見直し日: {exc}") from None
        if day < self._today():
            raise ServiceError(f"見直し日({format_wareki(day)})が過去の日付です")
        return self._rows.transition(
            rids, allowed={RowStatus.RECEIVED, RowStatus.CONFIRMED, RowStatus.UNCONFIRMED}, to=RowStatus.HELD,
            action="hq.hold", officer_id=officer_id, reason=reason, require_reason=True,
            extra={"hold_until": day.isoformat()})

    def release(self, rids: Sequence[int], *, officer_id: int | None, note: str = "") -> list[ReceivedRow]:
        """Back to 確認済: the row joins the next daily batch (it was checked before it was held)."""
        return self._rows.transition(
            rids, allowed={RowStatus.HELD}, to=RowStatus.CONFIRMED, action="hq.release",
            officer_id=officer_id, reason=("保留解除" + (f": {note.strip()}" if note.strip() else "")),
            extra={"hold_until": None})

    def held(self) -> list[ReceivedRow]:
        return self._rows.query(RowFilter(statuses=(RowStatus.HELD.value,)), order_by="rid", limit=100_000)

    def due_for_review(self) -> list[ReceivedRow]:
        today = self._today().isoformat()
        return [r for r in self.held() if r.hold_until and r.hold_until <= today]
