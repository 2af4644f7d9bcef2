"""Cell editors of the 別添 table, chosen by the form column's kind.

Enter behaves like Tab (commit, then edit the next cell) because officers type rows left to right
from a report and should never reach for the mouse.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (QAbstractItemDelegate, QComboBox, QCompleter, QLineEdit, QStyledItemDelegate,
                               QWidget)

from desktop_app import case_types
from desktop_app.wareki import WarekiError, format_wareki, parse_date
from ui import theme
from ui.entry_table_model import COLUMN_KEY_ROLE

log = logging.getLogger(__name__)

ACCOUNT_ID_EDITOR = "accountIdEditor"
CASE_TYPE_EDITOR = "caseTypeEditor"
STATION_EDITOR = "stationEditor"
DATE_EDITOR = "dateEditor"
TEXT_EDITOR = "textEditor"


def make_account_id_editor(parent: QWidget | None = None) -> QLineEdit:
    """A line edit for LINE WORKS IDs: IME off (Qt then detaches the Japanese IME on Windows), ID font.

    The dual-entry dialog reuses this so that both officers type IDs under the same conditions.
    """
    edit = QLineEdit(parent)
    edit.setObjectName(ACCOUNT_ID_EDITOR)
    edit.setAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled, False)
    edit.setFont(theme.id_font())
    edit.setPlaceholderText("abc-123@example")
    return edit


class DateLineEdit(QLineEdit):
    """認知日: accepts 令和8年3月23日 / R8.3.23 / 8.3.23 / 2026-03-23; the tooltip shows how it was read."""

    def __init__(self, parent=None, today=None):
        super().__init__(parent)
        self._today = today
        self.setObjectName(DATE_EDITOR)
        self.setPlaceholderText(self.tr("例: 8.3.23 / R8.3.23 / 令和8年3月23日"))
        self.textChanged.connect(self._explain)

    def _explain(self, text: str) -> None:
        if not text.strip():
            self.setToolTip("")
            return
        try:
            day = parse_date(text, today=self._today() if self._today else None)
            self.setToolTip(self.tr("{w}({iso})と読みます").format(w=format_wareki(day), iso=day.isoformat()))
        except WarekiError as exc:
            self.setToolTip(str(exc))


class EntryDelegate(QStyledItemDelegate):
    """One delegate for the whole table; the editor depends on the column key the model reports."""

    def __init__(self, ctx, parent: QObject | None = None):
        super().__init__(parent)
        self._ctx = ctx

    # ---- editors ---------------------------------------------------------------------------
    def createEditor(self, parent, option, index):
        key = index.data(COLUMN_KEY_ROLE)
        kind = self._ctx.entries.form.column(key).kind
        if kind == "account_id":
            editor = make_account_id_editor(parent)
        elif kind == "case_type":
            editor = QComboBox(parent)
            editor.setObjectName(CASE_TYPE_EDITOR)
            editor.addItem("")  # nothing chosen yet: the row is then incomplete, not wrongly typed
            editor.addItems(case_types.all_labels())
            editor.setMaxVisibleItems(len(case_types.all_labels()) + 1)
        elif kind == "station":
            editor = QComboBox(parent)
            editor.setObjectName(STATION_EDITOR)
            editor.setEditable(True)
            editor.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
            editor.addItems(self._station_names())
            completer = QCompleter(editor.model(), editor)
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            editor.setCompleter(completer)
        elif kind == "date":
            editor = DateLineEdit(parent, today=self._ctx.today)
        else:
            editor = QLineEdit(parent)
            editor.setObjectName(TEXT_EDITOR)
        editor.setAutoFillBackground(True)
        return editor

    def _station_names(self) -> list[str]:
        code = self._ctx.settings.get("prefecture_code")
        return self._ctx.stations.names(code, on=self._ctx.today()) if code else []

    def setEditorData(self, editor, index):
        text = index.data(Qt.ItemDataRole.EditRole) or ""
        if isinstance(editor, QComboBox):
            if not text and editor.objectName() == STATION_EDITOR:
                text = self._ctx.entries.default_station() or ""
            i = editor.findText(text)
            if i < 0 and text and not editor.isEditable():
                # A pasted value outside the closed list stays until the officer picks another:
                # passing through the cell with Tab must not silently erase it.
                editor.insertItem(1, text)
                i = 1
            if i >= 0:
                editor.setCurrentIndex(i)
            elif editor.isEditable():
                editor.setEditText(text)
            return
        editor.setText(text)
        editor.selectAll()

    def setModelData(self, editor, model, index):
        # The account ID goes to the service as typed: it keeps the raw text as evidence and stores
        # the normalised form, which is what the cell then shows.
        text = editor.currentText() if isinstance(editor, QComboBox) else editor.text()
        model.setData(index, text, Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor, option, index):
        editor.setGeometry(option.rect)

    # ---- keys ------------------------------------------------------------------------------
    def eventFilter(self, editor, event):
        if event.type() == QEvent.Type.KeyPress and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) \
                and not (event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            if isinstance(editor, QComboBox) and editor.view().isVisible():
                return super().eventFilter(editor, event)  # choosing in the open list
            self.commitData.emit(editor)
            self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.EditNextItem)
            return True
        return super().eventFilter(editor, event)
