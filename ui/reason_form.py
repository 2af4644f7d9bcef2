"""The part the return, hold and mistaken-request dialogs share: which rows, and a reason box."""
from __future__ import annotations

from PySide6.QtWidgets import QLabel, QListWidget, QPlainTextEdit, QVBoxLayout, QWidget

MAX_LISTED = 200


class ReasonForm(QWidget):
    def __init__(self, rows, prompt: str, parent=None):
        super().__init__(parent)
        self.rows = list(rows)
        self.rows_list = QListWidget()
        self.rows_list.setObjectName("rowsList")
        for r in self.rows[:MAX_LISTED]:
            self.rows_list.addItem(f"{r.rid}  {r.account_id or r.account_id_raw or ''}  {r.station or ''}")
        if len(self.rows) > MAX_LISTED:
            self.rows_list.addItem(self.tr("ほか{n}行").format(n=len(self.rows) - MAX_LISTED))
        self.rows_list.setMaximumHeight(140)
        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setTabChangesFocus(True)  # keyboard-first: Tab leaves the box
        self.reason.setPlaceholderText(self.tr("理由(必須)"))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(QLabel(self.tr("対象の行({n}行)").format(n=len(self.rows))))
        lay.addWidget(self.rows_list)
        lay.addWidget(QLabel(prompt))
        lay.addWidget(self.reason)

    @property
    def text(self) -> str:
        return self.reason.toPlainText().strip()
