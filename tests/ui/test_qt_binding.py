"""The Qt binding keeps Python's books straight (PySide6 6.12.0 did not, on Python 3.11)."""

from __future__ import annotations

import sys

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter


def test_void_calls_do_not_release_none() -> None:
    # 6.12.0 released a reference to None on every call returning void: a paint loop
    # crashed the interpreter ("deallocating None") after a few thousand calls.
    image = QImage(16, 16, QImage.Format.Format_ARGB32_Premultiplied)
    painter = QPainter(image)
    rect, color = QRectF(0, 0, 4, 4), QColor(10, 20, 30)
    before = sys.getrefcount(None)
    for _ in range(1000):
        painter.fillRect(rect, color)
    after = sys.getrefcount(None)
    painter.end()
    assert after - before > -500
