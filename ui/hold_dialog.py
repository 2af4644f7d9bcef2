"""保留: the selected rows leave the daily batches until released; a reason and a review date."""
from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QDateEdit, QDialog, QDialogButtonBox, QFormLayout, QMessageBox, QVBoxLayout

from desktop_app.services.errors import ServiceError
from ui.reason_form import ReasonForm

log = logging.getLogger(__name__)
DEFAULT_REVIEW_DAYS = 14


class HoldDialog(QDialog):
    def __init__(self, hq, rows, officer_id: int | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("保留"))
        self.resize(520, 420)
        self._hq = hq
        self._officer_id = officer_id
        self.held = []
        self.form = ReasonForm(rows, self.tr("保留の理由(例: 捜査に支障があるため)"))
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
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("保留にする"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.form)
        lay.addLayout(f)
        lay.addWidget(self.buttons)
        self.form.reason.setFocus()

    def accept(self) -> None:
        if not self.form.text:
            QMessageBox.warning(self, self.windowTitle(), self.tr("保留の理由を入力してください"))
            self.form.reason.setFocus()
            return
        q = self.review.date()
        try:
            self.held = self._hq.holds.hold([r.rid for r in self.form.rows], reason=self.form.text,
                                            review_on=dt.date(q.year(), q.month(), q.day()), officer_id=self._officer_id)
        except ServiceError as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        super().accept()
