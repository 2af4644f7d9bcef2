"""Draw Teishi's icon with Qt and write resources/teishi.png and resources/teishi.ico.

The results are committed; run this only to change the design:

    QT_QPA_PLATFORM=offscreen python packaging/make_icon.py

Design: a dark-blue rounded square (official, calm) with a white 停 (the first character of 停止,
"suspension"), and a red bar across the bottom (the "stop"). Small sizes (16, 24 px) drop the bar and use
a bold glyph so the character stays legible in the taskbar and Start menu.

The .ico is written by hand (not by Qt's ico plugin, which stores one image only): sizes up to 64 px as
32-bit DIBs, which every Windows shell, NSIS and the MSI icon table accept; 128 and 256 px as PNG
entries, as Windows Vista and later expect for large sizes.
"""
from __future__ import annotations

import logging
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QRectF, Qt  # noqa: E402
from PySide6.QtGui import QColor, QFont, QGuiApplication, QImage, QPainter, QPainterPath  # noqa: E402

log = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parent.parent
SIZES = (16, 24, 32, 48, 64, 128, 256)
PNG_FROM = 128  # sizes >= this are stored as PNG inside the .ico
NAVY = QColor("#1f3a68")
RED = QColor("#d7263d")
FONT_FAMILIES = ["Noto Sans CJK JP", "Yu Gothic UI", "Meiryo UI", "BIZ UDGothic", "sans-serif"]


def draw(size: int) -> QImage:
    img = QImage(size, size, QImage.Format.Format_ARGB32)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setRenderHint(QPainter.RenderHint.TextAntialiasing)
    margin = max(0.5, size / 32)
    rect = QRectF(margin, margin, size - 2 * margin, size - 2 * margin)
    path = QPainterPath()
    radius = size * 0.18
    path.addRoundedRect(rect, radius, radius)
    p.fillPath(path, NAVY)
    small = size < 32
    if not small:
        # The red "stop" bar, clipped to the rounded square.
        p.save()
        p.setClipPath(path)
        bar_h = size * 0.16
        p.fillRect(QRectF(rect.left(), rect.bottom() - bar_h, rect.width(), bar_h), RED)
        p.restore()
    font = QFont()
    font.setFamilies(FONT_FAMILIES)
    font.setWeight(QFont.Weight.Black if small else QFont.Weight.Bold)
    font.setPixelSize(round(size * (0.86 if small else 0.66)))
    p.setFont(font)
    p.setPen(QColor("white"))
    text_rect = rect if small else QRectF(rect.left(), rect.top(), rect.width(), rect.height() - size * 0.14)
    p.drawText(text_rect, Qt.AlignmentFlag.AlignCenter, "停")
    p.end()
    return img


def _png_bytes(img: QImage) -> bytes:
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    buf.close()
    return bytes(data)


def _dib_bytes(img: QImage) -> bytes:
    """BITMAPINFOHEADER + bottom-up BGRA pixels + 1-bit AND mask (all zero: alpha does the masking)."""
    w, h = img.width(), img.height()
    img = img.convertToFormat(QImage.Format.Format_ARGB32)  # little-endian memory order: B, G, R, A
    header = struct.pack("<IiiHHIIiiII", 40, w, h * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    rows = [bytes(img.constScanLine(y))[: w * 4] for y in range(h - 1, -1, -1)]
    mask_row = b"\0" * (((w + 31) // 32) * 4)
    return header + b"".join(rows) + mask_row * h


def ico_bytes(images: list[QImage]) -> bytes:
    entries, blobs = [], []
    offset = 6 + 16 * len(images)
    for img in images:
        blob = _png_bytes(img) if img.width() >= PNG_FROM else _dib_bytes(img)
        dim = img.width() % 256  # 0 means 256
        entries.append(struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(blob), offset))
        blobs.append(blob)
        offset += len(blob)
    return struct.pack("<HHH", 0, 1, len(images)) + b"".join(entries) + b"".join(blobs)


def main(out_dir: Path = ROOT / "resources") -> int:
    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841 (fonts need an app)
    images = [draw(s) for s in SIZES]
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "teishi.ico").write_bytes(ico_bytes(images))
    images[-1].save(str(out_dir / "teishi.png"), "PNG")
    print(out_dir / "teishi.ico")
    print(out_dir / "teishi.png")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "resources"))
