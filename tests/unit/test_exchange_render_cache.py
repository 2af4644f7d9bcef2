"""The sheet renderer keeps each date cell it has built across files (the reader re-renders every
signed sheet it checks). What a file shows must never depend on what was rendered before it."""
from __future__ import annotations

from desktop_app.exchange import workbook_writer as ww
from desktop_app.exchange.workbook_writer import ColumnSpec, SheetSpec, sheet_xml

COLUMNS = [ColumnSpec("number", "番号", "number"), ColumnSpec("user_name", "ユーザー名"),
           ColumnSpec("recognized_on", "認知日", "date")]


def _spec(rows):
    return SheetSpec(title="t", columns=COLUMNS, rows=rows, min_rows=0)


def _fresh(spec):
    ww._DATE_TAILS.clear()
    return sheet_xml(spec)


def test_a_sheet_renders_the_same_whatever_was_rendered_before_it():
    rows = [{"user_name": "山田", "recognized_on": "2026-03-04"}, {"user_name": "x", "recognized_on": "令和8年3月"},
            {"user_name": "y", "recognized_on": "2026-02-30"}, {"user_name": "z", "recognized_on": ""}]
    alone = _fresh(_spec(rows))
    sheet_xml(_spec([{"user_name": "a", "recognized_on": d} for d in ("2026-03-04", "令和8年3月", "2026-02-30")]))
    assert sheet_xml(_spec(rows)) == alone
    # the unreadable dates stay visible as the text that was typed, also when already seen
    assert "令和8年3月" in alone.decode() and "2026-02-30" in alone.decode()
    assert "<v>46085</v>" in alone.decode()  # 2026-03-04 as an Excel serial


def test_the_kept_dates_stay_bounded_whatever_a_hostile_file_holds():
    many = [{"user_name": "a", "recognized_on": f"{2000 + i // 365:04d}-01-01x{i}"} for i in range(ww._DATE_TAILS_MAX + 10)]
    _fresh(_spec(many))
    sheet_xml(_spec([{"user_name": "b", "recognized_on": "2026-01-01"}]))
    assert sum(len(d) for d in ww._DATE_TAILS.values()) <= ww._DATE_TAILS_MAX
