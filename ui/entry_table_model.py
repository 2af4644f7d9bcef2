"""The 別添 table as a Qt model over ``EntryService``: every edit is written to the database at once.

One row per stored entry (in ``position`` order, the same order ``EntryService.paste`` uses) plus
one trailing *new row* that exists only on screen: typing into it creates the entry, so a new row
"starts" when the last one is filled but no empty row is ever stored.
"""
from __future__ import annotations

import csv
import io
import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QCoreApplication, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from desktop_app import case_types
from desktop_app.entry import EDITABLE, STATUS_LABELS, Entry, Status
from desktop_app.forms import LINE_WORKS, FormDefinition
from desktop_app.services.errors import ServiceError
from desktop_app.validation import Issue
from desktop_app.wareki import format_wareki
from ui import theme

log = logging.getLogger(__name__)

STATUS_KEY = "status"


def column_keys(form: FormDefinition = LINE_WORKS) -> tuple[str, ...]:
    """The table's columns: the form's own (番号 first) and the row's 状態 at the end."""
    return tuple(c.key for c in form.columns) + (STATUS_KEY,)


COLUMN_KEYS = column_keys()
COL_NUMBER = COLUMN_KEYS.index("number")
COL_ACCOUNT_ID = COLUMN_KEYS.index("account_id")
COL_USER_NAME = COLUMN_KEYS.index("user_name")
COL_ORGANIZATION = COLUMN_KEYS.index("organization")
COL_CASE_TYPE = COLUMN_KEYS.index("case_type")
COL_STATION = COLUMN_KEYS.index("station")
COL_RECOGNIZED_ON = COLUMN_KEYS.index("recognized_on")
COL_STATUS = COLUMN_KEYS.index(STATUS_KEY)

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1  # the Entry (None on the new row)
ISSUES_ROLE = Qt.ItemDataRole.UserRole + 2  # list[Issue] for the whole row
CELL_ISSUES_ROLE = Qt.ItemDataRole.UserRole + 3  # list[Issue] for this cell
COLUMN_KEY_ROLE = Qt.ItemDataRole.UserRole + 4  # "account_id", ... , "status"
SEVERITY_ROLE = Qt.ItemDataRole.UserRole + 5  # "error" | "warning" | None for this cell

# Shown instead of a value that is waiting for its blind second entry.
BLIND_MARK = "●●●●(確認待ち)"
BLIND_STATUSES = frozenset({Status.AWAITING, Status.CONFLICT})

ERROR_TINT = QColor("#f6c9c9")
WARNING_TINT = QColor("#fde3a7")
READ_ONLY_TEXT = QColor("#555555")
# The status cell at a glance (dual entry): which rows still need a second officer or a decision.
STATUS_TINTS = {
    Status.DRAFT: None, Status.AWAITING: QColor("#fff3c4"), Status.CONFLICT: QColor("#ffd0a8"),
    Status.VERIFIED: QColor("#d4edda"), Status.EXPORTED: QColor("#dfe7f5"), Status.RETURNED: QColor("#f3d9f7"),
}


def _tr(text: str) -> str:
    return QCoreApplication.translate("EntryTableModel", text)


