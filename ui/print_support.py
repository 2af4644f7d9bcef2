"""Printing lists and statistics on A4: print preview, a printer, or a PDF file.

Every printed page carries the title, the unit's name, the date (和暦) and 「n / N ページ」, and repeats
the column header, so a page that falls out of the folder still says what it is and where it came from.
The layout is computed once per device (``PrintDocument.paginate``) and then painted page by page, so
the total page count is known before the first page is drawn.

Usage::

    doc = PrintDocument.for_form_rows(rows, unit_name=..., today=..., title=...)
    print_to_pdf(doc, "list.pdf")          # or: preview(doc, parent)
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPen
from PySide6.QtPrintSupport import QPrintDialog, QPrinter, QPrintPreviewDialog

from desktop_app.wareki import format_wareki
from ui import theme

log = logging.getLogger(__name__)

FORM_COLUMNS = (
    ("number", "番号", 0.5, "right"),
    ("prefecture", "都道府県", 0.9, "left"),
    ("account_id", "アカウントID", 2.6, "left"),
    ("user_name", "ユーザー名", 1.6, "left"),
    ("organization", "企業/団体名", 1.6, "left"),
    ("case_type", "類型", 1.3, "left"),
    ("station", "警察署", 1.2, "left"),
    ("recognized_on", "認知日", 1.2, "left"),
)


def tr(text: str) -> str:
    return QCoreApplication.translate("print_support", text)


# An account ID on paper is checked character by character: it is never cut short with "…". It is
# printed in the ID face (O/0, l/1 distinct), shrunk down to this size to fit its column, and wrapped
# onto a second line within the row below that.
VERBATIM_MIN_POINTS = 5.0


@dataclass(frozen=True)
class PrintColumn:
    header: str
    weight: float = 1.0  # share of the page width
    align: str = "left"  # left | right | center
    verbatim: bool = False  # account IDs: ID face, never elided (see VERBATIM_MIN_POINTS)


@dataclass
class PrintDocument:
    title: str
    unit_name: str
    today: dt.date
    columns: Sequence[PrintColumn]
    rows: Sequence[Sequence[str]]
    subtitle: str = ""
    note: str = ""
    bold_last_row: bool = False
    # Optional figure drawn on the first page above the table: f(painter, rect) (e.g. a bar chart).
    figure: Callable[[QPainter, QRectF], None] | None = None
    landscape: bool = True
    _pages: list[tuple[int, int]] = field(default_factory=list, repr=False)

    # ---- builders ------------------------------------------------------------------------
    @classmethod
    def for_form_rows(cls, rows: Sequence[Mapping[str, Any]], *, unit_name: str, today: dt.date,
                      title: str = "LINE WORKSの犯行利用アカウント情報", subtitle: str = "",
                      with_prefecture: bool | None = None, note: str = "") -> "PrintDocument":
        """Any 別添 list: rows as dicts keyed like the form (``recognized_on`` ISO)."""
        if with_prefecture is None:
            with_prefecture = any(r.get("prefecture") for r in rows)
        cols = [c for c in FORM_COLUMNS if with_prefecture or c[0] != "prefecture"]
        body = []
        for n, r in enumerate(rows, start=1):
            line = []
            for key, *_ in cols:
                value = r.get(key)
                if key == "number":
                    value = r.get("number") or n
                elif key == "recognized_on":
                    value = _wareki(value) or r.get("recognized_on_text") or ""
                line.append("" if value is None else str(value))
            body.append(line)
        columns = [PrintColumn(h, w, a, verbatim=(k == "account_id")) for k, h, w, a in cols]
        return cls(title, unit_name, today, columns, body,
                   subtitle=subtitle, note=note)

    # ---- layout --------------------------------------------------------------------------
    def _fonts(self, painter: QPainter) -> dict[str, QFont]:
        base = QFont(painter.font())
        fonts = {}
        for name, size, bold in (("title", 14, True), ("meta", 9, False), ("head", 9, True),
                                 ("body", 9, False), ("foot", 8, False)):
            f = QFont(base)
            f.setPointSizeF(size)
            f.setBold(bold)
            fonts[name] = f
        ident = QFont(theme.id_font())
        ident.setPointSizeF(fonts["body"].pointSizeF())
        fonts["id"] = ident
        return fonts

    @staticmethod
    def fit_verbatim(font: QFont, text: str, width: float, device) -> tuple[QFont, bool]:
        """The font for a verbatim cell: ``font`` shrunk until ``text`` fits ``width`` (not below
        VERBATIM_MIN_POINTS), and whether the text must still wrap onto a second line."""
        fitted = QFont(font)
        size = font.pointSizeF()
        while QFontMetricsF(fitted, device).horizontalAdvance(text) > width and size > VERBATIM_MIN_POINTS:
            size = max(VERBATIM_MIN_POINTS, size - 0.5)
            fitted.setPointSizeF(size)
        return fitted, QFontMetricsF(fitted, device).horizontalAdvance(text) > width

    def _metrics(self, painter: QPainter, rect: QRectF) -> dict[str, float]:
        fonts = self._fonts(painter)
        device = painter.device()
        line = QFontMetricsF(fonts["body"], device).height()
        title_h = QFontMetricsF(fonts["title"], device).height()
        meta_h = QFontMetricsF(fonts["meta"], device).height()
        foot_h = QFontMetricsF(fonts["foot"], device).height()
        header_h = title_h + meta_h * (2 if self.subtitle else 1) + line * 0.6
        return {"row": line * 1.5, "header": header_h, "footer": foot_h * 2, "colhead": line * 1.7,
                "figure": rect.height() * 0.38 if self.figure else 0.0, "note": meta_h * 3 if self.note else 0.0}

    def paginate(self, painter: QPainter, rect: QRectF) -> list[tuple[int, int]]:
        """Split the rows into pages: [(first_row, end_row), ...]; at least one page."""
        m = self._metrics(painter, rect)
        pages: list[tuple[int, int]] = []
        start, first = 0, True
        while True:
            room = rect.height() - m["header"] - m["footer"] - m["colhead"] - (m["figure"] if first else 0)
            per_page = max(1, int(room // m["row"]))
            end = min(len(self.rows), start + per_page)
            pages.append((start, end))
            start, first = end, False
            if start >= len(self.rows):
                break
        # The note goes under the table of the last page; give it a page of its own if it does not fit.
        last_start, last_end = pages[-1]
        used = m["header"] + m["colhead"] + (last_end - last_start) * m["row"] + (m["figure"] if len(pages) == 1 else 0)
        if self.note and used + m["note"] + m["footer"] > rect.height():
            pages.append((last_end, last_end))
        self._pages = pages
        return pages

    # ---- painting ------------------------------------------------------------------------
    def render(self, printer: QPrinter) -> int:
        """Paint every page on ``printer``; returns the number of pages."""
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError(tr("印刷を開始できませんでした(プリンターまたは出力先を確認してください)"))
        try:
            rect = QRectF(printer.pageLayout().paintRectPixels(printer.resolution()))
            rect.moveTo(0, 0)
            pages = self.paginate(painter, rect)
            for i, (start, end) in enumerate(pages):
                if i:
                    printer.newPage()
                self._paint_page(painter, rect, i, len(pages), start, end)
        finally:
            painter.end()
        log.info("printed %s: %d pages", self.title, len(pages))
        return len(pages)

    def _paint_page(self, p: QPainter, rect: QRectF, index: int, count: int, start: int, end: int) -> None:
        fonts = self._fonts(p)
        m = self._metrics(p, rect)
        y = rect.top()
        p.setPen(QPen(QColor("black")))
        p.setFont(fonts["title"])
        title_h = QFontMetricsF(fonts["title"], p.device()).height()
        p.drawText(QRectF(rect.left(), y, rect.width(), title_h), Qt.AlignmentFlag.AlignLeft, self.title)
        p.setFont(fonts["meta"])
        meta = f"{self.unit_name}　{tr('作成日')} {format_wareki(self.today)}"
        p.drawText(QRectF(rect.left(), y, rect.width(), title_h), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom, meta)
        y += title_h
        meta_h = QFontMetricsF(fonts["meta"], p.device()).height()
        if self.subtitle:
            p.drawText(QRectF(rect.left(), y, rect.width(), meta_h), Qt.AlignmentFlag.AlignLeft, self.subtitle)
            y += meta_h
        y = rect.top() + m["header"]
        if index == 0 and self.figure:
            self.figure(p, QRectF(rect.left(), y, rect.width(), m["figure"] * 0.95))
            y += m["figure"]
        if start < end or not self.note or index == 0:
            y = self._paint_table(p, fonts, rect, y, m, start, end)
        if self.note and index == count - 1:
            p.setFont(fonts["meta"])
            p.drawText(QRectF(rect.left(), y + meta_h * 0.5, rect.width(), m["note"]),
                       Qt.TextFlag.TextWordWrap | Qt.AlignmentFlag.AlignLeft, self.note)
        p.setFont(fonts["foot"])
        foot_h = QFontMetricsF(fonts["foot"], p.device()).height()
        p.drawText(QRectF(rect.left(), rect.bottom() - foot_h, rect.width(), foot_h), Qt.AlignmentFlag.AlignCenter,
                   tr("{n} / {total} ページ").format(n=index + 1, total=count))
        p.drawText(QRectF(rect.left(), rect.bottom() - foot_h, rect.width(), foot_h), Qt.AlignmentFlag.AlignRight,
                   self.unit_name)

    def _paint_table(self, p: QPainter, fonts, rect: QRectF, y: float, m, start: int, end: int) -> float:
        total_weight = sum(c.weight for c in self.columns) or 1.0
        xs = [rect.left()]
        for c in self.columns:
            xs.append(xs[-1] + rect.width() * c.weight / total_weight)
        pad = m["row"] * 0.15
        grid = QPen(QColor("#808080"))
        grid.setWidthF(max(1.0, p.device().logicalDpiX() / 300))
        # column header
        p.fillRect(QRectF(rect.left(), y, rect.width(), m["colhead"]), QColor("#dde6f0"))
        p.setFont(fonts["head"])
        p.setPen(QPen(QColor("black")))
        for i, c in enumerate(self.columns):
            cell = QRectF(xs[i] + pad, y, xs[i + 1] - xs[i] - 2 * pad, m["colhead"])
            p.drawText(cell, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, c.header)
        p.setPen(grid)
        p.drawRect(QRectF(rect.left(), y, rect.width(), m["colhead"]))
        y += m["colhead"]
        for r in range(start, end):
            row = self.rows[r]
            is_total = self.bold_last_row and r == len(self.rows) - 1
            p.setFont(fonts["head"] if is_total else fonts["body"])
            p.setPen(QPen(QColor("black")))
            for i, c in enumerate(self.columns):
                text = row[i] if i < len(row) else ""
                cell = QRectF(xs[i] + pad, y, xs[i + 1] - xs[i] - 2 * pad, m["row"])
                align = {"right": Qt.AlignmentFlag.AlignRight, "center": Qt.AlignmentFlag.AlignHCenter}.get(
                    c.align, Qt.AlignmentFlag.AlignLeft)
                if c.verbatim and not is_total:
                    font, wrap = self.fit_verbatim(fonts["id"], text, cell.width(), p.device())
                    p.setFont(font)
                    flags = align | Qt.AlignmentFlag.AlignVCenter | (Qt.TextFlag.TextWrapAnywhere if wrap else 0)
                    p.drawText(cell, flags, text)
                    p.setFont(fonts["body"])
                    continue
                elided = QFontMetricsF(p.font(), p.device()).elidedText(text, Qt.TextElideMode.ElideRight, cell.width())
                p.drawText(cell, align | Qt.AlignmentFlag.AlignVCenter, elided)
            p.setPen(grid)
            p.drawLine(rect.left(), y + m["row"], rect.right(), y + m["row"])
            y += m["row"]
        p.setPen(grid)
        top = y - (end - start) * m["row"] - m["colhead"]
        for x in xs:
            p.drawLine(x, top, x, y)
        return y


def _wareki(value: Any) -> str:
    if not value:
        return ""
    try:
        return format_wareki(str(value)[:10])
    except (ValueError, Exception):  # an unreadable date prints as typed
        return str(value)


def a4_printer(*, landscape: bool = True, pdf_path: str | Path | None = None) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    printer.setPageOrientation(QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait)
    printer.setPageMargins(QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter)
    if pdf_path is not None:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(pdf_path))
    return printer


def print_to_pdf(doc: PrintDocument, path: str | Path) -> int:
    """Write ``doc`` as an A4 PDF; returns the page count."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    printer = a4_printer(landscape=doc.landscape, pdf_path=path)
    printer.setDocName(doc.title)
    return doc.render(printer)


def preview(doc: PrintDocument, parent=None) -> int:
    """Show Qt's print preview (print or save as PDF from there); returns the dialog's result."""
    printer = a4_printer(landscape=doc.landscape)
    printer.setDocName(doc.title)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.setWindowTitle(tr("印刷プレビュー — {title}").format(title=doc.title))
    dialog.paintRequested.connect(doc.render)
    return dialog.exec()


def print_directly(doc: PrintDocument, parent=None) -> int:
    printer = a4_printer(landscape=doc.landscape)
    dialog = QPrintDialog(printer, parent)
    if dialog.exec() != QPrintDialog.DialogCode.Accepted:
        return 0
    return doc.render(printer)
