"""本部の受付画面: every received row with its problems, filters (date received, station, status,
類型, problems only, ID), SQL-side sorting and paging; import by drag and drop or file dialog;
confirm, return, hold, release, mistaken request, aggregate."""
from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QAction, QFontMetrics, QKeySequence
from PySide6.QtWidgets import (QCheckBox, QComboBox, QDateEdit, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPlainTextEdit, QSplitter, QTableView, QToolBar, QVBoxLayout, QWidget)

from desktop_app.hq.statuses import STATUS_LABELS, RowStatus
from desktop_app.services.errors import ServiceError
from desktop_app.storage.received_repo import RowFilter
from ui import import_dialog, theme
from ui.aggregate_dialog import AggregateDialog
from ui.hold_dialog import HoldDialog
from ui.hq_rows_model import COLUMNS, ROW_ROLE, HqRowsModel
from ui.mistaken_dialog import MistakenDialog
from ui.return_dialog import ReturnDialog

log = logging.getLogger(__name__)
ALL = ""


class HqReviewScreen(QWidget):
    statusMessage = Signal(str)
    dataChanged = Signal()  # rows imported or changed: banners and other screens refresh

    def __init__(self, hq, officer, parent=None):
        super().__init__(parent)
        self._hq = hq
        self._officer = officer
        self.setAcceptDrops(True)
        self.last_import_dialog: import_dialog.ImportDialog | None = None

        self.toolbar = QToolBar(self.tr("受付の操作"), self)
        self.import_action = self._action(self.tr("ファイル取込…"), "Ctrl+O", self.import_files)
        self.import_folder_action = self._action(self.tr("フォルダ取込…"), "Ctrl+Shift+O", self.import_folder)
        self.toolbar.addSeparator()
        self.confirm_action = self._action(self.tr("確認済にする"), "Ctrl+Return", self.confirm_selected)
        self.confirm_file_action = self._action(self.tr("ファイル単位で確認"), "Ctrl+Shift+Return",
                                                self.confirm_file_of_selected)
        self.return_action = self._action(self.tr("差戻し…"), "Ctrl+R", self.return_selected)
        self.hold_action = self._action(self.tr("保留…"), "Ctrl+H", self.hold_selected)
        self.release_action = self._action(self.tr("保留解除"), "Ctrl+Shift+H", self.release_selected)
        self.mistaken_action = self._action(self.tr("誤依頼…"), "Ctrl+Shift+M", self.mistaken_selected)
        self.toolbar.addSeparator()
        self.aggregate_action = self._action(self.tr("集約…"), "Ctrl+Shift+A", self.aggregate)
        self.print_action = self._action(self.tr("印刷…"), "Ctrl+P", self.print_preview)

        # filters
        self.use_dates = QCheckBox(self.tr("受信日"))
        self.use_dates.setObjectName("useDates")
        today = hq.ctx.today()
        self.date_from = QDateEdit(QDate(today.year, today.month, today.day))
        self.date_to = QDateEdit(QDate(today.year, today.month, today.day))
        for w, name in ((self.date_from, "dateFrom"), (self.date_to, "dateTo")):
            w.setObjectName(name)
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy/MM/dd")
            w.dateChanged.connect(self._filters_changed)
        self.use_dates.toggled.connect(self._filters_changed)
        self.station = QComboBox()
        self.station.setObjectName("stationFilter")
        self.status = QComboBox()
        self.status.setObjectName("statusFilter")
        self.status.addItem(self.tr("すべての状態"), ALL)
        for st in (RowStatus.UNCONFIRMED, RowStatus.RECEIVED, RowStatus.CONFIRMED, RowStatus.RETURNED,
                   RowStatus.HELD, RowStatus.SENT, RowStatus.MISTAKEN):
            self.status.addItem(self.tr(STATUS_LABELS[st]), st.value)
        self.case_type = QComboBox()
        self.case_type.setObjectName("caseTypeFilter")
        self.problems = QCheckBox(self.tr("問題のある行だけ"))
        self.problems.setObjectName("problemsOnly")
        self.search = QLineEdit()
        self.search.setObjectName("idSearch")
        self.search.setPlaceholderText(self.tr("アカウントIDで検索"))
        self.search.setClearButtonEnabled(True)
        self.search.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        for combo in (self.station, self.status, self.case_type):
            combo.currentIndexChanged.connect(self._filters_changed)
        self.problems.toggled.connect(self._filters_changed)
        self.search.textChanged.connect(self._filters_changed)
        filters = QHBoxLayout()
        for w in (self.use_dates, self.date_from, QLabel("〜"), self.date_to, self.station, self.status,
                  self.case_type, self.problems, self.search):
            filters.addWidget(w)
        filters.addStretch(1)

        self.model = HqRowsModel(hq.rows, self)
        self.view = QTableView()
        self.view.setObjectName("receivedTable")
        self.view.setModel(self.model)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setDefaultSectionSize(24)
        self.view.verticalHeader().setVisible(False)  # 受付番号 numbers the rows
        self.view.horizontalHeader().setStretchLastSection(True)
        self._size_columns()
        self.view.selectionModel().selectionChanged.connect(self._show_detail)
        self.detail = QPlainTextEdit()
        self.detail.setObjectName("rowDetail")
        self.detail.setReadOnly(True)
        self.detail.setMaximumHeight(130)
        self.count_label = QLabel()
        self.count_label.setObjectName("rowCount")
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 4)

        lay = QVBoxLayout(self)
        lay.addWidget(self.toolbar)
        lay.addLayout(filters)
        lay.addWidget(split, 1)
        lay.addWidget(self.count_label)
        self._reload_choices()
        self._update_count()

    # ---- helpers ----------------------------------------------------------------------------
    # The widest value each column usually holds: widths come from these, not from the rows (which are
    # paged from SQL; measuring 100,000 of them would stall the screen), so dates and names show whole.
    _TYPICAL = {"rid": "000000", "status": "保留(期限)", "problem": "誤り9 重複9", "account_id": "x" * 26,
                "user_name": "投資アドバイザー山田", "organization": "株式会社サンプル商事", "case_type": "SNS型ロマンス詐欺",
                "station": "中央警察署", "recognized_on": "令和10年12月31日", "received_at": "2026-11-23 10:00"}

    def _size_columns(self) -> None:
        for col, (key, header, _sql) in enumerate(COLUMNS):
            sample = self._TYPICAL.get(key)
            if sample is None:
                continue
            font = theme.id_font() if key == "account_id" else self.view.font()
            # room for the cell's margins, and in the header for the sort arrow
            width = max(QFontMetrics(font).horizontalAdvance(sample) + 16,
                        self.view.fontMetrics().horizontalAdvance(header) + 32)
            self.view.setColumnWidth(col, width)

    def _action(self, text: str, shortcut: str, slot) -> QAction:
        a = QAction(text, self)
        a.setShortcut(QKeySequence(shortcut))
        a.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        a.triggered.connect(slot)
        self.toolbar.addAction(a)
        self.addAction(a)
        return a

    @property
    def officer_id(self) -> int | None:
        return self._officer.id if self._officer is not None else None

    def set_officer(self, officer) -> None:
        self._officer = officer

    def _reload_choices(self) -> None:
        for combo, column, everything in ((self.station, "station", self.tr("すべての警察署")),
                                          (self.case_type, "case_type", self.tr("すべての類型"))):
            current = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            combo.addItem(everything, ALL)
            for value in self._hq.rows.repo.distinct(column):
                combo.addItem(value, value)
            i = combo.findData(current)
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)

    def current_filter(self) -> RowFilter:
        f = RowFilter()
        if self.use_dates.isChecked():
            f.received_from = self.date_from.date().toString("yyyy-MM-dd")
            f.received_to = self.date_to.date().toString("yyyy-MM-dd")
        f.station = self.station.currentData() or None
        status = self.status.currentData()
        f.statuses = (status,) if status else ()
        f.case_type = self.case_type.currentData() or None
        f.problems_only = self.problems.isChecked()
        f.text = self.search.text().strip() or None
        return f

    def _filters_changed(self, *_):
        self.model.set_filter(self.current_filter())
        self._update_count()

    def _update_count(self) -> None:
        counts = self._hq.rows.repo.status_counts()
        summary = "、".join(f"{STATUS_LABELS[RowStatus(k)]}{v}" for k, v in sorted(counts.items())
                           if k in RowStatus._value2member_map_ and k != RowStatus.SUPERSEDED)
        self.count_label.setText(self.tr("表示 {n}行 / 全体: {s}").format(n=self.model.total, s=summary or "0"))

    def reload(self) -> None:
        self._reload_choices()
        self.model.reload()
        self._update_count()
        self.dataChanged.emit()

    def selected_rows(self):
        return [i.data(ROW_ROLE) for i in self.view.selectionModel().selectedRows()]

    def _show_detail(self, *_):
        rows = self.selected_rows()
        if len(rows) != 1:
            self.detail.setPlainText(self.tr("{n}行を選択中").format(n=len(rows)) if rows else "")
            return
        r = rows[0]
        lines = [self.tr("受付番号 {rid}  状態 {st}  入力どおりのID: {raw}").format(
            rid=r.rid, st=r.status_label, raw=r.account_id_raw or "")]
        if r.reason:
            lines.append(self.tr("理由: {r}").format(r=r.reason))
        lines += ["・" + i["message"] for i in r.issues] + ["・" + d["message"] for d in r.dups]
        self.detail.setPlainText("\n".join(lines))

    def _need_selection(self) -> list:
        rows = self.selected_rows()
        if not rows:
            QMessageBox.information(self, self.tr("受付"), self.tr("行を選んでください"))
        return rows

    # ---- import -----------------------------------------------------------------------------
    def import_files(self) -> None:
        paths = import_dialog.choose_files(self)
        if paths:
            self.import_paths(paths)

    def import_folder(self) -> None:
        paths = import_dialog.choose_folder(self)
        if paths:
            self.import_paths(paths)

    def import_paths(self, paths: list[str], *, modal: bool = True) -> import_dialog.ImportDialog:
        dlg = import_dialog.ImportDialog(self._hq, paths, self.officer_id, self)
        dlg.imported.connect(lambda _results: self.reload())
        self.last_import_dialog = dlg
        if modal:
            dlg.open()  # window-modal but non-blocking: the event loop keeps running
        else:
            dlg.show()
        return dlg

    def dragEnterEvent(self, event) -> None:
        if import_dialog.paths_from_mime(event.mimeData()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:
        self.dragEnterEvent(event)

    def dropEvent(self, event) -> None:
        paths = import_dialog.paths_from_mime(event.mimeData())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.import_paths(paths)

    # ---- row actions ------------------------------------------------------------------------
    def confirm_selected(self) -> None:
        rows = self._need_selection()
        if not rows:
            return
        try:
            done = self._hq.rows.confirm([r.rid for r in rows], self.officer_id)
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("確認"), str(exc))
            return
        self.statusMessage.emit(self.tr("{n}行を確認しました").format(n=len(done)))
        self.reload()

    def confirm_file_of_selected(self) -> None:
        """A hand-filled (unsigned) file checked as a whole: its 未確認 rows become 受理."""
        rows = self._need_selection()
        if not rows:
            return
        file_ids = sorted({r.file_id for r in rows if r.status == RowStatus.UNCONFIRMED})
        if not file_ids:
            QMessageBox.information(self, self.tr("確認"), self.tr("選んだ行のファイルに未確認の行はありません"))
            return
        try:
            n = sum(self._hq.rows.confirm_file(f, self.officer_id) for f in file_ids)
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("確認"), str(exc))
            return
        self.statusMessage.emit(self.tr("署名なしファイル{f}件の{n}行を確認しました").format(f=len(file_ids), n=n))
        self.reload()

    def return_selected(self) -> None:
        rows = self._need_selection()
        if rows and ReturnDialog(self._hq, rows, self.officer_id, self).exec():
            self.reload()

    def hold_selected(self) -> None:
        rows = self._need_selection()
        if rows and HoldDialog(self._hq, rows, self.officer_id, self).exec():
            self.reload()

    def release_selected(self) -> None:
        rows = self._need_selection()
        if not rows:
            return
        try:
            self._hq.holds.release([r.rid for r in rows], officer_id=self.officer_id)
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("保留解除"), str(exc))
            return
        self.statusMessage.emit(self.tr("{n}行の保留を解除しました").format(n=len(rows)))
        self.reload()

    def mistaken_selected(self) -> None:
        rows = self._need_selection()
        if rows and MistakenDialog(self._hq, rows, self.officer_id, self).exec():
            self.reload()

    PRINT_LIMIT = 20_000

    def print_document(self):
        """The rows the filters show, as a 別添 list for A4 (状態 in the note column)."""
        from desktop_app import case_types
        from ui.print_support import PrintDocument

        rows = self._hq.rows.query(self.model.filter, limit=self.PRINT_LIMIT)
        data = [{"account_id": r.account_id or r.account_id_raw, "user_name": r.user_name,
                 "organization": r.organization,
                 "case_type": case_types.label(r.case_type, r.data.get("refinement")) if r.case_type else "",
                 "station": r.station, "recognized_on": r.recognized_on} for r in rows]
        ctx = self._hq.ctx
        return PrintDocument.for_form_rows(
            data, unit_name=ctx.settings.get("unit_name") or "", today=ctx.today(),
            subtitle=self.tr("受付一覧({n}行)").format(n=len(data)))

    def print_preview(self) -> None:
        from ui.print_support import preview

        preview(self.print_document(), self)

    def aggregate(self, day: dt.date | None = None) -> None:
        if AggregateDialog(self._hq, self.officer_id, self, day=day).exec():
            self.reload()
