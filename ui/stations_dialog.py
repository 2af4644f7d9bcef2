"""警察署一覧: the prefecture's station list, kept by HQ, with dated renames and mergers.

No list ships with Teishi (none may be redistributed), so HQ types or imports its own.

Public API: ``StationsDialog(ctx, officer=None, parent=None)``; ``StationsTableModel(ctx, prefecture_code)``;
``DatedChangeDialog`` (a name or successor plus the day it applies from).
"""
from __future__ import annotations

import datetime as dt
import logging
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (QComboBox, QDialog, QFileDialog, QFormLayout, QHBoxLayout,
                               QInputDialog, QLabel, QLineEdit, QMessageBox, QPushButton, QVBoxLayout)

from desktop_app import resources
from desktop_app.services.errors import ServiceError
from desktop_app.services.officers import Officer
from desktop_app.services.stations import Station
from desktop_app.wareki import WarekiError, format_wareki, parse_date
from ui.dialog_footer import add_error_and_buttons
from ui.record_table import RECORD_ROLE, RecordTableModel, read_only_table

log = logging.getLogger(__name__)

STATION_ROLE = RECORD_ROLE
COL_NAME, COL_CODE, COL_FROM, COL_TO, COL_SUCCESSOR, COL_NOTE = range(6)


def _tr(text: str) -> str:
    return QCoreApplication.translate("StationsDialog", text)


class StationsTableModel(RecordTableModel):
    HEADERS = ("警察署名", "コード", "有効開始日", "有効終了日", "統合・改称先", "備考")
    TR_CONTEXT = "StationsDialog"

    def __init__(self, ctx, prefecture_code: str, parent=None):
        super().__init__(parent)
        self._ctx = ctx
        self.prefecture_code = prefecture_code
        self.reload()

    def set_prefecture(self, code: str) -> None:
        self.prefecture_code = code
        self.reload()

    def reload(self) -> None:
        self.set_rows(self._ctx.stations.all(self.prefecture_code) if self.prefecture_code else [])

    def station(self, row: int) -> Station | None:
        return self.record(row)

    def cell(self, s: Station, column: int, role: int):
        if role == Qt.ItemDataRole.DisplayRole:
            return (s.name, s.code or "", format_wareki(s.valid_from), format_wareki(s.valid_to),
                    s.successor or "", s.note or "")[column]
        if role == Qt.ItemDataRole.ForegroundRole and not s.active_on(self._ctx.today()):
            return QBrush(QColor("#888888"))  # renamed or merged: kept so old reports still resolve
        return None


