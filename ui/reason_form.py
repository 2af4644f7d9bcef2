"""The part the return, hold and mistaken-request dialogs share: which rows, and a reason box
(``ReasonForm``), and the dialog shell around them (``ReasonDialog``)."""
from __future__ import annotations

import logging

from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QLabel, QLayout, QListWidget, QMessageBox, QPlainTextEdit,
                               QVBoxLayout, QWidget)

from desktop_app.services.errors import ServiceError

log = logging.getLogger(__name__)

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


class ReasonDialog(QDialog):
    """Rows, a reason, the dialog's own fields, and an OK button that refuses an empty reason.

    A subclass calls ``build(rows, prompt, fields, ok_text, missing_reason)`` once it has made its
    fields, and implements ``act(rows, reason)``: it does the work and returns the text to confirm it
    with (None: nothing to say); a ``ServiceError`` or ``OSError`` it raises is shown and the dialog
    stays open with nothing done.
    """

    FOCUS_REASON = True  # the cursor waits in the reason box, at opening and after a refusal

    def __init__(self, hq, officer_id: int | None, parent=None):
        super().__init__(parent)
        self._hq = hq
        self._officer_id = officer_id

    def build(self, rows, prompt: str, fields: QLayout, ok_text: str, missing_reason: str) -> None:
        self._missing_reason = missing_reason
        self.form = ReasonForm(rows, prompt)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.form)
        lay.addLayout(fields)
        lay.addWidget(self.buttons)
        if self.FOCUS_REASON:
            self.form.reason.setFocus()

    def act(self, rows, reason: str) -> str | None:
        raise NotImplementedError

    def accept(self) -> None:
        if not self.form.text:
            QMessageBox.warning(self, self.windowTitle(), self._missing_reason)
            if self.FOCUS_REASON:
                self.form.reason.setFocus()
            return
        try:
            done = self.act(self.form.rows, self.form.text)
        except (ServiceError, OSError) as exc:
            QMessageBox.warning(self, self.windowTitle(), str(exc))
            return
        if done:
            QMessageBox.information(self, self.windowTitle(), done)
        super().accept()
