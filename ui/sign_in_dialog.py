"""Sign in with 職員番号 and PIN: who is typing is recorded on every row and in the audit log.

Public API:
- ``SignInDialog.ask(parent, ctx, title=None, exclude_officer_id=None, message=None) -> Officer | None``
  Modal. Returns the authenticated officer, or None when cancelled. ``exclude_officer_id`` refuses
  one officer (the dual-entry check uses it so that the second officer is really someone else).
  When the roster is empty and nobody is excluded, it offers to register the first officer.
- ``SignInDialog(ctx, title=None, exclude_officer_id=None, message=None, parent=None)`` for tests:
  fill ``staff_no`` / ``pin``, press the OK button; ``dialog.officer`` holds the result.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QCoreApplication, QEvent, Qt
from PySide6.QtWidgets import QDialog, QFormLayout, QLabel, QLineEdit, QMessageBox, QVBoxLayout

from desktop_app.services.errors import AuthError
from desktop_app.services.officers import Officer
from ui.dialog_footer import add_error_and_buttons
from ui.officers_dialog import AddOfficerDialog, pin_edit

log = logging.getLogger(__name__)


class SignInDialog(QDialog):
    def __init__(self, ctx, title: str | None = None, exclude_officer_id: int | None = None,
                 message: str | None = None, parent=None, prepare=None):
        super().__init__(parent)
        # prepare(officer): work to do while the PIN is checked (see OfficerService.authenticate)
        self._prepare = prepare
        self.setWindowTitle(title or self.tr("サインイン"))
        self.setMinimumWidth(380)
        self._ctx = ctx
        self._exclude = exclude_officer_id
        self.officer: Officer | None = None
        layout = QVBoxLayout(self)
        ident = ctx.setup.identity()
        if ident:
            unit = QLabel(ident.unit_name, self)
            unit.setObjectName("unitName")
            layout.addWidget(unit)
        intro = QLabel(message or self.tr("職員番号と暗証番号を入力してください。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.staff_no = QLineEdit(self)
        self.staff_no.setObjectName("staffNo")
        self.staff_no.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
        self.pin = pin_edit(self)
        self.pin.setObjectName("pin")
        form.addRow(self.tr("職員番号"), self.staff_no)
        form.addRow(self.tr("暗証番号"), self.pin)
        layout.addLayout(form)
        self.error, self.buttons = add_error_and_buttons(self, layout, ok_text=self.tr("サインイン"),
                                                         cancel_text=self.tr("キャンセル"), wrap=True)
        # Enter in the staff number moves on to the PIN (without a sign-in attempt that would be
        # audited as a failure); Enter in the PIN signs in through the default button.
        self.staff_no.installEventFilter(self)
        self.staff_no.setFocus()

    def eventFilter(self, watched, event):
        if watched is self.staff_no and event.type() == QEvent.Type.KeyPress \
                and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.pin.setFocus()
            return True
        return super().eventFilter(watched, event)

    def accept(self) -> None:
        try:
            officer = self._ctx.officers.authenticate(self.staff_no.text(), self.pin.text(), meanwhile=self._prepare)
        except AuthError as exc:
            self._fail(str(exc))
            return
        if self._exclude is not None and officer.id == self._exclude:
            self._fail(self.tr("{who}は入力者です。別の職員がサインインしてください。").format(who=officer.label))
            return
        self.officer = officer
        super().accept()

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.pin.clear()
        self.pin.setFocus()

    @classmethod
    def ask(cls, parent, ctx, title: str | None = None, exclude_officer_id: int | None = None,
            message: str | None = None, prepare=None) -> Officer | None:
        """Authenticate one officer (see the module docstring)."""
        if exclude_officer_id is None and not ctx.officers.list():
            answer = QMessageBox.question(
                parent, title or cls.tr_static("サインイン"),
                cls.tr_static("職員名簿にまだ誰も登録されていません。最初の職員を登録しますか。"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
            if answer != QMessageBox.StandardButton.Yes:
                return None
            # Registering is itself proof of the PIN just chosen: that officer is signed in.
            return AddOfficerDialog.ask(parent, ctx, intro=cls.tr_static(
                "最初の職員を登録します。この職員が入力者としてサインインします。"))
        dialog = cls(ctx, title=title, exclude_officer_id=exclude_officer_id, message=message, parent=parent,
                     prepare=prepare)
        return dialog.officer if dialog.exec() == QDialog.DialogCode.Accepted else None

    @staticmethod
    def tr_static(text: str) -> str:
        return QCoreApplication.translate("SignInDialog", text)


def run_signed_in(dialog_cls, parent, ctx, entry_id: str | None, *, title: str, message: str,
                  exclude_officer_id: int | None = None) -> bool:
    """Sign an officer in with their own PIN, then run ``dialog_cls(ctx, officer, entry_id, parent)``
    (the verify and adjudication dialogs); True when that dialog changed anything."""
    officer = SignInDialog.ask(parent, ctx, title=title, exclude_officer_id=exclude_officer_id, message=message)
    if officer is None:
        return False
    dialog = dialog_cls(ctx, officer, entry_id, parent)
    dialog.exec()
    return dialog.changed