class DatedChangeDialog(QDialog):
    """A name or successor plus the day from which the change applies (typed in 和暦 or ISO)."""

    def __init__(self, ctx, title: str, name_label: str, choices: list[str] | None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self._ctx = ctx
        self.day: dt.date | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        if choices is None:
            self.name = QLineEdit(self)
            self.name.setObjectName("newName")
        else:
            self.name = QComboBox(self)
            self.name.setObjectName("successor")
            self.name.addItem(self.tr("(なし・廃止)"), None)
            for c in choices:
                self.name.addItem(c, c)
        form.addRow(name_label, self.name)
        self.date = QLineEdit(format_wareki(ctx.today()), self)
        self.date.setObjectName("effectiveDate")
        form.addRow(self.tr("実施日"), self.date)
        layout.addLayout(form)
        self.error, _ = add_error_and_buttons(self, layout)

    def value(self) -> str | None:
        if isinstance(self.name, QComboBox):
            return self.name.currentData()
        return self.name.text().strip()

    def accept(self) -> None:
        try:
            self.day = parse_date(self.date.text(), today=self._ctx.today())
        except WarekiError as exc:
            self.error.setText(str(exc))
            return
        if isinstance(self.name, QLineEdit) and not self.value():
            self.error.setText(self.tr("新しい名称を入力してください"))
            return
        super().accept()


class StationsDialog(QDialog):
    def __init__(self, ctx, officer: Officer | None = None, parent=None):
        super().__init__(parent)
        self.setWindowTitle(self.tr("警察署一覧"))
        self.resize(820, 480)
        self._ctx = ctx
        self._by = officer.id if officer else None
        own = ctx.settings.get("prefecture_code")
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("都道府県"), self))
        self.prefecture = QComboBox(self)
        self.prefecture.setObjectName("prefecture")
        for p in resources.prefectures():
            self.prefecture.addItem(f"{p.code} {p.name}", p.code)
        self.prefecture.setCurrentIndex(max(0, self.prefecture.findData(own)) if own else 0)
        # A station or HQ keeps its own prefecture's list; only the NPA may look at any.
        self.prefecture.setEnabled(not own)
        top.addWidget(self.prefecture)
        top.addStretch(1)
        layout.addLayout(top)

        self.model = StationsTableModel(ctx, self.prefecture.currentData(), self)
        self.prefecture.currentIndexChanged.connect(lambda *_: self.model.set_prefecture(self.prefecture.currentData()))
        self.view = read_only_table(self.model, self, name="stationsTable", single_selection=True, stretch_last=True)
        layout.addWidget(self.view, 1)

        self.error = QLabel("", self)
        self.error.setObjectName("errorText")
        self.error.setWordWrap(True)
        layout.addWidget(self.error)

        row = QHBoxLayout()
        self.add_button = QPushButton(self.tr("追加…"), self)
        self.rename_button = QPushButton(self.tr("改称…"), self)
        self.close_button = QPushButton(self.tr("統合・廃止…"), self)
        self.import_button = QPushButton(self.tr("CSVから取込…"), self)
        done = QPushButton(self.tr("閉じる"), self)
        for b in (self.add_button, self.rename_button, self.close_button, self.import_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(done)
        layout.addLayout(row)
        self.add_button.clicked.connect(self.add_station)
        self.rename_button.clicked.connect(self.rename_station)
        self.close_button.clicked.connect(self.close_station)
        self.import_button.clicked.connect(self.import_csv)
        done.clicked.connect(self.accept)

    @property
    def prefecture_code(self) -> str:
        return self.prefecture.currentData()

    def selected(self) -> Station | None:
        return self.model.station(self.view.currentIndex().row())

    def _run(self, action, *args, **kwargs) -> bool:
        try:
            action(*args, **kwargs)
        except ServiceError as exc:
            self.error.setText(str(exc))
            QMessageBox.warning(self, self.tr("警察署一覧"), str(exc))
            return False
        self.error.setText("")
        self.model.reload()
        return True

    def add_station(self) -> None:
        name, ok = QInputDialog.getText(self, self.tr("警察署の追加"), self.tr("警察署名"))
        if ok and name.strip():
            self._run(self._ctx.stations.add, self.prefecture_code, name, by=self._by)

    def rename_station(self) -> None:
        station = self.selected()
        if station is None:
            return
        dialog = DatedChangeDialog(self._ctx, self.tr("{name}の改称").format(name=station.name),
                                    self.tr("新しい名称"), None, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self._run(self._ctx.stations.rename, station, dialog.value(), dialog.day, by=self._by)

    def close_station(self) -> None:
        station = self.selected()
        if station is None:
            return
        others = [n for n in self._ctx.stations.names(self.prefecture_code, on=self._ctx.today()) if n != station.name]
        dialog = DatedChangeDialog(self._ctx, self.tr("{name}の統合・廃止").format(name=station.name),
                                    self.tr("統合先"), others, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            last_day = (dialog.day - dt.timedelta(days=1)).isoformat()
            self._run(self._ctx.stations.update, station, valid_to=last_day, successor=dialog.value(), by=self._by)

    def import_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("警察署一覧CSVを選ぶ"), "",
                                              self.tr("CSVファイル (*.csv);;すべてのファイル (*)"))
        if not path:
            return
        try:
            count = self._ctx.stations.import_csv(self.prefecture_code, Path(path), by=self._by)
        except (ServiceError, OSError) as exc:
            message = self.tr("{err}\n\n取り込みは行っていません(一覧は変わっていません)。").format(err=exc)
            self.error.setText(message)
            QMessageBox.warning(self, self.tr("CSVを取り込めません"), message)
            return
        self.error.setText("")
        self.model.reload()
        QMessageBox.information(self, self.tr("CSVの取込"), self.tr("{n}件の警察署を取り込みました。").format(n=count))
