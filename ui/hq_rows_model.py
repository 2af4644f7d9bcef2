"""Rows received at HQ as a Qt table model: SQL does the filtering and sorting, and rows are
fetched a page at a time (``canFetchMore``/``fetchMore``), so 100,000 rows open instantly.

Testable without a window: set a filter with ``set_filter``, sort with ``sort``, read ``data``.
"""
from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor

from desktop_app import case_types
from desktop_app.hq.received import ReceivedRow, ReceivedRows
from desktop_app.hq.statuses import RowStatus, label
from desktop_app.storage.received_repo import RowFilter
from desktop_app.wareki import format_wareki
from ui import theme

log = logging.getLogger(__name__)

PAGE = 500

# (key, header, SQL sort column)
COLUMNS = (
    ("rid", "受付番号", "rid"),
    ("status", "状態", "status"),
    ("problem", "問題", "problem"),
    ("account_id", "アカウントID", "account_id"),
    ("user_name", "ユーザー名", "user_name"),
    ("organization", "企業/団体名", "organization"),
    ("case_type", "類型", "case_type"),
    ("station", "警察署", "station"),
    ("recognized_on", "認知日", "recognized_on"),
    ("received_at", "受信日時", "received_at"),
    ("reason", "理由・保留期限", "status"),
)
COLUMN_KEYS = tuple(c[0] for c in COLUMNS)
COL_RID = COLUMN_KEYS.index("rid")
COL_STATUS = COLUMN_KEYS.index("status")
COL_PROBLEM = COLUMN_KEYS.index("problem")
COL_ACCOUNT_ID = COLUMN_KEYS.index("account_id")
COL_CASE_TYPE = COLUMN_KEYS.index("case_type")
COL_STATION = COLUMN_KEYS.index("station")

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the ReceivedRow
RID_ROLE = Qt.ItemDataRole.UserRole + 2  # its 受付番号 (int)
STATUS_ROLE = Qt.ItemDataRole.UserRole + 3  # RowStatus value
PROBLEM_ROLE = Qt.ItemDataRole.UserRole + 4  # number of problems (issues + duplicates)

STATUS_TINTS = {
    RowStatus.UNCONFIRMED: QColor("#fde3a7"), RowStatus.RETURNED: QColor("#f6c9c9"),
    RowStatus.HELD: QColor("#d9d2e9"), RowStatus.SENT: QColor("#d9ead3"), RowStatus.MISTAKEN: QColor("#cccccc"),
}
PROBLEM_TINT = QColor("#f6c9c9")


def _tr(text: str) -> str:
    return QCoreApplication.translate("HqRowsModel", text)


class HqRowsModel(QAbstractTableModel):
    def __init__(self, rows: ReceivedRows, parent=None):
        super().__init__(parent)
        self._rows = rows
        self._filter = RowFilter()
        self._order = "rid"
        self._desc = True  # newest first: what HQ looks at during the day
        self._loaded: list[ReceivedRow] = []
        self._total = 0
        self.reload()

    # ---- query ------------------------------------------------------------------------------
    @property
    def filter(self) -> RowFilter:
        return self._filter

    def set_filter(self, flt: RowFilter) -> None:
        self._filter = flt
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._total = self._rows.count(self._filter)
        self._loaded = self._rows.query(self._filter, order_by=self._order, descending=self._desc,
                                        limit=PAGE, offset=0)
        self.endResetModel()

    @property
    def total(self) -> int:
        return self._total

    def canFetchMore(self, parent=QModelIndex()) -> bool:
        return not parent.isValid() and len(self._loaded) < self._total

    def fetchMore(self, parent=QModelIndex()) -> None:
        if parent.isValid():
            return
        more = self._rows.query(self._filter, order_by=self._order, descending=self._desc,
                                limit=PAGE, offset=len(self._loaded))
        if not more:
            self._total = len(self._loaded)
            return
        self.beginInsertRows(QModelIndex(), len(self._loaded), len(self._loaded) + len(more) - 1)
        self._loaded += more
        self.endInsertRows()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._order = COLUMNS[column][2]
        self._desc = order == Qt.SortOrder.DescendingOrder
        self.reload()

    # ---- Qt model ---------------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._loaded)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole:
            if orientation == Qt.Orientation.Horizontal:
                return _tr(COLUMNS[section][1])
            return str(section + 1)
        return None

    def row_at(self, row: int) -> ReceivedRow:
        return self._loaded[row]

    def data(self, index: QModelIndex, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self._loaded):
            return None
        r = self._loaded[index.row()]
        key = COLUMN_KEYS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, key)
        if role == Qt.ItemDataRole.ToolTipRole:
            if key in ("problem", "account_id", "status") and r.problem:
                return "\n".join(["・" + i["message"] for i in r.issues] + ["・" + d["message"] for d in r.dups])
            if key == "account_id" and r.account_id_raw and r.account_id_raw != r.account_id:
                return _tr("入力どおり: {raw}").format(raw=r.account_id_raw)
            return None
        if role == Qt.ItemDataRole.BackgroundRole:
            if key == "problem" and r.problem:
                return QBrush(PROBLEM_TINT)
            if key == "status":
                tint = STATUS_TINTS.get(RowStatus(r.status)) if r.status in RowStatus._value2member_map_ else None
                return QBrush(tint) if tint else None
            return None
        if role == Qt.ItemDataRole.FontRole and key == "account_id":
            return theme.id_font()
        if role == ROW_ROLE:
            return r
        if role == RID_ROLE:
            return r.rid
        if role == STATUS_ROLE:
            return r.status
        if role == PROBLEM_ROLE:
            return r.problem or 0
        return None

    @staticmethod
    def _display(r: ReceivedRow, key: str) -> str:
        d = r.data
        if key == "rid":
            return str(d["rid"])
        if key == "status":
            return label(d["status"])
        if key == "problem":
            if not d.get("problem"):
                return ""
            parts = []
            if d.get("errors"):
                parts.append(_tr("誤り{n}").format(n=d["errors"]))
            if d.get("dups"):
                parts.append(_tr("重複{n}").format(n=len(r.dups)))
            if d.get("warnings") and not parts:
                parts.append(_tr("注意{n}").format(n=d["warnings"]))
            return " ".join(parts) or _tr("注意")
        if key == "account_id":
            return d.get("account_id") or d.get("account_id_raw") or ""
        if key == "case_type":
            return case_types.label(d["case_type"], d.get("refinement")) if d.get("case_type") else ""
        if key == "recognized_on":
            return format_wareki(d["recognized_on"]) if d.get("recognized_on") else (d.get("recognized_on_text") or "")
        if key == "received_at":
            return (d.get("received_at") or "")[:16].replace("T", " ")
        if key == "reason":
            if d["status"] == RowStatus.HELD and d.get("hold_until"):
                return _tr("{reason}(見直し {day})").format(reason=d.get("reason") or "", day=format_wareki(d["hold_until"]))
            return d.get("reason") or ""
        return str(d.get(key) or "")
