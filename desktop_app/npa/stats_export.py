"""The statistics as an Excel workbook people can file and forward (one sheet per grouping).

Not an exchange file (nothing imports it back), so openpyxl is fine here; it is still written
atomically, and every text cell is written as inert text because labels come from imported data.
"""
from __future__ import annotations

import datetime as dt
import logging
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins

from desktop_app.npa.statistics import COLUMNS, GROUPINGS, NOTE, StatsTable, cell_value
from desktop_app.wareki import format_wareki

log = logging.getLogger(__name__)

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_FONT = "游ゴシック"
_THIN = Side(style="thin", color="808080")


def _text(cell, value: str) -> None:
    """Write ``value`` so no spreadsheet can take it for a formula."""
    cell.value = value
    cell.data_type = "s"
    if value.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def write_statistics(path: str | os.PathLike, tables: Sequence[StatsTable], *, unit_name: str,
                     today: dt.date) -> Path:
    path = Path(path)
    wb = Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(f"{GROUPINGS[table.group_by]}別")
        _text(ws.cell(1, 1), table.title)
        ws.cell(1, 1).font = Font(name=_FONT, size=14, bold=True)
        _text(ws.cell(2, 1), f"{unit_name}　作成日 {format_wareki(today)}")
        ws.cell(2, 1).font = Font(name=_FONT, size=10)
        period = _period_text(table)
        if period:
            _text(ws.cell(3, 1), period)
        header_row = 5
        for c, (_key, label) in enumerate(COLUMNS, start=1):
            cell = ws.cell(header_row, c)
            _text(cell, label)
            cell.font = Font(name=_FONT, bold=True)
            cell.fill = PatternFill("solid", fgColor="DDE6F0")
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            cell.border = Border(_THIN, _THIN, _THIN, _THIN)
        r = header_row
        for g in [*table.groups, table.total]:
            r += 1
            for c, (key, _label) in enumerate(COLUMNS, start=1):
                cell = ws.cell(r, c)
                value = cell_value(g, key)
                if isinstance(value, str):
                    _text(cell, value)
                else:
                    cell.value = value
                    if isinstance(value, float):
                        cell.number_format = "0.0"
                    elif isinstance(value, int):
                        cell.number_format = "#,##0"
                cell.font = Font(name=_FONT, bold=g is table.total)
                cell.border = Border(_THIN, _THIN, _THIN, _THIN)
        _text(ws.cell(r + 2, 1), NOTE)
        ws.cell(r + 2, 1).font = Font(name=_FONT, size=9)
        ws.column_dimensions["A"].width = 22
        for c in range(2, len(COLUMNS) + 1):
            ws.column_dimensions[get_column_letter(c)].width = 12
        ws.row_dimensions[header_row].height = 36
        ws.print_title_rows = f"{header_row}:{header_row}"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.7, bottom=0.7)
        ws.oddFooter.center.text = "&P / &N"
    return _save_atomically(wb, path)


def _period_text(table: StatsTable) -> str:
    f = table.filter
    parts = []
    if f.date_from or f.date_to:
        parts.append(f"期間 {format_wareki(f.date_from) if f.date_from else ''}〜{format_wareki(f.date_to) if f.date_to else ''}")
    for label, value in (("都道府県", f.prefecture), ("警察署", f.station), ("類型", f.case_type)):
        if value:
            parts.append(f"{label} {value}")
    return "　".join(parts)


def _save_atomically(wb: Workbook, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".teishi-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    try:
        wb.save(tmp)
        os.replace(tmp, path)
    except BaseException:
        with _suppress():
            os.unlink(tmp)
        raise
    log.info("statistics written to %s", path)
    return path


class _suppress:
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return exc[0] is not None and issubclass(exc[0], OSError)
