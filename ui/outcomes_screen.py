"""措置結果: every request sent to the provider and what the provider did with it.

At the NPA the desk records outcomes (by hand, or from the provider's result workbook) and sends
them down as signed files; at HQ and stations the same table shows what happened to their own
requests, filled from the outcomes files they import. The list prints on A4 like every list.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout,
                               QLabel, QLineEdit, QMessageBox, QPushButton, QVBoxLayout)

from desktop_app.npa.outcome_kinds import OUTCOME_LABELS, Outcome, label
from desktop_app.services.errors import ServiceError
from desktop_app.wareki import format_wareki
from ui.npa_screen_base import NpaScreen
from ui.print_support import PrintColumn, PrintDocument, preview
from ui.record_table import RECORD_ROLE, RecordTableModel, headers_of, read_only_table

log = logging.getLogger(__name__)

COLUMNS = (("requested_on", "依頼日"), ("prefecture", "都道府県"), ("station", "警察署"), ("account_id", "アカウントID"),
           ("case_type", "類型"), ("recognized_on", "認知日"), ("outcome", "措置結果"), ("outcome_on", "結果日"))
COL_ACCOUNT = 3
RowRole = RECORD_ROLE
OUTCOME_COLORS = {"suspended": "#e8f5e9", "deleted": "#e8f5e9", "no_action": "#ffebee"}


def state_text(r: dict[str, Any]) -> str:
    if r.get("withdrawn_on"):
        return "取下げ済(誤依頼)"
    if r.get("mistaken_on"):
        return "誤依頼(取下げ待ち)"
    return label(r.get("outcome"))


class OutcomesTableModel(RecordTableModel):
    HEADERS = headers_of(COLUMNS)

    def row(self, i: int) -> dict[str, Any]:
        return self._rows[i]

    def text(self, r: dict[str, Any], key: str) -> str:
        if key == "outcome":
            return state_text(r)
        value = r.get(key)
        if key in ("requested_on", "recognized_on", "outcome_on"):
            return format_wareki(value) if value else ""
        return "" if value is None else str(value)

    def cell(self, r: dict[str, Any], column: int, role: int):
        key = COLUMNS[column][0]
        if role == Qt.ItemDataRole.DisplayRole:
            return self.text(r, key)
        if role == Qt.ItemDataRole.BackgroundRole and key == "outcome":
            color = OUTCOME_COLORS.get(r.get("outcome") or "")
            return QColor(color) if color else None
        return None


class OutcomeDialog(QDialog):
    """Record one account's outcome by hand."""

    def __init__(self, account_id: str, today, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("措置結果の記録"))
        self.account = QLineEdit(account_id)
        self.account.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.outcome = QComboBox()
        for o, text in OUTCOME_LABELS.items():
            self.outcome.addItem(text, o.value)
        self.date = QDateEdit(QDate(today.year, today.month, today.day))
        self.date.setCalendarPopup(True)
        self.date.setDisplayFormat("yyyy/MM/dd")
        self.note = QLineEdit()
        form = QFormLayout(self)
        form.addRow(self.tr("アカウントID(&A)"), self.account)
        form.addRow(self.tr("結果(&R)"), self.outcome)
        form.addRow(self.tr("日付(&D)"), self.date)
        form.addRow(self.tr("備考(&N)"), self.note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> tuple[str, str, Any, str]:
        outcome = self.outcome.currentData()
        day = None if outcome == Outcome.PENDING.value else self.date.date().toPython()
        return self.account.text(), outcome, day, self.note.text()


class OutcomesScreen(NpaScreen):
    def __init__(self, ctx, officer=None, parent=None, *, services=None):
        super().__init__(ctx, officer, parent, services=services)

        self.model = OutcomesTableModel(self)
        self.view = read_only_table(self.model)
        self.view.setSortingEnabled(False)
        self.summary = QLabel()

        buttons = QHBoxLayout()
        self.set_button = QPushButton(self.tr("結果を記録(&S)…"))
        self.import_button = QPushButton(self.tr("結果ブックを取り込む(&I)…"))
        self.export_button = QPushButton(self.tr("結果を下位へ送る(&X)…"))
        self.receive_button = QPushButton(self.tr("措置結果ファイルを取り込む(&I)…"))
        self.print_button = QPushButton(self.tr("印刷(&P)…"))
        for b in (self.set_button, self.import_button, self.export_button, self.receive_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        buttons.addWidget(self.print_button)
        self.set_button.setVisible(self.tier == "npa")
        self.import_button.setVisible(self.tier == "npa")
        self.export_button.setVisible(self.tier in ("npa", "hq"))
        self.receive_button.setVisible(self.tier in ("hq", "station"))

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.summary)

        self.set_button.clicked.connect(self.record_outcome)
        self.import_button.clicked.connect(self.import_results)
        self.export_button.clicked.connect(self.export_down)
        self.receive_button.clicked.connect(self.receive_files)
        self.print_button.clicked.connect(self.print_list)
        self.view.doubleClicked.connect(lambda _i: self.record_outcome() if self.tier == "npa" else None)
        self.reload()

    def reload(self) -> None:
        rows = self.services.outcomes.rows()
        self.model.set_rows(rows)
        acted = sum(1 for r in rows if r.get("outcome") in ("suspended", "deleted"))
        self.summary.setText(self.tr("依頼 {n} 行(うち措置 {a} 行)").format(n=len(rows), a=acted))

    def record_outcome(self) -> None:
        current = self.view.currentIndex()
        account = self.model.row(current.row())["account_id"] if current.isValid() else ""
        dialog = OutcomeDialog(account, self.ctx.today(), self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        account, outcome, day, note = dialog.values()
        try:
            self.services.outcomes.set_outcome(account, outcome, day, officer_id=self._officer_id(), note=note or None)
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("記録できません"), str(exc))
            return
        self.reload()
        self.changed.emit()

    def import_results(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("事業者の結果ブック"), "", self.tr("Excel ブック (*.xlsx)"))
        if not path:
            return
        res = self.services.outcomes.import_result_workbook(path, officer_id=self._officer_id())
        if res.status == "refused":
            text = "\n".join(e["message"] for e in res.errors[:20])
            QMessageBox.warning(self, self.tr("取り込めません(何も変更していません)"), text)
            return
        QMessageBox.information(self, self.tr("取り込みました"), "\n".join(
            [self.tr("{n}件を読み込み、{c}件の結果を記録しました").format(n=res.rows, c=res.changed), *res.warnings]))
        self.reload()
        self.changed.emit()

    def export_down(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, self.tr("措置結果ファイルの保存先(送付元ごとに1ファイル)"))
        if not folder:
            return
        try:
            done = self.services.outcome_files.export_per_recipient(folder, officer_id=self._officer_id())
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("作成できません"), str(exc))
            return
        self.statusMessage.emit(self.tr("{n}件の措置結果ファイルを作成しました").format(n=len(done)))

    def receive_files(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, self.tr("措置結果ファイル"), "", self.tr("Excel ブック (*.xlsx)"))
        if not paths:
            return
        results = self.services.importer().import_paths(paths, officer_id=self._officer_id())
        bad = [r for r in results if not r.ok]
        if bad:
            QMessageBox.warning(self, self.tr("取り込めないファイルがあります"),
                                "\n".join(e["message"] for r in bad for e in r.errors[:3]))
        self.reload()
        self.changed.emit()

    def print_document(self) -> PrintDocument:
        rows = [[self.model.text(self.model.row(i), k) for k, _h in COLUMNS] for i in range(self.model.rowCount())]
        weights = (1.1, 0.8, 1.1, 2.4, 1.2, 1.1, 1.1, 1.1)
        cols = [PrintColumn(h, w, verbatim=(k == "account_id")) for (k, h), w in zip(COLUMNS, weights)]
        return PrintDocument(self.tr("措置結果一覧"), self.unit_name, self.ctx.today(), cols, rows)

    def print_list(self) -> None:
        preview(self.print_document(), self)
