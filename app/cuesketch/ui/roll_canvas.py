"""The note area of the piano roll: drawing it, and editing notes with the mouse.

Mouse habits (draw tool): click or drag in empty space draws a note (a drag sets its length);
click a note to select it, shift- or ctrl-click to add or remove it; drag a note to move the
selection in time and pitch, drag its right edge to resize; ctrl- or shift-drag in empty space
draws a rubber band (shift adds it to the selection); right-click selects a note for the
menu (``roll_menu``). Alt while dragging turns snapping off. In the
select tool a plain drag in empty space is a rubber band and a click clears the selection.
Every drag is one undo step, written to the project file once, on release (a Document gesture).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, replace

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QMouseEvent, QPainter, QPaintEvent, QPen, QResizeEvent, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from cuesketch.model import edits
from cuesketch.model.changes import Change
from cuesketch.model.changes import replace as replace_change
from cuesketch.model.document import Gesture
from cuesketch.model.entities import Note
from cuesketch.ui import roll_paint as rp
from cuesketch.ui.roll_editor import Tool
from cuesketch.ui.roll_host import RollHost
from cuesketch.ui.roll_live import paint_live
from cuesketch.ui.roll_readout import READOUT_REACH, paint_frames_off
from cuesketch.ui.tempo_view import grid_xs_in_force

EDGE_PX = 5  # grab a note's right edge within this many pixels
DRAG_START_PX = 3


class DragKind(enum.Enum):
    MOVE = "move"
    RESIZE = "resize"
    BAND = "band"  # a rubber band: selects, changes nothing


@dataclass
class Drag:
    kind: DragKind
    press: QPointF
    press_t: int
    press_pitch: int
    anchor: Note | None = None
    originals: dict[int, Note] = field(default_factory=dict)
    gesture: Gesture | None = None  # what the drag changes: one undo step at release
    started: bool = False
    additive: bool = False
    base_selection: frozenset[int] = frozenset()
    sounding: int | None = None  # the pitch auditioned now


class NoteCanvas(QWidget):
    def __init__(self, roll: RollHost, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.roll = roll
        self.drag: Drag | None = None
        self.band: QRectF | None = None
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setMinimumSize(120, 80)

    # -- painting ------------------------------------------------------------------------------
    def resizeEvent(self, event: QResizeEvent) -> None:
        self.roll.canvas_resized(self.width(), self.height())

    def paintEvent(self, event: QPaintEvent) -> None:
        roll, geo = self.roll, self.roll.geo
        r = event.rect()
        x0, x1 = float(r.left()), float(r.right() + 1)
        editor = roll.editor
        marks = editor.index.marks
        settings = editor.project.settings
        rate = settings.rate
        p = QPainter(self)
        spans = rp.cue_spans(geo, marks, rate, x0, x1)
        grid = grid_xs_in_force(geo, editor.project, editor.grid, x0, x1)
        styles, selected = roll.track_styles(), editor.selection_array()  # once a paint
        layers = rp.note_layers(editor.index, geo, styles, selected, x0, x1)
        hits = rp.hit_columns(geo, marks, rate, x0, x1)
        rp.paint_roll(p, geo, layers, spans, grid, hits, x0, x1)
        rp.paint_cue_edges(p, spans, 0, geo.height)
        live = roll.live.notes
        if live:
            paint_live(p, geo, live, styles, x0, x1)
        if roll.hit_window > 0 and rate.flicks_per_frame / geo.fpp >= 1:
            # A label sits left of its note: the notes starting a label's reach to the right
            # of this strip own labels drawn in it (the playhead's strip must redraw them).
            reach = READOUT_REACH + roll.hit_window * rate.flicks_per_frame / geo.fpp
            labelled = rp.note_layers(editor.index, geo, styles, selected, x0, x1 + reach)
            paint_frames_off(p, geo, labelled, marks, rate, roll.hit_window)
        if self.band is not None:
            p.setPen(QPen(rp.SELECTED_EDGE, 1, Qt.PenStyle.DotLine))
            p.setBrush(rp.RUBBER_BAND)
            p.drawRect(self.band)
        shown = roll.range
        if shown is not None:
            rp.paint_range_marks(p, geo, (shown.in_at, shown.out_at), 0, geo.height)
        rp.paint_playhead(p, geo, roll.playhead, 0, geo.height)
        p.end()

    # -- mouse ---------------------------------------------------------------------------------
    def _at(self, pos: QPointF) -> tuple[int, int]:
        geo = self.roll.geo
        return geo.t_of(pos.x()), max(0, min(127, geo.pitch_at(pos.y())))

    def _note_under(self, pos: QPointF) -> Note | None:
        """The note under the pointer: the active track's first, then the others on top."""
        roll = self.roll
        t, pitch = self._at(pos)
        slack = round(3 * roll.geo.fpp)
        order = [s.track_id for s in reversed(roll.track_styles())]
        for tid in order:
            nid = roll.editor.index.note_at(tid, t, pitch, slack)
            if nid is not None:
                return roll.editor.project.notes.get(nid)
        return None

    def mousePressEvent(self, event: QMouseEvent) -> None:
        self._press(event, self.roll.editor.tool)

    def _press(self, event: QMouseEvent, tool: Tool) -> None:
        roll, editor = self.roll, self.roll.editor
        pos = event.position()
        t, pitch = self._at(pos)
        mods = event.modifiers()
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        note = self._note_under(pos)
        if event.button() == Qt.MouseButton.RightButton:  # the note is the menu's (roll_menu)
            if note is not None and note.id not in editor.selection:
                editor.set_active_track(note.track_id)
                editor.set_selection({note.id})
            return
        if event.button() != Qt.MouseButton.LeftButton:
            return
        if note is not None:
            if note.track_id != editor.active_track:
                editor.set_active_track(note.track_id)
            if shift or ctrl:
                editor.set_selection(editor.selection ^ {note.id})
                if note.id not in editor.selection:
                    return
            elif note.id not in editor.selection:
                editor.set_selection({note.id})
            x_end = roll.geo.x_of(note.end)
            near_edge = x_end - pos.x() <= EDGE_PX and x_end - roll.geo.x_of(note.start) >= 2 * EDGE_PX
            originals = self._originals()
            label = ("Move notes" if not near_edge else
                     "Resize notes" if len(originals) > 1 else "Resize note")
            self.drag = Drag(DragKind.RESIZE if near_edge else DragKind.MOVE, pos, t, pitch,
                             note, originals, editor.begin(label))
            self._sound(note.pitch, note.velocity)
            return
        if tool is Tool.SELECT or shift or ctrl:
            # shift adds the band to the selection; otherwise the band is the new selection
            self.drag = Drag(DragKind.BAND, pos, t, pitch, additive=shift,
                             base_selection=frozenset(editor.selection if shift else ()))
            if not shift:
                editor.set_selection(set())
            return
        if editor.active_track is None:
            roll.status("Choose a track to draw on")
            return
        snapper = editor.snapper(roll.geo.fpp)
        if mods & Qt.KeyboardModifier.AltModifier:
            start = t
        else:
            start = snapper.floor(t)
        length = editor.draw_length(start)
        gesture = editor.begin("Draw note")  # drawn and stretched: one step
        changes = edits.add_note(editor.project, editor.active_track, start, length, pitch,
                                 editor.draw_velocity)
        if not editor.execute(changes, "Draw note"):
            editor.finish(gesture)
            return
        (nid,) = edits.inserted_ids(changes)
        editor.set_selection({nid})
        new = editor.project.notes[nid]
        self.drag = Drag(DragKind.RESIZE, pos, t, pitch, new, {nid: new}, gesture, started=True)
        self._sound(pitch, editor.draw_velocity)

    def _originals(self) -> dict[int, Note]:
        notes = self.roll.editor.project.notes
        return {i: notes[i] for i in self.roll.editor.selection if i in notes}

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        d = self.drag
        if d is None:
            self._hover(event.position())
            return
        pos = event.position()
        if not d.started:
            if (pos - d.press).manhattanLength() < DRAG_START_PX:
                return
            d.started = True
        free = bool(event.modifiers() & Qt.KeyboardModifier.AltModifier)
        if d.kind is DragKind.BAND:
            self._band_to(d, pos)
        elif d.kind is DragKind.MOVE:
            self._move_to(d, pos, free)
        else:
            self._resize_to(d, pos, free)

    def _hover(self, pos: QPointF) -> None:
        note = self._note_under(pos)
        cursor = Qt.CursorShape.ArrowCursor
        if note is not None:
            x_end = self.roll.geo.x_of(note.end)
            if x_end - pos.x() <= EDGE_PX and x_end - self.roll.geo.x_of(note.start) >= 2 * EDGE_PX:
                cursor = Qt.CursorShape.SizeHorCursor
            else:
                cursor = Qt.CursorShape.SizeAllCursor
        self.setCursor(cursor)

    def _band_to(self, d: Drag, pos: QPointF) -> None:
        editor = self.roll.editor
        self.band = QRectF(d.press, pos).normalized()
        t0, p_hi = self._at(self.band.topLeft())
        t1, p_lo = self._at(self.band.bottomRight())
        ids = set()
        if editor.active_track is not None:
            ids = set(editor.index.notes_in(editor.active_track, t0, t1, p_lo, p_hi))
        editor.set_selection(set(d.base_selection) | ids)
        self.update()

    def _move_to(self, d: Drag, pos: QPointF, free: bool) -> None:
        editor = self.roll.editor
        assert d.anchor is not None
        t, pitch = self._at(pos)
        start = d.anchor.start + (t - d.press_t)
        if not free:
            start = editor.snapper(self.roll.geo.fpp).nearest(start)
        dt = start - d.anchor.start
        dp = edits.pitch_shift(list(d.originals.values()), pitch - d.press_pitch)
        notes = editor.project.notes
        changes: list[Change] = []
        for i, o in d.originals.items():
            target = replace(o, start=o.start + dt, pitch=o.pitch + dp)
            if i in notes and notes[i] != target:
                changes.append(replace_change(notes[i], target))
        editor.execute(changes, "Move notes")
        self._sound(d.anchor.pitch + dp, d.anchor.velocity)

    def _resize_to(self, d: Drag, pos: QPointF, free: bool) -> None:
        editor = self.roll.editor
        assert d.anchor is not None
        t, _ = self._at(pos)
        end = d.anchor.end + (t - d.press_t)
        if not free:
            end = editor.snapper(self.roll.geo.fpp).nearest(end)
        delta = end - d.anchor.end
        minimum = editor.min_length(d.anchor.start)
        notes = editor.project.notes
        changes: list[Change] = []
        for i, o in d.originals.items():
            if i not in notes:
                continue
            target = replace(o, duration=max(min(minimum, o.duration), o.duration + delta))
            if notes[i] != target:
                changes.append(replace_change(notes[i], target))
        editor.execute(changes, "Resize notes" if len(d.originals) > 1 else "Resize note")
        if d.anchor.id in notes:
            editor.remember_length(notes[d.anchor.id].duration)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        d = self.drag
        if d is None:
            return
        self._sound(None)
        self.drag = None
        self.band = None
        if d.gesture is not None:
            self.roll.editor.finish(d.gesture)
        self.update()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:
        if self.roll.editor.tool is Tool.SELECT and self._note_under(event.position()) is None:
            self._press(event, Tool.DRAW)  # a double-click draws in the select tool too
            return
        self.mousePressEvent(event)

    def _sound(self, pitch: int | None, velocity: int = 100) -> None:
        """Audition while dragging: the pitch under the pointer, one at a time."""
        d = self.drag
        current = d.sounding if d is not None else None
        if pitch == current:
            return
        if current is not None:
            self.roll.audition(current, 0)
        if pitch is not None:
            self.roll.audition(pitch, velocity)
        if d is not None:
            d.sounding = pitch

    # -- wheel: scroll and zoom ------------------------------------------------------------------
    def wheelEvent(self, event: QWheelEvent) -> None:
        self.roll.wheel(event, event.position().x(), event.position().y())
