"""The film-wide theme map: the whole film across, one row per theme, a mark wherever it sounds
(solid: inserted; outlined: found), the cues as faint spans behind. Click a mark to go there."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QToolTip, QWidget

from cuesketch.model.theme_map import MapEntry
from cuesketch.model.themes_control import ThemesControl
from cuesketch.timing.units import FLICKS_PER_SECOND
from cuesketch.ui.theme_strip import describe

NAME_PX = 110
ROW_PX = 18
BACK = QColor("#202329")
CUE = QColor(255, 255, 255, 18)
TEXT = QColor("#c8ccd2")


class ThemeMapView(QWidget):
    def __init__(self, control: ThemesControl, seek: Callable[[int], None],
                 parent: QWidget | None = None,
                 select: Callable[[tuple[int, ...]], None] = lambda _ids: None) -> None:
        super().__init__(parent)
        self.setObjectName("ThemeMapView")
        self.control, self.seek, self.select = control, seek, select
        self.setMouseTracking(True)
        self.setMinimumHeight(ROW_PX * 2)
        self.font_ = QFont()
        self.font_.setPixelSize(11)
        control.observe(self._refresh)

    def _refresh(self) -> None:
        self.setMinimumHeight(ROW_PX * max(2, len(self.control.themes)) + 16)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(600, ROW_PX * max(3, len(self.control.themes)) + 16)

    def span(self) -> tuple[int, int]:
        """The film from its start to its last note, cue or statement (at least a minute)."""
        project = self.control.document.project
        rate = project.settings.rate
        ends = [n.end for n in project.notes.values()]
        ends += [rate.frame_to_flicks(c.end_frame) for c in project.cues.values()]
        ends += [e.end for e in self.control.entries]
        return 0, max([60 * FLICKS_PER_SECOND] + ends)

    def _x(self, t: int) -> float:
        t0, t1 = self.span()
        width = max(self.width() - NAME_PX - 8, 10)
        return NAME_PX + (t - t0) / max(t1 - t0, 1) * width

    def _rects(self) -> list[tuple[QRectF, MapEntry]]:
        rows = {t.id: i for i, t in enumerate(self.control.themes)}
        out = []
        for e in self.control.entries:
            row = rows.get(e.theme_id)
            if row is None:
                continue
            x0, x1 = self._x(e.start), self._x(e.end)
            out.append((QRectF(x0, 8 + row * ROW_PX + 2, max(x1 - x0, 3.0), ROW_PX - 5), e))
        return out

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), BACK)
        project = self.control.document.project
        rate = project.settings.rate
        p.setFont(self.font_)
        for cue in project.cues.values():
            x0 = self._x(rate.frame_to_flicks(cue.start_frame))
            x1 = self._x(rate.frame_to_flicks(cue.end_frame))
            p.fillRect(QRectF(x0, 0, max(x1 - x0, 1.0), self.height()), CUE)
            p.setPen(QColor("#6b7280"))
            p.drawText(QRectF(x0 + 2, self.height() - 13, max(x1 - x0, 40.0), 12),
                       int(Qt.AlignmentFlag.AlignLeft), cue.name)
        for i, theme in enumerate(self.control.themes):
            y = 8 + i * ROW_PX
            p.setPen(QColor(theme.color))
            p.drawText(QRectF(6, y, NAME_PX - 10, ROW_PX),
                       int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), theme.name)
            p.setPen(QColor(255, 255, 255, 25))
            p.drawLine(NAME_PX, y + ROW_PX - 1, self.width(), y + ROW_PX - 1)
        for r, e in self._rects():
            color = QColor(e.color)
            if e.source == "found":
                color.setAlpha(150)
            p.fillRect(r, color)
            if e.source == "found":
                p.setPen(QColor(e.color).lighter(140))
                p.drawRect(r.adjusted(0, 0, -1, -1))
        if not self.control.themes:
            p.setPen(TEXT)
            p.drawText(self.rect(), int(Qt.AlignmentFlag.AlignCenter),
                       "No themes yet: select a tune in the roll and capture it")
        p.end()

    def entry_at(self, pos: QPoint) -> MapEntry | None:
        for r, e in self._rects():
            if r.adjusted(-2, -1, 2, 1).contains(pos.toPointF()):
                return e
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        e = self.entry_at(event.position().toPoint())
        if e is not None and event.button() == Qt.MouseButton.LeftButton:
            self.seek(e.start)
            self.select(e.note_ids)
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        e = self.entry_at(event.position().toPoint())
        if e is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(), describe(self.control, e), self)
