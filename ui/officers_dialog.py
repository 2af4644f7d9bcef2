"""職員名簿: the officers who may enter and verify rows, each with their own PIN.

Public API:
- ``OfficersDialog(ctx, officer=None, parent=None)`` — the roster (add, deactivate/reactivate, change PIN).
- ``AddOfficerDialog.ask(parent, ctx, by=None) -> Officer | None`` — register one officer
  (the sign-in dialog uses it for the very first officer).
- ``OfficersTableModel(ctx)`` — the roster as a table model (testable without a window).
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QDialog, QFormLayout, QHBoxLayout, QHeaderView, QLabel,
                               QLineEdit, QMessageBox, QPushButton, QVBoxLayout)

from desktop_app.services.errors import ServiceError
from desktop_app.services.officers import Officer
from ui.dialog_footer import add_error_and_buttons
from ui.record_table import RECORD_ROLE, RecordTableModel, read_only_table

log = logging.getLogger(__name__)

OFFICER_ROLE = RECORD_ROLE
COL_STAFF_NO, COL_NAME, COL_ACTIVE = range(3)


def _tr(text: str) -> str:
    return QCoreApplication.translate("OfficersDialog", text)


def pin_edit(parent=None) -> QLineEdit:
    """A PIN field: hidden digits, IME off so that a full-width digit never sneaks in."""
    edit = QLineEdit(parent)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    edit.setMaxLength(12)
    return edit


class OfficersTableModel(RecordTableModel):
    HEADERS = ("職員番号", "氏名", "状態")
    TR_CONTEXT = "OfficersDialog"

    def __init__(self, ctx, parent=None):
        super().__init__(parent)
        self._ctx = ctx
        self.reload()

    def reload(self) -> None:
        self.set_rows(self._ctx.officers.list(include_inactive=True))

    def officer(self, row: int) -> Officer | None:
        return self.record(row)

    def cell(self, o: Officer, column: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            return (o.staff_no, o.name, _tr("有効") if o.active else _tr("無効"))[column]
        if role == Qt.ItemDataRole.ForegroundRole and not o.active:
            return QBrush(QColor("#888888"))
        return None


class AddOfficerDialog(QDialog):
    """職員番号, 氏名 and the PIN typed twice (a PIN mistyped once would lock the officer out)."""

    def __init__(self, ctx, by: int | None = None, parent=None, intro: str = ""):
        super().__init__(parent)
        self.setWindowTitle(self.tr("職員の登録"))
        self._ctx = ctx
        self._by = by
        self.officer: Officer | None = None
        layout = QVBoxLayout(self)
        if intro:
            label = QLabel(intro, self)
            label.setWordWrap(True)
            layout.addWidget(label)
        form = QFormLayout()
        self.staff_no = QLineEdit(self)
        self.staff_no.setObjectName("staffNo")
        self.staff_no.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.name = QLineEdit(self)
        self.name.setObjectName("officerName")
        self.pin = pin_edit(self)
        self.pin.setObjectName("pin")
        self.pin_again = pin_edit(self)
        self.pin_again.setObjectName("pinAgain")
        form.addRow(self.tr("職員番号"), self.staff_no)
        form.addRow(self.tr("氏名"), self.name)
        form.addRow(self.tr("暗証番号(数字4〜12桁)"), self.pin)
        form.addRow(self.tr("暗証番号(確認)"), self.pin_again)
        layout.addLayout(form)
        self.error, _ = add_error_and_buttons(self, layout, ok_text=self.tr("登録"), cancel_text=self.tr("キャンセル"),
                                              wrap=True)

    def accept(self) -> None:
        if self.pin.text() != self.pin_again.text():
            self.error.setText(self.tr("2回入力した暗証番号が一致しません"))
            self.pin_again.clear()
            self.pin_again.setFocus()
            return
        try:
            self.officer = self._ctx.officers.add(self.staff_no.text(), self.name.text(), self.pin.text(), by=self._by)
        except ServiceError as exc:
            self.error.setText(str(exc))
            return
        super().accept()

    @classmethod
    def ask(cls, parent, ctx, by: int | None = None, intro: str = "") -> Officer | None:
        dialog = cls(ctx, by=by, parent=parent, intro=intro)
        return dialog.officer if dialog.exec() == QDialog.DialogCode.Accepted else None


class ChangePinDialog(QDialog):
    def __init__(self, ctx, officer: Officer, by: int | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("暗証番号の変更 — {who}").format(who=officer.label))
        self._ctx, self._officer, self._by = ctx, officer, by
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.pin = pin_edit(self)
        self.pin.setObjectName("newPin")
        self.pin_again = pin_edit(self)
        self.pin_again.setObjectName("newPinAgain")
        form.addRow(self.tr("新しい暗証番号"), self.pin)
        form.addRow(self.tr("新しい暗証番号(確認)"), self.pin_again)
        layout.addLayout(form)
        self.error, _ = add_error_and_buttons(self, layout)

    def accept(self) -> None:
        if self.pin.text() != self.pin_again.text():
            self.error.setText(self.tr("2回入力した暗証番号が一致しません"))
            return
        try:
            self._ctx.officers.change_pin(self._officer.id, self.pin.text(), by=self._by)
        except ServiceError as exc:
            self.error.setText(str(exc))
            return
        super().accept()


class OfficersDialog(QDialog):
    """The roster: who may enter and verify rows at this unit."""

    def __init__(self, ctx, officer: Officer | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("職員名簿"))
        self.resize(560, 400)
        self._ctx = ctx
        self._by = officer.id if officer else None
        self.model = OfficersTableModel(ctx, self)
        layout = QVBoxLayout(self)
        self.view = read_only_table(self.model, self, name="officersTable", single_selection=True,
                                    resize=QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.view)
        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("職員を追加…"), self)
        self.toggle_button = QPushButton(self.tr("無効にする"), self)
        self.pin_button = QPushButton(self.tr("暗証番号の変更…"), self)
        close = QPushButton(self.tr("閉じる"), self)
        for b in (self.add_button, self.toggle_button, self.pin_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(close)
        layout.addLayout(row)
        self.add_button.clicked.connect(self.add_officer)
        self.toggle_button.clicked.connect(self.toggle_active)
        self.pin_button.clicked.connect(self.change_pin)
        close.clicked.connect(self.accept)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._update_buttons())
        self._update_buttons()

    def selected(self) -> Officer | None:
        return self.model.officer(self.view.currentIndex().row())

    def _update_buttons(self) -> None:
        o = self.selected()
        self.toggle_button.setEnabled(o is not None)
        self.pin_button.setEnabled(o is not None and o.active)
        self.toggle_button.setText(self.tr("有効に戻す") if o and not o.active else self.tr("無効にする"))

    def add_officer(self) -> None:
        if AddOfficerDialog.ask(self, self._ctx, by=self._by):
            self.model.reload()
            self._update_buttons()

    def toggle_active(self) -> None:
        o = self.selected()
        if o is None:
            return
        if o.active:
            if o.id == self._by:
                QMessageBox.warning(self, self.tr("職員名簿"), self.tr("入力中の職員自身は無効にできません"))
                return
            answer = QMessageBox.question(self, self.tr("職員を無効にする"),
                                          self.tr("{who}を無効にします。以後この職員はサインインできません。").format(who=o.label))
            if answer != QMessageBox.StandardButton.Yes:
                return
        self._ctx.officers.set_active(o.id, not o.active, by=self._by)
        row = self.view.currentIndex().row()
        self.model.reload()
        self.view.selectRow(row)
        self._update_buttons()

    def change_pin(self) -> None:
        o = self.selected()
        if o is not None:
            ChangePinDialog(self._ctx, o, by=self._by, parent=self).exec()
