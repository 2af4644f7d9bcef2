"""The main window: menus, a toolbar, a status bar and one tab per screen.

Public API (for the HQ, statistics, dual-entry and key helpers):
- ``MainWindow(ctx, officer, parent=None)``
- ``window.add_tab(widget, title) -> int`` — add a screen as a tab.
- ``window.entry_screen`` — the 別添 ``EntryScreen`` at a station, else None.
- ``window.officer`` and signal ``officerChanged(Officer)`` — the signed-in officer; it changes
  through the 入力者の交代 action (``window.change_officer()``).
- ``window.menu(key)`` — the ``QMenu`` for "file", "officer", "admin", "help"; add actions there.
- ``window.toolbar`` — the main ``QToolBar``; ``window.tier`` — "station" | "hq" | "npa".
"""
from __future__ import annotations

import logging

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QLabel, QMainWindow, QMenu, QMessageBox, QTabWidget, QToolBar, QWidget

import desktop_app
from desktop_app import resources
from desktop_app.services.officers import Officer
from ui.entry_screen import EntryScreen
from ui.sign_in_dialog import SignInDialog

log = logging.getLogger(__name__)


class MainWindow(QMainWindow):
    officerChanged = Signal(object)

    def __init__(self, ctx, officer: Officer, parent=None):
        super().__init__(parent)
        self._ctx = ctx
        self._officer = officer
        ident = ctx.setup.identity()
        self.tier = ident.tier if ident else "station"
        self.setWindowTitle(self.tr("Teishi — {unit}").format(unit=ident.unit_name if ident else ""))
        self.resize(1280, 800)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)

        self._menus: dict[str, QMenu] = {}
        bar = self.menuBar()
        for key, title in (("file", self.tr("ファイル(&F)")), ("officer", self.tr("入力者(&U)")),
                           ("admin", self.tr("管理(&A)")), ("help", self.tr("ヘルプ(&H)"))):
            self._menus[key] = bar.addMenu(title)
        self.toolbar = QToolBar(self.tr("メイン"), self)
        self.toolbar.setObjectName("mainToolbar")
        self.toolbar.setMovable(False)
        self.toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.addToolBar(self.toolbar)

        self.change_officer_action = self._action("officer", self.tr("入力者の交代…"), self.change_officer,
                                                  "Ctrl+Shift+U", toolbar=True)
        self._action("admin", self.tr("職員名簿…"), self.show_officers)
        self._action("admin", self.tr("警察署一覧…"), self.show_stations)
        self._action("file", self.tr("終了"), self.close, QKeySequence.StandardKey.Quit)
        self._action("help", self.tr("Teishiについて"), self.show_about)

        pref = resources.prefecture(ident.prefecture_code).name if ident and ident.prefecture_code else ""
        self.unit_label = QLabel(self.tr("{pref}　{unit}").format(pref=pref, unit=ident.unit_name if ident else ""))
        self.officer_label = QLabel()
        self.statusBar().addPermanentWidget(self.unit_label)
        self.statusBar().addPermanentWidget(self.officer_label)

        self.entry_screen: EntryScreen | None = None
        if self.tier == "station":
            self.entry_screen = EntryScreen(ctx, officer, self)
            self.entry_screen.statusMessage.connect(lambda m: self.statusBar().showMessage(m, 8000))
            self.officerChanged.connect(self.entry_screen.set_officer)
            self.add_tab(self.entry_screen, self.tr("別添(入力)"))
        self._show_officer()

    # ---- public API ------------------------------------------------------------------------
    @property
    def officer(self) -> Officer:
        return self._officer

    def add_tab(self, widget: QWidget, title: str) -> int:
        """Add a screen as a tab; returns its index."""
        return self.tabs.addTab(widget, title)

    def menu(self, key: str) -> QMenu:
        return self._menus[key]

    def change_officer(self) -> Officer | None:
        """入力者の交代: the next officer signs in with their own PIN; later writes carry their id."""
        officer = SignInDialog.ask(self, self._ctx, title=self.tr("入力者の交代"),
                                   message=self.tr("次に入力する職員の職員番号と暗証番号を入力してください。"))
        if officer is not None:
            self._officer = officer
            self._show_officer()
            self.officerChanged.emit(officer)
            self.statusBar().showMessage(self.tr("入力者を{who}に交代しました").format(who=officer.label), 8000)
        return officer

    # ---- actions ---------------------------------------------------------------------------
    def show_officers(self) -> None:
        from ui.officers_dialog import OfficersDialog  # dialogs load when opened: start-up stays short

        OfficersDialog(self._ctx, self._officer, self).exec()

    def show_stations(self) -> None:
        from ui.stations_dialog import StationsDialog

        StationsDialog(self._ctx, self._officer, self).exec()
        if self.entry_screen is not None:
            self.entry_screen.reload()  # station names decide which rows are valid

    def show_about(self) -> None:
        QMessageBox.about(self, self.tr("Teishiについて"), self.tr(
            "Teishi {v}\nLINE WORKS 犯行利用アカウントの利用停止依頼(警察庁丁組二発第107号)\n"
            "データフォルダ: {d}").format(v=desktop_app.__version__, d=self._ctx.data_dir.root))

    # ---- internals -------------------------------------------------------------------------
    def _action(self, menu: str, text: str, slot, shortcut=None, toolbar: bool = False) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self._menus[menu].addAction(action)
        if toolbar:
            self.toolbar.addAction(action)
        return action

    def _show_officer(self) -> None:
        self.officer_label.setText(self.tr("入力者: {who}").format(who=self._officer.label))
