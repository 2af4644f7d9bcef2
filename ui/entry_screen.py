"""The 別添 screen: 「LINE WORKSの犯行利用アカウント情報」 as a keyboard-first table.

Public API (for the dual-entry and export helpers):

- ``EntryScreen(ctx, officer, parent=None)``
- ``screen.toolbar`` — a ``QToolBar`` above the table; add buttons with ``screen.add_action(action)``.
- ``screen.model`` (``EntryTableModel``), ``screen.view`` (the ``QTableView``).
- ``screen.officer`` / ``screen.set_officer(officer)`` — the signed-in 入力者.
- ``screen.selected_entries()`` / ``screen.current_entry()`` — what the officer has selected.
- ``screen.reload()`` — re-read the rows after another component changed them.
- signal ``statusMessage(str)`` — a short Japanese note for the main window's status bar.
"""
from __future__ import annotations

import html
import logging

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QFontMetrics, QGuiApplication, QKeySequence
from PySide6.QtWidgets import (QAbstractItemView, QFrame, QHBoxLayout, QHeaderView, QLabel, QMessageBox,
                               QTableView, QTextBrowser, QToolBar, QVBoxLayout, QWidget)

from desktop_app import resources
from desktop_app.entry import Entry, Status
from desktop_app.services.officers import Officer
from ui import theme
from ui.entry_delegates import EntryDelegate
from ui.entry_table_model import COL_ACCOUNT_ID, COL_STATUS, EntryTableModel

log = logging.getLogger(__name__)


class EntryTableView(QTableView):
    """A table where Tab/Enter walk only through the cells an officer fills in, row after row."""

    deleteRequested = Signal()
    pasteRequested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                             | QAbstractItemView.EditTrigger.EditKeyPressed
                             | QAbstractItemView.EditTrigger.AnyKeyPressed
                             | QAbstractItemView.EditTrigger.SelectedClicked)
        self.setTabKeyNavigation(True)
        self.setAlternatingRowColors(False)
        self.verticalHeader().setVisible(False)  # 番号 is a column of the form itself
        self.horizontalHeader().setHighlightSections(False)

    def _editable(self, row: int, column: int) -> bool:
        index = self.model().index(row, column)
        return bool(index.isValid() and index.flags() & Qt.ItemFlag.ItemIsEditable)

    def _step(self, forward: bool):
        model = self.model()
        current = self.currentIndex()
        row, col = (current.row(), current.column()) if current.isValid() else (0, -1)
        cells = [(r, c) for r in range(model.rowCount()) for c in range(model.columnCount())]
        try:
            at = cells.index((row, col))
        except ValueError:
            at = -1
        order = cells[at + 1:] if forward else list(reversed(cells[:max(at, 0)]))
        for r, c in order:
            if self._editable(r, c):
                return model.index(r, c)
        return current

    def moveCursor(self, action, modifiers):
        if action == QAbstractItemView.CursorAction.MoveNext:
            return self._step(True)
        if action == QAbstractItemView.CursorAction.MovePrevious:
            return self._step(False)
        return super().moveCursor(action, modifiers)

    def keyPressEvent(self, event):
        editing = self.state() == QAbstractItemView.State.EditingState
        if not editing:
            if event.matches(QKeySequence.StandardKey.Paste):
                self.pasteRequested.emit()
                return
            if event.matches(QKeySequence.StandardKey.Copy):
                self._copy()
                return
            if event.key() == Qt.Key.Key_Delete and not event.modifiers():
                self.deleteRequested.emit()
                return
            if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
                current = self.currentIndex()
                if current.isValid() and current.flags() & Qt.ItemFlag.ItemIsEditable:
                    self.edit(current)
                else:
                    self.setCurrentIndex(self._step(True))
                return
        super().keyPressEvent(event)

    def _copy(self) -> None:
        """Copy the selected cells as Excel does: tabs between cells, newlines between rows."""
        indexes = sorted(self.selectedIndexes(), key=lambda i: (i.row(), i.column()))
        if not indexes:
            return
        rows: dict[int, dict[int, str]] = {}
        for i in indexes:
            rows.setdefault(i.row(), {})[i.column()] = str(i.data() or "")
        cols = sorted({i.column() for i in indexes})
        text = "\n".join("\t".join(rows[r].get(c, "") for c in cols) for r in sorted(rows)) + "\n"
        QGuiApplication.clipboard().setText(text)


