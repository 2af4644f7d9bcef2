"""The reader's fast proof that a signed sheet shows exactly its signed metadata.

``signed_sheet_matches(sheet, workbook, meta)`` renders the sheet the signer's metadata describes,
column by column, and compares it with the received ``xl/worksheets/sheet1.xml`` and
``xl/workbook.xml``. True proves every shown cell (and every style, width, print setting) without
parsing either part. None means "cannot tell here" (a value or layout this path does not render,
or bytes that differ): the reader then takes its general path (``workbook_writer.sheet_xml`` and,
failing that, a cell-by-cell comparison), so this module only ever saves time.

Why a second renderer: ``workbook_writer._data_rows`` builds one cell at a time, which is right for
writing but costs as much as a whole calamine read when an HQ checks hundreds of small files. Here
each column is one list comprehension and the text checks run once over a whole column. The output
must stay byte-for-byte ``sheet_xml``'s for the same metadata (tests compare the two on hostile and
random data); anything outside the common cases is declined rather than rendered differently. The
frame (everything but the numbered rows) and workbook.xml come from ``workbook_writer`` itself.
"""
from __future__ import annotations

import datetime as dt
import logging
from itertools import chain, repeat
from typing import Any

from desktop_app import case_types
from desktop_app.exchange import workbook_writer as ww
from desktop_app.exchange.errors import column_letter

log = logging.getLogger(__name__)

_TEXT, _DATE, _NUMBER = 0, 1, 2
_PLANS: dict[tuple, "_Plan | None"] = {}
_PLANS_MAX = 32
_SERIALS: dict[str, str | None] = {}  # ISO text → Excel serial text (None: not a date)
_SERIALS_MAX = 4096
_ROW_OPENS: dict[tuple[int, int], tuple[list[str], list[str]]] = {}


class _Plan:
    """What depends only on the layout: frame, workbook.xml and each column's cell pieces."""

    __slots__ = ("head", "foot", "workbook", "columns", "first", "total")

    def __init__(self, spec: ww.SheetSpec, total: int):
        head, foot = ww._frame(spec, total)
        self.head = head.encode("utf-8")
        self.foot = foot.encode("utf-8")
        self.workbook = ww.workbook_xml([spec])
        self.first = spec.first_data_row
        self.total = total
        self.columns = []
        for i, col in enumerate(spec.columns, start=1):
            style = ww._KIND_STYLE.get(col.kind, ww.S_TEXT)
            code = {"date": _DATE, "number": _NUMBER}.get(col.kind, _TEXT)
            text_style = ww.S_TEXT if code != _TEXT else style
            quoted_style = text_style + 1 if text_style in ww._HAS_QUOTED_TWIN else text_style
            self.columns.append((col.key, code, f'<c r="{column_letter(i)}', f'" s="{style}"/>',
                                 f'" s="{style}"><v>', f'" s="{text_style}"{ww._INLINE}',
                                 f'" s="{quoted_style}"{ww._INLINE}'))


def signed_sheet_matches(sheet: bytes, workbook: bytes, meta: dict) -> bool | None:
    """True when ``sheet`` and ``workbook`` are exactly what ``meta`` renders to; else None."""
    try:
        plan = _plan(meta)
        if plan is None or workbook != plan.workbook:
            return None
        if not (sheet.startswith(plan.head) and sheet.endswith(plan.foot)):
            return None
        rows = _rows_text(plan, meta["rows"])
    except (KeyError, TypeError, ValueError, AttributeError):  # hostile metadata: let the general path judge
        return None
    if rows is None:
        return None
    return sheet[len(plan.head):len(sheet) - len(plan.foot)] == rows.encode("utf-8") or None


def _plan(meta: dict) -> _Plan | None:
    sheet = meta["sheet"]
    layout = sheet["layout"]
    rows = meta["rows"]
    total = max(len(rows), int(layout["min_rows"]))
    key = (sheet["name"], sheet["first_data_row"], layout["title"], tuple(map(tuple, layout["columns"])),
           tuple(map(tuple, layout["header_fields"])), layout["note"], layout["min_rows"], layout["corner_label"],
           total)
    try:
        return _PLANS[key]
    except KeyError:
        pass
    from desktop_app.exchange.reader import _signed_spec  # the spec exactly as the general path builds it

    spec = _signed_spec({**meta, "rows": []})
    plan = None
    if spec is not None and spec.first_data_row == sheet["first_data_row"]:
        try:
            plan = _Plan(spec, total)
        except (KeyError, TypeError, ValueError, AttributeError):
            plan = None
    if len(_PLANS) >= _PLANS_MAX:
        _PLANS.clear()
    _PLANS[key] = plan
    return plan


