"""The speech band: where people speak, under the film's waveform, and how busy the music is
over each line.

Each region is a bar, tinted by how many notes sound together over it (green: the line is
left alone; amber, red: the sketch is busy under dialogue), its note count written in it
when it fits. Drag a region's edge to resize it, its body to move it (one undo step each;
Escape puts it back); double-click an empty place: a new one-second region; Delete: the
selected one. The right-click menu detects speech again (``speech_dialog``), adds a
"dialogue" hit at the start of each line, deletes or clears. The edits are
``model.speech``'s; this widget only draws and forwards.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from PySide6.QtCore import QEvent, QRectF, Qt
from PySide6.QtGui import (QColor, QContextMenuEvent, QFont, QHelpEvent, QKeyEvent,
                           QMouseEvent, QPainter, QPaintEvent, QWheelEvent)
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.document import Gesture
from cuesketch.model.entities import Note, SpeechRegion
from cuesketch.model.speech import (LineDensity, SpeechEdits, density, move_region, regions,
                                    resize_region)
from cuesketch.timing.units import FLICKS_PER_SECOND
from cuesketch.ui import roll_paint as rp
from cuesketch.ui.bridge import DocumentSignals
from cuesketch.ui.roll_host import RollHost
from cuesketch.ui.roll_view_model import RollGeometry

EDGE_PX = 5  # a press this near an edge resizes
BACK = QColor("#1b1e22")
TEXT = QColor("#cfd6cf")
SELECTED = QColor("#ffffff")
CALM, BUSY, CROWDED = QColor("#3f9a5f"), QColor("#c9a23a"), QColor("#d0533f")


def tint(most_at_once: int) -> QColor:
    """A line's colour by how many notes sound together over it."""
    if most_at_once <= 1:
        return CALM
    if most_at_once <= 3:
        return rp.blend(CALM, BUSY, (most_at_once - 1) / 2)
    return rp.blend(BUSY, CROWDED, min(1.0, (most_at_once - 3) / 3))


def hit_test(starts: np.ndarray, ends: np.ndarray, x: float, geo: RollGeometry,
             ) -> tuple[int, str] | None:
    """Which region (its index in time order) is at ``x`` and which part of it: "start",
    "end" (within ``EDGE_PX`` of an edge) or "body"."""
    reach = EDGE_PX * geo.fpp
    t = geo.t_of(x)
    lo = int(np.searchsorted(ends, t - reach, "left"))
    hi = int(np.searchsorted(starts, t + reach, "right"))
    best: tuple[int, str] | None = None
    for i in range(lo, hi):
        xa, xb = geo.x_of(int(starts[i])), geo.x_of(int(ends[i]))
        if abs(x - xb) <= EDGE_PX and (x >= xb or xb - xa > 2 * EDGE_PX):
            return i, "end"
        if abs(x - xa) <= EDGE_PX:
            return i, "start"
        if xa <= x <= xb:
            best = (i, "body")
    return best


