"""The trust list: whose signed files this unit accepts. Add a key from its file after confirming the
fingerprint read out by the sender; revoke a key.

Public API: ``TrustDialog(parent, ctx, officer)``; ``TrustTableModel(trust_service)`` (testable alone).
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QInputDialog,
                               QLabel, QLineEdit, QMessageBox, QPushButton, QTableView, QVBoxLayout)

from desktop_app.services.errors import ServiceError
from desktop_app.services.trust import TrustService
from desktop_app.signing_keys import PublicKeyInfo

log = logging.getLogger(__name__)


class TrustTableModel(QAbstractTableModel):
    COL_UNIT, COL_NAME, COL_KEY, COL_FINGERPRINT, COL_STATUS, COL_UNTIL = range(6)
    KeyIdRole = Qt.ItemDataRole.UserRole + 1

    def __init__(self, trust: TrustService, parent=None):
        super().__init__(parent)
        self._trust = trust
        self._rows = trust.entries()

    def reload(self) -> None:
        self.beginResetModel()
        self._rows = self._trust.entries()
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 6

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return [self.tr("ユニットID"), self.tr("所属"), self.tr("鍵ID"), self.tr("指紋"), self.tr("状態"),
                    self.tr("有効期限")][section]
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        e = self._rows[index.row()]
        if role == self.KeyIdRole:
            return e.key.key_id
        if role == Qt.ItemDataRole.DisplayRole:
            return [e.key.unit_id, e.key.unit_name, e.key.key_id, e.fingerprint, e.status_label,
                    e.key.not_after.date().isoformat() if e.key.not_after else ""][index.column()]
        return None


class AddKeyDialog(QDialog):
    """Shows the key file's fingerprint large; the officer types what the sender read out."""

    def __init__(self, parent, info: PublicKeyInfo):
        super().__init__(parent)
        self.setWindowTitle(self.tr("公開鍵の登録"))
        self.info = info
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(self.tr("このファイルの公開鍵の指紋:"), self))
        fp = QLabel(info.fingerprint, self)
        font = QFont("BIZ UDGothic", 18)
        font.setBold(True)
        fp.setFont(font)
        layout.addWidget(fp)
        form = QFormLayout()
        self.confirm = QLineEdit(self)
        self.confirm.setObjectName("confirmFingerprint")
        self.confirm.setPlaceholderText(self.tr("送付元が読み上げた指紋を入力"))
        self.unit_name = QLineEdit(self)
        self.unit_name.setObjectName("unitName")
        form.addRow(self.tr("聞き取った指紋"), self.confirm)
        form.addRow(self.tr("送付元の名称"), self.unit_name)
        layout.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


class TrustDialog(QDialog):
    def __init__(self, parent, ctx, officer=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("信頼する送付元の公開鍵"))
        self.resize(900, 420)
        self._officer = officer
        self.trust = TrustService(ctx.database)
        self.model = TrustTableModel(self.trust, self)
        layout = QVBoxLayout(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("公開鍵ファイルから登録(&A)…"), self)
        self.revoke_button = QPushButton(self.tr("選択した鍵を失効(&R)…"), self)
        row.addWidget(self.add_button)
        row.addWidget(self.revoke_button)
        row.addStretch(1)
        layout.addLayout(row)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close.rejected.connect(self.reject)
        layout.addWidget(close)
        self.add_button.clicked.connect(self._choose_file)
        self.revoke_button.clicked.connect(self._revoke)

    def _choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("公開鍵ファイル"), "", self.tr("公開鍵 (*.pub);;すべて (*)"))
        if path:
            self.add_from_file(Path(path))

    def add_from_file(self, path: Path, dialog: AddKeyDialog | None = None) -> bool:
        try:
            text = path.read_text(encoding="ascii", errors="replace")
            info = PublicKeyInfo.parse(text)
        except (OSError, ServiceError) as exc:
            QMessageBox.warning(self, self.tr("登録できません"), str(exc))
            return False
        dlg = dialog or AddKeyDialog(self, info)
        if dialog is None and dlg.exec() != QDialog.DialogCode.Accepted:
            return False
        try:
            self.trust.add(text, dlg.confirm.text(), unit_name=dlg.unit_name.text().strip() or None,
                           officer_id=self._officer.id if self._officer else None)
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("登録できません"), str(exc))
            return False
        self.model.reload()
        return True

    def _revoke(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            return
        key_id = self.model.data(rows[0], TrustTableModel.KeyIdRole)
        reason, ok = QInputDialog.getText(self, self.tr("鍵の失効"),
                                          self.tr("鍵ID {0} を失効させます。理由:").format(key_id))
        if not ok:
            return
        self.trust.revoke(key_id, reason=reason, officer_id=self._officer.id if self._officer else None)
        self.model.reload()
