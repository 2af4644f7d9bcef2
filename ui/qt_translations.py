"""Qt's own Japanese texts: the buttons and labels of standard dialogs (「はい」「キャンセル」, file and
print dialogs), which otherwise stay English in a Japanese application.

PySide6 ships ``qtbase_ja.qm``; the frozen bundle keeps the Japanese catalogues only (teishi.spec).
"""
from __future__ import annotations

import logging
from pathlib import Path

from PySide6.QtCore import QLibraryInfo, QLocale, QTranslator
from PySide6.QtWidgets import QApplication

log = logging.getLogger(__name__)

CATALOGUES = ("qtbase_ja",)


def _folders() -> list[Path]:
    folders = [Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath))]
    try:
        import PySide6

        folders.append(Path(PySide6.__file__).resolve().parent / "Qt" / "translations")
    except (ImportError, TypeError):
        pass
    return folders


def install(app: QApplication) -> list[QTranslator]:
    """Load the Japanese catalogues into ``app`` and make Japanese the default locale (dates, numbers).

    Returns the translators (the application must keep them alive); a missing catalogue is logged,
    never fatal: the dialogs then keep Qt's English button texts."""
    QLocale.setDefault(QLocale(QLocale.Language.Japanese, QLocale.Country.Japan))
    installed = []
    for name in CATALOGUES:
        translator = QTranslator(app)
        if any(translator.load(name, str(folder)) for folder in _folders()):
            app.installTranslator(translator)
            installed.append(translator)
        else:
            log.warning("Qt translation %s not found in %s", name, [str(f) for f in _folders()])
    return installed