class EntryScreen(QWidget):
    """The station's entry screen for the 別添 form (see the module docstring for the public API)."""

    statusMessage = Signal(str)

    def __init__(self, ctx, officer: Officer, parent=None):
        super().__init__(parent)
        self.setObjectName("entryScreen")
        self._ctx = ctx
        self._officer = officer
        self._note_providers: list = []
        self.model = EntryTableModel(ctx, officer.id, self)
        self.model.writeFailed.connect(self._show_write_failure)
        self.model.entriesChanged.connect(self._update_issue_panel)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 8)
        layout.addLayout(self._build_heading())

        self.toolbar = QToolBar(self.tr("別添の操作"), self)
        self.toolbar.setObjectName("entryToolbar")
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.add_row_action = self._action(self.tr("行を追加"), "Ctrl+N", self.add_row, "addRow")
        self.delete_rows_action = self._action(self.tr("行を削除"), "Ctrl+Shift+Delete", self.delete_selected,
                                               "deleteRows")
        self.mark_ready_action = self._action(self.tr("確認依頼"), "Ctrl+Return", self.mark_ready_selected,
                                              "markReady")
        self.mark_ready_action.setToolTip(self.tr("選んだ行を、別の職員によるアカウントIDの確認に回します"))
        # dual entry (ui/verify_dialog.py, ui/adjudication_dialog.py, ui/verification_stats_dialog.py)
        self.verify_action = self._action(self.tr("確認入力"), "F8", self.verify_rows, "verifyRows")
        self.verify_action.setToolTip(self.tr("別の職員が自分の暗証番号でサインインし、アカウントIDを見ずにもう一度入力します"))
        self.adjudicate_action = self._action(self.tr("判定"), "F9", self.adjudicate_rows, "adjudicateRows")
        self.adjudicate_action.setToolTip(self.tr("不一致(判定待ち)の行を、入力者・確認者以外の職員が原本を見て判定します"))
        self.verification_stats_action = self._action(self.tr("入力誤り統計"), "Ctrl+Shift+S",
                                                      self.show_verification_stats, "verificationStats")
        layout.addWidget(self.toolbar)

        self.view = EntryTableView(self)
        self.view.setObjectName("entryTable")
        self.view.setModel(self.model)
        self.view.setItemDelegate(EntryDelegate(ctx, self.view))
        self.view.deleteRequested.connect(self.delete_selected)
        self.view.pasteRequested.connect(self.paste_clipboard)
        self.view.selectionModel().currentChanged.connect(lambda *_: self._update_issue_panel())
        self._size_columns()
        layout.addWidget(self.view, 1)

        self.issue_panel = QTextBrowser(self)
        self.issue_panel.setObjectName("issuePanel")
        self.issue_panel.setMaximumHeight(96)
        self.issue_panel.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout.addWidget(self.issue_panel)
        # What an export would take now, and what it holds back and why (always in view).
        self.readiness_label = QLabel(self)
        self.readiness_label.setObjectName("readiness")
        layout.addWidget(self.readiness_label)
        self._readiness_timer = QTimer(self)
        self._readiness_timer.setSingleShot(True)
        self._readiness_timer.timeout.connect(self._update_readiness)
        for signal in (self.model.entriesChanged, self.model.dataChanged, self.model.rowsInserted,
                       self.model.rowsRemoved, self.model.modelReset):
            signal.connect(lambda *_: self._readiness_timer.start(0))  # many edits, one count
        hint = QLabel(self.tr("Tab・Enter: 次の欄へ　Ctrl+V: Excelから貼り付け　Delete: 行を削除　"
                              "Ctrl+Enter: 確認依頼"), self)
        hint.setObjectName("keyHint")
        layout.addWidget(hint)
        self._update_issue_panel()

    # ---- public API ------------------------------------------------------------------------
    @property
    def officer(self) -> Officer:
        return self._officer

    def set_officer(self, officer: Officer) -> None:
        """Whoever signs in next is the 入力者 of every following write."""
        self._officer = officer
        self.model.set_officer(officer.id)

    def add_action(self, action: QAction) -> QAction:
        """Add a button to the screen's toolbar (dual entry, export … add theirs here)."""
        self.toolbar.addAction(action)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addAction(action)
        return action

    def add_note_provider(self, provider) -> None:
        """``provider(entry) -> list[str]``: extra lines for the issue panel (e.g. HQ's return reason)."""
        self._note_providers.append(provider)
        self._update_issue_panel()

    def reload(self) -> None:
        current = self.view.currentIndex()
        self.model.reload()
        if current.isValid():
            self.view.setCurrentIndex(self.model.index(min(current.row(), self.model.rowCount() - 1),
                                                       current.column()))

    def selected_rows(self) -> list[int]:
        rows = {i.row() for i in self.view.selectionModel().selectedIndexes()}
        if not rows and self.view.currentIndex().isValid():
            rows = {self.view.currentIndex().row()}
        return sorted(r for r in rows if self.model.entry(r) is not None)

    def selected_entries(self) -> list[Entry]:
        return [self.model.entry(r) for r in self.selected_rows()]

    def current_entry(self) -> Entry | None:
        return self.model.entry(self.view.currentIndex().row())

    # ---- actions ---------------------------------------------------------------------------
    def add_row(self) -> None:
        """Go to the empty row at the end and start typing its account ID (stored once typed)."""
        index = self.model.index(self.model.rowCount() - 1, COL_ACCOUNT_ID)
        self.view.setFocus()
        self.view.setCurrentIndex(index)
        self.view.scrollTo(index)
        self.view.edit(index)

    def delete_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        numbers = "、".join(str(r + 1) for r in rows)
        answer = QMessageBox.question(
            self, self.tr("行を削除"),
            self.tr("{numbers}行目を削除します。よろしいですか。\n(削除は監査記録に残ります)").format(numbers=numbers),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        problems = self.model.delete_rows(rows)
        if problems:
            QMessageBox.warning(self, self.tr("削除できない行があります"), "\n".join(problems))
        self.statusMessage.emit(self.tr("{n}行を削除しました").format(n=len(rows) - len(problems)))

    def mark_ready_selected(self) -> None:
        rows = self.selected_rows()
        if not rows:
            return
        done, problems = self.model.mark_ready(rows)
        if problems:
            QMessageBox.warning(self, self.tr("確認依頼できない行があります"),
                                "\n".join(problems) + "\n\n" + self.tr("エラーを直してから、もう一度確認依頼してください。"))
        self.statusMessage.emit(self.tr("{n}行を確認依頼にしました").format(n=done))

    def verify_rows(self) -> None:
        """確認入力 by a second officer, starting at the selected row when it awaits verification."""
        entry = self.current_entry()
        start = entry.id if entry is not None and entry.status == Status.AWAITING else None
        from ui.verify_dialog import VerifyDialog  # dialogs load when opened: start-up stays short

        if VerifyDialog.run(self, self._ctx, start):
            self.reload()
        self.statusMessage.emit(self._ctx.verification.export_readiness().message())

    def adjudicate_rows(self) -> None:
        entry = self.current_entry()
        start = entry.id if entry is not None and entry.status == Status.CONFLICT else None
        from ui.adjudication_dialog import AdjudicationDialog

        if AdjudicationDialog.run(self, self._ctx, start):
            self.reload()
        self.statusMessage.emit(self._ctx.verification.export_readiness().message())

    def show_verification_stats(self) -> None:
        from ui.verification_stats_dialog import VerificationStatsDialog

        VerificationStatsDialog.show_for(self, self._ctx)

    def paste_clipboard(self) -> None:
        """Paste a block copied from Excel at the current cell, filling as many rows as it has."""
        text = QGuiApplication.clipboard().text()
        current = self.view.currentIndex()
        row = current.row() if current.isValid() else self.model.rowCount() - 1
        col = current.column() if current.isValid() else COL_ACCOUNT_ID
        n = self.model.paste_text(row, col, text)
        if n:
            self.view.setCurrentIndex(self.model.index(row, max(col, COL_ACCOUNT_ID)))
            self.statusMessage.emit(self.tr("{n}行を貼り付けました").format(n=n))

    # ---- internals -------------------------------------------------------------------------
    def _action(self, text: str, shortcut: str, slot, name: str) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return self.add_action(action)

    def _build_heading(self) -> QVBoxLayout:
        box = QVBoxLayout()
        top = QHBoxLayout()
        top.addStretch(1)
        annex = QLabel(self.tr("別添"), self)
        top.addWidget(annex)
        box.addLayout(top)
        title = QLabel(self._ctx.entries.form.title, self)
        title.setObjectName("formTitle")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        box.addWidget(title)
        code = self._ctx.settings.get("prefecture_code")
        pref = resources.prefecture(code).name if code else ""
        row = QHBoxLayout()
        self.prefecture_label = QLabel(self.tr("都道府県　{pref}").format(pref=pref), self)
        self.prefecture_label.setObjectName("prefectureLabel")
        self.prefecture_label.setFrameShape(QFrame.Shape.Box)
        self.prefecture_label.setMargin(6)
        row.addWidget(self.prefecture_label)
        row.addStretch(1)
        box.addLayout(row)
        return box

    def _size_columns(self) -> None:
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        digit = self.view.fontMetrics().horizontalAdvance("0")
        id_width = QFontMetrics(theme.id_font()).horizontalAdvance("0")
        for col, key in enumerate(self.model.keys):
            if col == COL_STATUS:
                width = digit * 18
            else:
                chars = self._ctx.entries.form.column(key).width
                width = (id_width if key == "account_id" else digit) * chars + 16
            self.view.setColumnWidth(col, width)
        header.setStretchLastSection(True)
        self.view.verticalHeader().setDefaultSectionSize(max(28, self.view.fontMetrics().height() + 12))

    def _show_write_failure(self, message: str) -> None:
        QMessageBox.warning(self, self.tr("書き込めませんでした"), message)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._update_readiness()

    def _update_readiness(self) -> None:
        if not self.isVisible():  # counted when shown; a closed window's data folder may be gone
            return
        readiness = self._ctx.verification.export_readiness(self.model.entries(), self.model.has_errors)
        self.readiness_label.setText(readiness.message())

    def _update_issue_panel(self) -> None:
        row = self.view.currentIndex().row()
        entry = self.model.entry(row)
        if entry is None:
            self.issue_panel.setHtml(html.escape(self.tr("行を選ぶと、その行のエラーと注意がここに表示されます。")))
            return
        issues = self.model.issues(row)
        notes = [n for provider in self._note_providers for n in provider(entry)]
        if not issues and not notes:
            self.issue_panel.setHtml(html.escape(self.tr("{n}行目: 問題はありません。").format(n=row + 1)))
            return
        lines = [f'<span style="color:#6a1b9a; font-weight:bold">{html.escape(n)}</span>' for n in notes]
        for i in issues:
            label = self._ctx.entries.form.column(i.column).label
            tag, colour = (self.tr("エラー"), "#b00020") if i.is_error else (self.tr("注意"), "#8a5a00")
            lines.append(f'<span style="color:{colour}; font-weight:bold">{html.escape(tag)}</span> '
                         f"{html.escape(label)}: {html.escape(i.message)}")
        self.issue_panel.setHtml(f"<b>{row + 1}{html.escape(self.tr('行目'))}</b><br>" + "<br>".join(lines))


__all__ = ["EntryScreen", "EntryTableView"]
