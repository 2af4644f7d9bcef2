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
import re
from itertools import chain, repeat
from operator import itemgetter
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
_KNOWN_PLAIN: set[str] = set()  # text values already found plain (see _plain_text)
_KNOWN_PLAIN_MAX = 4096
_DERIVED = frozenset({"case_type", "recognized_on"})  # shown from more than their own key


class _Plan:
    """What depends only on the layout: frame, workbook.xml and, for each column and row, the cell
    markup around the value (so an ordinary cell costs no string building at all)."""

    __slots__ = ("head", "foot", "workbook", "columns", "first", "total", "opens")

    def __init__(self, spec: ww.SheetSpec, total: int):
        head, foot = ww._frame(spec, total)
        self.head = head.encode("utf-8")
        self.foot = foot.encode("utf-8")
        self.workbook = ww.workbook_xml([spec])
        self.first = spec.first_data_row
        self.total = total
        refs = [str(self.first + n) for n in range(total)]
        self.opens = [f'<row r="{r}">' for r in refs]
        self.columns = []
        for i, col in enumerate(spec.columns, start=1):
            style = ww._KIND_STYLE.get(col.kind, ww.S_TEXT)
            code = {"date": _DATE, "number": _NUMBER}.get(col.kind, _TEXT)
            text_style = ww.S_TEXT if code != _TEXT else style
            quoted_style = text_style + 1 if text_style in ww._HAS_QUOTED_TWIN else text_style
            cell = f'<c r="{column_letter(i)}'
            self.columns.append(_Column(
                key=col.key, code=code, head=cell, empty=f'" s="{style}"/>', number=f'" s="{style}"><v>',
                plain=f'" s="{text_style}"{ww._INLINE}', quoted=f'" s="{quoted_style}"{ww._INLINE}',
                refs=refs,
                empties=[f'{cell}{r}" s="{style}"/>' for r in refs],
                plains=[f'{cell}{r}" s="{text_style}"{ww._INLINE}' for r in refs],
                numbers=[f'{cell}{r}" s="{style}"><v>' for r in refs],
                counted=[f'{cell}{r}" s="{style}"><v>{n}</v></c>' for n, r in enumerate(refs, start=1)]))


class _Column:
    __slots__ = ("key", "code", "head", "empty", "number", "plain", "quoted", "refs", "empties", "plains",
                 "numbers", "counted")

    def __init__(self, **kw: Any):
        for name, value in kw.items():
            setattr(self, name, value)


def signed_sheet_matches(sheet: bytes, workbook: bytes, meta: dict, values: list[dict] | None = None) -> bool | None:
    """True when ``sheet`` and ``workbook`` are exactly what ``meta`` renders to; else None.

    ``values`` (optional): for each metadata row, a dict holding ``r.get(key)`` for some keys (the
    reader's row values, built anyway); a column whose key it holds is taken from it in one C-level
    pass instead of a ``get`` per row."""
    try:
        plan = _plan(meta)
        if plan is None or workbook != plan.workbook:
            return None
        if not (sheet.startswith(plan.head) and sheet.endswith(plan.foot)):
            return None
        rows = _rows_text(plan, meta["rows"], values)
    except (KeyError, TypeError, ValueError, AttributeError):  # hostile metadata: let the general path judge
        return None
    if rows is None:
        return None
    # Compared as text: strict UTF-8 decoding is the exact inverse of encoding, so equal text means
    # equal bytes; it is also cheaper, and a value no UTF-8 can hold (a lone surrogate in hostile
    # metadata) simply differs instead of raising.
    try:
        shown = sheet[len(plan.head):len(sheet) - len(plan.foot)].decode("utf-8")
    except UnicodeDecodeError:
        return None
    return shown == rows or None


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


def _column_values(key: str, rows: list[dict], values: list[dict] | None = None) -> list[Any]:
    """The values ``writer.sheet_cell_rows`` would give this column (類型 as its label, a missing
    ISO date replaced by the text that was typed). ``values``: see ``signed_sheet_matches``."""
    if values is not None and key in values[0]:
        column = list(map(itemgetter(key), values))
        if key not in _DERIVED:
            return column
        # 類型 without any refinement is the case type itself; a date present in every row is itself
        if key == "case_type" and "refinement" in values[0] and not any(map(itemgetter("refinement"), values)):
            return column
        if key == "recognized_on" and all(column):
            return column
    if key == "case_type":
        return [case_types.label(v, r.get("refinement")) if (v := r.get("case_type")) else v for r in rows]
    if key == "recognized_on":
        return [r.get("recognized_on") or r.get("recognized_on_text") or r.get("recognized_on") for r in rows]
    return [r.get(key) for r in rows]


