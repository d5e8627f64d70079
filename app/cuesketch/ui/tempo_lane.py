"""The tempo and meter lane under the roll's ruler: two rows, the tempo (its changes with their
bpm over a line of the tempo, flat for a step, sloped for a ramp) and the meter (its changes).

Double-click in an empty row: a change at the snapped position (the nearest beat, or bar when
zoomed out; meters on bar lines), with the tempo or meter already in force there. Drag a
change to move it (snapped; Shift: to the tick), one undo step; Escape while dragging puts it
back. Double-click a change (or Enter): the editor (``tempo_dialog``). Delete, or the
right-click menu: remove it (the first changes of a map are edited, never removed). Inside a
cue with a tempo map of its own (tinted), the lane shows and edits that map; the right-click
menu gives a cue its own map or hands it back to the project's. A change's tooltip says it
in words (with its frame click). A tempo edit moves the notes with their beats (so their
frames-off readouts follow while dragging), unless the menu's "Notes Keep Their Bars and
Beats" is off.

All of it is ``TempoControl`` (``model/tempo_control``, no Qt): this widget draws what it says
and forwards the mouse and keys to it. The roll repaints the lane with the ruler, so the lane,
the grid, the bar numbers and the readouts follow every change (they observe the document).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QLineF, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QContextMenuEvent,
    QFont,
    QFontMetrics,
    QHelpEvent,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QPolygonF,
    QWheelEvent,
)
from PySide6.QtWidgets import QMenu, QToolTip, QWidget

from cuesketch.model.tempo_control import Mark, Row, TempoControl
from cuesketch.model.tempo_edits import TempoEditError
from cuesketch.model.tempo_regions import Region, regions_between
from cuesketch.ui import roll_paint as rp
from cuesketch.ui.roll_host import RollHost
from cuesketch.ui.tempo_dialog import TempoDialog

TEMPO_H = 28
METER_H = 16
HEIGHT = TEMPO_H + METER_H
REACH_PX = 6  # a press this near a change takes it
DRAG_PX = 3  # a press moved this far is a drag
LABEL_MIN, LABEL_MAX = 12, 160  # px: a change's label is left out, or cut, to fit
TEMPO_BG = QColor("#24282e")
METER_BG = QColor("#202328")
OWN_MAP = QColor(70, 120, 200, 45)  # a cue's own map
OWN_EDGE = QColor("#5b8fd6")
CURVE = QColor(79, 157, 222, 150)
TEMPO_MARK = QColor("#e8b64c")
METER_MARK = QColor("#b7c4d4")
SELECTED = QColor("#ffffff")
TEXT = QColor("#e6e6e6")
TOOLTIP = ("Tempo (top) and meter (bottom). Double-click: add a change, or edit one; drag: "
           "move it (Shift: freely); Delete or right-click: remove it. Right-click over a cue: "
           "its own tempo map")
_FAINT_HITS: dict[int, QColor] = {}  # a hit kind's color, as the lane draws it


class TempoLane(QWidget):
    def __init__(self, roll: RollHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TempoLane")
        self.roll = roll
        self.control = TempoControl(roll.editor.document, roll.status)
        self.setFixedHeight(HEIGHT)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        self.setMouseTracking(True)  # the cursor tells what can be dragged
        self.font_ = QFont()
        self.font_.setPixelSize(10)
        self.bold = QFont(self.font_)
        self.bold.setBold(True)
        self.metrics = QFontMetrics(self.bold)
        self.dialog: TempoDialog | None = None  # the editor, while open
        self._press: tuple[QPointF, Mark] | None = None  # a press on a change, not yet a drag

    # -- geometry --------------------------------------------------------------------------------
    @staticmethod
    def row_at(y: float) -> Row:
        return Row.TEMPO if y < TEMPO_H else Row.METER

    def mark_at(self, pos: QPointF | QPoint) -> Mark | None:
        geo = self.roll.geo
        return self.control.mark_at(geo.t_of(pos.x()), self.row_at(pos.y()),
                                    round(REACH_PX * geo.fpp))

    def x_of(self, mark: Mark) -> float:
        return round(self.roll.geo.x_of(mark.at)) + 0.5

    # -- drawing ---------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:
        geo = self.roll.geo
        r = event.rect()
        x0, x1 = float(r.left()), float(r.right() + 1)
        t0, t1 = geo.t_of(x0 - 80), geo.t_of(x1 + 4)
        p = QPainter(self)
        p.fillRect(QRectF(x0, 0, x1 - x0, TEMPO_H), TEMPO_BG)
        p.fillRect(QRectF(x0, TEMPO_H, x1 - x0, METER_H), METER_BG)
        regions = regions_between(self.control.project, t0, t1)
        lo, hi = self.control.bpm_range()
        if hi - lo < 20:
            mid = (hi + lo) / 2
            lo, hi = mid - 10, mid + 10
        for region in regions:
            self._paint_region(p, region, t0, t1, lo, hi)
        self._paint_hits(p, x0, x1)
        # from a label's reach to the left, to the change after the last one in view
        self._paint_marks(p, self.control.marks(geo.t_of(x0 - LABEL_MAX - 10),
                                                geo.t_of(x1 + LABEL_MAX + 10)))
        rp.paint_playhead(p, geo, self.roll.playhead, 0, HEIGHT)
        p.setPen(QColor("#111"))
        p.drawLine(QLineF(x0, TEMPO_H - 0.5, x1, TEMPO_H - 0.5))
        p.drawLine(QLineF(x0, HEIGHT - 0.5, x1, HEIGHT - 0.5))
        p.end()

    def _paint_region(self, p: QPainter, region: Region, t0: int, t1: int, lo: float,
                      hi: float) -> None:
        geo = self.roll.geo
        if region.ref.cue_id is not None:
            a = max(geo.x_of(region.start or 0), -2.0)
            b = min(geo.x_of(region.end or 0), geo.width + 2.0)
            if b > a:
                p.fillRect(QRectF(a, 0, b - a, HEIGHT), OWN_MAP)
                p.setPen(OWN_EDGE)
                p.drawLines([QLineF(x, 0, x, HEIGHT) for x in (round(a) + 0.5, round(b) - 0.5)])
        points = self.control.curve(region, t0, t1)
        if len(points) < 2:
            return
        top, span = 15.0, TEMPO_H - 18.0  # under the labels

        def y(bpm: float) -> float:
            return top + (1 - (bpm - lo) / (hi - lo)) * span

        p.setPen(QPen(CURVE, 1.5))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.drawPolyline(QPolygonF([QPointF(geo.x_of(t), y(b)) for t, b in points]))
        p.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def _paint_hits(self, p: QPainter, x0: float, x1: float) -> None:
        """The hits' lines, as in the ruler above and the notes below: a downbeat dragged onto
        a hit lines up with it here."""
        columns = rp.hit_columns(self.roll.geo, self.roll.editor.index.marks,
                                 self.control.project.settings.rate, x0, x1)
        for xs, color in columns:
            faint = _FAINT_HITS.get(color.rgba())
            if faint is None:
                faint = _FAINT_HITS[color.rgba()] = QColor(color)
                faint.setAlpha(150)
            for x in xs:  # a pixel column's centre
                p.fillRect(QRectF(x - 0.5, 0, 1, HEIGHT), faint)

    def _paint_marks(self, p: QPainter, marks: list[Mark]) -> None:
        """Each change's flag and line, and its label up to the next change in its row (cut
        short with an ellipsis, or left out when there is no room): a label depends only on
        its change and the next, so a strip repainted alone draws it as the whole lane does."""
        selected = self.control.selected
        rows: dict[Row, list[Mark]] = {Row.TEMPO: [], Row.METER: []}
        for m in marks:
            rows[m.row].append(m)
        for row, row_marks in rows.items():
            top = 0 if row is Row.TEMPO else TEMPO_H
            height = TEMPO_H if row is Row.TEMPO else METER_H
            for i, m in enumerate(row_marks):
                x = self.x_of(m)
                chosen = m.key == selected
                color = SELECTED if chosen else (TEMPO_MARK if row is Row.TEMPO else METER_MARK)
                p.setPen(color)
                p.drawLine(QLineF(x, top, x, top + height - 1))
                p.setBrush(color)
                p.drawPolygon(QPolygonF([QPointF(x - 4, top), QPointF(x + 5, top),
                                         QPointF(x + 0.5, top + 5)]))
                p.setBrush(Qt.BrushStyle.NoBrush)
                room = (self.x_of(row_marks[i + 1]) - x - 9 if i + 1 < len(row_marks)
                        else LABEL_MAX)
                if room < LABEL_MIN:
                    continue
                text = self.metrics.elidedText(m.label, Qt.TextElideMode.ElideRight,
                                               int(min(room, LABEL_MAX)))
                p.setFont(self.bold if row is Row.METER or chosen else self.font_)
                p.setPen(TEXT if chosen or row is Row.METER else TEMPO_MARK)
                box = (QRectF(x + 5, 2, room, 13) if row is Row.TEMPO
                       else QRectF(x + 5, top, room, height))
                p.drawText(box, Qt.AlignmentFlag.AlignVCenter, text)

    # -- the mouse -------------------------------------------------------------------------------
    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        mark = self.mark_at(event.position())
        self.control.select(mark)
        self._press = (event.position(), mark) if mark is not None else None
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        pos = event.position()
        if not event.buttons():  # hovering: a change under the pointer can be dragged
            mark = self.mark_at(pos)
            self.setCursor(Qt.CursorShape.SizeHorCursor if mark is not None and not mark.first
                           else Qt.CursorShape.ArrowCursor)
            return
        free = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        if self.control.dragging is None and self._press is not None:
            start, mark = self._press
            if abs(pos.x() - start.x()) < DRAG_PX:
                return
            self._press = None
            if not self.control.begin_drag(mark):
                return
        if self.control.dragging is not None:
            geo = self.roll.geo
            # the music in view moves at once, the rest on release (a long project stays quick)
            self.control.drag_to(geo.t_of(pos.x()), geo.fpp, free, (geo.t0, geo.t1))
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._press = None
        if self.control.dragging is not None:
            self.control.end_drag()
            self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return
        self._press = None
        mark = self.mark_at(event.position())
        if mark is not None:
            self.open_editor(mark)
            return
        free = bool(event.modifiers() & Qt.KeyboardModifier.ShiftModifier)
        pos = event.position()
        self.control.add(self.roll.geo.t_of(pos.x()), self.row_at(pos.y()), self.roll.geo.fpp,
                         free)
        self.update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        self.roll.wheel(event, event.position().x(), None, zoom=True)

    # -- the editor and the menu -----------------------------------------------------------------
    def open_editor(self, mark: Mark) -> TempoDialog | None:
        """The editor for a change, open (not blocking); OK is one undo step. None (and
        said) if the change's map is gone meanwhile (an undo)."""
        if self.dialog is not None:
            self.dialog.close()
        self.control.select(mark)
        try:
            dialog = TempoDialog(self.control, mark, self.control.project.settings.rate, self)
        except TempoEditError as e:
            self.roll.status(str(e)[:1].upper() + str(e)[1:])
            return None
        dialog.finished.connect(lambda _result: self._editor_closed(dialog))
        self.dialog = dialog
        dialog.open()
        self.update()
        return dialog

    def _editor_closed(self, dialog: TempoDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()
        self.update()

    def menu_for(self, pos: QPoint | QPointF) -> QMenu:
        """The right-click menu at a point of the lane."""
        menu = QMenu(self)
        geo = self.roll.geo
        t = geo.t_of(pos.x())
        mark = self.mark_at(pos)
        if mark is not None:
            self.control.select(mark)
            what = "Tempo" if mark.row is Row.TEMPO else "Meter"
            menu.addAction(f"Edit {what} Change…", lambda: self.open_editor(mark))
            if mark.row is Row.TEMPO and self.control.has_next(mark):
                menu.addAction("Step to the Next Change" if mark.ramp else
                               "Ramp to the Next Change",
                               lambda: self.control.set_bpm(mark, mark.bpm or 0, not mark.ramp))
            remove = menu.addAction(f"Delete {what} Change", lambda: self.control.delete(mark))
            remove.setEnabled(not mark.first)
            if mark.first:
                remove.setToolTip("The first change of a map is edited, never removed")
        else:
            menu.addAction("Add Tempo Change Here",
                           lambda: self.control.add(t, Row.TEMPO, geo.fpp))
            menu.addAction("Add Meter Change Here",
                           lambda: self.control.add(t, Row.METER, geo.fpp))
        cue = self.control.cue_at(t)
        if cue is not None:
            menu.addSeparator()
            cue_id = cue.id
            if cue.tempo is None:
                menu.addAction(f"Give {cue.name} Its Own Tempo Map",
                               lambda: self.control.give_own_map(cue_id))
            else:
                menu.addAction(f"{cue.name} Follows the Project's Tempo Map",
                               lambda: self.control.follow_project(cue_id))
        menu.addSeparator()
        follow = menu.addAction("Notes Keep Their Bars and Beats")
        follow.setCheckable(True)
        follow.setChecked(self.control.notes_follow)
        follow.setToolTip("On: a tempo edit moves the notes with their beats. Off: they stay "
                          "on their frames (fitting a tempo to a free performance)")
        follow.toggled.connect(self._set_follow)
        menu.aboutToHide.connect(self.update)
        return menu

    def _set_follow(self, on: bool) -> None:
        self.control.notes_follow = on
        self.roll.status("Tempo edits move the notes with their beats" if on else
                         "Tempo edits leave the notes on their frames")

    def contextMenuEvent(self, event: QContextMenuEvent) -> None:
        menu = self.menu_for(event.pos())
        self.update()
        menu.exec(event.globalPos())
        menu.deleteLater()

    # -- keys ------------------------------------------------------------------------------------
    def _handles(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace, Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return self.control.selected is not None and self.control.dragging is None
        return key == Qt.Key.Key_Escape and self.control.dragging is not None

    def event(self, event: QEvent) -> bool:
        # Delete and Escape here win over the window's shortcuts while the lane has focus.
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and self._handles(event)):
            event.accept()
            return True
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            QToolTip.showText(event.globalPos(), self.tooltip_at(event.pos()), self)
            return True
        return super().event(event)

    def tooltip_at(self, pos: QPoint | QPointF) -> str:
        mark = self.mark_at(pos)
        if mark is None:
            return TOOLTIP
        hint = "double-click to edit" if mark.first else "double-click to edit, drag to move"
        return f"{self.control.describe(mark)}\n({hint})"

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if not self._handles(event):
            super().keyPressEvent(event)
            return
        mark = self.control.find(self.control.selected)
        if event.key() == Qt.Key.Key_Escape:
            self.control.cancel_drag()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            if mark is not None:
                self.open_editor(mark)
        else:
            self.control.delete()
        self.update()
        event.accept()
