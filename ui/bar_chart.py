"""A stacked bar chart drawn with QPainter (QtCharts is not in PySide6-Essentials).

One bar per group (month, prefecture, station, 類型); the segments are the outcomes (措置 / 措置なし /
確認中) so the bar's height is the number requested, and the rate is written above it — the figures
people compare. ``paint_bars`` draws on any painter, so the same chart goes on screen and on paper.
"""
from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QCoreApplication, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Series:
    name: str
    color: str


@dataclass(frozen=True)
class Bar:
    label: str
    values: Sequence[int]  # one per series, stacked bottom to top
    caption: str = ""  # written above the bar (e.g. "66.7%")


DEFAULT_SERIES = (
    Series(QCoreApplication.translate("bar_chart", "措置(利用停止・削除)"), "#2e7d32"),
    Series(QCoreApplication.translate("bar_chart", "措置なし"), "#c62828"),
    Series(QCoreApplication.translate("bar_chart", "確認中"), "#9e9e9e"),
)


def _nice_max(value: int) -> int:
    if value <= 5:
        return max(value, 1)
    magnitude = 10 ** (len(str(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        top = int(step * magnitude)
        if top >= value:
            return top
    return value


def paint_bars(p: QPainter, rect: QRectF, bars: Sequence[Bar], series: Sequence[Series] = DEFAULT_SERIES,
               title: str = "") -> None:
    """Draw the chart inside ``rect``."""
    p.save()
    try:
        font = QFont(p.font())
        font.setPointSizeF(8)
        p.setFont(font)
        fm = QFontMetricsF(font, p.device())
        line = fm.height()
        p.setPen(QPen(QColor("black")))
        top = rect.top()
        if title:
            bold = QFont(font)
            bold.setBold(True)
            p.setFont(bold)
            p.drawText(QRectF(rect.left(), top, rect.width(), line), Qt.AlignmentFlag.AlignLeft, title)
            p.setFont(font)
            top += line * 1.2
        # legend on one line
        x = rect.left()
        for s in series:
            p.fillRect(QRectF(x, top + line * 0.2, line * 0.8, line * 0.6), QColor(s.color))
            x += line
            p.drawText(QRectF(x, top, fm.horizontalAdvance(s.name) + line, line), Qt.AlignmentFlag.AlignLeft, s.name)
            x += fm.horizontalAdvance(s.name) + line
        top += line * 1.4
        axis_w = fm.horizontalAdvance("00,000") + line * 0.5
        plot = QRectF(rect.left() + axis_w, top + line, rect.width() - axis_w, rect.bottom() - top - line * 3.2)
        if plot.height() <= line or plot.width() <= line:
            return
        peak = _nice_max(max((sum(b.values) for b in bars), default=0))
        grid = QPen(QColor("#d0d0d0"))
        for i in range(5):
            value = peak * i / 4
            y = plot.bottom() - plot.height() * i / 4
            p.setPen(grid)
            p.drawLine(plot.left(), y, plot.right(), y)
            p.setPen(QPen(QColor("black")))
            text = f"{value:,.0f}" if peak >= 4 or value == int(value) else f"{value:.1f}"
            p.drawText(QRectF(rect.left(), y - line / 2, axis_w - line * 0.3, line),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, text)
        p.setPen(QPen(QColor("black")))
        p.drawLine(plot.left(), plot.bottom(), plot.right(), plot.bottom())
        if not bars:
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, QCoreApplication.translate("bar_chart", "データがありません"))
            return
        slot = plot.width() / len(bars)
        width = min(slot * 0.65, line * 4)
        for i, b in enumerate(bars):
            cx = plot.left() + slot * (i + 0.5)
            y = plot.bottom()
            for value, s in zip(b.values, series):
                h = plot.height() * value / peak if peak else 0
                if h > 0:
                    p.fillRect(QRectF(cx - width / 2, y - h, width, h), QColor(s.color))
                y -= h
            if b.caption:
                p.drawText(QRectF(cx - slot / 2, y - line * 1.1, slot, line), Qt.AlignmentFlag.AlignCenter, b.caption)
            label = fm.elidedText(b.label, Qt.TextElideMode.ElideRight, max(slot - 2, line))
            p.drawText(QRectF(cx - slot / 2, plot.bottom() + line * 0.2, slot, line * 2),
                       Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, label)
    finally:
        p.restore()


class BarChart(QWidget):
    """The chart as a widget; ``set_bars`` replaces what it shows."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self._bars: list[Bar] = []
        self._title = ""
        self.series: Sequence[Series] = DEFAULT_SERIES
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAccessibleName(self.tr("棒グラフ"))

    def sizeHint(self) -> QSize:
        return QSize(640, 260)

    def set_bars(self, bars: Sequence[Bar], title: str = "") -> None:
        self._bars = list(bars)
        self._title = title
        self.update()

    def bars(self) -> list[Bar]:
        return list(self._bars)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), self.palette().base())
        paint_bars(p, QRectF(self.rect()).adjusted(8, 8, -8, -8), self._bars, self.series, self._title)
        p.end()
