"""確認入力: a second officer re-types each account ID blind, row after row, from the keyboard.

Public API:
- ``VerifyDialog.run(parent, ctx, entry_id=None) -> bool`` — the verifier signs in with their own
  PIN (``SignInDialog``), then works through the rows awaiting verification, starting at
  ``entry_id`` when given. Returns True when anything was verified or sent to adjudication.
- ``VerifyDialog(ctx, verifier, entry_id=None, parent=None)`` for tests: type into ``id_edit``,
  press Enter; ``message`` says what happened; signal ``entriesChanged`` after every attempt.

The dialog shows 番号, ユーザー名, 企業/団体名, 類型, 認知日 so the verifier can find the source, and
never the first officer's value: on a mismatch it says only 「一致しません。もう一度入力してください」.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtWidgets import (QDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout,
                               QWidget)

from desktop_app.services.errors import ServiceError
from desktop_app.services.officers import Officer
from desktop_app.services.verification import Outcome, VerificationTask
from ui import theme
from ui.sign_in_dialog import run_signed_in

log = logging.getLogger(__name__)

MISMATCH_TEXT = "一致しません。もう一度入力してください"


class VerifyDialog(QDialog):
    entriesChanged = Signal()

    def __init__(self, ctx, verifier: Officer, entry_id: str | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("verifyDialog")
        self.setWindowTitle(self.tr("確認入力(ブラインド)"))
        self.setMinimumWidth(560)
        self._ctx = ctx
        self._svc = ctx.verification
        self.verifier = verifier
        self.task: VerificationTask | None = None
        self._column_index = 0
        self._skipped: set[str] = set()
        self.changed = False

        layout = QVBoxLayout(self)
        who = QLabel(self.tr("確認者: {who}").format(who=verifier.label), self)
        who.setObjectName("verifierLabel")
        layout.addWidget(who)
        intro = QLabel(self.tr("原本(スクリーンショット・被害者の画面など)を見て、アカウントIDをもう一度入力してください。"
                               "入力者の値は表示されません。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.progress = QLabel(self)
        self.progress.setObjectName("verifyProgress")
        layout.addWidget(self.progress)

        self.fields = QFormLayout()
        self._field_labels: dict[str, QLabel] = {}
        for label in ("番号", "ユーザー名", "企業/団体名", "類型", "認知日"):
            value = QLabel("", self)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setObjectName("shown_" + label)
            self._field_labels[label] = value
            self.fields.addRow(self.tr(label), value)
        layout.addLayout(self.fields)

        self.column_label = QLabel(self)
        self.column_label.setObjectName("columnLabel")
        layout.addWidget(self.column_label)
        self.id_edit = QLineEdit(self)
        self.id_edit.setObjectName("verifyInput")
        self.id_edit.setFont(theme.id_font())
        self.id_edit.setMaxLength(200)
        self.id_edit.returnPressed.connect(self.submit)
        layout.addWidget(self.id_edit)
        self.message = QLabel("", self)
        self.message.setObjectName("verifyMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)

        buttons = QWidget(self)
        row = QHBoxLayout(buttons)
        row.setContentsMargins(0, 0, 0, 0)
        self.submit_button = QPushButton(self.tr("確認(Enter)"), self)
        self.submit_button.clicked.connect(self.submit)
        self.skip_button = QPushButton(self.tr("この行を後回し(Ctrl+→)"), self)
        self.skip_button.setShortcut("Ctrl+Right")
        self.skip_button.clicked.connect(self.skip)
        close = QPushButton(self.tr("閉じる(Esc)"), self)
        close.clicked.connect(self.reject)
        for b in (self.submit_button, self.skip_button, close):
            b.setAutoDefault(False)
            row.addWidget(b)
        layout.addWidget(buttons)
        hint = QLabel(self.tr("Enter: 確認　Ctrl+→: 後回し　Esc: 閉じる"), self)
        hint.setObjectName("keyHint")
        layout.addWidget(hint)
        self._open(entry_id)

    # ---- flow -------------------------------------------------------------------------------
    def _next_id(self, after_position: int | None = None) -> str | None:
        queue = [e for e in self._svc.queue(self.verifier) if e.id not in self._skipped]
        if after_position is not None:
            later = [e for e in queue if e.position > after_position]
            queue = later or queue
        return queue[0].id if queue else None

    def _open(self, entry_id: str | None, after_position: int | None = None) -> None:
        """Show the given row (or the next one this officer may verify)."""
        if entry_id is not None:
            try:
                self.task = self._svc.start(entry_id, self.verifier)
            except ServiceError as exc:
                self._set_message(str(exc), error=True)
                entry_id = None
                self.task = None
        if entry_id is None:
            entry_id = self._next_id(after_position)
            self.task = None
            if entry_id is not None:
                try:
                    self.task = self._svc.start(entry_id, self.verifier)
                except ServiceError as exc:  # someone else finished it meanwhile
                    self._set_message(str(exc), error=True)
        self._column_index = 0
        self._show_task()

    def _show_task(self) -> None:
        remaining = len(self._svc.queue(self.verifier))
        self.progress.setText(self.tr("確認待ち: {n}件").format(n=remaining))
        if self.task is None:
            for value in self._field_labels.values():
                value.setText("")
            self.column_label.setText(self.tr("確認待ちの行はありません"))
            self.id_edit.setEnabled(False)
            self.submit_button.setEnabled(False)
            self.skip_button.setEnabled(False)
            return
        for label, value in self.task.shown:
            if label in self._field_labels:
                self._field_labels[label].setText(value)
        col = self.task.columns[self._column_index]
        self.column_label.setText(self.tr("{label}をもう一度入力してください").format(label=col.label))
        # the ID field keeps the IME off (Qt then disassociates it on Windows); a name needs the IME
        self.id_edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, col.kind != "account_id")
        self.id_edit.setFont(theme.id_font() if col.kind == "account_id" else self.font())
        self.id_edit.setEnabled(True)
        self.submit_button.setEnabled(True)
        self.skip_button.setEnabled(True)
        self.id_edit.clear()
        self.id_edit.setFocus()

    def _set_message(self, text: str, *, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setProperty("error", error)
        self.message.setStyleSheet("color: #b00020;" if error else "color: #1b5e20;")

    def submit(self) -> None:
        if self.task is None:
            return
        col = self.task.columns[self._column_index]
        typed = self.id_edit.text()
        try:
            outcome = self._svc.submit(self.task.entry_id, self.verifier, col.key, typed)
        except ServiceError as exc:
            self._set_message(str(exc), error=True)
            self.id_edit.setFocus()
            return
        self.changed = True
        self.entriesChanged.emit()
        position = self.task.position
        if outcome == Outcome.MISMATCH_RETRY:
            # nothing about where or how it differs: the second entry must not be anchored
            self._set_message(self.tr(MISMATCH_TEXT), error=True)
            self.id_edit.clear()
            self.id_edit.setFocus()
            return
        if outcome == Outcome.CONFLICT:
            self._set_message(self.tr("一致しません。番号{n}は判定待ちになりました(別の職員が原本を見て判定します)。"
                                      "次の行へ進みます").format(n=position), error=True)
            self._open(None, after_position=position)
            return
        if self._column_index + 1 < len(self.task.columns):
            self._column_index += 1
            self._set_message(self.tr("一致しました。続けて次の項目を入力してください"))
            self._show_task()
            return
        self._set_message(self.tr("一致しました(番号{n}は確認済みです)。次の行へ進みます").format(n=position))
        self._open(None, after_position=position)

    def skip(self) -> None:
        if self.task is None:
            return
        self._skipped.add(self.task.entry_id)
        position = self.task.position
        self._set_message(self.tr("番号{n}を後回しにしました").format(n=position))
        self._open(None, after_position=position)

    @classmethod
    def run(cls, parent, ctx, entry_id: str | None = None) -> bool:
        """Sign the verifier in (their own PIN), then verify; see the module docstring."""
        exclude = ctx.entries.get(entry_id).entered_by if entry_id else None
        return run_signed_in(cls, parent, ctx, entry_id, title=cls.tr_static("確認者のサインイン"),
                             exclude_officer_id=exclude,
                             message=cls.tr_static("確認入力は入力者とは別の職員が行います。"
                                                   "確認者の職員番号と暗証番号を入力してください。"))

    @staticmethod
    def tr_static(text: str) -> str:
        return QCoreApplication.translate("VerifyDialog", text)
