"""The main window's modules load on a worker thread while the sign-in dialog waits (ui/preload.py)."""
from __future__ import annotations

import logging
import sys

from ui.preload import MAIN_WINDOW_MODULES, Preloader


def test_preloader_imports_the_modules_off_the_gui_thread(monkeypatch):
    for name in ("json.tool", "ui.verify_dialog"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    loader = Preloader(("json.tool", "ui.verify_dialog"))
    loader.start()
    loader.wait()
    assert "json.tool" in sys.modules and "ui.verify_dialog" in sys.modules


def test_a_module_that_fails_to_preload_is_logged_not_raised(caplog):
    loader = Preloader(("teishi_no_such_module", "json"))
    with caplog.at_level(logging.ERROR, logger="ui.preload"):
        loader.start()
        loader.wait()
    assert "teishi_no_such_module" in caplog.text


def test_what_is_preloaded_is_what_the_main_window_needs():
    import importlib

    for name in MAIN_WINDOW_MODULES:
        assert importlib.import_module(name)
