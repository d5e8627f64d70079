"""The click book as a PDF: a title, then the rows of ``FindTempo.click_book`` as a table,
on as many A4 pages as they need (Qt's QPdfWriter)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QPageLayout, QPageSize, QPainter, QPdfWriter

from cuesketch.timing.tempo_fit import Status

_STATUS = {s.value: QColor(s.color) for s in Status}


def write_pdf(rows: list[list[str]], path: Path, title: str) -> None:
    """Write the click book; an unwritable path raises OSError."""
    writer = QPdfWriter(str(path))
    writer.setTitle(title)
    writer.setCreator("Cuesketch")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Landscape,
                                     QMarginsF(12, 12, 12, 12), QPageLayout.Unit.Millimeter))
    painter = QPainter()
    if not painter.begin(writer):
        raise OSError(f"can't write {path}")
    try:
        page = writer.pageLayout().paintRectPixels(writer.resolution())
        paint_book(painter, rows, title, page.width(), page.height(), writer.newPage)
    finally:
        painter.end()


def paint_book(painter: QPainter, rows: list[list[str]], title: str, width: float,
               height: float, new_page: Callable[[], object]) -> None:
    """Paint the click book on pages of ``width`` by ``height`` (``new_page`` turns one)."""
    font = QFont("Sans", 9)
    painter.setFont(font)
    line = painter.fontMetrics().height() * 1.35
    widths = [0.10, 0.12, 0.12, 0.08, 0.07, 0.08, 0.08, 0.35]

    def heading(y: float) -> float:
        bold = QFont(font)
        bold.setBold(True)
        painter.setFont(bold)
        _row(painter, rows[0], widths, width, y, line)
        painter.setFont(font)
        return y + line

    big = QFont(font)
    big.setPointSize(14)
    painter.setFont(big)
    painter.drawText(QRectF(0, 0, width, line * 2), Qt.AlignmentFlag.AlignLeft, title)
    painter.setFont(font)
    y = heading(line * 2)
    for r in rows[1:]:
        if y + line > height:
            new_page()
            y = heading(0.0)
        color = _STATUS.get(r[6]) if len(r) > 6 else None
        _row(painter, r, widths, width, y, line, color)
        y += line


def _row(painter: QPainter, cells: list[str], widths: list[float], width: float, y: float,
         line: float, status: QColor | None = None) -> None:
    x = 0.0
    for i, (text, share) in enumerate(zip(cells, widths)):
        w = share * width
        if status is not None and i == 6:
            painter.save()
            painter.setPen(status.darker(140))
            painter.drawText(QRectF(x, y, w, line), Qt.AlignmentFlag.AlignVCenter, text)
            painter.restore()
        else:
            painter.drawText(QRectF(x, y, w, line), Qt.AlignmentFlag.AlignVCenter, text)
        x += w
