"""Printed account IDs are checked character by character: whole, in the ID face, never cut with "…"."""
from __future__ import annotations

import datetime as dt
import shutil
import subprocess

import pytest
from PySide6.QtGui import QFont, QFontMetricsF, QImage

from ui.print_support import VERBATIM_MIN_POINTS, PrintDocument, print_to_pdf

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")

SHORT = "O0l1I-rn@example.co.jp"
LONG = "sales-O0l1I-rn-m@very-long-company-domain-name.example.co.jp"
VERY_LONG = "x" * 60 + "@very-long-company-domain-name.example.co.jp"


def _rows(*ids):
    return [{"account_id": i, "user_name": "投資アドバイザー", "organization": "株式会社サンプル", "case_type": "SNS型投資詐欺",
             "station": "中央警察署", "recognized_on": "2026-03-02"} for i in ids]


def _text(path) -> str:
    out = subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())  # a wrapped ID continues on the next text line


@needs_poppler
def test_long_ids_print_whole_with_every_character(qapp, tmp_path):
    path = tmp_path / "ids.pdf"
    print_to_pdf(PrintDocument.for_form_rows(_rows(SHORT, LONG, VERY_LONG), unit_name="中央警察署",
                                             today=dt.date(2026, 11, 20)), path)
    text = _text(path)
    assert SHORT in text and LONG in text  # O/0, l/1, rn/m all kept: the ID face puts glyphs in the PDF text
    assert VERY_LONG[:40] in text and VERY_LONG[-40:] in text
    assert "…" not in text


def test_account_id_column_is_verbatim_and_shrinks_before_it_wraps(qapp):
    doc = PrintDocument.for_form_rows(_rows(LONG), unit_name="中央警察署", today=dt.date(2026, 11, 20))
    assert [c.verbatim for c in doc.columns] == [c.header == "アカウントID" for c in doc.columns]
    device = QImage(100, 100, QImage.Format.Format_RGB32)
    font = QFont("DejaVu Sans Mono")
    font.setPointSizeF(9)
    width = QFontMetricsF(font, device).horizontalAdvance(LONG) * 0.7
    fitted, wrap = PrintDocument.fit_verbatim(font, LONG, width, device)
    assert fitted.pointSizeF() < 9 and not wrap
    assert QFontMetricsF(fitted, device).horizontalAdvance(LONG) <= width
    tiny, wrap = PrintDocument.fit_verbatim(font, LONG, width / 4, device)
    assert tiny.pointSizeF() == VERBATIM_MIN_POINTS and wrap
