"""The lanes under the notes: velocity (one stem per note of the active track, edited by
dragging a line across the stems) and a controller (CC1, CC11, CC64, pitch bend, drawn with the
mouse; right-drag erases). A drag is one undo step."""

from __future__ import annotations


import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen, QWheelEvent
from PySide6.QtWidgets import QWidget

from cuesketch.model import edits
from cuesketch.model.changes import delete
from cuesketch.model.document import Gesture
from cuesketch.model.entities import Controller
from cuesketch.ui import roll_paint as rp
from cuesketch.ui.roll_host import RollHost
from cuesketch.ui.tempo_view import grid_xs_in_force

LANE_MIN_HEIGHT = 24  # the lanes are sized (or folded away) by the user: the roll's splitter
LANE_BACK = QColor("#1a1c20")
LANE_CUE_BACK = QColor("#1d232c")
CONTROLLER_NAMES = {
    Controller.MODULATION: "CC1 Mod",
    Controller.EXPRESSION: "CC11 Expr",
    Controller.SUSTAIN: "CC64 Sus",
    Controller.PITCH_BEND: "Bend",
}


class Lane(QWidget):
    def __init__(self, roll: RollHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roll = roll
        self.setMinimumHeight(LANE_MIN_HEIGHT)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self._gesture: Gesture | None = None  # the drag: one undo step at release
        self._last: QPointF | None = None

    def _background(self, p: QPainter, x0: float, x1: float) -> None:
        roll, geo = self.roll, self.roll.geo
        settings = roll.editor.project.settings
        grid = grid_xs_in_force(geo, roll.editor.project, roll.editor.grid, x0, x1)
        spans = rp.cue_spans(geo, roll.editor.index.marks, settings.rate, x0, x1)
        hits = rp.hit_columns(geo, roll.editor.index.marks, settings.rate, x0, x1)
        rp.paint_strip(p, grid, spans, hits, x0, x1, 0, self.height(), LANE_BACK, LANE_CUE_BACK)
        p.fillRect(QRectF(x0, 0, x1 - x0, 1), QColor("#30343b"))

    def _usable(self) -> float:
        return self.height() - 6.0

    def value_at(self, y: float, lo: int, hi: int) -> int:
        k = 1 - (y - 3) / self._usable()
        return round(lo + max(0.0, min(1.0, k)) * (hi - lo))

    def y_of(self, value: float, lo: int, hi: int) -> float:
        return 3 + (1 - (value - lo) / (hi - lo)) * self._usable()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton):
            erase = event.button() == Qt.MouseButton.RightButton
            self._gesture = self.roll.editor.begin(self.label(erase))
            self._last = event.position()
            self.stroke(event.position(), event.position(), erase=erase)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._last is not None:
            self.stroke(self._last, event.position(),
                        erase=bool(event.buttons() & Qt.MouseButton.RightButton))
            self._last = event.position()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._last is not None:
            self._last = None
        if self._gesture is not None:
            gesture, self._gesture = self._gesture, None
            self.roll.editor.finish(gesture)

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.roll.wheel(event, event.position().x(), None, zoom=True)

    def stroke(self, a: QPointF, b: QPointF, erase: bool) -> None:
        raise NotImplementedError

    def label(self, erase: bool) -> str:
        """The undo step's name for a drag (the right button erases)."""
        raise NotImplementedError


