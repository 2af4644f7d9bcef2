"""Helpers for UI tests that act as a person would: click cells, find the focused editor, drive modal dialogs."""
from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QApplication


def focused():
    return QApplication.focusWidget()


def cell_center(view, row: int, column: int) -> QPoint:
    return view.visualRect(view.model().index(row, column)).center()


def click_cell(qtbot, view, row: int, column: int) -> None:
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=cell_center(view, row, column))


class ModalDriver:
    """Waits (from a timer) for a modal dialog of one type, then acts on it like a person would."""

    def __init__(self, dialog_type, action, timeout_ms: int):
        self.dialog = None
        self._type, self._action, self._left = dialog_type, action, timeout_ms
        self.timer = QTimer()
        self.timer.setInterval(20)
        self.timer.timeout.connect(self._poll)
        self.timer.start()

    def _poll(self):
        self._left -= 20
        w = QApplication.activeModalWidget()
        if isinstance(w, self._type) and w.isVisible():
            self.timer.stop()
            self.dialog = w
            self._action(w)
        elif self._left <= 0:
            self.timer.stop()


def on_modal(dialog_type, action, timeout_ms: int = 60000) -> ModalDriver:
    """Run ``action(dialog)`` once a modal ``dialog_type`` is shown (keep the returned driver alive).

    The wait is long on purpose: on a loaded machine a dialog can take seconds to appear, and a driver
    that gave up would leave the dialog's exec() waiting for ever."""
    return ModalDriver(dialog_type, action, timeout_ms)


def show(qtbot, widget, width: int = 1280, height: int = 800):
    """Show a top-level widget the way the app does and wait until it has the keyboard."""
    qtbot.addWidget(widget)
    widget.resize(width, height)
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    widget.raise_()
    qtbot.waitUntil(widget.isActiveWindow, timeout=2000)
    return widget


def type_text(qtbot, widget, text: str) -> None:
    """Type ``text`` into ``widget`` as the keyboard would deliver it.

    QTest.keyClicks only knows ASCII, so other characters arrive the way Windows delivers them:
    committed by the Japanese IME (a QInputMethodEvent) where the widget takes input-method text,
    otherwise as key presses that carry the character (a full-width layout, an on-screen keyboard).
    """
    from PySide6.QtGui import QInputMethodEvent, QKeyEvent
    from PySide6.QtCore import QEvent

    for ch in text:
        if ch.isascii():
            qtbot.keyClicks(widget, ch)
        elif widget.testAttribute(Qt.WidgetAttribute.WA_InputMethodEnabled):
            event = QInputMethodEvent()
            event.setCommitString(ch)
            QApplication.sendEvent(widget, event)
        else:
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(widget, QKeyEvent(kind, 0, Qt.KeyboardModifier.NoModifier, ch))
