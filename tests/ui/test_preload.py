"""The main window's modules load on a worker thread while the sign-in dialog waits (ui/preload.py)."""
from __future__ import annotations

import logging
import sys

from ui.preload import Preloader


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


def test_after_preloading_the_station_window_imports_nothing_more(tmp_path):
    # In a fresh interpreter: once the preload is done, building the station's main window must not
    # import anything, or the officer waits for it after pressing サインイン.
    import os
    import subprocess
    import textwrap
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    script = textwrap.dedent(f"""
        import sys
        from PySide6.QtWidgets import QApplication
        app = QApplication([])
        from desktop_app.context import AppContext
        ctx = AppContext.open({str(tmp_path / "data")!r}, log_to_file=False)
        ctx.setup.initialise("station", "27", "中央警察署")
        officer = ctx.officers.add("1001", "山田太郎", "1111")
        import ui.app
        from ui.preload import Preloader
        loader = Preloader()
        loader.start()
        loader.wait()
        before = set(sys.modules)
        from ui.main_window import MainWindow
        window = MainWindow(ctx, officer)
        ui.app.install_tier_screens(window, ctx, officer, defer=True)
        print(sorted(set(sys.modules) - before))
    """)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "PYTHONPATH": str(root)}
    out = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True,
                         check=True, timeout=120)
    assert out.stdout.strip().splitlines()[-1] == "[]"