class VelocityLane(Lane):
    def paintEvent(self, event: QPaintEvent) -> None:
        roll, geo = self.roll, self.roll.geo
        r = event.rect()
        x0, x1 = float(r.left()), float(r.right() + 1)
        p = QPainter(self)
        self._background(p, x0, x1)
        tid = roll.editor.active_track
        tn = roll.editor.index.notes.get(tid) if tid is not None else None
        if tn is not None and len(tn):
            rows = tn.window(geo.t_of(x0 - 4), geo.t_of(x1 + 4))
            rows = rows[tn["start"][rows] >= geo.t_of(x0 - 4)]
            style = next((s for s in roll.track_styles() if s.track_id == tid), None)
            color = style.fill if style is not None else QColor("#4f9dde")
            xs = np.floor((tn["start"][rows] - geo.t0) / geo.fpp) + 0.5
            vel = tn["velocity"][rows]
            ys = 3 + (1 - (vel - 1) / 126) * self._usable()
            sel = (np.isin(tn["id"][rows], roll.editor.selection_array()) if roll.editor.selection
                   else np.zeros(len(rows), bool))
            if len(rows) <= rp.VECTOR_LIMIT:
                for m, c in ((~sel, color), (sel, QColor("white"))):
                    if not m.any():
                        continue
                    p.setPen(QPen(c, 1))
                    p.drawLines([QLineF(x, y, x, self.height()) for x, y in zip(xs[m].tolist(), ys[m].tolist())])
                    p.setBrush(c)
                    p.drawRects(rp._rects(xs[m] - 2, ys[m] - 2, np.full(int(m.sum()), 4.0), 4.0))
            else:
                self._paint_columns(p, xs, vel, color, int(x0), int(x1))
        rp.paint_playhead(p, geo, roll.playhead, 0, self.height())
        p.end()

    def _paint_columns(self, p: QPainter, xs: np.ndarray, vel: np.ndarray, color: QColor,
                       x0: int, x1: int) -> None:
        """Many notes: the loudest per pixel column, drawn as one image."""
        width, height = max(x1 - x0, 1), self.height()
        cols = np.clip(xs.astype(np.int64) - x0, 0, width - 1)
        top = np.zeros(width, np.int64)
        np.maximum.at(top, cols, vel)
        heights = np.round(top / 127 * self._usable()).astype(np.int64)
        rows = np.arange(height)[:, None]
        mask = rows >= (height - heights)[None, :]
        pixels = np.where(mask, np.uint32(rp.argb(color)), np.uint32(0)).astype(np.uint32)
        image = QImage(pixels.data, width, height, width * 4, QImage.Format.Format_ARGB32_Premultiplied)
        p.drawImage(QRectF(x0, 0, width, height), image)

    def stroke(self, a: QPointF, b: QPointF, erase: bool) -> None:
        """Notes whose start lies under the dragged line take the line's height as velocity."""
        roll = self.roll
        tid = roll.editor.active_track
        tn = roll.editor.index.notes.get(tid) if tid is not None else None
        if erase or tn is None or not len(tn):
            return
        geo = roll.geo
        if a.x() > b.x():
            a, b = b, a
        slack = 2.0 if abs(b.x() - a.x()) < 2 else 0.0
        t0, t1 = geo.t_of(a.x() - slack), geo.t_of(b.x() + slack)
        starts = tn["start"]
        lo, hi = np.searchsorted(starts, t0, "left"), np.searchsorted(starts, t1, "right")
        ids = tn["id"][lo:hi]
        xs = (starts[lo:hi] - geo.t0) / geo.fpp
        if roll.editor.selection:
            keep = np.isin(ids, roll.editor.selection_array())
            ids, xs = ids[keep], xs[keep]
        if not len(ids):
            return
        span = b.x() - a.x()
        k = (xs - a.x()) / span if span > 0 else np.zeros(len(xs))
        ys = a.y() + np.clip(k, 0, 1) * (b.y() - a.y())
        velocities = {int(i): self.value_at(float(y), 1, 127) for i, y in zip(ids, ys)}
        roll.editor.execute(edits.set_velocities(roll.editor.project, velocities),
                            "Change velocity")

    def label(self, erase: bool) -> str:
        return "Change velocity"


