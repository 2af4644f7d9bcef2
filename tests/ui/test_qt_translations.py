"""Qt's standard dialogs speak Japanese: 「はい」「いいえ」「キャンセル」 on every QMessageBox and input dialog."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QDialogButtonBox

from ui import qt_translations


@pytest.fixture
def translators(qapp):
    installed = qt_translations.install(qapp)
    yield installed
    for t in installed:
        qapp.removeTranslator(t)
    QLocale.setDefault(QLocale.c())


def test_standard_buttons_are_japanese(translators, qtbot):
    assert translators
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Yes | QDialogButtonBox.StandardButton.No
                           | QDialogButtonBox.StandardButton.Cancel)
    qtbot.addWidget(box)
    assert sorted(b.text() for b in box.buttons()) == sorted(["はい(&Y)", "いいえ(&N)", "キャンセル"])
    assert QLocale().language() == QLocale.Language.Japanese
