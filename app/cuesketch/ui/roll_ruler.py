"""The ruler above the piano roll: timecode and bars|beats (either one leads, on the top row),
cue regions with their names, hits with theirs, the in–out range (brighter while it loops) and
the playhead. Click or drag to move the playhead (to the frame); Ctrl+drag to mark the range
(whole frames); shift-drag to select the active track's notes in a time range; double-click to
swap which scale leads. Cue names have a row of their own, hit names the row below, each
name elided before the next begins (the whole name in a tooltip), so none covers another; a
strip drawn again (under the moving playhead) draws the names reaching into it.
"""

from __future__ import annotations


import numpy as np
from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QHelpEvent,
    QKeyEvent,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QToolTip, QWidget

from dataclasses import dataclass

from cuesketch.model.entities import Cue, Hit, Marker, NoMusic
from cuesketch.model.grid import Grid, GridKind, TempoGrid
from cuesketch.model.spotting_drag import MarkDrag, grab_cue, grab_hit
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.timecode import format_timecode
from cuesketch.ui import roll_paint as rp
from cuesketch.ui.roll_host import RollHost, RulerLead
from cuesketch.ui.review_marks import paint_review_notes
from cuesketch.ui.roll_view_model import RollGeometry
from cuesketch.ui.tempo_view import per_map

ROW = 15  # each scale's row; the cues' and the hits' rows below them
CUE_ROW = 14
HIT_ROW = 14
CUE_TOP = 2 * ROW
HIT_TOP = CUE_TOP + CUE_ROW
HEIGHT = HIT_TOP + HIT_ROW
CUE_LABEL_MAX = 250  # px: a cue's name (held at the left edge) is elided past this
HIT_LABEL_MAX = 180  # px: a hit's name, elided past this or before the next hit
HIT_LABEL_MIN = 18  # px: less room than this before the next hit and the name is left out
LEAD_TEXT = QColor("#e6e6e6")
OTHER_TEXT = QColor("#8d939c")
TICK = QColor("#5d646e")
SECONDS = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600)
RANGE = QColor("#f0a830")


def timecode_step(rate: FrameRate, fpp: float, min_px: float) -> int:
    """Frames between timecode labels: a round count at least ``min_px`` apart."""
    fpf = rate.flicks_per_frame
    n = rate.nominal
    for frames in (1, 2, 5, 10, *(s * n for s in SECONDS)):
        if frames * fpf / fpp >= min_px:
            return frames
    return 7200 * n


@dataclass(frozen=True)
class MarkLabel:
    """A cue's or a hit's name as drawn in the ruler."""

    rect: QRectF
    text: str  # as drawn (elided when short of room)
    full: str  # the whole name, for the tooltip
    color: QColor
    mark: Cue | Hit


def bars_every(geo: RollGeometry, bar_flicks: int, min_px: float) -> int:
    every = 1
    while every * bar_flicks / geo.fpp < min_px and every < 1 << 16:
        every *= 2
    return every