class ControllerLane(Lane):
    def __init__(self, roll: RollHost, parent: QWidget | None = None) -> None:
        super().__init__(roll, parent)
        self.controller = Controller.MODULATION

    def set_controller(self, controller: Controller) -> None:
        self.controller = controller
        self.update()

    def _range(self) -> tuple[int, int]:
        return (-8192, 8191) if self.controller is Controller.PITCH_BEND else (0, 127)

    def paintEvent(self, event: QPaintEvent) -> None:
        roll, geo = self.roll, self.roll.geo
        r = event.rect()
        x0, x1 = float(r.left()), float(r.right() + 1)
        p = QPainter(self)
        self._background(p, x0, x1)
        lo, hi = self._range()
        if self.controller is Controller.PITCH_BEND:
            p.setPen(QPen(QColor("#444a53"), 1, Qt.PenStyle.DashLine))
            y = self.y_of(0, lo, hi)
            p.drawLine(QLineF(x0, y, x1, y))
        tid = roll.editor.active_track
        lane = roll.editor.index.controls.get((tid, self.controller)) if tid is not None else None
        if lane is not None and len(lane):
            style = next((s for s in roll.track_styles() if s.track_id == tid), None)
            color = style.fill if style is not None else QColor("#4f9dde")
            times, values = lane["time"], lane["value"]
            a = int(np.searchsorted(times, geo.t_of(x0), "right")) - 1
            b = int(np.searchsorted(times, geo.t_of(x1), "right"))
            a = max(a, 0)
            ts, vs = times[a:b], values[a:b]
            xs = np.clip((ts - geo.t0) / geo.fpp, x0 - 1, x1 + 1)
            ys = 3 + (1 - (vs - lo) / (hi - lo)) * self._usable()
            if len(ts) > rp.VECTOR_LIMIT:  # many points: the area under the steps, as an image
                self._paint_area(p, ts, ys, color, int(x0), int(x1))
            else:
                xl, yl = xs.tolist(), ys.tolist()
                steps = []
                for k, (xa, ya) in enumerate(zip(xl, yl)):
                    xb = xl[k + 1] if k + 1 < len(xl) else x1 + 1
                    steps.append(QLineF(xa, ya, xb, ya))
                    if k + 1 < len(xl):
                        steps.append(QLineF(xb, ya, xb, yl[k + 1]))
                p.setPen(QPen(color, 1.5))
                p.drawLines(steps)
                if len(ts) <= 200:
                    p.setBrush(color)
                    p.setPen(Qt.PenStyle.NoPen)
                    p.drawRects(rp._rects(xs - 2, ys - 2, np.full(len(xs), 4.0), 4.0))
        rp.paint_playhead(p, geo, roll.playhead, 0, self.height())
        p.end()

    def _paint_area(self, p: QPainter, ts: np.ndarray, ys: np.ndarray, color: QColor, x0: int,
                    x1: int) -> None:
        geo = self.roll.geo
        width, height = max(x1 - x0, 1), self.height()
        cols = geo.t0 + (np.arange(x0, x0 + width) + 0.5) * geo.fpp
        idx = np.searchsorted(ts, cols, "right") - 1
        level = np.where(idx >= 0, ys[np.clip(idx, 0, None)], np.inf)
        base = self.y_of(0, *self._range())
        rows = np.arange(height)[:, None] + 0.5
        inside = (rows >= np.minimum(level, base)[None, :]) & (rows <= np.maximum(level, base)[None, :])
        fill = rp.argb(rp.blend(color, rp.BACKGROUND, 0.35))
        pixels = np.where(inside, np.uint32(fill), np.uint32(0)).astype(np.uint32)
        image = QImage(pixels.data, width, height, width * 4, QImage.Format.Format_ARGB32_Premultiplied)
        p.drawImage(QRectF(x0, 0, width, height), image)

    def stroke(self, a: QPointF, b: QPointF, erase: bool) -> None:
        """Replace the points under the dragged segment with points along it, every few pixels."""
        roll = self.roll
        tid = roll.editor.active_track
        if tid is None:
            return
        geo = roll.geo
        if a.x() > b.x():
            a, b = b, a
        t0, t1 = geo.t_of(a.x()), geo.t_of(b.x())
        project = roll.editor.project
        lane = roll.editor.index.controls.get((tid, self.controller))
        existing = []
        if lane is not None and len(lane):
            i = np.searchsorted(lane["time"], t0, "left")
            j = np.searchsorted(lane["time"], t1, "right")
            existing = [project.controls[int(k)] for k in lane["id"][i:j] if int(k) in project.controls]
        if erase:
            roll.editor.execute([delete(p) for p in existing], "Erase controller")
            return
        lo, hi = self._range()
        n = max(1, int((b.x() - a.x()) // 4))
        points = []
        for k in range(n + 1):
            f = k / n
            x = a.x() + f * (b.x() - a.x())
            y = a.y() + f * (b.y() - a.y())
            points.append((geo.t_of(x), self.value_at(y, lo, hi)))
        roll.editor.execute(edits.draw_controls(project, tid, self.controller, t0, t1, points, existing),
                            f"Draw {CONTROLLER_NAMES[self.controller]}")

    def label(self, erase: bool) -> str:
        return "Erase controller" if erase else f"Draw {CONTROLLER_NAMES[self.controller]}"
