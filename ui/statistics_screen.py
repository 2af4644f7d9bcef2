"""統計: requested / acted on / not acted on / pending and the rate, by month, prefecture or station, 類型.

A table (``StatisticsTableModel`` over ``StatsTable``) and a bar chart of the same figures; the
grouping and the filters recompute both at once. Export to Excel, print preview and PDF.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QFileDialog, QHBoxLayout, QLabel, QMessageBox,
                               QPushButton, QSplitter, QVBoxLayout, QWidget)

from desktop_app.npa.statistics import (COLUMNS, GROUPINGS, NOTE, StatisticsService, StatsFilter, StatsTable,
                                        cell_text, cell_value, groupings_for)
from desktop_app.os_errors import user_message
from ui.bar_chart import Bar, BarChart, paint_bars
from ui.print_support import PrintColumn, PrintDocument, preview, print_to_pdf
from ui.record_table import read_only_table

log = logging.getLogger(__name__)

RawValueRole = Qt.ItemDataRole.UserRole + 1  # the number behind the text, for sorting and tests
IsTotalRole = Qt.ItemDataRole.UserRole + 2


class StatisticsTableModel(QAbstractTableModel):
    """One line per group plus the 合計 line; columns as ``statistics.COLUMNS``."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._table: StatsTable | None = None

    def set_table(self, table: StatsTable) -> None:
        self.beginResetModel()
        self._table = table
        self.endResetModel()

    def table(self) -> StatsTable | None:
        return self._table

    def _lines(self):
        if self._table is None:
            return []
        return [*self._table.groups, self._table.total]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._lines())

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            if section == 0 and self._table is not None:
                return GROUPINGS[self._table.group_by]
            return COLUMNS[section][1]
        return None

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        lines = self._lines()
        g = lines[index.row()]
        key = COLUMNS[index.column()][0]
        value = cell_value(g, key)
        is_total = index.row() == len(lines) - 1
        if role == Qt.ItemDataRole.DisplayRole:
            return cell_text(value) if key != "label" else value
        if role == RawValueRole:
            return value
        if role == IsTotalRole:
            return is_total
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if key == "label":
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and is_total:
            f = QFont()
            f.setBold(True)
            return f
        return None


