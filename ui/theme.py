"""Fonts and the stylesheet: Japanese UI text that renders everywhere, and an ID face that keeps O/0, l/1 apart.

Chosen at run time from the families actually installed, because a station PC (Windows) and a
test machine (Debian with fonts-noto-cjk) have different sets.
"""
from __future__ import annotations

import logging
import sys

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from desktop_app.resources import resources_dir

log = logging.getLogger(__name__)

UI_FAMILIES_WINDOWS = ("Yu Gothic UI", "Meiryo UI", "Meiryo", "MS UI Gothic")
UI_FAMILIES_OTHER = ("Noto Sans CJK JP", "Noto Sans JP", "IPAexGothic", "TakaoPGothic")
# BIZ UDGothic is a universal-design face (ships with Windows 10 1809+): 0 and O, l and 1 differ.
# The fallbacks have a slashed or dotted zero. Noto Sans Mono CJK JP comes last: its 0 and O are
# nearly the same glyph (checked on a rendering), which is exactly what this font must avoid.
ID_FAMILIES = ("BIZ UDGothic", "BIZ UDゴシック", "DejaVu Sans Mono", "Consolas", "Cascadia Mono",
               "Noto Sans Mono CJK JP")
UI_POINT_SIZE = 10
ID_POINT_SIZE = 11
STYLESHEET = "style.qss"


def _first_installed(candidates: tuple[str, ...]) -> str | None:
    installed = set(QFontDatabase.families())
    return next((f for f in candidates if f in installed), None)


def ui_font() -> QFont:
    """The face for every label, menu and table cell."""
    family = _first_installed(UI_FAMILIES_WINDOWS if sys.platform == "win32" else UI_FAMILIES_OTHER)
    family = family or _first_installed(UI_FAMILIES_WINDOWS + UI_FAMILIES_OTHER)
    font = QFont(family) if family else QFont()
    font.setPointSize(UI_POINT_SIZE)
    return font


def id_font() -> QFont:
    """The face for account IDs, where telling O from 0 and l from 1 decides a suspension."""
    family = _first_installed(ID_FAMILIES)
    if family:
        font = QFont(family)
    else:
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
    font.setStyleHint(QFont.StyleHint.TypeWriter)
    font.setPointSize(ID_POINT_SIZE)
    return font


def stylesheet() -> str:
    path = resources_dir() / STYLESHEET
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        log.warning("stylesheet %s not found; using Qt's defaults", path)
        return ""


def apply(app: QApplication) -> None:
    """Set the application font and stylesheet once, in the composition root."""
    font = ui_font()
    app.setFont(font)
    app.setStyleSheet(stylesheet())
    log.info("ui font %s, id font %s", font.family(), id_font().family())
