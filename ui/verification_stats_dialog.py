"""入力誤り統計: each officer's first-entry and verification mismatches, as CSPro reports keyer and
verifier errors, so training goes where it is needed; and how many rows can be sent.

Public API:
- ``OfficerStatsModel(stats)`` — a ``QAbstractTableModel`` over ``VerificationService.officer_stats()``;
  columns ``COL_*``; ``SORT_ROLE`` gives numbers for sorting.
- ``VerificationStatsDialog(ctx, parent=None)`` / ``VerificationStatsDialog.show_for(parent, ctx)``.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QHeaderView, QLabel, QTableView, QVBoxLayout

from desktop_app.services.verification import OfficerStats

log = logging.getLogger(__name__)

(COL_OFFICER, COL_ENTERED, COL_ENTRY_ERRORS, COL_ENTRY_RATE, COL_VERIFIED, COL_MISMATCHES,
 COL_VERIFY_ERRORS, COL_VERIFY_RATE, COL_ADJUDICATIONS) = range(9)
HEADERS = ("職員", "入力した項目", "入力誤り", "入力誤り率", "確認入力した項目", "確認時の不一致(回)",
           "確認誤り", "確認誤り率", "判定した件数")
TOOLTIPS = {
    COL_ENTRY_ERRORS: "判定で1回目(入力者)の値が採用されなかった項目",
    COL_MISMATCHES: "確認入力が一致しなかった回数(言い直しを含む)",
    COL_VERIFY_ERRORS: "確認者が最終的に採用された値と違う値を入力した項目",
}
SORT_ROLE = Qt.ItemDataRole.UserRole + 1


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


class OfficerStatsModel(QAbstractTableModel):
    def __init__(self, stats: list[OfficerStats], parent=None):
        super().__init__(parent)
        self._stats = list(stats)

    def set_stats(self, stats: list[OfficerStats]) -> None:
        self.beginResetModel()
        self._stats = list(stats)
        self.endResetModel()

    def stats(self, row: int) -> OfficerStats:
        return self._stats[row]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._stats)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                return self.tr(HEADERS[section])
            if role == Qt.ItemDataRole.ToolTipRole and section in TOOLTIPS:
                return self.tr(TOOLTIPS[section])
        return None

    def _value(self, s: OfficerStats, column: int):
        return (s.label, s.fields_entered, s.first_entry_errors, s.first_entry_error_rate, s.fields_verified,
                s.verification_mismatches, s.verification_errors, s.verification_error_rate, s.adjudications)[column]

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        s = self._stats[index.row()]
        value = self._value(s, index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            if index.column() in (COL_ENTRY_RATE, COL_VERIFY_RATE):
                return _rate(value)
            return str(value)
        if role == SORT_ROLE:
            return -1.0 if value is None else value
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() != COL_OFFICER:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class VerificationStatsDialog(QDialog):
    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self.setObjectName("verificationStatsDialog")
        self.setWindowTitle(self.tr("入力誤り統計(職員別)"))
        self.resize(1040, 380)
        layout = QVBoxLayout(self)
        readiness = ctx.verification.export_readiness()
        self.summary = QLabel(readiness.message(), self)
        self.summary.setObjectName("exportReadiness")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.model = OfficerStatsModel(ctx.verification.officer_stats(), self)
        proxy = QSortFilterProxyModel(self)
        proxy.setSourceModel(self.model)
        proxy.setSortRole(SORT_ROLE)
        self.view = QTableView(self)
        self.view.setModel(proxy)
        self.view.setSortingEnabled(True)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        layout.addWidget(self.view, 1)
        note = QLabel(self.tr("入力誤り: 判定で入力者の値が採用されなかった項目。確認誤り: 確認者が採用されなかった値を"
                              "入力した項目(言い直しで一致した場合を含む)。"), self)
        note.setWordWrap(True)
        layout.addWidget(note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("閉じる"))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    @classmethod
    def show_for(cls, parent, ctx) -> None:
        cls(ctx, parent).exec()
