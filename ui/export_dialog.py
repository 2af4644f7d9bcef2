"""Station export: how many verified rows go and how many are held back (and why); choose the file.

Public API: ``ExportDialog(parent, ctx, officer)``; after ``export_to(path)`` the ``result`` holds the
``ExportResult``.
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtWidgets import (QCheckBox, QDialog, QDialogButtonBox, QFileDialog, QLabel, QListWidget,
                               QMessageBox, QVBoxLayout)

from desktop_app.os_errors import user_message
from desktop_app.services.errors import ServiceError
from desktop_app.services.export import ExportService
from ui.keys_dialog import key_service_for

log = logging.getLogger(__name__)


class ExportDialog(QDialog):
    def __init__(self, parent, ctx, officer=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("本部への送付ファイルを作成"))
        self.resize(560, 380)
        self._ctx, self._officer = ctx, officer
        self.service = ExportService(ctx, key_service_for(self, ctx))
        self.result = None
        layout = QVBoxLayout(self)
        self.summary = QLabel(self)
        self.summary.setObjectName("summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.held = QListWidget(self)
        layout.addWidget(self.held)
        self.test_box = QCheckBox(self.tr("試験送付(試験用の行だけを送り、鍵の登録を確かめる)(&T)"), self)
        layout.addWidget(self.test_box)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("ファイルを保存(&S)…"))
        self.buttons.accepted.connect(self._choose)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.refresh()

    def refresh(self) -> None:
        p = self.service.preview()
        self.ready_count, self.held_count = len(p.ready), len(p.held_back)
        self.summary.setText(self.tr("送付する行: {0}行(確認済み・未送付)\n送付しない行: {1}行").format(
            self.ready_count, self.held_count))
        self.held.clear()
        for entry, reason in p.held_back:
            self.held.addItem(f"{entry.position}: {entry.account_id or '(IDなし)'} — {reason}")

    def _choose(self) -> None:
        ident = self._ctx.setup.identity()
        kind = "試験送付" if self.test_box.isChecked() else "送付"
        name = f"{kind}_{ident.unit_id if ident else 'teishi'}_{dt.date.today():%Y%m%d}.xlsx"
        path, _ = QFileDialog.getSaveFileName(self, self.tr("保存先"), name, self.tr("Excel ブック (*.xlsx)"))
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> bool:
        try:
            self.result = self.service.export(path, self._officer.id if self._officer else None,
                                              test=self.test_box.isChecked())
        except (ServiceError, OSError) as exc:
            QMessageBox.warning(self, self.tr("作成できません"), user_message(exc))
            return False
        QMessageBox.information(self, self.tr("作成しました"), self.tr("{0}行を書き出しました: {1}").format(
            self.result.written.rows, path.name))
        self.accept()
        return True
