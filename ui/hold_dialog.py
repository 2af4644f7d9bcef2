"""保留: the selected rows leave the daily batches until released; a reason and a review date."""
from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QFormLayout

from ui.reason_form import ReasonDialog

log = logging.getLogger(__name__)
DEFAULT_REVIEW_DAYS = 14


class HoldDialog(ReasonDialog):
    def __init__(self, hq, rows, officer_id: int | None, parent=None):
        super().__init__(hq, officer_id, parent)
        self.setWindowTitle(self.tr("保留"))
        self.resize(520, 420)
        self.held = []
        today = hq.ctx.today()
        self.review = QDateEdit()
        self.review.setObjectName("reviewDate")
        self.review.setCalendarPopup(True)
        self.review.setDisplayFormat("yyyy/MM/dd")
        self.review.setMinimumDate(QDate(today.year, today.month, today.day))
        review = today + dt.timedelta(days=DEFAULT_REVIEW_DAYS)
        self.review.setDate(QDate(review.year, review.month, review.day))
        f = QFormLayout()
        f.addRow(self.tr("見直し日"), self.review)
        self.build(rows, self.tr("保留の理由(例: 捜査に支障があるため)"), f,
                   self.tr("保留にする"), self.tr("保留の理由を入力してください"))

    def act(self, rows, reason: str) -> None:
        q = self.review.date()
        self.held = self._hq.holds.hold([r.rid for r in rows], reason=reason,
                                        review_on=dt.date(q.year(), q.month(), q.day()), officer_id=self._officer_id)
        return None