class SpeechLane(QWidget):
    def __init__(self, roll: RollHost, detect: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SpeechLane")
        self.roll = roll
        self.edits = SpeechEdits(roll.editor.document, roll.status)
        self.detect = detect  # the window's "Detect Speech…" (the dialog, then the jobs)
        self.state = ""  # "Finding speech… 40 %", drawn over the band
        self.selected: int | None = None
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setMouseTracking(True)
        self.font_ = QFont()
        self.font_.setPixelSize(10)
        self._regions: list[SpeechRegion] | None = None
        self._density: dict[int, LineDensity] | None = None
        self._starts = np.zeros(0, np.int64)
        self._ends = np.zeros(0, np.int64)
        self._drag: tuple[Gesture, int, str, float] | None = None  # gesture, id, part, last x
        signals = DocumentSignals(roll.editor.document, self, history=False)
        signals.changed.connect(self._changed)

    # -- what is drawn ---------------------------------------------------------------------------
    def _changed(self, changes: Sequence[Change]) -> None:
        kinds = {c.kind for c in changes if isinstance(c, EntityChange)}
        if SpeechRegion in kinds or not kinds:
            self._regions = None
        if SpeechRegion in kinds or Note in kinds or not kinds:
            self._density = None
        if self._regions is None or self._density is None:
            self.update()

    def lines(self) -> list[SpeechRegion]:
        if self._regions is None:
            self._regions = regions(self.roll.editor.project)
            self._starts = np.array([r.start for r in self._regions], np.int64)
            self._ends = np.array([r.end for r in self._regions], np.int64)
            if self.selected is not None and self.selected not in {r.id for r in self._regions}:
                self.selected = None
        return self._regions

    def densities(self) -> dict[int, LineDensity]:
        """How busy the music is over each line (from the roll's note index: no pass over
        the project's notes)."""
        if self._density is None:
            tracks = list(self.roll.editor.index.notes.values())
            starts = np.concatenate([tn["start"] for tn in tracks]) if tracks else np.zeros(0)
            ends = np.concatenate([tn["end"] for tn in tracks]) if tracks else np.zeros(0)
            lines = self.lines()
            self._density = {d.region_id: d for d in density(
                [(r.id, r.start, r.end) for r in lines], starts, ends)}
        return self._density

    def paintEvent(self, event: QPaintEvent) -> None:
        geo = self.roll.geo
        r = event.rect()
        x0, x1 = float(r.left()), float(r.right() + 1)
        p = QPainter(self)
        p.fillRect(QRectF(x0, 0, x1 - x0, self.height()), BACK)
        lines = self.lines()
        h = self.height()
        if lines:
            lo = int(np.searchsorted(self._ends, geo.t_of(x0), "left"))
            hi = int(np.searchsorted(self._starts, geo.t_of(x1), "right"))
            dens = self.densities() if hi > lo else {}
            p.setFont(self.font_)
            for line in lines[lo:hi]:
                xa, xb = geo.x_of(line.start), geo.x_of(line.end)
                d = dens.get(line.id)
                color = tint(d.most_at_once if d else 0)
                box = QRectF(xa, 2, max(1.0, xb - xa), h - 4)
                p.fillRect(box, color)
                if line.id == self.selected:
                    p.setPen(SELECTED)
                    p.drawRect(box.adjusted(0, 0, -1, -1))
                if d is not None and xb - xa > 26 and h >= 12:
                    p.setPen(QColor("#101010"))
                    p.drawText(box.adjusted(3, 0, 0, 0),
                               int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                               f"{d.notes}♪" if d.notes else "")
        if self.state:
            p.setPen(TEXT)
            p.setFont(self.font_)
            p.drawText(QRectF(6, 0, max(0, self.width() - 12), h),
                       int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft),
                       self.state)
        rp.paint_playhead(p, geo, self.roll.playhead, 0, h)
        p.end()

    # -- editing ---------------------------------------------------------------------------------
    def _at(self, x: float) -> tuple[SpeechRegion, str] | None:
        lines = self.lines()
        found = hit_test(self._starts, self._ends, x, self.roll.geo)
        return (lines[found[0]], found[1]) if found is not None else None

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        if self._drag is not None:
            gesture, rid, part, last = self._drag
            geo, project = self.roll.geo, self.roll.editor.project
            if rid not in project.speech_regions:
                return
            r = project.speech_regions[rid]
            if part == "body":
                changes = move_region(project, rid, round((x - last) * geo.fpp))
            elif part == "start":
                changes = resize_region(project, rid, geo.t_of(x), r.end)
            else:
                changes = resize_region(project, rid, r.start, geo.t_of(x))
            if changes:
                self.roll.editor.document.execute_changes(changes)
            self._drag = (gesture, rid, part, x)
            return
        at = self._at(x)
        shape = (Qt.CursorShape.SizeHorCursor if at and at[1] != "body" else
                 Qt.CursorShape.OpenHandCursor if at else Qt.CursorShape.ArrowCursor)
        self.setCursor(shape)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        at = self._at(event.position().x())
        self.selected = at[0].id if at else None
        if at is not None and not self.roll.editor.document.read_only:
            label = "Move speech region" if at[1] == "body" else "Resize speech region"
            self._drag = (self.roll.editor.document.begin(label), at[0].id, at[1],
                          event.position().x())
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._drag is not None:
            gesture, self._drag = self._drag[0], None
            gesture.commit()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        if self._at(x) is None:
            t = self.roll.geo.t_of(x)
            self.edits.add(t, t + FLICKS_PER_SECOND)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape and self._drag is not None:
            gesture, self._drag = self._drag[0], None
            gesture.rollback()
        elif event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self.selected:
            self.edits.delete([self.selected])
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.roll.wheel(event, event.position().x(), None, zoom=True)

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        at = self._at(event.pos().x())
        menu = QMenu(self)
        menu.addAction("Detect Speech…", self.detect)
        menu.addAction("Add Dialogue Hits", self._dialogue_hits).setEnabled(bool(self.lines()))
        menu.addSeparator()
        if at is not None:
            menu.addAction("Delete Speech Region", lambda: self.edits.delete([at[0].id]))
        menu.addAction("Clear Speech Regions", self.edits.clear).setEnabled(bool(self.lines()))
        menu.exec(event.globalPos())

    def _dialogue_hits(self) -> None:
        n = self.edits.add_dialogue_hits()
        self.roll.status(f"{n} dialogue hit{'s' if n != 1 else ''} added" if n
                         else "Every line has its dialogue hit already")

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            at = self._at(event.pos().x())
            if at is not None:
                line = at[0]
                d = self.densities().get(line.id)
                seconds = (line.end - line.start) / FLICKS_PER_SECOND
                busy = (f"{d.notes} note{'s' if d.notes != 1 else ''} over it, at most "
                        f"{d.most_at_once} at once") if d else ""
                QToolTip.showText(event.globalPos(), f"A line of {seconds:.1f} s: {busy}. "
                                  "Drag to move, drag an edge to resize, Delete to remove",
                                  self)
            else:
                QToolTip.showText(event.globalPos(), "Where people speak. Double-click: add a "
                                  "region; right-click: detect speech, dialogue hits", self)
            return True
        return super().event(event)


__all__ = ["SpeechLane", "tint", "hit_test"]
