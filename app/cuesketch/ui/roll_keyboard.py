"""The keyboard at the left of the piano roll: one key per row, click (or glide) to audition,
each C named (C4 is middle C) at every zoom; Ctrl+wheel over it makes the rows taller or
smaller."""

from __future__ import annotations


from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QWheelEvent
from PySide6.QtWidgets import QWidget

from cuesketch.model.edits import pitch_name
from cuesketch.ui.roll_host import RollHost
from cuesketch.ui.roll_paint import BLACK_KEYS

WIDTH = 56
LABEL_PX = 9


class Keyboard(QWidget):
    def __init__(self, roll: RollHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roll = roll
        self.pressed: int | None = None
        self.setFixedWidth(WIDTH)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.font_ = QFont()
        self.font_.setPixelSize(LABEL_PX)

    def paintEvent(self, event: QPaintEvent) -> None:
        geo = self.roll.geo
        p = QPainter(self)
        p.fillRect(self.rect(), QColor("#e8e8e4"))
        low, high = geo.pitch_span()
        w = self.width()
        black = [QRectF(0, geo.y_of(k), w * 0.62, geo.key_h) for k in range(low, high + 1)
                 if k % 12 in BLACK_KEYS]
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#22252a"))
        p.drawRects(black)
        p.setBrush(QColor("#b4b4ae"))
        p.drawRects([QRectF(0, round(geo.y_of(k) + geo.key_h) - 1, w, 1)
                     for k in range(low, high + 1) if k % 12 in (0, 5)])
        if self.pressed is not None:
            p.fillRect(QRectF(0, geo.y_of(self.pressed), w, geo.key_h), QColor(255, 200, 60, 180))
        p.setFont(self.font_)
        p.setPen(QColor("#444"))
        for k, rect in self.octave_labels():
            p.drawText(rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       pitch_name(k))
        p.setPen(QColor("#888"))
        p.drawLine(QLineF(w - 0.5, 0, w - 0.5, self.height()))
        p.end()

    def octave_labels(self) -> list[tuple[int, QRectF]]:
        """Every C in view with where its name goes: on the key, or centered on it when the
        rows are shorter than the text (the names are an octave apart, so they never meet)."""
        geo = self.roll.geo
        low, high = geo.pitch_span()
        w = self.width()
        h = max(geo.key_h, LABEL_PX + 2.0)
        return [(k, QRectF(w * 0.62, geo.y_of(k) + geo.key_h / 2 - h / 2, w * 0.36, h))
                for k in range(low - low % 12, high + 1, 12) if k >= low]

    def _pitch(self, y: float) -> int:
        return max(0, min(127, self.roll.geo.pitch_at(y)))

    def _velocity(self, x: float) -> int:
        """Louder toward the key's tip (right), as on a real key struck further in."""
        return max(1, min(127, round(30 + 97 * x / max(self.width(), 1))))

    def _play(self, pitch: int | None, velocity: int = 100) -> None:
        if pitch == self.pressed:
            return
        if self.pressed is not None:
            self.roll.audition(self.pressed, 0)
        self.pressed = pitch
        if pitch is not None:
            self.roll.audition(pitch, velocity)
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton:
            pos = event.position()
            self._play(self._pitch(pos.y()), self._velocity(pos.x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self.pressed is not None:
            pos = event.position()
            self._play(self._pitch(pos.y()), self._velocity(pos.x()))

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._play(None)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.roll.wheel(event, None, event.position().y())
