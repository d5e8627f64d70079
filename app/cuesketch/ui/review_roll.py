"""The review window's read-only roll: the notes of the version heard, against its bars.

What the package carries for a version (its notes and tempo map) drawn for the cue in view:
bar lines by the version's own map, each note in its track's colour, the cue's hits, the
director's notes as flags, the playhead. A click goes there; nothing is edited.

It shows the whole cue; Ctrl+wheel zooms in and out around the pointer (down to half a second
across), the wheel then scrolls, a double-click shows the whole cue again. Zoomed in, the view
turns the page when the playhead leaves it, as the composer's roll does.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QPolygonF, QWheelEvent
from PySide6.QtWidgets import QWidget

from cuesketch.engine.review_session import ReviewSession
from cuesketch.model.entities import HIT_COLORS
from cuesketch.timing.tempo import BarBeatTick
from cuesketch.timing.units import FLICKS_PER_SECOND

BACK = QColor("#1e2126")
BAR = QColor("#3a404a")
PLAYHEAD = QColor("#ffffff")
NOTE_FLAG = QColor("#f5d76e")
MAX_BARS = 400  # lines drawn for a cue; past this the bars are too close to see anyway
ZOOM_STEP = 1.25  # one wheel notch
NARROWEST = FLICKS_PER_SECOND // 2  # the closest view: half a second across (a dozen frames)


class ReviewRoll(QWidget):
    def __init__(self, session: ReviewSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ReviewRoll")
        self.session = session
        self.setMinimumHeight(90)
        self._shown: tuple[object, ...] | None = None
        self._view: tuple[int, int] | None = None  # None: the whole cue
        self._view_of: int | None = None  # the cue the view was set in
        self._seen_at: int | None = None  # the playhead at the last refresh

    def cue_span(self) -> tuple[int, int] | None:
        """The cue in view, from its start to its end (flicks)."""
        s = self.session
        if s.current_cue is None:
            return None
        cue = s.cue(s.current_cue).cue
        rate = s.rate
        return rate.frame_to_flicks(cue.start_frame), rate.frame_to_flicks(
            max(cue.end_frame, cue.start_frame + 1))

    def span(self) -> tuple[int, int] | None:
        """The flicks shown: the whole cue, or the part of it zoomed in on."""
        whole = self.cue_span()
        if whole is None or self._view is None or self._view_of != self.session.current_cue:
            return whole
        return self._view

    def zoom(self, factor: float, around: float = 0.5) -> None:
        """Show ``factor`` times as much (less than 1: zoom in), keeping the time at ``around``
        (a share of the width) where it is; never more than the cue, never under NARROWEST."""
        whole, shown = self.cue_span(), self.span()
        if whole is None or shown is None:
            return
        a, b = shown
        width = min(whole[1] - whole[0], max(NARROWEST, round((b - a) * factor)))
        at = a + (b - a) * around
        self._set_view(round(at - width * around), width)

    def scroll_by(self, share: float) -> None:
        """Move the view by ``share`` of its width (negative: earlier)."""
        shown = self.span()
        if shown is not None:
            self._set_view(shown[0] + round((shown[1] - shown[0]) * share), shown[1] - shown[0])

    def show_whole_cue(self) -> None:
        self._view = None
        self.update()

    def _set_view(self, start: int, width: int) -> None:
        whole = self.cue_span()
        if whole is None:
            return
        start = max(whole[0], min(start, whole[1] - width))
        self._view = None if width >= whole[1] - whole[0] else (start, start + width)
        self._view_of = self.session.current_cue
        self.update()

    def _follow(self) -> None:
        """Zoomed in: a page on when the playhead moves out of the view (playing, or sent
        there); a view scrolled away from a playhead standing still stays where it was put."""
        at, moved = self.session.position, self.session.position != self._seen_at
        self._seen_at = at
        shown = self.span()
        if shown is None or self._view is None or not moved:
            return
        if not shown[0] <= at < shown[1]:
            self._set_view(at, shown[1] - shown[0])

    def refresh(self) -> None:
        """Repaint if what is shown changed (the window's timer calls this)."""
        s = self.session
        version = s.selected_version(s.current_cue) if s.current_cue is not None else None
        self._follow()
        key = (s.current_cue, version.id if version else None, s.frame, len(s.notes),
               self.width(), self.height(), self.span())
        if key != self._shown:
            self._shown = key
            self.update()

    def _x(self, t: int, span: tuple[int, int]) -> float:
        a, b = span
        return (t - a) / (b - a) * self.width()

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), BACK)
        span = self.span()
        s = self.session
        if span is None or s.current_cue is None:
            p.end()
            return
        pc = s.cue(s.current_cue)
        version = s.selected_version(pc.cue.id)
        h = float(self.height())
        if version is not None:
            tempo = version.tempo
            first = tempo.flicks_to_bbt(span[0]).bar
            for bar in range(first, first + MAX_BARS):
                t = tempo.bbt_to_flicks(BarBeatTick(bar))
                if t > span[1]:
                    break
                x = round(self._x(t, span)) + 0.5
                p.fillRect(QRectF(x - 0.5, 0, 1, h), BAR)
            notes = [n for n in version.notes if n.start < span[1] and n.start + n.duration > span[0]]
            if notes:
                lo = min(n.pitch for n in notes) - 2
                hi = max(n.pitch for n in notes) + 2
                row = h / max(hi - lo + 1, 1)
                colors = [QColor(t.color) for t in version.tracks]
                for n in notes:
                    x0 = self._x(n.start, span)
                    x1 = self._x(n.start + n.duration, span)
                    y = (hi - n.pitch) * row
                    color = colors[n.track] if n.track < len(colors) else QColor("#4f9dde")
                    p.fillRect(QRectF(x0, y, max(x1 - x0, 1.0), max(row - 1, 1.0)), color)
        rate = s.rate
        for hit in pc.hits:
            x = round(self._x(rate.frame_to_flicks(hit.frame), span)) + 0.5
            p.fillRect(QRectF(x - 0.5, 0, 1, h), QColor(HIT_COLORS[hit.kind]))
        p.setPen(NOTE_FLAG)
        p.setBrush(NOTE_FLAG)
        for note in s.notes.values():
            x = round(self._x(rate.frame_to_flicks(note.frame), span)) + 0.5
            p.drawPolygon(QPolygonF([QPointF(x, 0), QPointF(x + 7, 0), QPointF(x, 7)]))
        x = round(self._x(s.position, span)) + 0.5
        p.fillRect(QRectF(x - 0.5, 0, 1, h), PLAYHEAD)
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        span = self.span()
        if span is None or event.button() != Qt.MouseButton.LeftButton:
            return
        t = span[0] + (span[1] - span[0]) * event.position().x() / max(self.width(), 1)
        self.session.seek_frame(self.session.rate.flicks_to_frame(round(t)))

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        self.show_whole_cue()

    def wheelEvent(self, event: QWheelEvent) -> None:
        notches = event.angleDelta().y() / 120 or event.angleDelta().x() / 120
        if not notches:
            return
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            around = event.position().x() / max(self.width(), 1)
            self.zoom(ZOOM_STEP ** -notches, min(max(around, 0.0), 1.0))
        else:
            self.scroll_by(-0.2 * notches)
        event.accept()
