"""The frames-off readout over the notes: "+2f" / "-1f" beside each note that starts within a
few frames of a hit, with a bracket from the hit to the note's start."""

from __future__ import annotations

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen

from cuesketch.model.hit_sync import frames_off, label
from cuesketch.timing.rates import FrameRate
from cuesketch.ui.roll_index import Marks
from cuesketch.ui.roll_paint import BACKGROUND, NoteLayer, blend
from cuesketch.ui.roll_view_model import RollGeometry

LABEL_LIMIT = 150  # frames-off labels drawn at most
READOUT_REACH = 48  # px: how far left of its note (or its hit) a label reaches at most

READOUT_FONT = QFont()
READOUT_FONT.setPixelSize(10)
READOUT_FONT.setBold(True)


def readout_color(offset: int) -> QColor:
    if offset == 0:
        return QColor("#7ee07e")
    return QColor("#ffd84a") if abs(offset) == 1 else QColor("#ff7a5c")


_label_widths: dict[str, int] = {}
_readout_colors: dict[tuple[int, bool], QColor] = {}


def _readout(offset: int, active: bool) -> QColor:
    key = (max(-2, min(2, offset)) if abs(offset) <= 1 else (2 if offset > 0 else -2), active)
    c = _readout_colors.get(key)
    if c is None:
        c = readout_color(offset)
        c = _readout_colors[key] = c if active else blend(c, BACKGROUND, 0.4)
    return c


def paint_frames_off(p: QPainter, geo: RollGeometry, layers: list[NoteLayer], marks: Marks,
                     rate: FrameRate, window: int) -> None:
    """"+2f" / "-1f" beside each note starting within ``window`` frames of a hit, with a bracket
    from the hit to the note's start; the active track first, a few hundred labels at most.
    Shown once a frame is at least a pixel wide: zoomed further out it would be noise."""
    fpf = rate.flicks_per_frame
    if not len(marks.hit_frames) or fpf / geo.fpp < 1:
        return
    metrics = QFontMetrics(READOUT_FONT)
    p.setFont(READOUT_FONT)
    drawn = 0
    boxes: list[tuple[QRectF, str, QColor]] = []
    brackets = []
    for layer in sorted(layers, key=lambda layer: not layer.style.active):
        tn, rows = layer.notes, layer.rows
        starts = tn["start"][rows]
        near, offs = frames_off(starts, marks.hit_frames, rate, window)
        if not len(near):
            continue
        near, offs = near[: LABEL_LIMIT - drawn], offs[: LABEL_LIMIT - drawn]
        drawn += len(near)
        ys = (geo.top - tn["pitch"][rows][near] - 1) * geo.key_h
        xs = (starts[near] - geo.t0) / geo.fpp
        hit_xs = ((starts[near] // fpf - offs) * fpf - geo.t0) / geo.fpp
        active = layer.style.active
        for x, hx, y, off in zip(xs.tolist(), hit_xs.tolist(), ys.tolist(), offs.tolist()):
            text = label(off)
            tw = _label_widths.get(text)
            if tw is None:
                tw = _label_widths[text] = metrics.horizontalAdvance(text) + 4
            top = y + (geo.key_h - 12) / 2 if geo.key_h >= 12 else y - 12
            boxes.append((QRectF(min(x, hx) - tw - 2, top, tw, 12), text, _readout(off, active)))
            if abs(x - hx) >= 1:
                brackets.append(QLineF(hx, y + geo.key_h / 2, x, y + geo.key_h / 2))
        if drawn >= LABEL_LIMIT:
            break
    if not boxes:
        return
    p.setPen(Qt.PenStyle.NoPen)
    p.setBrush(QColor(0, 0, 0, 170))
    p.drawRects([b for b, _, _ in boxes])
    for box, text, color in boxes:
        p.setPen(color)
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, text)
    if brackets:
        p.setPen(QPen(QColor(255, 255, 255, 120), 1))
        p.drawLines(brackets)
