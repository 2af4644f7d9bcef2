"""The 別添 workbook, written part by part (no openpyxl) so every byte is ours and known.

Why not openpyxl: the signature covers every zip entry, so the writer must produce exactly the parts
we expect and nothing else (no hyperlinks, no formulas, no external links can ever appear), and
writing the sheet XML directly is several times faster than openpyxl for the 50,000-row NPA files.

Reusable for every document kind: a ``SheetSpec`` names the title, the header fields (都道府県 …),
the columns (the LINE WORKS form's, or those plus extra ones such as 都道府県 for HQ's daily
aggregate and the NPA's provider file) and the rows (dicts keyed by column key).

Text safety: every string is an inline string (``t="inlineStr"``), never a formula; a value that a
spreadsheet would treat as a formula when re-edited (= + - @ tab CR and their full-width forms)
gets the ``quotePrefix`` style. Control characters are escaped in the ``_xHHHH_`` form.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.sax.saxutils import escape

from desktop_app.exchange.errors import column_letter
from desktop_app.forms import LINE_WORKS, FormDefinition

log = logging.getLogger(__name__)

SHEET_PART = "xl/worksheets/sheet1.xml"
METADATA_PART = "teishi/exchange.json"
CUSTOM_PART = "docProps/custom.xml"
METADATA_REL_TYPE = "https://teishi.invalid/relationships/exchange-metadata"

# 和暦 as a number format on a real date. The LCID form [$-411] is rendered as 令和8年3月2日 by both
# Excel and LibreOffice (checked: soffice --convert-to pdf). The nicer [$-ja-JP-x-gannen] tag (which
# prints 元年) is shown by LibreOffice 7.4 as the bare serial number, so it is not used; the cost is
# "令和1年" for dates of 2019, which are past the one-year warning anyway.
WAREKI_FORMAT = '[$-411]ggge"年"m"月"d"日";@'
JP_FONT = "游ゴシック"
ID_FONT = "BIZ UDゴシック"  # separates O/0 and l/1 clearly

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPE_LIKE = re.compile("_(x[0-9A-Fa-f]{4}_)")


@dataclass(frozen=True)
class ColumnSpec:
    key: str
    label: str
    kind: str = "text"  # "number" | "text" | "id" | "date"
    width: float = 16


@dataclass
class SheetSpec:
    title: str
    columns: Sequence[ColumnSpec]
    rows: Sequence[Mapping[str, Any]]
    header_fields: Sequence[tuple[str, str]] = ()  # (label, value), e.g. ("都道府県", "大阪府")
    sheet_name: str = "別添"
    corner_label: str = "別添"
    min_rows: int = 20  # the template's numbered rows
    note: str = ""  # a line under the title, e.g. 【試験送付】

    @property
    def header_row(self) -> int:
        return 4 + (len(self.header_fields) or 1) + (1 if self.note else 0) + 1

    @property
    def first_data_row(self) -> int:
        return self.header_row + 1


def form_columns(form: FormDefinition = LINE_WORKS, *, extra_first: Sequence[ColumnSpec] = ()) -> list[ColumnSpec]:
    """The form's columns as the workbook shows them (plus e.g. 都道府県 for aggregates)."""
    kinds = {"number": "number", "account_id": "id", "date": "date"}
    cols = [ColumnSpec(c.key, c.label, kinds.get(c.kind, "text"), c.width) for c in form.columns]
    return cols[:1] + list(extra_first) + cols[1:]


# ---- cell text -------------------------------------------------------------------------------
def needs_quote_prefix(text: str) -> bool:
    return text.startswith(FORMULA_TRIGGERS)


def excel_escape(text: str) -> str:
    """The ST_Xstring form: control characters as _xHHHH_, a literal "_x0041_" protected as _x005F_x0041_."""
    if "_" not in text and text.isprintable():
        return text  # the common case, without two regex passes
    text = _ESCAPE_LIKE.sub(r"_x005F_\1", text)
    return _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def _xml_text(text: str) -> str:
    # CR survives XML parsing only as a character reference (parsers fold a literal CR into LF).
    return escape(excel_escape(text)).replace("\r", "&#13;")


def excel_serial(day: dt.date) -> int:
    return (day - _EXCEL_EPOCH).days


# ---- styles ----------------------------------------------------------------------------------
# cellXfs indexes used below; quote-prefixed variants sit right after their plain style.
S_DEFAULT, S_CORNER, S_TITLE, S_LABEL, S_VALUE, S_VALUE_Q, S_HEADER = 0, 1, 2, 3, 4, 5, 6
S_NUMBER, S_TEXT, S_TEXT_Q, S_ID, S_ID_Q, S_DATE, S_NOTE = 7, 8, 9, 10, 11, 12, 13
_HAS_QUOTED_TWIN = frozenset({S_VALUE, S_TEXT, S_ID})
_KIND_STYLE = {"number": S_NUMBER, "text": S_TEXT, "id": S_ID, "date": S_DATE}

