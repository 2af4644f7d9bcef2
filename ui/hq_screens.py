"""Wiring of the HQ tier into the main window, in one call from the composition root:

    install_hq_screens(main_window, ctx, officer)

adds the deadline banner above the tabs, the 受付・集約 review screen and the 警察署と鍵 screen,
accepts files dropped anywhere on the window, and warns once on start about late batches.
"""
from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QEvent, QTimer
from PySide6.QtWidgets import QMessageBox, QVBoxLayout, QWidget

from desktop_app.hq import deadlines as dl
from desktop_app.hq.services import HqServices
from ui import import_dialog
from ui.deadline_banner import DeadlineBanner
from ui.hq_review_screen import HqReviewScreen
from ui.units_screen import UnitsScreen

log = logging.getLogger(__name__)


class _WindowDrops(QObject):
    """Files dropped on any part of the main window go to the review screen's import."""

    def __init__(self, screen: HqReviewScreen, parent=None):
        super().__init__(parent)
        self._screen = screen

    def eventFilter(self, obj, event) -> bool:
        t = event.type()
        if t in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and import_dialog.paths_from_mime(event.mimeData()):
            event.acceptProposedAction()
            return True
        if t == QEvent.Type.Drop:
            paths = import_dialog.paths_from_mime(event.mimeData())
            if paths:
                event.acceptProposedAction()
                self._screen.import_paths(paths)
                return True
        return False


class HqScreens:
    def __init__(self, window, ctx, officer, hq: HqServices | None = None):
        self.hq = hq or HqServices.open(ctx)
        self.banner = DeadlineBanner(self.hq)
        self.review = HqReviewScreen(self.hq, officer)
        self.units = UnitsScreen(self.hq, officer.id if officer else None)
        self.review.dataChanged.connect(self.banner.refresh)
        self.review.dataChanged.connect(self.units.reload)
        self.banner.aggregateRequested.connect(lambda: self.review.aggregate())
        if hasattr(window, "statusBar"):
            self.review.statusMessage.connect(lambda m: window.statusBar().showMessage(m, 8000))
        if hasattr(window, "officerChanged"):
            window.officerChanged.connect(self.review.set_officer)
        # The banner sits above the tabs, visible whatever screen is shown.
        tabs = window.centralWidget()
        holder = QWidget()
        lay = QVBoxLayout(holder)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        window.takeCentralWidget()
        lay.addWidget(self.banner)
        lay.addWidget(tabs, 1)
        window.setCentralWidget(holder)
        self._remove_placeholder(tabs)
        window.add_tab(self.review, window.tr("受付・集約"))
        # the NPA receives from the prefectures' HQs, an HQ from its stations
        senders = window.tr("都道府県と鍵") if getattr(window, "tier", "hq") == "npa" else window.tr("警察署と鍵")
        window.add_tab(self.units, senders)
        tabs.setCurrentWidget(self.review)
        window.setAcceptDrops(True)
        self._drops = _WindowDrops(self.review, window)
        window.installEventFilter(self._drops)

    @staticmethod
    def _remove_placeholder(tabs) -> None:
        for i in reversed(range(tabs.count())):
            if tabs.widget(i).objectName() == "placeholder":
                tabs.removeTab(i)

    def warn_on_start(self, parent) -> None:
        late = [d for d in self.banner.items if d.state in (dl.LATE, dl.DUE_SOON)]
        if late:
            QMessageBox.warning(parent, parent.tr("送付期限"), "\n".join(d.message for d in late))


def install_hq_screens(window, ctx, officer, *, warn: bool = True, hq: HqServices | None = None) -> HqScreens:
    screens = HqScreens(window, ctx, officer, hq)
    window.hq_screens = screens
    if warn:
        QTimer.singleShot(0, lambda: screens.warn_on_start(window))
    return screens