def parse_clipboard_block(text: str) -> list[list[str]]:
    """Cells of a block copied in Excel: tab-separated, one line per row, quoted cells may hold newlines."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if text.endswith("\n"):
        text = text[:-1]  # Excel ends every copied block with a newline
    if not text:
        return []
    rows = [list(r) for r in csv.reader(io.StringIO(text), delimiter="\t", quotechar='"')]
    return [r for r in rows if any(c.strip() for c in r)]


class EntryTableModel(QAbstractTableModel):
    """Rows of the 別添 form for the officer who is signed in (the 入力者 of every write).

    Signals:
        writeFailed(str): a write was refused; the Japanese message is for the officer.
        entriesChanged(): rows were added, removed or rewritten (the screen refreshes its panels).
    """

    writeFailed = Signal(str)
    entriesChanged = Signal()

    def __init__(self, ctx, officer_id: int | Callable[[], int], parent=None):
        super().__init__(parent)
        self._ctx = ctx
        self._officer = officer_id
        self.form: FormDefinition = ctx.entries.form
        self.keys = column_keys(self.form)
        self._entries: list[Entry] = []
        self._issues: dict[str, list[Issue]] = {}
        self._id_font = theme.id_font()
        self._blind_keys: set[str] = set()
        self.reload()

    # ---- who is typing ---------------------------------------------------------------------
    @property
    def officer_id(self) -> int:
        return self._officer() if callable(self._officer) else self._officer

    def set_officer(self, officer_id: int) -> None:
        self._officer = officer_id

    # ---- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        self.beginResetModel()
        self._entries = self._ctx.entries.list()
        self._issues = {e.id: self._ctx.entries.issues(e) for e in self._entries}
        self._blind_keys = {c.key for c in self._ctx.entries.double_entry_columns()}
        self.endResetModel()
        self.entriesChanged.emit()

    def entry(self, row: int) -> Entry | None:
        return self._entries[row] if 0 <= row < len(self._entries) else None

    def entries(self) -> list[Entry]:
        return list(self._entries)

    def issues(self, row: int) -> list[Issue]:
        e = self.entry(row)
        return list(self._issues.get(e.id, [])) if e else []

    def has_errors(self, entry: Entry) -> bool:
        """From the validation done at load or edit; no second pass over the rules."""
        return any(i.is_error for i in self._issues.get(entry.id, ()))

    def row_of(self, entry_id: str) -> int:
        return next((i for i, e in enumerate(self._entries) if e.id == entry_id), -1)

    def is_new_row(self, row: int) -> bool:
        return row == len(self._entries)

    def is_blinded(self, entry: Entry | None, key: str) -> bool:
        """A value waiting for its blind second entry is not shown: the verifier works at this screen."""
        return entry is not None and key in self._blind_keys and entry.status in BLIND_STATUSES

    def column_key(self, column: int) -> str:
        return self.keys[column]

    def column_index(self, key: str) -> int:
        return self.keys.index(key)

    def is_data_column(self, column: int) -> bool:
        return 0 <= column < len(self.keys) and self.keys[column] not in ("number", STATUS_KEY)

    @property
    def data_column_indexes(self) -> list[int]:
        return [i for i in range(len(self.keys)) if self.is_data_column(i)]

    # ---- Qt model API ----------------------------------------------------------------------
    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._entries) + 1

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.keys)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            if role == Qt.ItemDataRole.DisplayRole:
                key = self.keys[section]
                return _tr("状態") if key == STATUS_KEY else self.form.column(key).label
            if role == Qt.ItemDataRole.ToolTipRole and self.keys[section] == "recognized_on":
                return _tr("令和8年3月23日、R8.3.23、8.3.23、2026-03-23 のどれでも入力できます")
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        base = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if not self.is_data_column(index.column()):
            return base
        entry = self.entry(index.row())
        if entry is None or entry.status in EDITABLE:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def data(self, index, role=Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, key = index.row(), self.keys[index.column()]
        entry = self.entry(row)
        if role == COLUMN_KEY_ROLE:
            return key
        if role == ENTRY_ROLE:
            return entry
        if entry is None:  # the new row: an empty line with its number greyed out
            if role == Qt.ItemDataRole.DisplayRole and key == "number":
                return str(row + 1)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(QColor("#9a9a9a"))
            if role == Qt.ItemDataRole.ToolTipRole and key == "account_id":
                return _tr("ここに入力すると新しい行になります")
            if role in (ISSUES_ROLE, CELL_ISSUES_ROLE):
                return []
            return None
        issues = self._issues.get(entry.id, [])
        cell_issues = [i for i in issues if i.column == key] if key != STATUS_KEY else [
            i for i in issues if i.is_error]
        if self.is_blinded(entry, key) and role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole,
                                                     Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.DisplayRole:
                return BLIND_MARK
            if role == Qt.ItemDataRole.ToolTipRole:
                return _tr("目隠し確認のため、確認が終わるまで表示しません。直すときは新しい値を入力してください")
            return ""
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, entry, key, issues)
        if role == Qt.ItemDataRole.EditRole:
            return self._edit_text(entry, key)
        if role == ISSUES_ROLE:
            return list(issues)
        if role == CELL_ISSUES_ROLE:
            return cell_issues
        if role == SEVERITY_ROLE:
            return _severity(cell_issues)
        if role == Qt.ItemDataRole.BackgroundRole and key == STATUS_KEY and _severity(cell_issues) != "error":
            tint = STATUS_TINTS.get(entry.status)
            return QBrush(tint) if tint is not None else None
        if role == Qt.ItemDataRole.BackgroundRole:
            sev = _severity(cell_issues)
            if sev == "error":
                return QBrush(ERROR_TINT)
            if sev == "warning":
                return QBrush(WARNING_TINT)
            return None
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [(_tr("エラー: ") if i.is_error else _tr("注意: ")) + i.message for i in cell_issues]
            if key == "account_id" and entry.account_id_raw and entry.account_id_raw != entry.account_id:
                lines.append(_tr("入力どおり: ") + entry.account_id_raw)
            return "\n".join(lines) or None
        if role == Qt.ItemDataRole.ForegroundRole and not (self.flags(index) & Qt.ItemFlag.ItemIsEditable):
            return QBrush(READ_ONLY_TEXT) if key in ("number", STATUS_KEY) else None
        if role == Qt.ItemDataRole.FontRole and key == "account_id":
            return self._id_font
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "number":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, row: int, entry: Entry, key: str, issues: list[Issue]) -> str:
        if key == "number":
            return str(row + 1)
        if key == STATUS_KEY:
            label = STATUS_LABELS[entry.status]
            errors = sum(1 for i in issues if i.is_error)
            return label + (_tr("・エラー{n}件").format(n=errors) if errors else "")
        if key == "recognized_on":
            return format_wareki(entry.recognized_on) if entry.recognized_on else (entry.recognized_on_text or "")
        if key == "case_type":
            return case_types.label(entry.case_type, entry.refinement) if entry.case_type else ""
        return getattr(entry, key) or ""

    @staticmethod
    def _edit_text(entry: Entry, key: str) -> str:
        if key == "recognized_on":
            return format_wareki(entry.recognized_on) if entry.recognized_on else (entry.recognized_on_text or "")
        if key == "case_type":
            return case_types.label(entry.case_type, entry.refinement) if entry.case_type else ""
        if key in ("number", STATUS_KEY):
            return ""
        return getattr(entry, key) or ""

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or not self.is_data_column(index.column()):
            return False
        key = self.keys[index.column()]
        text = "" if value is None else str(value)
        entry = self.entry(index.row())
        try:
            if entry is None:
                if not text.strip():
                    return False  # leaving the new row empty stores nothing
                created = self._ctx.entries.create(self.officer_id, {key: text})
                self._append(created)
                return True
            if text == self._edit_text(entry, key) or (self.is_blinded(entry, key) and not text.strip()):
                return False
            updated = self._ctx.entries.update(self.officer_id, entry.id, {key: text})
        except ServiceError as exc:
            log.info("write refused: %s", exc)
            self.writeFailed.emit(str(exc))
            return False
        self._replace(index.row(), updated)
        return True

    # ---- operations the screen offers ------------------------------------------------------
    def paste_text(self, row: int, column: int, text: str) -> int:
        """Paste an Excel block at (row, column); returns how many rows were written (0 on refusal)."""
        rows = parse_clipboard_block(text)
        if not rows:
            return 0
        if not self.is_data_column(column):
            column = self.data_column_indexes[0] if column == COL_NUMBER else -1
        if column < 0:
            self.writeFailed.emit(_tr("この列には貼り付けられません"))
            return 0
        entry = self.entry(row)
        try:
            touched = self._ctx.entries.paste(self.officer_id, entry.id if entry else None, self.keys[column], rows)
        except ServiceError as exc:
            self.writeFailed.emit(str(exc))
            return 0
        self.reload()
        return len(touched)

    def delete_rows(self, rows: list[int]) -> list[str]:
        """Delete the entries at ``rows``; returns Japanese messages for rows that may not be deleted."""
        problems = []
        targets = [(r, self.entry(r)) for r in sorted(set(rows))]
        for r, entry in targets:
            if entry is None:
                continue
            try:
                self._ctx.entries.delete(self.officer_id, entry.id)
            except ServiceError as exc:
                problems.append(_tr("{n}行目: {msg}").format(n=r + 1, msg=exc))
        self.reload()
        return problems

    def mark_ready(self, rows: list[int]) -> tuple[int, list[str]]:
        """Hand rows to the second officer (確認依頼); returns (done, Japanese messages for refusals)."""
        done, problems = 0, []
        for r in sorted(set(rows)):
            entry = self.entry(r)
            if entry is None:
                continue
            try:
                self._ctx.entries.mark_ready(self.officer_id, entry.id)
                done += 1
            except ServiceError as exc:
                problems.append(_tr("{n}行目: {msg}").format(n=r + 1, msg=exc))
        self.reload()
        return done, problems

    # ---- bookkeeping -----------------------------------------------------------------------
    def _append(self, entry: Entry) -> None:
        row = len(self._entries)
        # The new row becomes this entry; a fresh new row appears below it.
        self.beginInsertRows(QModelIndex(), row + 1, row + 1)
        self._entries.append(entry)
        self._issues[entry.id] = self._ctx.entries.issues(entry)
        self.endInsertRows()
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.keys) - 1))
        self.entriesChanged.emit()

    def _replace(self, row: int, entry: Entry) -> None:
        self._entries[row] = entry
        self._issues[entry.id] = self._ctx.entries.issues(entry)
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.keys) - 1))
        self.entriesChanged.emit()


def _severity(issues: list[Issue]) -> str | None:
    if any(i.is_error for i in issues):
        return "error"
    return "warning" if issues else None


__all__ = [
    "EntryTableModel", "COLUMN_KEYS", "COL_NUMBER", "COL_ACCOUNT_ID", "COL_USER_NAME", "COL_ORGANIZATION",
    "COL_CASE_TYPE", "COL_STATION", "COL_RECOGNIZED_ON", "COL_STATUS", "ENTRY_ROLE", "ISSUES_ROLE",
    "CELL_ISSUES_ROLE", "COLUMN_KEY_ROLE", "SEVERITY_ROLE", "parse_clipboard_block",
]