def _row_refs(first: int, total: int) -> tuple[list[str], list[str]]:
    hit = _ROW_OPENS.get((first, total))
    if hit is None:
        refs = [str(first + n) for n in range(total)]
        hit = (refs, [f'<row r="{r}">' for r in refs])
        if len(_ROW_OPENS) > 64:
            _ROW_OPENS.clear()
        _ROW_OPENS[(first, total)] = hit
    return hit


def _column_values(key: str, rows: list[dict]) -> list[Any]:
    """The values ``writer.sheet_cell_rows`` would give this column (類型 as its label, a missing
    ISO date replaced by the text that was typed)."""
    if key == "case_type":
        return [case_types.label(v, r.get("refinement")) if (v := r.get("case_type")) else v for r in rows]
    if key == "recognized_on":
        return [r.get("recognized_on") or r.get("recognized_on_text") or r.get("recognized_on") for r in rows]
    return [r.get(key) for r in rows]


def _escaped(values: list[Any]) -> list[Any] | None:
    """Each text as the sheet holds it, or None when a value is not text (declined)."""
    present = [v for v in values if v is not None]
    joined = "".join(present)  # TypeError for anything but str: handled by the caller
    if "_" not in joined and joined.isprintable():
        if "&" not in joined and "<" not in joined and ">" not in joined:
            return values
    return [ww._xml_text_fast(v) if v else v for v in values]


def _rows_text(plan: _Plan, rows: list) -> str | None:
    n_rows = len(rows)
    if n_rows > plan.total or any(r.__class__ is not dict for r in rows):
        return None
    refs, opens = _row_refs(plan.first, plan.total)
    pad = [None] * (plan.total - n_rows)
    trigger = ww._TRIGGER_FIRST
    end = ww._INLINE_END
    columns: list[list[str]] = []
    for key, code, head, empty, number, plain, quoted in plan.columns:
        values = _column_values(key, rows) + pad
        if code == _NUMBER:
            values = [v or n for n, v in enumerate(values, start=1)]
            if any(v.__class__ is not int for v in values):
                return None  # text in the 番号 column: the general path renders it
            columns.append([f"{head}{r}{number}{v}</v></c>" for r, v in zip(refs, values)])
        elif code == _DATE:
            cells = []
            for r, v in zip(refs, values):
                if not v:
                    if v is not None and v != "":
                        return None
                    cells.append(f"{head}{r}{empty}")
                    continue
                serial = _serial(v)
                if serial is not None:
                    cells.append(f"{head}{r}{number}{serial}</v></c>")
                else:  # an unreadable date stays visible as the text that was typed
                    text = ww._xml_text_fast(v)
                    cells.append(f"{head}{r}{quoted if v[:1] in trigger else plain}{text}{end}")
            columns.append(cells)
        else:
            for v in values:
                if not v and v is not None and v != "":
                    return None  # 0, False, an empty list: the general path renders those
            shown = _escaped(values)
            columns.append([f"{head}{r}{quoted if v[:1] in trigger else plain}{s}{end}" if v else f"{head}{r}{empty}"
                            for r, v, s in zip(refs, values, shown)])
    return "".join(chain.from_iterable(zip(opens, *columns, repeat("</row>"))))


def _serial(value: str) -> str | None:
    try:
        return _SERIALS[value]
    except KeyError:
        pass
    if value.__class__ is not str:
        raise TypeError("date cell holds no text")
    try:
        out = str(ww.excel_serial(dt.date.fromisoformat(value[:10])))
    except ValueError:
        out = None
    if len(_SERIALS) >= _SERIALS_MAX:
        _SERIALS.clear()  # bounded: hostile metadata could hold any number of distinct "dates"
    _SERIALS[value] = out
    return out