class Ruler(QWidget):
    def __init__(self, roll: RollHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roll = roll
        self.setFixedHeight(HEIGHT)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.lead_font = QFont()
        self.lead_font.setPixelSize(11)
        self.lead_font.setBold(True)
        self.small_font = QFont()
        self.small_font.setPixelSize(10)
        self.metrics = QFontMetrics(self.lead_font)
        self.small_metrics = QFontMetrics(self.small_font)
        self._scrubbing = False
        self._elide_cache: dict[tuple[str, int], tuple[str, int]] = {}
        self._range_from: float | None = None  # shift-drag: selecting notes from here
        self._marking_from: int | None = None  # ctrl-drag: marking the range from this frame
        self._mark_drag: MarkDrag | None = None  # dragging a cue or a hit by whole frames

    def paintEvent(self, event: QPaintEvent) -> None:
        roll, geo = self.roll, self.roll.geo
        settings = roll.editor.project.settings
        rate = settings.rate
        r = event.rect()
        x0, x1 = float(r.left()), float(r.right() + 1)
        p = QPainter(self)
        p.fillRect(QRectF(x0, 0, x1 - x0, HEIGHT), QColor("#272b31"))
        p.fillRect(QRectF(x0, 2 * ROW, x1 - x0, HEIGHT - 2 * ROW), QColor("#202328"))
        lead_tc = roll.ruler_lead is RulerLead.TIMECODE
        self._paint_timecode(p, geo, rate, settings.start_frame, x0, x1, 0 if lead_tc else ROW, lead_tc)
        top = ROW if lead_tc else 0
        per_map(p, geo, roll.editor.project, x0, x1, top, ROW,
                lambda a, b, tgrid: self._paint_bars(p, geo, a, b, top, not lead_tc, tgrid))
        self._paint_marks(p, geo, rate, x0, x1)
        paint_review_notes(p, geo, roll.editor.project, x0, x1)
        self._paint_range(p, geo)
        rp.paint_playhead(p, geo, roll.playhead, 0, HEIGHT)
        p.setPen(QColor("#111"))
        p.drawLine(QLineF(x0, HEIGHT - 0.5, x1, HEIGHT - 0.5))
        p.end()

    def _label(self, p: QPainter, x: float, top: float, text: str, lead: bool) -> None:
        p.setFont(self.lead_font if lead else self.small_font)
        p.setPen(LEAD_TEXT if lead else OTHER_TEXT)
        p.drawText(QRectF(x + 3, top, 200, ROW), Qt.AlignmentFlag.AlignVCenter, text)

    def _paint_timecode(self, p: QPainter, geo: RollGeometry, rate: FrameRate, start_frame: int,
                        x0: float, x1: float, top: float, lead: bool) -> None:
        fpf = rate.flicks_per_frame
        step = timecode_step(rate, geo.fpp, self.metrics.horizontalAdvance("00:00:00:00") + 16)
        f_lo = (geo.t_of(x0 - 120) // fpf) // step * step
        f_hi = geo.t_of(x1) // fpf + 1
        frames = np.arange(f_lo, f_hi + 1, step)
        xs = np.floor((frames * fpf - geo.t0) / geo.fpp) + 0.5
        p.setPen(TICK)
        p.drawLines([QLineF(x, top + (0 if lead else 4), x, top + ROW) for x in xs.tolist()])
        for f, x in zip(frames.tolist(), xs.tolist()):
            self._label(p, x, top, format_timecode(start_frame + f, rate), lead)

    def _paint_bars(self, p: QPainter, geo: RollGeometry, x0: float, x1: float, top: float,
                    lead: bool, tgrid: TempoGrid) -> None:
        t_lo, t_hi = geo.t_of(x0 - 60), geo.t_of(x1)
        first = tgrid.bar_at_flicks(t_lo)
        bar_len = tgrid.bar_start_flicks(first + 1) - tgrid.bar_start_flicks(first)
        every = bars_every(geo, bar_len, 44)
        beats = every == 1 and bar_len / geo.fpp >= 160
        bar = first - (first - 1) % every
        lines, labels = [], []
        beat_grid = Grid(GridKind.BEAT)
        while (start := tgrid.bar_start_flicks(bar)) <= t_hi:
            x = round(geo.x_of(start)) + 0.5
            lines.append(QLineF(x, top, x, top + ROW))
            labels.append((x, str(bar)))
            if beats:
                for k, b in enumerate(tgrid.bar_lines(bar, beat_grid)[1:], start=2):
                    bx = round(geo.x_of(b)) + 0.5
                    lines.append(QLineF(bx, top + 8, bx, top + ROW))
                    labels.append((bx, f"{bar}.{k}"))
            bar += every
        p.setPen(TICK)
        p.drawLines(lines)
        for x, text in labels:
            self._label(p, x, top, text, lead and "." not in text)

    def _paint_marks(self, p: QPainter, geo: RollGeometry, rate: FrameRate, x0: float,
                     x1: float) -> None:
        marks = self.roll.editor.index.marks
        fpf = rate.flicks_per_frame
        for i, c in enumerate(rp.visible_cues(marks, rate, geo, geo.t_of(x0), geo.t_of(x1))):
            a = geo.x_of(c.start_frame * fpf)
            b = geo.x_of(c.end_frame * fpf)
            p.fillRect(QRectF(a, CUE_TOP + 1, b - a, CUE_ROW - 2),
                       QColor(70, 120, 200, 110 if c.id % 2 == 0 else 80))
        for r in self.roll.editor.project.table(NoMusic).values():  # where music must not be
            a, b = geo.x_of(r.start_frame * fpf), geo.x_of(r.end_frame * fpf)
            if b >= x0 and a <= x1:
                p.fillRect(QRectF(a, CUE_TOP + 1, b - a, CUE_ROW - 2),
                           QBrush(QColor(220, 70, 70, 150), Qt.BrushStyle.BDiagPattern))
        for m in self.roll.editor.project.table(Marker).values():  # the editor's notes
            x = round(geo.x_of(m.frame * fpf)) + 0.5
            if x0 - 6 <= x <= x1 + 6:
                color = QColor(m.color) if QColor.isValidColorName(m.color) else OTHER_TEXT
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(color)
                p.drawPolygon(QPolygonF([QPointF(x - 4, HIT_TOP + 2), QPointF(x + 4, HIT_TOP + 2),
                                         QPointF(x, HIT_TOP + 8)]))
                p.setBrush(Qt.BrushStyle.NoBrush)
        lo, hi = rp.visible_hits(marks, rate, geo, x0, x1)
        for h in marks.hits[lo:hi]:
            x = round(geo.x_of(h.frame * fpf)) + 0.5
            color = rp.HIT_COLORS[h.kind]
            p.fillRect(QRectF(x - 0.5, 0, 1, HEIGHT), color)
            p.fillRect(QRectF(x - 2.5, HIT_TOP + 1, 5, 5), color)
        p.setFont(self.small_font)
        for label in self.mark_labels(x0, x1):
            p.setPen(label.color)
            p.drawText(label.rect, Qt.AlignmentFlag.AlignVCenter, label.text)

    def mark_labels(self, x0: float, x1: float) -> list[MarkLabel]:
        """The cue and hit names reaching into ``x0..x1``: cue names in the cue row (held at
        the left edge while the cue is in view), hit names in the hit row, each elided before
        the next hit; where they go does not depend on the strip asked for."""
        roll, geo = self.roll, self.roll.geo
        marks = roll.editor.index.marks
        rate = roll.editor.project.settings.rate
        fpf = rate.flicks_per_frame
        out: list[MarkLabel] = []
        for c in rp.visible_cues(marks, rate, geo, geo.t_of(x0), geo.t_of(x1)):
            a = geo.x_of(c.start_frame * fpf)
            b = geo.x_of(c.end_frame * fpf)
            left = max(a, 0.0) + 3
            room = min(b - left - 3, CUE_LABEL_MAX)
            full = c.name + (f"  {c.title}" if c.title else "")
            text, width = self._elided(full, room)
            if room >= 10 and text:
                out.append(MarkLabel(QRectF(left, CUE_TOP, width, CUE_ROW), text, full,
                                     QColor("#cfe0ff"), c))
        lo, hi = rp.visible_hits(marks, rate, geo, x0 - HIT_LABEL_MAX - 8, x1)
        hits = marks.hits
        for k in range(lo, hi):
            h = hits[k]
            if not h.name:
                continue
            x = round(geo.x_of(h.frame * fpf)) + 0.5
            room = float(HIT_LABEL_MAX)
            if k + 1 < len(hits):
                room = min(room, round(geo.x_of(hits[k + 1].frame * fpf)) + 0.5 - x - 10)
            if room < HIT_LABEL_MIN:
                continue
            text, width = self._elided(h.name, room)
            if x + 4 + width < x0 or x + 4 > x1:
                continue
            out.append(MarkLabel(QRectF(x + 4, HIT_TOP + 1, width, HIT_ROW - 1), text, h.name,
                                 rp.HIT_COLORS[h.kind], h))
        return out

    def _elided(self, text: str, room: float) -> tuple[str, int]:
        """``text`` cut to ``room`` px with an ellipsis, and its width (the last few kept:
        every strip the playhead repaints asks again)."""
        key = (text, int(room))
        hit = self._elide_cache.get(key)
        if hit is None:
            fm = self.small_metrics
            elided = fm.elidedText(text, Qt.TextElideMode.ElideRight, int(room))
            if len(self._elide_cache) > 512:
                self._elide_cache.clear()
            hit = self._elide_cache[key] = (elided, fm.horizontalAdvance(elided) + 2)
        return hit

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            tip = self._tip_at(QPointF(event.pos()))
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def _tip_at(self, pos: QPointF) -> str:
        """The whole name of the hit under the pointer (its line) or of the name there."""
        roll, geo = self.roll, self.roll.geo
        marks = roll.editor.index.marks
        fpf = roll.editor.project.settings.rate.flicks_per_frame
        x = pos.x()
        lo, hi = rp.visible_hits(marks, roll.editor.project.settings.rate, geo, x - 4, x + 4)
        for h in marks.hits[lo:hi]:
            if abs(geo.x_of(h.frame * fpf) - x) <= 4:
                return f"{h.name or 'Hit'} ({h.kind.value} hit)"
        for label in self.mark_labels(x - 1, x + 1):
            if label.rect.adjusted(-2, 0, 2, 0).contains(pos):
                mark = label.mark
                if isinstance(mark, Cue) and mark.notes:
                    return f"{label.full}\n{mark.notes}"
                return label.full
        return ""

    def _paint_range(self, p: QPainter, geo: RollGeometry) -> None:
        marks = self.roll.range
        if marks is None:
            return
        r = marks.range
        if r is not None:
            looping = marks.loop
            a, b = max(geo.x_of(r[0]), -10.0), min(geo.x_of(r[1]), geo.width + 10.0)
            if b > a:
                band = QColor(RANGE)
                band.setAlpha(70 if looping else 35)
                p.fillRect(QRectF(a, 0, b - a, 2 * ROW), band)
                bar = QColor(RANGE)
                bar.setAlpha(255 if looping else 150)
                p.fillRect(QRectF(a, 0, b - a, 3), bar)
        p.setPen(RANGE)
        p.setBrush(RANGE)
        for at, inward in ((marks.in_at, 1), (marks.out_at, -1)):
            if at is None:
                continue
            x = round(geo.x_of(at)) + 0.5
            if -10 <= x <= geo.width + 10:
                p.drawLine(QLineF(x, 0, x, HEIGHT))
                p.drawPolygon(QPolygonF([QPointF(x, 0), QPointF(x + 8 * inward, 0),
                                         QPointF(x, 8)]))
        p.setBrush(Qt.BrushStyle.NoBrush)

    # -- moving the playhead, marking the range ----------------------------------------------
    def _frame_at(self, x: float) -> int:
        """The frame boundary nearest ``x``, in flicks."""
        rate = self.roll.editor.project.settings.rate
        t = self.roll.geo.t_of(x)
        return rate.flicks_to_frame(t + rate.flicks_per_frame // 2) * rate.flicks_per_frame

    def _seek(self, x: float) -> None:
        self.roll.seek(self._frame_at(x))

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        x = event.position().x()
        if (event.modifiers() & Qt.KeyboardModifier.ControlModifier
                and self.roll.range is not None):
            self._marking_from = self._frame_at(x)
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:  # a time range of notes
            self._range_from = x
            self.roll.editor.select_range(self.roll.geo.t_of(x), self.roll.geo.t_of(x))
            return
        if self._grab_mark(x, event.position().y()):
            return
        self._scrubbing = True
        self._seek(x)

    def _grab_mark(self, x: float, y: float) -> bool:
        """A press on a cue (its body or an edge) or a hit in their rows starts a drag."""
        if y < CUE_TOP or self.roll.editor.document.read_only:
            return False
        project = self.roll.editor.project
        fpf = project.settings.rate.flicks_per_frame
        frame = self.roll.geo.t_of(x) / fpf
        reach = 4 / max(1e-9, self.roll.geo.x_of(fpf) - self.roll.geo.x_of(0))  # 4 px
        grab = (grab_cue(project.cues.values(), frame, reach) if y < HIT_TOP
                else grab_hit(project.hits.values(), frame, reach))
        if grab is None:
            return False
        self._mark_drag = MarkDrag(self.roll.editor.document, grab,
                                   self._frame_at(x) // fpf)
        self.grabKeyboard()  # Escape takes the drag back wherever the focus was
        return True

    def _drop_mark_drag(self) -> None:
        self._mark_drag = None
        self.releaseKeyboard()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._mark_drag is not None and event.key() == Qt.Key.Key_Escape:
            self._mark_drag.cancel()
            self._drop_mark_drag()
            return
        super().keyPressEvent(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        x = event.position().x()
        if self._mark_drag is not None:
            fpf = self.roll.editor.project.settings.rate.flicks_per_frame
            if not self._mark_drag.move_to(self._frame_at(x) // fpf):
                self._drop_mark_drag()  # undone under the drag: the drag is over
        elif self._marking_from is not None:
            to = self._frame_at(x)
            if to != self._marking_from:
                self.roll.mark_range(self._marking_from, to)
        elif self._range_from is not None:
            a, b = sorted((self._range_from, x))
            self.roll.editor.select_range(self.roll.geo.t_of(a), self.roll.geo.t_of(b))
        elif self._scrubbing:
            self._seek(x)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._mark_drag is not None:
            if self._mark_drag.is_open and not self._mark_drag.release():  # a click: go there
                self._seek(event.position().x())
            self._drop_mark_drag()
        self._scrubbing = False
        self._range_from = None
        self._marking_from = None

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        lead = self.roll.ruler_lead
        self.roll.set_ruler_lead(RulerLead.BARS if lead is RulerLead.TIMECODE else RulerLead.TIMECODE)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.roll.wheel(event, event.position().x(), None, zoom=True)
