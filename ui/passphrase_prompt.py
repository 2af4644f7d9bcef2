"""Asking for the signing key's passphrase (only where the OS key store is not used, i.e. not Windows).

``install(ctx)`` makes every signing in this sitting ask through a password box, once: the answer is
kept in memory until the application closes, never written anywhere.
"""
from __future__ import annotations

import logging
import os

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QInputDialog, QLineEdit, QMessageBox


log = logging.getLogger(__name__)


def _tr(text: str) -> str:
    return QCoreApplication.translate("passphrase", text)


def _ask(title: str, label: str) -> str | None:
    parent = QApplication.activeWindow()
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return text if ok else None


class PassphrasePrompt:
    def __init__(self, ctx):
        self._ctx = ctx
        self._cached: str | None = None

    def __call__(self) -> str | None:
        # here, not at the top: signing_keys loads minisign and cryptography, which start-up never needs
        from desktop_app.signing_keys import MIN_PASSPHRASE, PASSPHRASE_ENV

        if os.environ.get(PASSPHRASE_ENV):
            return os.environ[PASSPHRASE_ENV]
        if self._cached:
            return self._cached
        creating = not self._ctx.key_service_has_key()
        title = _tr("署名鍵のパスフレーズ")
        if not creating:
            phrase = _ask(title, _tr("署名鍵のパスフレーズを入力してください"))
        else:
            phrase = _ask(title, _tr("この端末の署名鍵を作成します。\n鍵を守るパスフレーズ({n}文字以上)を決めて入力してください")
                          .format(n=MIN_PASSPHRASE))
            if phrase is not None and _ask(title, _tr("確認のため、もう一度入力してください")) != phrase:
                QMessageBox.warning(QApplication.activeWindow(), title, _tr("パスフレーズが一致しません。もう一度やり直してください"))
                return None
        if phrase:
            self._cached = phrase
        return phrase


def install(ctx) -> PassphrasePrompt:
    prompt = PassphrasePrompt(ctx)
    ctx.passphrase = prompt
    return prompt