class StatisticsScreen(QWidget):
    statusMessage = Signal(str)

    def __init__(self, ctx, officer=None, parent=None, *, tier: str | None = None):
        super().__init__(parent)
        self.ctx = ctx
        self.officer = officer
        ident = ctx.setup.identity()
        self.tier = tier or (ident.tier if ident else None)
        self.unit_name = ident.unit_name if ident else ""
        self.service = StatisticsService(ctx.database)
        self._rows: list[dict[str, Any]] = []

        self.group_combo = QComboBox()
        for key in groupings_for(self.tier):
            self.group_combo.addItem(self.tr("{g}別").format(g=GROUPINGS[key]), key)
        self.group_combo.setAccessibleName(self.tr("集計の区分"))
        self.prefecture_combo = QComboBox()
        self.prefecture_combo.setAccessibleName(self.tr("都道府県で絞り込み"))
        self.case_combo = QComboBox()
        self.case_combo.setAccessibleName(self.tr("類型で絞り込み"))
        self.period_check = QCheckBox(self.tr("期間(依頼日)"))
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        today = ctx.today()
        for w, d in ((self.date_from, dt.date(today.year, 1, 1)), (self.date_to, today)):
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy/MM/dd")
            w.setDate(QDate(d.year, d.month, d.day))
            w.setEnabled(False)

        self.export_button = QPushButton(self.tr("Excelに出力(&E)…"))
        self.preview_button = QPushButton(self.tr("印刷プレビュー(&P)…"))
        self.pdf_button = QPushButton(self.tr("PDFに出力(&D)…"))
        self.refresh_button = QPushButton(self.tr("再計算(&R)"))

        controls = QHBoxLayout()
        label = QLabel(self.tr("区分(&G):"))
        label.setBuddy(self.group_combo)
        controls.addWidget(label)
        controls.addWidget(self.group_combo)
        self._pref_label = QLabel(self.tr("都道府県:"))
        controls.addWidget(self._pref_label)
        controls.addWidget(self.prefecture_combo)
        controls.addWidget(QLabel(self.tr("類型:")))
        controls.addWidget(self.case_combo)
        controls.addWidget(self.period_check)
        controls.addWidget(self.date_from)
        controls.addWidget(QLabel("〜"))
        controls.addWidget(self.date_to)
        controls.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addStretch(1)
        for b in (self.export_button, self.preview_button, self.pdf_button):
            buttons.addWidget(b)

        self.model = StatisticsTableModel(self)
        self.view = read_only_table(self.model, stretch_last=True)
        self.chart = BarChart()
        self.note = QLabel(NOTE)
        self.note.setWordWrap(True)
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.view)
        splitter.addWidget(self.chart)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        layout = QVBoxLayout(self)
        layout.addLayout(controls)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.note)
        layout.addLayout(buttons)

        show_pref = self.tier == "npa"
        self._pref_label.setVisible(show_pref)
        self.prefecture_combo.setVisible(show_pref)

        self.group_combo.currentIndexChanged.connect(self.recompute)
        self.prefecture_combo.currentIndexChanged.connect(self.recompute)
        self.case_combo.currentIndexChanged.connect(self.recompute)
        self.period_check.toggled.connect(self._period_toggled)
        self.date_from.dateChanged.connect(self.recompute)
        self.date_to.dateChanged.connect(self.recompute)
        self.refresh_button.clicked.connect(self.reload)
        self.export_button.clicked.connect(self.export_excel)
        self.preview_button.clicked.connect(self.print_preview)
        self.pdf_button.clicked.connect(self.export_pdf)
        refresh = QAction(self)
        refresh.setShortcut(QKeySequence(QKeySequence.StandardKey.Refresh))
        refresh.triggered.connect(self.reload)
        self.addAction(refresh)
        self.reload()

    # ---- data ------------------------------------------------------------------------------
    def reload(self) -> None:
        """Re-read the rows (after an import or an outcome was recorded) and recompute."""
        self._rows = self.service.rows()
        choices = self.service.choices(self._rows)
        for combo, key in ((self.prefecture_combo, "prefecture"), (self.case_combo, "case_type")):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(self.tr("すべて"), None)
            for value in choices[key]:
                combo.addItem(value, value)
            i = combo.findData(current) if current else 0
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)
        self.recompute()

    def current_filter(self) -> StatsFilter:
        dates = {}
        if self.period_check.isChecked():
            dates = {"date_from": self.date_from.date().toPython(), "date_to": self.date_to.date().toPython()}
        return StatsFilter(prefecture=self.prefecture_combo.currentData(), case_type=self.case_combo.currentData(),
                           **dates)

    def current_table(self) -> StatsTable:
        return self.model.table()

    def recompute(self, *_args) -> None:
        group_by = self.group_combo.currentData() or "month"
        table = self.service.table(group_by, self.current_filter(), rows=self._rows)
        self.model.set_table(table)
        self.chart.set_bars(self.bars(table), table.title)
        self.statusMessage.emit(self.tr("依頼 {n} 件(アカウント数)").format(n=table.total.requested))

    @staticmethod
    def bars(table: StatsTable) -> list[Bar]:
        return [Bar(g.label, (g.acted, g.no_action, g.pending), "" if g.rate is None else f"{g.rate:.1f}%")
                for g in table.groups]

    def _period_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self.recompute()

    # ---- output ----------------------------------------------------------------------------
    def print_document(self) -> PrintDocument:
        table = self.current_table()
        cols = [PrintColumn(GROUPINGS[table.group_by] if k == "label" else h, 1.6 if k == "label" else 1.0,
                            "left" if k == "label" else "right") for k, h in COLUMNS]
        rows = [[cell_value(g, k) if k == "label" else cell_text(cell_value(g, k)) for k, _h in COLUMNS]
                for g in [*table.groups, table.total]]
        bars = self.bars(table)
        subtitle = self._filter_text()
        return PrintDocument(table.title, self.unit_name, self.ctx.today(), cols, rows, subtitle=subtitle,
                             note=NOTE, bold_last_row=True,
                             figure=lambda p, rect: paint_bars(p, rect, bars))

    def _filter_text(self) -> str:
        f = self.current_filter()
        parts = []
        if f.date_from:
            parts.append(self.tr("依頼日 {a}〜{b}").format(a=f.date_from.isoformat(), b=f.date_to.isoformat()))
        if f.prefecture:
            parts.append(self.tr("都道府県 {v}").format(v=f.prefecture))
        if f.case_type:
            parts.append(self.tr("類型 {v}").format(v=f.case_type))
        return "　".join(parts)

    def export_excel(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("統計をExcelに出力"), "統計.xlsx",
                                              self.tr("Excel ブック (*.xlsx)"))
        if not path:
            return
        flt = self.current_filter()
        tables = [self.service.table(k, flt, rows=self._rows) for k in groupings_for(self.tier)]
        try:
            # openpyxl costs a quarter of a second to import: only when someone exports
            from desktop_app.npa.stats_export import write_statistics

            write_statistics(path, tables, unit_name=self.unit_name, today=self.ctx.today())
        except OSError as exc:
            QMessageBox.warning(self, self.tr("出力できません"),
                                self.tr("{path} に書き込めませんでした: {err}").format(path=path, err=user_message(exc)))
            return
        self.statusMessage.emit(self.tr("{path} に出力しました").format(path=path))

    def export_pdf(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("統計をPDFに出力"), "統計.pdf", self.tr("PDF (*.pdf)"))
        if not path:
            return
        try:
            pages = print_to_pdf(self.print_document(), path)
        except OSError as exc:
            QMessageBox.warning(self, self.tr("出力できません"), user_message(exc))
            return
        self.statusMessage.emit(self.tr("{path} に出力しました({n}ページ)").format(path=path, n=pages))

    def print_preview(self) -> None:
        preview(self.print_document(), self)
