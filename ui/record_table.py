"""Read-only lists: a table model over a list of records, and the table view the list screens share.

Public API:
- ``RecordTableModel``: a ``QAbstractTableModel`` over a list of records (officers, stations, dict rows).
  A subclass names its ``HEADERS`` (and ``TR_CONTEXT`` when they are translated) and says in
  ``cell(record, column, role)`` how one record shows; ``RECORD_ROLE`` gives the record behind a row.
- ``read_only_table(model, ...)``: a ``QTableView`` that selects whole rows, never edits in place and
  hides the row numbers (the lists are read and acted on by buttons, not typed into).
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

log = logging.getLogger(__name__)

RECORD_ROLE = Qt.ItemDataRole.UserRole + 1


class RecordTableModel(QAbstractTableModel):
    HEADERS: tuple[str, ...] = ()
    TR_CONTEXT: str | None = None  # the translation context of HEADERS; None: shown as written

    def __init__(self, parent=None):
        super().__init__(parent)
        self._rows: list[Any] = []

    def set_rows(self, rows: list[Any]) -> None:
        self.beginResetModel()
        self._rows = rows
        self.endResetModel()

    def rows(self) -> list[Any]:
        return list(self._rows)

    def record(self, row: int) -> Any | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def cell(self, record: Any, column: int, role: int) -> Any:
        """What ``data`` answers for one record's column in ``role`` (None: nothing)."""
        raise NotImplementedError

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            text = self.HEADERS[section]
            return QCoreApplication.translate(self.TR_CONTEXT, text) if self.TR_CONTEXT else text
        return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        record = self.record(index.row()) if index.isValid() else None
        if record is None:
            return None
        if role == RECORD_ROLE:
            return record
        return self.cell(record, index.column(), role)


def read_only_table(model, parent: QWidget | None = None, *, name: str = "", single_selection: bool = False,
                    resize: QHeaderView.ResizeMode = QHeaderView.ResizeMode.ResizeToContents,
                    stretch_last: bool = False) -> QTableView:
    view = QTableView(parent)
    if name:
        view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    if single_selection:
        view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().setVisible(False)
    view.horizontalHeader().setSectionResizeMode(resize)
    if stretch_last:
        view.horizontalHeader().setStretchLastSection(True)
    return view


def headers_of(columns: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The headers of a ``((key, header), ...)`` column list."""
    return tuple(h for _k, h in columns)
