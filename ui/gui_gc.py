"""Python's cyclic garbage collector, run on the GUI thread only.

The collector runs in whichever thread happens to allocate when a threshold is crossed. When that is
a worker thread (the import worker, the preload and PIN-check threads), it may finalise Qt objects
left in reference cycles, such as a closed dialog and the lambdas connected to it, off the GUI thread.
Qt does not allow that, and it crashed the process at random (seen as a segfault in the import
worker). Automatic collection is therefore switched off and done here on a timer, by the same
generation thresholds, always on the GUI thread. Reference counting still frees everything that is not
in a cycle at once, so memory use is unchanged in practice.
"""
from __future__ import annotations

import gc
import logging

from PySide6.QtCore import QObject, QTimer

log = logging.getLogger(__name__)

INTERVAL_MS = 500


class GuiThreadCollector(QObject):
    def __init__(self, parent: QObject, interval_ms: int = INTERVAL_MS):
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(interval_ms)

    def collect(self) -> int:
        """Collect the generations whose thresholds are crossed (as the automatic collector would)."""
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[0] <= thresholds[0]:
            return 0
        generation = 2 if counts[2] > thresholds[2] else 1 if counts[1] > thresholds[1] else 0
        return gc.collect(generation)

    def stop(self) -> None:
        """Give the collector back to Python (tests; the application keeps this until it exits)."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()


def install(app: QObject) -> GuiThreadCollector:
    return GuiThreadCollector(app)
