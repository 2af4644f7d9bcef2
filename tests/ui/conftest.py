"""UI fixtures: the theme applied, the signed-in officer, and patched message boxes (``messages``)
so a test can read what the officer was told. Keyboard/mouse helpers live in ``helpers.py``.
"""
from __future__ import annotations

import pytest
from PySide6.QtWidgets import QMessageBox

from ui import theme


@pytest.fixture(autouse=True)
def _theme(qapp):
    theme.apply(qapp)


@pytest.fixture(autouse=True, scope="package")
def _collect_on_the_gui_thread(qapp):
    # As the application does (ui/gui_gc.py): a worker thread must never finalise widgets of earlier
    # tests. Whatever a test leaves in cycles is collected on this thread after it.
    from ui import gui_gc

    collector = gui_gc.install(qapp)
    yield collector
    collector.stop()


@pytest.fixture(autouse=True)
def _collect_after_each_test():
    import gc

    yield
    gc.collect()


@pytest.fixture
def officer(station_ctx):
    return next(o for o in station_ctx.officers.list() if o.staff_no == "1001")


class Messages:
    """Records every QMessageBox the code under test shows; ``answer`` decides question() replies."""

    def __init__(self):
        self.shown: list[tuple[str, str, str]] = []
        self.answer = QMessageBox.StandardButton.Yes

    def texts(self, kind: str | None = None) -> list[str]:
        return [t for k, _title, t in self.shown if kind is None or k == kind]


@pytest.fixture
def messages(monkeypatch):
    rec = Messages()

    def make(kind):
        def record(parent, title, text, *args, **kwargs):
            rec.shown.append((kind, title, text))
            return rec.answer if kind == "question" else QMessageBox.StandardButton.Ok
        return record

    for kind in ("warning", "information", "critical", "question"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(make(kind)))
    return rec
