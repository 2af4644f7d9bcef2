"""The statistics screen, the outcomes screen and A4 printing (PDF checked with pdftotext/pdfinfo)."""
from __future__ import annotations

import shutil
import subprocess
import unicodedata

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QFileDialog

from desktop_app.storage.outcomes_repo import OutcomesRepo
from tests.unit.test_npa_statistics import OUTCOMES, PREF_CODES, ROWS
from ui.print_support import PrintDocument, print_to_pdf
from ui.statistics_screen import RawValueRole, StatisticsScreen

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


@pytest.fixture
def npa_ctx(blank_ctx):
    ctx = blank_ctx
    ctx.setup.initialise("npa")
    repo = OutcomesRepo(ctx.database)
    with ctx.database.transaction():
        repo.upsert_requests([
            {"row_id": rid, "account_id": acc, "prefecture": pref, "prefecture_code": PREF_CODES[pref],
             "station": st, "case_type": ct, "recognized_on": rec, "requested_on": req, "mistaken_on": mis}
            for rid, acc, pref, st, ct, rec, req, mis in ROWS])
        for acc, outcome, day in OUTCOMES:
            repo.set_outcome(acc, outcome, day, recorded_at="t", recorded_by=None, source="test")
    return ctx


def labels(screen):
    m = screen.model
    return [m.index(r, 0).data() for r in range(m.rowCount())]


def requested(screen):
    m = screen.model
    return [m.index(r, 1).data(RawValueRole) for r in range(m.rowCount())]


def test_group_and_filter_changes_update_table_and_chart(qtbot, npa_ctx):
    screen = StatisticsScreen(npa_ctx)
    qtbot.addWidget(screen)
    screen.show()
    assert labels(screen) == ["令和8年3月", "令和8年4月", "合計"]
    assert requested(screen) == [3, 2, 5]
    # the officer picks 都道府県別 with the keyboard
    screen.group_combo.setFocus()
    qtbot.keyClick(screen.group_combo, Qt.Key.Key_Down)
    assert labels(screen) == ["北海道", "東京都", "大阪府", "合計"]
    assert requested(screen) == [1, 3, 2, 5]
    assert screen.model.headerData(0, Qt.Orientation.Horizontal) == "都道府県"
    assert [b.label for b in screen.chart.bars()] == ["北海道", "東京都", "大阪府"]
    assert [b.caption for b in screen.chart.bars()] == ["0.0%", "33.3%", "100.0%"]
    # then narrows to 特殊詐欺
    screen.case_combo.setFocus()
    index = screen.case_combo.findText("特殊詐欺")
    for _ in range(index):
        qtbot.keyClick(screen.case_combo, Qt.Key.Key_Down)
    assert screen.case_combo.currentText() == "特殊詐欺"
    assert labels(screen) == ["北海道", "東京都", "大阪府", "合計"]
    assert requested(screen) == [1, 1, 0, 2]  # 大阪's 特殊詐欺 row was withdrawn
    assert screen.model.index(2, 8).data() == "1"  # 取下げ column


def test_chart_draws_the_outcome_colours(qtbot, npa_ctx):
    screen = StatisticsScreen(npa_ctx)
    qtbot.addWidget(screen)
    screen.resize(1000, 700)
    screen.show()
    qtbot.waitExposed(screen)
    image = screen.chart.grab().toImage()
    assert not image.isNull()
    colours = {image.pixelColor(x, y).name() for x in range(0, image.width(), 3) for y in range(0, image.height(), 3)}
    assert QColor("#2e7d32").name() in colours  # 措置 segment
    assert QColor("#9e9e9e").name() in colours  # 確認中 segment


def _pdf_text(path, page=None):
    args = ["pdftotext", "-layout"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(path), "-"]
    out = subprocess.run(args, capture_output=True, text=True, check=True).stdout
    # the CJK font maps some kanji to Kangxi radical code points (⽉ for 月) in the PDF text layer
    return unicodedata.normalize("NFKC", out)


def _pages(path):
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


@needs_poppler
def test_pdf_button_prints_the_statistics_on_a4_with_unit_date_and_page_number(qtbot, npa_ctx, tmp_path, monkeypatch):
    out = tmp_path / "統計.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
    screen = StatisticsScreen(npa_ctx)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.mouseClick(screen.pdf_button, Qt.MouseButton.LeftButton)
    assert _pages(out) == 1
    text = _pdf_text(out)
    assert "月別 利用停止依頼の状況" in text
    assert "ツール対策係" in text and "令和8年11月20日" in text
    assert "1 / 1 ページ" in text
    assert "66.7" in text  # 令和8年3月's rate
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True).stdout
    assert "842 x 595 pts (A4)" in info  # A4 landscape


@needs_poppler
def test_a_long_form_list_numbers_every_page(npa_ctx, qapp, tmp_path):
    rows = [{"account_id": f"user{i:03d}@example.co.jp", "user_name": "投資アドバイザー", "organization": "株式会社サンプル",
             "case_type": "SNS型投資詐欺", "station": "中央警察署", "recognized_on": "2026-03-02"} for i in range(80)]
    doc = PrintDocument.for_form_rows(rows, unit_name="大阪府警察本部", today=npa_ctx.today())
    path = tmp_path / "list.pdf"
    pages = print_to_pdf(doc, path)
    assert pages == _pages(path) >= 3
    for n in range(1, pages + 1):
        text = _pdf_text(path, n)
        assert f"{n} / {pages} ページ" in text
        assert "大阪府警察本部" in text and "アカウントID" in text  # unit and repeated header on every page
    assert "令和8年3月2日" in _pdf_text(path, 1)
    last = _pdf_text(path, pages)
    assert " 80 " in last and "@example.co.jp" in last  # the last numbered row ends the list


def test_install_npa_screens_adds_the_tabs(qtbot, npa_ctx):
    from PySide6.QtWidgets import QMainWindow, QTabWidget

    class Window(QMainWindow):
        tier = "npa"

        def __init__(self):
            super().__init__()
            self.tabs = QTabWidget()
            self.setCentralWidget(self.tabs)

        def add_tab(self, w, title):
            return self.tabs.addTab(w, title)

    from ui.npa_screens import install_npa_screens

    window = Window()
    qtbot.addWidget(window)
    screens = install_npa_screens(window, npa_ctx, None)
    assert [window.tabs.tabText(i) for i in range(window.tabs.count())] == ["全国集約", "措置結果", "統計"]
    assert screens["outcomes"].model.rowCount() == len(ROWS)
