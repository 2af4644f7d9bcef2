"""The GUI's composition root: parse arguments, open the data folder, set up, sign in, show the window.

    python -m ui [--data-dir DIR] [Qt options such as -platform offscreen]

Everything the screens use comes from the one ``AppContext`` built here.
"""
from __future__ import annotations

import argparse
import os
import logging
import sys
import traceback
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app import APP_NAME
from desktop_app.context import AppContext
from desktop_app.services.errors import ServiceError
from ui import gui_gc, passphrase_prompt, qt_translations, theme
from ui.preload import Preloader
from ui.sign_in_dialog import SignInDialog

if TYPE_CHECKING:
    from ui.main_window import MainWindow

log = logging.getLogger(__name__)


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """Our own options, and whatever is left for Qt (``-platform``, ``-style`` …)."""
    parser = argparse.ArgumentParser(prog="teishi", description="Teishi(利用停止依頼)を起動する")
    parser.add_argument("--data-dir", metavar="DIR", help="データフォルダ(既定: ユーザーごとのデータフォルダ)")
    return parser.parse_known_args(argv)


def open_main_window(ctx: AppContext, parent=None) -> MainWindow | None:
    """First-run setup if needed, then sign-in; None when the officer cancels either.

    The main window's modules load on a worker thread while the sign-in dialog is up (ui/preload.py).
    """
    preload = Preloader()
    if not ctx.settings.is_set_up:
        from ui.setup_dialog import SetupDialog

        preload.start()
        if SetupDialog.run(parent, ctx) is None:
            return None
        _make_key_at_setup(ctx, parent)
    QTimer.singleShot(0, preload.start)  # once the dialog is on screen: its own first paint comes first
    built: dict[int, MainWindow] = {}

    def build(officer) -> None:  # runs while the PIN is being checked; shown only if it is right
        for unused in built.values():  # the window of an earlier attempt whose PIN was wrong
            unused.deleteLater()
        built.clear()
        built[officer.id] = _build_main_window(ctx, officer, preload)

    officer = SignInDialog.ask(parent, ctx, prepare=build)
    preload.start()  # a dialog that never ran its event loop (tests patch it)
    window = built.pop(officer.id, None) if officer is not None else None
    for unused in built.values():  # a wrong PIN: the window built meanwhile is never shown
        unused.deleteLater()
    if officer is None:
        return None
    return window or _build_main_window(ctx, officer, preload)


def _build_main_window(ctx: AppContext, officer, preload: Preloader) -> MainWindow:
    preload.wait()
    from ui.main_window import MainWindow

    window = MainWindow(ctx, officer)
    install_tier_screens(window, ctx, officer, defer=True)
    return window


def install_tier_screens(window: MainWindow, ctx: AppContext, officer, *, defer: bool = False) -> None:
    """Which screens a unit gets is decided by its tier; all of them share ``ctx.pipeline()``.

    With ``defer`` a station's secondary tabs are added once the event loop runs, so the entry screen
    shows without waiting for the import pipeline to load.
    """
    if window.tier == "station":
        from ui.station_screens import install_station_screens

        window.station_actions = install_station_screens(window, ctx, officer)

        def secondary():
            if defer and not window.isVisible():  # closed before the timer fired: the data folder may be too
                return
            from ui.npa_screens import install_npa_screens

            window.npa_screens = install_npa_screens(window, ctx, window.officer, services=ctx.pipeline())

        QTimer.singleShot(150, window, secondary) if defer else secondary()  # after the first paint
        return
    from ui.hq_screens import install_hq_screens
    from ui.npa_screens import install_npa_screens

    window.hq_screens = install_hq_screens(window, ctx, officer, hq=ctx.pipeline())
    window.npa_screens = install_npa_screens(window, ctx, officer, services=ctx.pipeline())


def _make_key_at_setup(ctx: AppContext, parent) -> None:
    # The unit's key pair is made at setup, so its fingerprint can be registered before the first
    # send. Where it needs a passphrase (not Windows) and none is configured, the first signing asks.
    from desktop_app.signing_keys import PASSPHRASE_ENV

    keys = ctx.key_service()
    if keys.store.protection == "passphrase" and not os.environ.get(PASSPHRASE_ENV):
        return
    try:
        keys.ensure(ctx.setup.identity())
    except ServiceError as exc:
        log.warning("signing key not created at setup: %s", exc)


def _report_crash(exc_type, exc, tb) -> None:
    # A bug must not vanish silently on a PC without a console: log it and tell the officer.
    log.critical("unexpected error", exc_info=(exc_type, exc, tb))
    if QApplication.instance() is not None:
        QMessageBox.critical(None, QCoreApplication.translate("app", "予期しないエラー"),
                             QCoreApplication.translate("app", "予期しないエラーが起きました。入力済みの行は保存されています。\n"
                                                        "ログフォルダの内容を担当者に知らせてください。\n\n")
                             + "".join(traceback.format_exception_only(exc_type, exc)))


def main(argv: list[str] | None = None) -> int:
    args, qt_args = parse_args(sys.argv[1:] if argv is None else list(argv))
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME, *qt_args])
    app.setApplicationName(APP_NAME)
    theme.apply(app)
    app._teishi_translators = qt_translations.install(app)  # kept alive as long as the application
    gui_gc.install(app)  # before any worker thread: cycles are collected on the GUI thread only
    ctx = AppContext.open(args.data_dir)
    passphrase_prompt.install(ctx)
    previous_hook = sys.excepthook
    sys.excepthook = _report_crash
    try:
        window = open_main_window(ctx)
        if window is None:
            return 0
        window.show()
        return app.exec()
    finally:
        sys.excepthook = previous_hook
        ctx.close()


if __name__ == "__main__":
    sys.exit(main())
