"""警察署と鍵: each sending unit's registered keys, last sequence number and last file; revoke a key.
(Registering a key by fingerprint and the station list have their own dialogs.)"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtWidgets import (QFileDialog, QHBoxLayout, QHeaderView, QInputDialog, QMessageBox, QPushButton, QTableView,
                               QVBoxLayout, QWidget)

from desktop_app.os_errors import user_message
from desktop_app.services.errors import ServiceError

log = logging.getLogger(__name__)

COLUMNS = (("unit_name", "所属"), ("unit_id", "所属ID"), ("key", "鍵ID(指紋)"), ("key_status", "鍵の状態"),
           ("last_sequence", "最終通し番号"), ("last_file", "最終ファイル"), ("last_received_at", "最終受信"),
           ("files", "受信ファイル数"))
KEY_STATUS = {"active": "有効", "retired": "切替済", "revoked": "失効"}
UNIT_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2


def _tr(text: str) -> str:
    return QCoreApplication.translate("UnitsModel", text)


class UnitsModel(QAbstractTableModel):
    """One line per (unit, key); a unit without a registered key still shows its files."""

    def __init__(self, units_service, parent=None):
        super().__init__(parent)
        self._svc = units_service
        self._lines: list[tuple] = []
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._lines = []
        for u in self._svc.list():
            for k in u.keys or [None]:
                self._lines.append((u, k))
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._lines)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return _tr(COLUMNS[section][1])
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        u, k = self._lines[index.row()]
        key = COLUMNS[index.column()][0]
        if role == UNIT_ROLE:
            return u
        if role == KEY_ROLE:
            return k
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if key == "key":
            return (k.get("fingerprint") or k["key_id"]) if k else _tr("(未登録)")
        if key == "key_status":
            return _tr(KEY_STATUS.get(k.get("status"), k.get("status") or "")) if k else ""
        if key == "last_received_at":
            return (u.last_received_at or "")[:16].replace("T", " ")
        value = getattr(u, key)
        return "" if value is None else str(value)


class UnitsScreen(QWidget):
    def __init__(self, hq, officer_id: int | None = None, parent=None):
        super().__init__(parent)
        self._hq = hq
        self._officer_id = officer_id
        self.model = UnitsModel(hq.units, self)
        self.view = QTableView()
        self.view.setObjectName("unitsTable")
        self.view.setModel(self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.refresh_button = QPushButton(self.tr("最新の情報に更新"))
        self.refresh_button.clicked.connect(self.reload)
        self.register_button = QPushButton(self.tr("鍵を登録…"))
        self.register_button.setObjectName("registerKey")
        self.register_button.clicked.connect(self.register_key)
        self.revoke_button = QPushButton(self.tr("鍵を失効させる…"))
        self.revoke_button.setObjectName("revokeKey")
        self.revoke_button.clicked.connect(self.revoke_selected)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refresh_button)
        buttons.addWidget(self.register_button)
        buttons.addWidget(self.revoke_button)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(buttons)
        lay.addWidget(self.view, 1)

    def reload(self) -> None:
        self.model.reload()

    def register_key(self) -> None:
        """A station's public key file, registered only when the fingerprint read out by the
        station (phone, stamped form) matches."""
        path, _ = QFileDialog.getOpenFileName(self, self.tr("警察署の公開鍵ファイル"), "",
                                              self.tr("公開鍵 (*.pub);;すべてのファイル (*)"))
        if not path:
            return
        try:
            text = Path(path).read_text(encoding="ascii", errors="replace")[:4096]
        except OSError as exc:
            QMessageBox.warning(self, self.tr("鍵の登録"), user_message(exc))
            return
        fingerprint, ok = QInputDialog.getText(self, self.tr("鍵の登録"), self.tr(
            "警察署から電話等で読み上げてもらった指紋を入力してください(照合できた鍵だけを登録します):"))
        if not ok or not fingerprint.strip():
            return
        name, ok = QInputDialog.getText(self, self.tr("鍵の登録"), self.tr("所属名(例: 大阪府警察本部 中央警察署):"))
        if not ok:
            return
        try:
            self._hq.units.register(text, fingerprint, officer_id=self._officer_id, unit_name=name.strip() or None)
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("鍵の登録"), str(exc))
            return
        self.reload()

    def revoke_selected(self) -> None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            QMessageBox.information(self, self.tr("鍵の失効"), self.tr("失効させる鍵の行を選んでください"))
            return
        key = rows[0].data(KEY_ROLE)
        if not key:
            return
        reason, ok = QInputDialog.getText(self, self.tr("鍵の失効"), self.tr(
            "鍵 {k} を失効させます。以後この鍵で署名されたファイルは拒否されます。\n理由:").format(k=key["key_id"]))
        if not ok or not reason.strip():
            return
        try:
            self._hq.units.revoke(key["key_id"], officer_id=self._officer_id, reason=reason.strip())
        except ServiceError as exc:
            QMessageBox.warning(self, self.tr("鍵の失効"), str(exc))
            return
        self.reload()
