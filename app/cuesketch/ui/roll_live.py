"""The take being recorded, drawn in the roll as it is played.

The recorder keeps the notes of the pass being played (held notes reach up to the playhead);
the roll asks for them on its repaint timer through a plain callable and draws them over the
notes in the project. Only what changed between two looks is repainted: a held note grows by
a few pixels a look, a new note appears, and the take's notes go when it lands (the landed
notes come from the project then).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from cuesketch.model.entities import Note
from cuesketch.ui.roll_paint import TrackStyle
from cuesketch.ui.roll_view_model import RollGeometry

LiveSource = Callable[[], Sequence[Note]]  # the notes of the take being played, now
RECORDING_EDGE = QColor("#ff4d4d")
LIVE_FILL = QColor("#ff8a8a")

Key = tuple[int, int, int, int, int]  # (track, start, end, pitch, velocity)


def _key(n: Note) -> Key:
    return (n.track_id, n.start, n.end, n.pitch, n.velocity)


class LiveTake:
    """What of the take the roll shows, and what changed since the last look."""

    def __init__(self, source: LiveSource | None = None) -> None:
        self.source = source
        self.notes: list[Note] = []
        self._keys: set[Key] = set()

    def poll(self) -> list[Note]:
        """Look again; returns the notes to repaint (gone, grown or new, old and new extents)."""
        notes = list(self.source()) if self.source is not None else []
        keys = {_key(n) for n in notes}
        if keys == self._keys:
            return []
        old = {_key(n): n for n in self.notes}
        changed = [n for k, n in old.items() if k not in keys]
        changed += [n for n in notes if _key(n) not in self._keys]
        self.notes, self._keys = notes, keys
        return changed

    def look(self, geo: RollGeometry) -> list[QRect] | None:
        """Look again: the canvas rectangles to repaint, or None when a note played outside
        the view scrolled it there (repaint everything)."""
        changed = self.poll()
        if not changed:
            return []
        low, high = geo.pitch_span()
        new = [n for n in changed if _key(n) in self._keys]
        if new and (min(n.pitch for n in new) <= low or max(n.pitch for n in new) >= high):
            pitches = [n.pitch for n in self.notes]
            if geo.ensure_pitches(min(pitches), max(pitches)):
                return None
        return [note_rect(geo, n).toAlignedRect().adjusted(-2, -2, 2, 2) for n in changed]


def note_rect(geo: RollGeometry, n: Note) -> QRectF:
    x = geo.x_of(n.start)
    return QRectF(x, geo.y_of(n.pitch), max(geo.x_of(n.end) - x, 2.0), geo.key_h)


def paint_live(p: QPainter, geo: RollGeometry, notes: Sequence[Note],
               styles: Sequence[TrackStyle], x0: float, x1: float) -> None:
    """The take's notes in their track's color with a recording-red edge, over the others."""
    fills = {s.track_id: s.fill for s in styles}
    h = max(geo.key_h - 1.0, 1.0)
    edge = QPen(RECORDING_EDGE, 1.5) if geo.key_h >= 4 else QPen(RECORDING_EDGE, 1)
    p.setPen(edge)
    for n in notes:
        r = note_rect(geo, n)
        if r.right() < x0 or r.left() > x1:
            continue
        p.setBrush(fills.get(n.track_id, LIVE_FILL))
        p.drawRect(QRectF(r.x(), r.y() + 0.5, r.width(), h))
    p.setBrush(Qt.BrushStyle.NoBrush)
