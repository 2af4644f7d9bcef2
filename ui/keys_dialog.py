"""This unit's signing key: the fingerprint shown LARGE, to be read out over the phone to HQ.

Public API: ``KeysDialog(parent, ctx, officer)``; ``key_service_for(parent, ctx)`` builds the key
service whose passphrase (non-Windows) is asked in a password box.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QInputDialog, QLabel, QLineEdit,
                               QMessageBox, QPushButton, QVBoxLayout)

from desktop_app.services.errors import ServiceError
from desktop_app.services.trust import KeyService
from desktop_app.signing_keys import PASSPHRASE_ENV

log = logging.getLogger(__name__)


def key_service_for(parent, ctx) -> KeyService:
    if getattr(ctx, "passphrase", None) is not None:  # the composition root installed the prompt
        return ctx.key_service()
    def ask() -> str | None:
        if os.environ.get(PASSPHRASE_ENV):
            return os.environ[PASSPHRASE_ENV]
        text, ok = QInputDialog.getText(parent, parent.tr("署名鍵のパスフレーズ"),
                                        parent.tr("署名鍵のパスフレーズ(8文字以上)"), QLineEdit.EchoMode.Password)
        return text if ok else None
    return KeyService(ctx.database, ctx.data_dir, passphrase=ask)


class KeysDialog(QDialog):
    def __init__(self, parent, ctx, officer=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("この端末の署名鍵"))
        self._ctx, self._officer = ctx, officer
        self.keys = key_service_for(self, ctx)
        layout = QVBoxLayout(self)
        ident = ctx.setup.identity()
        layout.addWidget(QLabel(ident.unit_name if ident else "", self))
        intro = QLabel(self.tr("送付先(本部・警察庁)に登録してもらう公開鍵の指紋です。"
                               "電話で読み上げるか、押印した書面で伝えてください。"), self)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.fingerprint = QLabel(self)
        self.fingerprint.setObjectName("fingerprint")
        big = QFont("BIZ UDGothic")
        big.setStyleHint(QFont.StyleHint.Monospace)
        big.setPointSize(26)
        big.setBold(True)
        self.fingerprint.setFont(big)
        self.fingerprint.setWordWrap(True)
        layout.addWidget(self.fingerprint)
        self.key_id = QLabel(self)
        self.key_id.setObjectName("keyId")
        layout.addWidget(self.key_id)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.copy_button = QPushButton(self.tr("指紋をコピー(&C)"), self)
        self.export_button = QPushButton(self.tr("公開鍵ファイルを保存(&S)…"), self)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        self.copy_button.clicked.connect(self._copy)
        self.export_button.clicked.connect(self._export)
        layout.addWidget(buttons)
        self._load()

    def _load(self) -> None:
        try:
            info = self.keys.ensure(self._ctx.setup.identity())
        except ServiceError as exc:
            self.fingerprint.setText(self.tr("(鍵がありません)"))
            self.key_id.setText(str(exc))
            return
        # two lines of four groups: easier to read aloud and to check back
        groups = info.fingerprint.split(" ")
        self.fingerprint.setText(" ".join(groups[:4]) + "\n" + " ".join(groups[4:]))
        self.key_id.setText(self.tr("鍵ID(minisign): {0}").format(info.key_id))

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self.keys.info().fingerprint)

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("公開鍵ファイルの保存"), "teishi.pub",
                                              self.tr("公開鍵 (*.pub)"))
        if not path:
            return
        try:
            self.keys.export_public(Path(path))
        except (ServiceError, OSError) as exc:
            QMessageBox.warning(self, self.tr("保存できません"), str(exc))
