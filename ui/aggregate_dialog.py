"""集約: choose the day, see its deadline and how many 確認済 rows go in, write the signed file."""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel,
                               QLineEdit, QMessageBox, QPushButton, QVBoxLayout)

from desktop_app.hq import deadlines as dl
from desktop_app.os_errors import user_message
from desktop_app.services.errors import ServiceError
from desktop_app.wareki import format_wareki

log = logging.getLogger(__name__)

STATE_STYLE = {dl.LATE: "color: #b00020; font-weight: bold;", dl.DUE_SOON: "color: #9a5b00; font-weight: bold;",
               dl.ON_TIME: ""}


class AggregateDialog(QDialog):
    def __init__(self, hq, officer_id: int | None, parent=None, day: dt.date | None = None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("1日分の集約(警察庁への送付ファイル)"))
        self.resize(560, 240)
        self._hq = hq
        self._officer_id = officer_id
        self.result_info = None
        day = day or hq.ctx.today()
        self.day = QDateEdit(QDate(day.year, day.month, day.day))
        self.day.setObjectName("day")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy/MM/dd")
        self.day.dateChanged.connect(self._refresh)
        self.wareki = QLabel()
        self.count = QLabel()
        self.count.setObjectName("count")
        self.deadline = QLabel()
        self.deadline.setObjectName("deadline")
        self.deadline.setWordWrap(True)
        self.out = QLineEdit()
        self.out.setObjectName("outFile")
        browse = QPushButton(self.tr("参照…"))
        browse.clicked.connect(self._browse)
        out_row = QHBoxLayout()
        out_row.addWidget(self.out, 1)
        out_row.addWidget(browse)
        form = QFormLayout()
        form.addRow(self.tr("集約する日"), self.day)
        form.addRow("", self.wareki)
        form.addRow(self.tr("対象(確認済)"), self.count)
        form.addRow(self.tr("送付期限"), self.deadline)
        form.addRow(self.tr("保存先"), out_row)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("集約して署名"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.buttons)
        self._refresh()

    def selected_day(self) -> dt.date:
        q = self.day.date()
        return dt.date(q.year(), q.month(), q.day())

    def _refresh(self) -> None:
        day = self.selected_day()
        self.wareki.setText(format_wareki(day))
        n = len(self._hq.aggregation.candidates(day))
        self.count.setText(self.tr("{n}行(保留・差戻し・未確認の行は含まれません)").format(n=n))
        d = self._hq.aggregation.deadline(day)
        self.deadline.setText(self.tr("{when}({state})").format(
            when=f"{format_wareki(d.deadline.date())} {d.deadline:%H:%M}", state=self.tr(dl.STATE_LABELS[d.state])))
        self.deadline.setStyleSheet(STATE_STYLE[d.state])
        self.out.setText(str(self._hq.default_out_dir() / f"本部集約_{day:%Y%m%d}.xlsx"))
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(n > 0)

    def _browse(self) -> None:
        f, _ = QFileDialog.getSaveFileName(self, self.tr("保存先"), self.out.text(), "Excel (*.xlsx)")
        if f:
            self.out.setText(f)

    def accept(self) -> None:
        try:
            self.result_info = self._hq.aggregation.aggregate(self.selected_day(), Path(self.out.text()),
                                                              officer_id=self._officer_id)
        except (ServiceError, OSError) as exc:
            QMessageBox.warning(self, self.windowTitle(), user_message(exc))
            return
        r = self.result_info
        QMessageBox.information(self, self.windowTitle(), self.tr(
            "{n}行を集約しました({files}件のファイルから)。\n{path}\n{deadline}").format(
            n=r.rows, files=len(r.sources), path=r.written.path, deadline=r.deadline.message))
        super().accept()
