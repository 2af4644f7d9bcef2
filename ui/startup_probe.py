"""Startup probe for tests/bench/startup.py: report when windows are first exposed, then exit.

Inactive unless the environment variable TEISHI_STARTUP_PROBE is set; the application never sets it.
The benchmark starts the program as a subprocess and timestamps the marker lines it prints:

    TEISHI-STARTUP-PROBE first-window <Class>   the first top-level window a person sees
    TEISHI-STARTUP-PROBE sign-in-pressed <Class> the probe pressed サインイン (see below)
    TEISHI-STARTUP-PROBE main-window <Class>    the first QMainWindow, after which the process exits

"Shown" means exposed: Qt created the native window and delivered its first Expose event.
TEISHI_STARTUP_PROBE=first exits at the first window; any other value waits for the main window. A
set-up data folder opens with the sign-in dialog; TEISHI_STARTUP_PROBE_SIGNIN="<職員番号>:<PIN>" makes
the probe fill that dialog through its public fields (``staff_no``, ``pin``) and press its OK button,
as an officer would, so that the run reaches the main window.

Hooking without touching the composition root: ``prepare()`` creates the QApplication before
ui.app.main runs (main reuses ``QApplication.instance()``) and installs the probe on it.
"""
from __future__ import annotations

import logging
import os
import sys

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtGui import QWindow
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMainWindow

log = logging.getLogger(__name__)

ENV = "TEISHI_STARTUP_PROBE"
SIGNIN_ENV = "TEISHI_STARTUP_PROBE_SIGNIN"
MARKER = "TEISHI-STARTUP-PROBE"


def enabled() -> bool:
    return bool(os.environ.get(ENV))


def _say(what: str, widget) -> None:
    out = sys.__stdout__ or sys.stdout
    if out is not None:
        out.write(f"{MARKER} {what} {type(widget).__name__}\n")
        out.flush()


class _Probe(QObject):
    def __init__(self, app: QApplication):
        super().__init__(app)
        self._app = app
        self._first_only = os.environ.get(ENV, "").strip().lower() == "first"
        self._signin = os.environ.get(SIGNIN_ENV, "")
        self._seen_first = False
        self._signed_in: set[int] = set()

    def eventFilter(self, obj, event):  # noqa: N802 (Qt name)
        if event.type() == QEvent.Type.Expose and isinstance(obj, QWindow) and obj.isExposed():
            for w in self._app.topLevelWidgets():
                if w.windowHandle() is obj:
                    self._exposed(w)
        return False

    def _exposed(self, widget) -> None:
        if not self._seen_first:
            self._seen_first = True
            _say("first-window", widget)
            if self._first_only:
                os._exit(0)
        if isinstance(widget, QMainWindow):
            _say("main-window", widget)
            # Exit at once: start-up is measured, and a normal quit could stop at a confirmation.
            os._exit(0)
        if self._signin and hasattr(widget, "staff_no") and hasattr(widget, "pin") and id(widget) not in self._signed_in:
            self._signed_in.add(id(widget))
            QTimer.singleShot(0, lambda: self._sign_in(widget))

    def _sign_in(self, dialog) -> None:
        staff_no, _, pin = self._signin.partition(":")
        dialog.staff_no.setText(staff_no)
        dialog.pin.setText(pin)
        buttons = dialog.findChild(QDialogButtonBox)
        _say("sign-in-pressed", dialog)
        buttons.button(QDialogButtonBox.StandardButton.Ok).click()


def install(app: QApplication) -> bool:
    """Attach the probe to `app` if TEISHI_STARTUP_PROBE is set. Safe to call more than once."""
    if not enabled() or getattr(app, "_teishi_startup_probe", None) is not None:
        return False
    probe = _Probe(app)
    app.installEventFilter(probe)
    app._teishi_startup_probe = probe
    return True


def prepare(argv0: str | None = None) -> QApplication | None:
    """If enabled: create the QApplication now (ui.app.main reuses it) with the probe installed."""
    if not enabled():
        return None
    app = QApplication.instance() or QApplication([argv0 or (sys.argv[0] if sys.argv else "teishi")])
    install(app)
    return app
