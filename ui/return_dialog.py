"""差戻し: the selected rows, a reason, where to save the signed return file(s) for the station."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton

from ui.reason_form import ReasonDialog

log = logging.getLogger(__name__)


class ReturnDialog(ReasonDialog):
    def __init__(self, hq, rows, officer_id: int | None, parent=None):
        super().__init__(hq, officer_id, parent)
        self.setWindowTitle(self.tr("差戻し"))
        self.resize(560, 460)
        self.result_info = None
        self.out_dir = QLineEdit(str(hq.default_out_dir()))
        self.out_dir.setObjectName("outDir")
        browse = QPushButton(self.tr("参照…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("差戻しファイルの保存先")))
        row.addWidget(self.out_dir, 1)
        row.addWidget(browse)
        self.build(rows, self.tr("差戻しの理由(警察署に伝わります。何をどう直すかを具体的に)"), row,
                   self.tr("差し戻す"), self.tr("差戻しの理由を入力してください"))

    def _browse(self) -> None:
        d = QFileDialog.getExistingDirectory(self, self.tr("保存先"), self.out_dir.text())
        if d:
            self.out_dir.setText(d)

    def act(self, rows, reason: str) -> str:
        self.result_info = self._hq.returns.return_rows([r.rid for r in rows], reason=reason,
                                                        officer_id=self._officer_id, out_dir=Path(self.out_dir.text()))
        lines = [self.tr("{n}行を差し戻しました。").format(n=self.result_info.rows)]
        lines += [self.tr("差戻しファイル: {p}").format(p=w.path) for w in self.result_info.files]
        if self.result_info.without_file:
            lines.append(self.tr("署名なしファイルの{n}行は差戻しファイルを作れません。警察署へ直接連絡してください")
                         .format(n=len(self.result_info.without_file)))
        return "\n".join(lines)