STYLES_XML = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<numFmts count="1"><numFmt numFmtId="176" formatCode="{escape(WAREKI_FORMAT, {'"': '&quot;'})}"/></numFmts>
<fonts count="5">
<font><sz val="11"/><name val="{JP_FONT}"/><family val="3"/><charset val="128"/></font>
<font><b/><sz val="14"/><name val="{JP_FONT}"/><family val="3"/><charset val="128"/></font>
<font><b/><sz val="11"/><name val="{JP_FONT}"/><family val="3"/><charset val="128"/></font>
<font><sz val="11"/><name val="{ID_FONT}"/><family val="3"/><charset val="128"/></font>
<font><b/><sz val="12"/><color rgb="FFC00000"/><name val="{JP_FONT}"/><family val="3"/><charset val="128"/></font>
</fonts>
<fills count="3"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>
<fill><patternFill patternType="solid"><fgColor rgb="FFE7E6E6"/><bgColor indexed="64"/></patternFill></fill></fills>
<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>
<border><left style="thin"><color auto="1"/></left><right style="thin"><color auto="1"/></right><top style="thin"><color auto="1"/></top><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="14">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>
<xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>
<xf numFmtId="49" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment horizontal="left" vertical="center"/></xf>
<xf numFmtId="49" fontId="0" fillId="0" borderId="1" xfId="0" quotePrefix="1" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment horizontal="left" vertical="center"/></xf>
<xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>
<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>
<xf numFmtId="49" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="center" shrinkToFit="1"/></xf>
<xf numFmtId="49" fontId="0" fillId="0" borderId="1" xfId="0" quotePrefix="1" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="center" shrinkToFit="1"/></xf>
<xf numFmtId="49" fontId="3" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>
<xf numFmtId="49" fontId="3" fillId="0" borderId="1" xfId="0" quotePrefix="1" applyNumberFormat="1" applyFont="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>
<xf numFmtId="176" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>
<xf numFmtId="0" fontId="4" fillId="0" borderId="0" xfId="0" applyFont="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="標準" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>
"""


# ---- the worksheet ---------------------------------------------------------------------------
# The reader re-renders every received sheet from its signed metadata and compares bytes, so this
# code runs once per written *and* once per read file: the per-cell path is kept lean (plain
# str.replace escaping for ordinary text, the general path only for text that needs it). It must stay
# byte-for-byte what it was: files signed by earlier builds are compared against it.
def _xml_text_fast(text: str) -> str:
    if "_" not in text and text.isprintable():  # no control character, CR or _xHHHH_ look-alike
        return text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
    return _xml_text(text)


def _text_tail(text: str, style: int) -> str:
    """A text cell after its ``r`` attribute."""
    if style in _HAS_QUOTED_TWIN and text.startswith(FORMULA_TRIGGERS):
        style += 1  # the quote-prefixed twin
    return f' s="{style}" t="inlineStr"><is><t xml:space="preserve">{_xml_text_fast(text)}</t></is></c>'


def _text_cell(ref: str, text: str, style: int) -> str:
    return f'<c r="{ref}"{_text_tail(text, style)}'


def _value_cell(ref: str, col: ColumnSpec, value: Any) -> str:
    style = _KIND_STYLE.get(col.kind, S_TEXT)
    if value is None or value == "":
        return f'<c r="{ref}" s="{style}"/>'
    if col.kind == "number" and isinstance(value, int) and not isinstance(value, bool):
        return f'<c r="{ref}" s="{style}"><v>{value}</v></c>'
    if col.kind == "date":
        day = value if isinstance(value, dt.date) else _iso_date(value)
        if day is not None:
            return f'<c r="{ref}" s="{style}"><v>{excel_serial(day)}</v></c>'
        style = S_TEXT  # an unreadable date stays visible as the text that was typed
    return _text_cell(ref, str(value), style if style != S_NUMBER else S_TEXT)


def _iso_date(value: Any) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


_TRIGGER_FIRST = frozenset(FORMULA_TRIGGERS)  # all one character: text[:1] in this set == needs_quote_prefix
_TEXT, _DATE, _NUMBER = 0, 1, 2
_INLINE = ' t="inlineStr"><is><t xml:space="preserve">'
_INLINE_END = "</t></is></c>"


# A date cell after its reference, by style and the ISO text: the same few hundred dates recur in
# every file an HQ reads, so each is converted once per process rather than once per file.
_DATE_TAILS: dict[int, dict[str, str]] = {}
_DATE_TAILS_MAX = 4096


def _data_rows(spec: SheetSpec, out: list[str]) -> None:
    """The numbered rows: ``_value_cell`` for every cell, with the common cases (a string, an int
    番号) inlined, the per-column pieces of each cell prepared once and each distinct date converted
    once. Anything else goes through ``_value_cell`` itself."""
    first = spec.first_data_row
    rows = spec.rows
    total_rows = max(len(rows), spec.min_rows)
    cols = []
    for i, col in enumerate(spec.columns, start=1):
        style = _KIND_STYLE.get(col.kind, S_TEXT)
        code = {"date": _DATE, "number": _NUMBER}.get(col.kind, _TEXT)
        text_style = S_TEXT if code != _TEXT else style
        quoted_style = text_style + 1 if text_style in _HAS_QUOTED_TWIN else text_style
        cols.append((col.key, code, col, column_letter(i), f'<c r="{column_letter(i)}',
                     f'" s="{style}"/>',  # empty
                     f'" s="{style}"><v>',  # a number or date serial
                     f'" s="{text_style}"{_INLINE}', f'" s="{quoted_style}"{_INLINE}',
                     _DATE_TAILS.setdefault(style, {}) if code == _DATE else {}))
    if sum(len(d) for d in _DATE_TAILS.values()) > _DATE_TAILS_MAX:
        _DATE_TAILS.clear()  # bounded: hostile metadata could hold any number of distinct "dates"
        return _data_rows(spec, out)
    trigger = _TRIGGER_FIRST
    append = out.append
    for n in range(total_rows):
        rr = str(first + n)
        row = rows[n] if n < len(rows) else None
        append(f'<row r="{rr}">')
        for key, code, col, letter, head, empty, number, plain, quoted, dates in cols:
            if code == _NUMBER:
                value = (row.get(key) if row is not None else None) or n + 1
            else:
                value = row.get(key) if row is not None else None
            if value.__class__ is str:
                if not value:
                    append(f"{head}{rr}{empty}")
                    continue
                if code == _DATE:
                    tail = dates.get(value)
                    if tail is None:
                        day = _iso_date(value)
                        tail = dates[value] = f"{number}{excel_serial(day)}</v></c>" if day is not None else ""
                    if tail:
                        append(f"{head}{rr}{tail}")
                        continue
                if "_" in value or not value.isprintable():
                    text = _xml_text(value)
                elif "&" in value or "<" in value or ">" in value:
                    text = value.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;")
                else:
                    text = value
                append(f"{head}{rr}{quoted if value[:1] in trigger else plain}{text}{_INLINE_END}")
            elif value.__class__ is int and code == _NUMBER:
                append(f"{head}{rr}{number}{value}</v></c>")
            else:
                append(_value_cell(f"{letter}{rr}", col, value))
        append("</row>")


def sheet_xml(spec: SheetSpec) -> bytes:
    head, foot = _frame(spec, max(len(spec.rows), spec.min_rows))
    out = [head]
    _data_rows(spec, out)
    out.append(foot)
    return "".join(out).encode("utf-8")


_FRAMES: dict[tuple, tuple[str, str]] = {}
_FRAME_CACHE_MAX = 32


def _frame(spec: SheetSpec, total_rows: int) -> tuple[str, str]:
    """The sheet XML before and after the numbered rows. It depends only on the layout, which every
    file of a kind shares, so it is kept (the reader renders it for each file it checks)."""
    try:
        key = (spec.title, tuple(spec.columns), tuple(tuple(h) for h in spec.header_fields), spec.corner_label,
               spec.note, total_rows)
        hit = _FRAMES.get(key)
    except TypeError:  # an unhashable value (from a hostile metadata file): render, do not keep
        return _render_frame(spec, total_rows)
    if hit is None:
        hit = _render_frame(spec, total_rows)
        if len(_FRAMES) >= _FRAME_CACHE_MAX:
            _FRAMES.clear()
        if len(hit[0]) < 64 * 1024:
            _FRAMES[key] = hit
    return hit


def _render_frame(spec: SheetSpec, total_rows: int) -> tuple[str, str]:
    ncols = len(spec.columns)
    last = column_letter(ncols)
    hdr = spec.header_row
    first = spec.first_data_row
    last_row = first + total_rows - 1
    out: list[str] = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">',
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
        f'<dimension ref="A1:{last}{last_row}"/>',
        '<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
        f'<pane ySplit="{hdr}" topLeftCell="A{first}" activePane="bottomLeft" state="frozen"/>'
        f'<selection pane="bottomLeft" activeCell="B{first}" sqref="B{first}"/></sheetView></sheetViews>',
        '<sheetFormatPr defaultRowHeight="18.75"/>',
        "<cols>",
    ]
    for i, col in enumerate(spec.columns, start=1):
        out.append(f'<col min="{i}" max="{i}" width="{col.width + 2:.2f}" customWidth="1"/>')
    out.append("</cols><sheetData>")
    out.append(f'<row r="1">{_text_cell(f"{last}1", spec.corner_label, S_CORNER)}</row>'
               if spec.corner_label else '<row r="1"/>')
    out.append(f'<row r="2" ht="24" customHeight="1">{_text_cell("A2", spec.title, S_TITLE)}</row>')
    r = 4
    if spec.note:
        out.append(f'<row r="3">{_text_cell("A3", spec.note, S_NOTE)}</row>')
    for label, value in spec.header_fields or (("都道府県", ""),):
        value_cell = _text_cell(f"B{r}", value, S_VALUE) if value else f'<c r="B{r}" s="{S_VALUE}"/>'
        out.append(f'<row r="{r}">{_text_cell(f"A{r}", label, S_LABEL)}{value_cell}</row>')
        r += 1
    out.append(f'<row r="{hdr}" ht="22" customHeight="1">')
    for i, col in enumerate(spec.columns, start=1):
        out.append(_text_cell(f"{column_letter(i)}{hdr}", col.label, S_HEADER))
    out.append("</row>")
    foot = ("</sheetData>"
            f'<mergeCells count="1"><mergeCell ref="A2:{last}2"/></mergeCells>'
            '<printOptions horizontalCentered="1"/>'
            '<pageMargins left="0.4" right="0.4" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" orientation="landscape" fitToWidth="1" fitToHeight="0"/>'
            '<headerFooter><oddFooter>&amp;C&amp;P / &amp;N</oddFooter></headerFooter>'
            "</worksheet>")
    return "".join(out), foot


# ---- the other parts -------------------------------------------------------------------------
def _content_types(sheet_count: int) -> bytes:
    sheets = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, sheet_count + 1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Default Extension="json" ContentType="application/json"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{sheets}"
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
        '<Override PartName="/docProps/app.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
        '<Override PartName="/docProps/custom.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.custom-properties+xml"/>'
        "</Types>"
    ).encode("utf-8")


ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>'
    '<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties" Target="docProps/app.xml"/>'
    '<Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties" Target="docProps/custom.xml"/>'
    f'<Relationship Id="rId5" Type="{METADATA_REL_TYPE}" Target="{METADATA_PART}"/>'
    "</Relationships>"
).encode("utf-8")


def workbook_xml(specs: Sequence[SheetSpec]) -> bytes:
    sheets = "".join(f'<sheet name="{escape(s.sheet_name, {chr(34): "&quot;"})}" sheetId="{i}" r:id="rId{i}"/>'
                     for i, s in enumerate(specs, start=1))
    names = "".join(
        f"<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"{i}\">"
        f"'{escape(s.sheet_name)}'!${s.header_row}:${s.header_row}</definedName>"
        for i, s in enumerate(specs))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<workbookPr/><bookViews><workbookView activeTab="0"/></bookViews>'
        f"<sheets>{sheets}</sheets><definedNames>{names}</definedNames><calcPr calcId=\"191029\"/></workbook>"
    ).encode("utf-8")


def _workbook_rels(sheet_count: int) -> bytes:
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
        f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, sheet_count + 1))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{rels}<Relationship Id="rId{sheet_count + 1}" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>'
        "</Relationships>"
    ).encode("utf-8")


def _core_xml(title: str, creator: str, created: dt.datetime) -> bytes:
    stamp = created.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(creator)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{stamp}</dcterms:modified>'
        "</cp:coreProperties>"
    ).encode("utf-8")


APP_XML = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>Teishi</Application><DocSecurity>0</DocSecurity></Properties>"
).encode("utf-8")


@dataclass
class Package:
    """The parts of one workbook in writing order, all but ``docProps/custom.xml`` (added by signing)."""

    entries: list[tuple[str, bytes]] = field(default_factory=list)


def build_package(sheets: Sequence[SheetSpec], metadata_json: bytes, *, creator: str,
                  created: dt.datetime | None = None) -> Package:
    created = created or dt.datetime.now().astimezone()
    entries = [
        ("[Content_Types].xml", _content_types(len(sheets))),
        ("_rels/.rels", ROOT_RELS),
        ("docProps/app.xml", APP_XML),
        ("docProps/core.xml", _core_xml(sheets[0].title, creator, created)),
        ("xl/workbook.xml", workbook_xml(sheets)),
        ("xl/_rels/workbook.xml.rels", _workbook_rels(len(sheets))),
        ("xl/styles.xml", STYLES_XML.encode("utf-8")),
    ]
    entries += [(f"xl/worksheets/sheet{i}.xml", sheet_xml(s)) for i, s in enumerate(sheets, start=1)]
    entries.append((METADATA_PART, metadata_json))
    return Package(entries)