def _rows_text(plan: _Plan, rows: list, row_values: list[dict] | None = None) -> str | None:
    """The numbered rows as ``workbook_writer._data_rows`` writes them, or None (declined).

    Each cell is three pieces (markup before the value, the value, markup after it) joined once at
    the end. A column of ordinary values (the common case: non-empty text needing no escaping and no
    quote prefix, ISO dates already seen, 番号 counting from 1) takes its pieces straight from the
    plan; any other column is built cell by cell as ``_data_rows`` does.
    """
    n_rows = len(rows)
    if n_rows > plan.total or any(r.__class__ is not dict for r in rows):
        return None
    if not row_values or len(row_values) != n_rows:
        row_values = None
    pad = plan.total - n_rows
    blanks = [""] * pad
    pieces: list = []
    for col in plan.columns:
        values = _column_values(col.key, rows, row_values)
        if col.code == _NUMBER:
            values = [v or n for n, v in enumerate(values, start=1)] + list(range(n_rows + 1, plan.total + 1))
            if set(map(type, values)) - {int}:
                return None  # text (or true/false) in the 番号 column: the general path renders it
            if values == _COUNT[:plan.total]:
                pieces += (col.counted, repeat("", plan.total), repeat("", plan.total))
            else:
                pieces += (col.numbers, list(map(str, values)), repeat("</v></c>", plan.total))
            continue
        if col.code == _DATE:
            serials = list(map(_SERIALS.get, values))
            if None not in serials:
                pieces += (col.numbers[:n_rows] + col.empties[n_rows:], serials + blanks,
                           ["</v></c>"] * n_rows + blanks)
                continue
        elif _plain_text(values):
            pieces += (col.plains[:n_rows] + col.empties[n_rows:], values + blanks,
                       [ww._INLINE_END] * n_rows + blanks)
            continue
        cells = _cells(col, values + [None] * pad)
        if cells is None:
            return None
        pieces += (cells, repeat("", plan.total), repeat("", plan.total))
    return "".join(chain.from_iterable(zip(plan.opens, *pieces, repeat("</row>", plan.total))))


_COUNT = list(range(1, 100_001))
# A formula trigger at the start of a value, in the values joined after a line feed (a printable
# value holds no line feed, so each one starts a value). One regex scan: it jumps from line feed to
# line feed, where ten substring searches each ran over the whole text.
_TRIGGER_AFTER_LF = re.compile("\n[" + "".join(map(re.escape, ww.FORMULA_TRIGGERS)) + "]")


def _plain_text(values: list) -> bool:
    """Every value non-empty text shown as it is: no escaping, no quote prefix.

    Each rule holds value by value, so a value once found plain stays plain: values that recur from
    file to file (類型, 警察署, 企業名) are then recognised by one set look-up."""
    try:
        if _KNOWN_PLAIN.issuperset(values):
            return True
    except TypeError:  # an unhashable value (a list, say): not text
        return False
    try:
        flat = "".join(values)  # TypeError for None or anything but text
    except TypeError:
        return False
    if not all(values) or not flat.isprintable() or "_" in flat or "&" in flat or "<" in flat or ">" in flat:
        return False
    if _TRIGGER_AFTER_LF.search("\n" + "\n".join(values)) is not None:
        return False
    if len(_KNOWN_PLAIN) + len(values) > _KNOWN_PLAIN_MAX:
        _KNOWN_PLAIN.clear()  # bounded: any number of distinct names may arrive
    _KNOWN_PLAIN.update(values)
    return True


def _cells(col: _Column, values: list) -> list[str] | None:
    """One column cell by cell, as ``_data_rows`` builds it; None for a value it does not render."""
    trigger = ww._TRIGGER_FIRST
    end = ww._INLINE_END
    head, empty, plain, quoted = col.head, col.empty, col.plain, col.quoted
    out = []
    for r, v in zip(col.refs, values):
        if not v:
            if v is not None and v != "":
                return None  # 0, False, an empty list: the general path renders those
            out.append(f"{head}{r}{empty}")
            continue
        if v.__class__ is not str:
            return None
        if col.code == _DATE:
            serial = _serial(v)
            if serial is not None:
                out.append(f"{head}{r}{col.number}{serial}</v></c>")
                continue
            # an unreadable date stays visible as the text that was typed (S_TEXT, as in _data_rows)
        out.append(f"{head}{r}{quoted if v[:1] in trigger else plain}{ww._xml_text_fast(v)}{end}")
    return out


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
