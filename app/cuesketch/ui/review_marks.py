"""Review notes where the composer works: a flag on the roll's ruler, a line on the picture.

The ruler (``roll_ruler``) calls ``paint_review_notes``: a yellow flag at each open note's
frame (a band over its range), grey once resolved, an orange outline when it was written
against another cut (never drawn as if it fit). The picture (``picture_view``) shows the open
notes at the frame on screen (``review_text_at``), held two seconds after a point note.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen, QPolygonF

from cuesketch.model.entities import ReviewNote
from cuesketch.model.project import Project
from cuesketch.ui.roll_view_model import RollGeometry

OPEN = QColor("#f5d76e")
RESOLVED = QColor("#7d8590")
OFF_CUT = QColor("#ffae42")
HOLD_S = 2  # a point note stays on the picture this long
FLAG = 7  # px


def paint_review_notes(p: QPainter, geo: RollGeometry, project: Project, x0: float,
                       x1: float) -> None:
    notes = project.review_notes
    if not notes:
        return
    fpf = project.settings.rate.flicks_per_frame
    for n in notes.values():
        a = geo.x_of(n.frame * fpf)
        b = geo.x_of(((n.end_frame if n.end_frame is not None else n.frame) + 1) * fpf)
        if b < x0 - FLAG or a > x1 + FLAG:
            continue
        color = RESOLVED if n.resolved else (OFF_CUT if n.off_cut else OPEN)
        if n.end_frame is not None:
            band = QColor(color)
            band.setAlpha(70)
            p.fillRect(QRectF(a, 0, max(b - a, 1.0), 3), band)
        x = round(a) + 0.5
        flag = QPolygonF([QPointF(x, 0), QPointF(x + FLAG, 0), QPointF(x, FLAG)])
        if n.off_cut and not n.resolved:
            p.setPen(QPen(color, 1.0, Qt.PenStyle.DashLine))
            p.setBrush(Qt.BrushStyle.NoBrush)
        else:
            p.setPen(color)
            p.setBrush(color)
        p.drawPolygon(flag)
    p.setBrush(Qt.BrushStyle.NoBrush)


def review_text_at(project: Project, frame: int) -> str | None:
    """The open notes at ``frame`` as one line for the picture, or None."""
    hold = round(HOLD_S * project.settings.rate.fps)
    showing: list[ReviewNote] = [
        n for n in project.review_notes.values() if not n.resolved and not n.off_cut
        and n.frame <= frame <= (n.end_frame if n.end_frame is not None else n.frame + hold)]
    if not showing:
        return None
    showing.sort(key=lambda n: (n.frame, n.created))
    first = showing[0]
    text = first.text if len(first.text) <= 90 else first.text[:89] + "…"
    more = f"  (+{len(showing) - 1})" if len(showing) > 1 else ""
    return f"✎ {first.author}: {text}{more}" if first.author else f"✎ {text}{more}"
