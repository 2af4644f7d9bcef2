"""誤依頼: mark the selected rows and write the signed mistaken-request report at once."""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QLabel, QLineEdit, QPushButton

from desktop_app.hq.mistaken import report_name
from ui.reason_form import ReasonDialog

log = logging.getLogger(__name__)


class MistakenDialog(ReasonDialog):

    def __init__(self, hq, rows, officer_id: int | None, parent=None, *, report=None):
        """``report(rows, reason, officer_id, out)`` writes the file; HQ's own service by default
        (a station passes its StationMistakenService through it)."""
        super().__init__(hq, officer_id, parent)
        self._report = report or (lambda rows, reason, officer_id, out: hq.mistaken.report(
            [r.rid for r in rows], reason=reason, officer_id=officer_id, out=out))
        self.setWindowTitle(self.tr("誤依頼の報告"))
        self.resize(560, 440)
        self.written = None
        self.out = QLineEdit(str(hq.default_out_dir() / report_name()))
        self.out.setObjectName("outFile")
        browse = QPushButton(self.tr("参照…"))
        browse.clicked.connect(self._browse)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("報告ファイル")))
        row.addWidget(self.out, 1)
        row.addWidget(browse)
        self.build(rows, self.tr("誤依頼の理由(例: 捜査の結果、犯行に利用されたアカウントではなかった)"), row,
                   self.tr("誤依頼として報告"), self.tr("誤依頼の理由を入力してください"))

    def _browse(self) -> None:
        f, _ = QFileDialog.getSaveFileName(self, self.tr("報告ファイル"), self.out.text(), "Excel (*.xlsx)")
        if f:
            self.out.setText(f)

    def act(self, rows, reason: str) -> str:
        self.written = self._report(rows, reason, self._officer_id, Path(self.out.text()))
        return self.tr("誤依頼報告を作成しました。日次の集約を待たず、直ちに警察庁へ送付してください。\n{p}").format(
            p=self.written.path)
