"""A banner over the HQ screens: batches whose deadline is near or past (refreshed every minute
and after every import or aggregation)."""
from __future__ import annotations

import logging

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton

from desktop_app.hq import deadlines as dl

log = logging.getLogger(__name__)
REFRESH_MS = 60_000


class DeadlineBanner(QFrame):
    aggregateRequested = Signal()

    def __init__(self, hq, parent=None):
        super().__init__(parent)
        self._hq = hq
        self.setObjectName("deadlineBanner")
        self.label = QLabel()
        self.label.setObjectName("deadlineText")
        self.label.setWordWrap(True)
        self.button = QPushButton(self.tr("集約…"))
        self.button.clicked.connect(self.aggregateRequested)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 10, 6)
        lay.addWidget(self.label, 1)
        lay.addWidget(self.button)
        self.items: list[dl.BatchDeadline] = []
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()
        self.refresh()

    def refresh(self) -> None:
        try:
            self.items = dl.warnings(self._hq.aggregation.deadlines())
        except Exception:  # a banner must never break the window
            log.exception("deadline check failed")
            self.items = []
        late = any(d.state == dl.LATE for d in self.items)
        self.label.setText("\n".join(d.message for d in self.items))
        self.setStyleSheet("#deadlineBanner { background: %s; border: 1px solid %s; }"
                           % (("#f8d7da", "#b00020") if late else ("#fff3cd", "#9a5b00")))
        self.setVisible(bool(self.items))

    @property
    def text(self) -> str:
        return self.label.text()
