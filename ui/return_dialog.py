"""差戻し: the selected rows, a reason, where to save the signed return file(s) for the station."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QVBoxLayout)

from desktop_app.services.errors import ServiceError
from ui.reason_form import ReasonForm

log = logging.getLogger(__name__)


class ReturnDialog(QDialog):
    def __init__(self, hq, rows, officer_id: int | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("差戻し"))
        self.resize(560, 460)
        self._hq = hq
        self._officer_id = officer_id
        self.result_info = None
        self.form = ReasonForm(rows, self.tr("差戻しの理由(警察署に伝わります。何をどう直すかを具体的に)"))
        self.out_dir = QLineEdit(str(hq.default_out_dir()))
        self.out_dir.setObjectName("outDir")
        browse = QPushButton(self.tr("参照…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("差戻しファイルの保存先")))
        row.addWidget(self.out_dir, 1)
        row.addWidget(browse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("差し戻す"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.form)
        lay.addLayout(row)
        lay.addWidget(self.buttons)
        self.form.reason.setFocus()

    def _browse(self) -> None:
        d = QFileDialog.getExistingDirectory(self, self.tr("保存先"), self.out_dir.text())
        if d:
            self.out_dir.setText(d)

    def accept(self) -> None:
        if not self.form.text:
            QMessageBox.warning(self, self.windowTitle(), self.tr("差戻しの理由を入力してください"))
            self.form.reason.setFocus()
            return
        try:
            self.result_info = self._hq.returns.return_rows([r.rid for r in self.form.rows], reason=self.form.text,
                                                            officer_id=self._officer_id, out_dir=Path(self.out_dir.text()))
        except (ServiceError, OSError) as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        lines = [self.tr("{n}行を差し戻しました。").format(n=self.result_info.rows)]
        lines += [self.tr("差戻しファイル: {p}").format(p=w.path) for w in self.result_info.files]
        if self.result_info.without_file:
            lines.append(self.tr("署名なしファイルの{n}行は差戻しファイルを作れません。警察署へ直接連絡してください")
                         .format(n=len(self.result_info.without_file)))
        QMessageBox.information(self, self.windowTitle(), "\n".join(lines))
        super().accept()
