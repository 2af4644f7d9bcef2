"""The foot of the small form dialogs (sign-in, setup, officers, stations): a line where a refusal
is explained (object name ``errorText``, which the tests look for) and OK/Cancel wired to the
dialog's ``accept`` and ``reject``.

Public API: ``add_error_and_buttons(dialog, layout, *, ok_text=None, cancel_text=None, wrap=False)
-> (error_label, buttons)``.
"""
from __future__ import annotations

import logging

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout

log = logging.getLogger(__name__)


def add_error_and_buttons(dialog: QDialog, layout: QVBoxLayout, *, ok_text: str | None = None,
                          cancel_text: str | None = None, wrap: bool = False) -> tuple[QLabel, QDialogButtonBox]:
    error = QLabel("", dialog)
    error.setObjectName("errorText")
    if wrap:
        error.setWordWrap(True)
    layout.addWidget(error)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    if ok_text:
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
    if cancel_text:
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(cancel_text)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return error, buttons
