"""Load the main window's modules in the background while the sign-in dialog waits for the officer.

Typing a staff number and PIN takes seconds; importing the entry screen, the station's menus and the
import pipeline's front end takes a few hundred milliseconds. Doing the imports on a worker thread while
the dialog is up means the main window opens as soon as the PIN is accepted. The PIN check itself
(scrypt, which releases the GIL) then overlaps with whatever is left.

Only imports run on the thread: no widget is created there (Qt allows widgets on the GUI thread only).
A module that fails to import is logged and left for the GUI thread, which imports it again and reports
the error the usual way.
"""
from __future__ import annotations

import importlib
import logging
import threading

log = logging.getLogger(__name__)

MAIN_WINDOW_MODULES = (
    "desktop_app.services.entries",
    "desktop_app.services.verification",
    "ui.main_window",
    "ui.entry_screen",
    "ui.station_screens",
    "desktop_app.workdays",
)


class Preloader:
    def __init__(self, modules: tuple[str, ...] = MAIN_WINDOW_MODULES):
        self._modules = modules
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="teishi-preload", daemon=True)
            self._thread.start()

    def wait(self, timeout: float | None = 10.0) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        for name in self._modules:
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 (the GUI thread imports it again and reports)
                log.exception("preloading %s failed", name)
