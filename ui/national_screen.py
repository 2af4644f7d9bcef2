"""警察庁: the prefectures' rows waiting to go to the provider, national duplicates, and the buttons
that import files, write the provider file and the withdrawal list."""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QLabel, QListWidget, QMessageBox, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from desktop_app.services.errors import ServiceError
from desktop_app.wareki import format_wareki
from ui import import_dialog
from ui.npa_screen_base import NpaScreen
from ui.print_support import PrintDocument, preview
from ui.record_table import RecordTableModel, headers_of, read_only_table

log = logging.getLogger(__name__)

COLUMNS = (("prefecture", "都道府県"), ("station", "警察署"), ("account_id_raw", "アカウントID"),
           ("user_name", "ユーザー名"), ("organization", "企業/団体名"), ("case_type", "類型"),
           ("recognized_on", "認知日"), ("received_on", "受理日"))


class NationalRowsModel(RecordTableModel):
    HEADERS = headers_of(COLUMNS)

    def cell(self, r: dict[str, Any], column: int, role: int):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        key = COLUMNS[column][0]
        value = r.get(key)
        if key in ("recognized_on", "received_on") and value:
            return format_wareki(value)
        return "" if value is None else str(value)


class NationalScreen(NpaScreen):
    def __init__(self, ctx, officer=None, parent=None, *, services=None):
        super().__init__(ctx, officer, parent, services=services)
        self.model = NationalRowsModel(self)
        self.view = read_only_table(self.model)
        self.duplicates = QListWidget()
        self.duplicates.setAccessibleName(self.tr("都道府県をまたぐ重複"))
        self.summary = QLabel()

        self.import_button = QPushButton(self.tr("都道府県のファイルを取り込む(&I)…"))
        self.provider_button = QPushButton(self.tr("事業者あてファイルを作成(&F)…"))
        self.withdraw_button = QPushButton(self.tr("取下げ依頼を作成(&W)…"))
        self.print_button = QPushButton(self.tr("印刷(&P)…"))
        top = QHBoxLayout()
        for b in (self.import_button, self.provider_button, self.withdraw_button):
            top.addWidget(b)
        top.addStretch(1)
        top.addWidget(self.print_button)
        right = QWidget()
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(QLabel(self.tr("都道府県をまたぐ重複・依頼済み")))
        rl.addWidget(self.duplicates)
        split = QSplitter()
        split.addWidget(self.view)
        split.addWidget(right)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(split, 1)
        layout.addWidget(self.summary)
        self.import_button.clicked.connect(self.import_files)
        self.provider_button.clicked.connect(self.write_provider_file)
        self.withdraw_button.clicked.connect(self.write_withdrawals)
        self.print_button.clicked.connect(lambda: preview(self.print_document(), self))
        self.reload()

    def reload(self) -> None:
        rows = self.services.national.rows()
        self.model.set_rows(rows)
        self.duplicates.clear()
        for d in self.services.national.duplicates():
            self.duplicates.addItem(d.message)
        pending = len(self.services.outcomes.repo.pending_withdrawals())
        self.withdraw_button.setEnabled(pending > 0)
        self.summary.setText(self.tr("未送付 {n} 行 / 取下げ待ち {w} 行").format(n=len(rows), w=pending))

    def import_files(self, paths: list[str] | None = None) -> None:
        if not paths:
            paths, _ = QFileDialog.getOpenFileNames(self, self.tr("都道府県のファイル"), "", self.tr("Excel ブック (*.xlsx)"))
        if not paths:
            return
        dialog = import_dialog.ImportDialog(self.services, list(paths), self._officer_id(), self)
        dialog.exec()
        self.reload()
        self.changed.emit()

    def write_provider_file(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("事業者あてファイル"),
                                              f"LINEWORKS_{self.ctx.today():%Y%m%d}.xlsx", self.tr("Excel ブック (*.xlsx)"))
        if not path:
            return
        try:
            res = self.services.provider.write(path, officer_id=self._officer_id())
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("作成できません"), str(exc))
            return
        lines = [self.tr("{n}アカウント({r}行)を書き出しました").format(n=res.accounts, r=res.rows)]
        if res.skipped:
            lines.append(self.tr("誤りのある{n}行は送付していません").format(n=len(res.skipped)))
        if res.withdrawal_path:
            lines.append(self.tr("取下げ依頼: {p}").format(p=res.withdrawal_path))
        QMessageBox.information(self, self.tr("作成しました"), "\n".join(lines))
        self.reload()
        self.changed.emit()

    def write_withdrawals(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("取下げ依頼"), f"取下げ_{self.ctx.today():%Y%m%d}.xlsx",
                                              self.tr("Excel ブック (*.xlsx)"))
        if not path:
            return
        try:
            w = self.services.provider.write_withdrawals(path, officer_id=self._officer_id())
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("作成できません"), str(exc))
            return
        self.statusMessage.emit(self.tr("取下げ依頼 {n} アカウントを書き出しました").format(n=w.rows))
        self.reload()

    def print_document(self) -> PrintDocument:
        return PrintDocument.for_form_rows(
            [{**r, "account_id": r.get("account_id_raw") or r.get("account_id")} for r in self.model.rows()],
            unit_name=self.unit_name, today=self.ctx.today(), subtitle=self.tr("未送付の行(都道府県別)"))
