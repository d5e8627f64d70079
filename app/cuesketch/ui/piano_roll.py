"""The piano roll: notes against the picture's time, edited with the mouse and DAW keys.

    roll = PianoRoll(document, transport, audition=synth_audition)

It observes the document and the transport and never changes the project except through
``document.execute`` (every edit is one undo step; a drag is one step). Its parts: the ruler
(``roll_ruler``), the keyboard (``roll_keyboard``), the note canvas (``roll_canvas``), the velocity
and controller lanes (``roll_lanes``), drawn by ``roll_paint`` from the index in ``roll_index``
and the geometry in ``roll_view_model``; the edits themselves are ``cuesketch.model.edits``.

Keys while the roll has focus: Delete/Backspace delete, Ctrl+D duplicate, Ctrl+A select all in
the track, Ctrl+C/X/V copy, cut, paste at the playhead, Q quantize, Up/Down transpose
(Shift: an octave), Left/Right nudge by the grid (Shift: one frame), Escape clear the
selection, Z zoom to the selection, Shift+Z zoom to the cue at the playhead. Left/Right are
left to the window (frame steps) when nothing is selected.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QEvent, QObject, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QWheelEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QLabel,
    QScrollBar,
    QVBoxLayout,
    QWidget,
)

from cuesketch.engine.range_marks import RangeMarks
from cuesketch.engine.transport import Transport, TransportState
from cuesketch.model import edits
from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.document import Document
from cuesketch.model.entities import Note, Track
from cuesketch.model.grid import Grid, tempo_grid
from cuesketch.model.hit_sync import frames_off
from cuesketch.model.project import Project
from cuesketch.model.snap import SnapMode, Snapper
from cuesketch.timing.units import FLICKS_PER_SECOND
from cuesketch.ui import roll_paint as rp
from cuesketch.ui.bridge import weak_emitter
from cuesketch.ui.roll_canvas import NoteCanvas
from cuesketch.ui.roll_index import RollIndex
from cuesketch.ui.roll_keyboard import WIDTH as KEYS_WIDTH
from cuesketch.ui.roll_keyboard import Keyboard
from cuesketch.ui.roll_lanes import CONTROLLER_NAMES, ControllerLane, VelocityLane
from cuesketch.ui.roll_paint import TrackStyle
from cuesketch.ui.roll_ruler import Ruler
from cuesketch.ui.roll_toolbar import RollToolbar
from cuesketch.ui.roll_view_model import Follow, RollGeometry

# The roll's commands for a window's menus: (name, text, key, PianoRoll method). The roll
# handles these keys itself while it has focus; a window action with the same key reaches the
# roll when the focus is elsewhere.
COMMANDS: tuple[tuple[str, str, str, str], ...] = (
    ("roll.delete", "Delete Notes", "Del", "delete_selection"),
    ("roll.duplicate", "Duplicate Notes", "Ctrl+D", "duplicate_selection"),
    ("roll.select_all", "Select All in Track", "Ctrl+A", "select_all"),
    ("roll.copy", "Copy Notes", "Ctrl+C", "copy"),
    ("roll.cut", "Cut Notes", "Ctrl+X", "cut"),
    ("roll.paste", "Paste Notes at Playhead", "Ctrl+V", "paste"),
    ("roll.quantize", "Quantize", "Q", "quantize_selection"),
    ("roll.zoom_selection", "Zoom to Selection", "Z", "zoom_to_selection"),
    ("roll.zoom_cue", "Zoom to Cue", "Shift+Z", "zoom_to_cue"),
)

Audition = Callable[[int, int], None]  # (pitch, velocity); velocity 0 releases the key
TICK_MS = 15  # the playhead's refresh while playing: a little faster than the display
HIT_REACH_PX = 8  # how near (pixels) a hit pulls an edit when snapping to hits
SCROLLBAR_STYLE = (
    "QScrollBar { background: #202328; border: none; margin: 0; }"
    "QScrollBar::handle { background: #4a505a; border-radius: 3px; min-height: 24px;"
    " min-width: 24px; margin: 2px; }"
    "QScrollBar::add-line, QScrollBar::sub-line { width: 0; height: 0; }"
    "QScrollBar::add-page, QScrollBar::sub-page { background: none; }")


def _no_audition(pitch: int, velocity: int) -> None:
    pass


class _Bridge(QObject):
    """Core callbacks (any thread) to Qt signals (queued to the GUI thread when needed)."""

    changed = Signal(object)
    transport = Signal(object)
    marks = Signal(object)



class PianoRoll(QWidget):
    activeTrackChanged = Signal(int)
    selectionChanged = Signal()
    statusMessage = Signal(str)
    viewChanged = Signal()

    def __init__(self, document: Document, transport: Transport, parent: QWidget | None = None,
                 audition: Audition | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PianoRoll")
        self.document = document
        self.transport = transport
        self.audition: Audition = audition or _no_audition
        self.index = RollIndex(document.project)
        self.geo = RollGeometry()
        self.grid: Grid = Grid.parse("1/16")
        self.snap_mode = SnapMode.GRID
        self.quantize = edits.Quantize(self.grid)
        self.follow = Follow.PAGE
        self.ruler_lead = "timecode"
        self.tool = "draw"
        self.hit_window = 4  # frames: the readout shows notes this near a hit
        self.draw_velocity = 100
        self.active_track: int | None = None
        self.selection: set[int] = set()
        self._selection_array: npt.NDArray[np.int64] | None = None
        self.clipboard = edits.Clip((), 0)
        self._last_length: int | None = None
        self.playhead = transport.position()
        self.range_marks: RangeMarks | None = None  # the in–out range, shown in the ruler
        self._loop_shown = transport.loop

        self._bridge = _Bridge(self)
        self._bridge.changed.connect(self._on_changes)
        self._bridge.transport.connect(self._on_transport)
        document.observe(weak_emitter(self._bridge, "changed"))
        transport.observe(weak_emitter(self._bridge, "transport"))
        self._bridge.marks.connect(lambda _m: (self.ruler.update(), self.canvas.update()))
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

        self._build()
        tracks = document.project.sorted_tracks()
        if tracks:
            self.active_track = tracks[0].id
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if transport.playing:
            self._timer.start()

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.toolbar = RollToolbar(self)
        self.ruler = Ruler(self)
        self.keyboard = Keyboard(self)
        self.canvas = NoteCanvas(self)
        self.velocity_lane = VelocityLane(self)
        self.controller_lane = ControllerLane(self)
        self.hbar = QScrollBar(Qt.Orientation.Horizontal, self)
        self.vbar = QScrollBar(Qt.Orientation.Vertical, self)
        for bar in (self.hbar, self.vbar):  # flat and quick to draw, like the roll
            bar.setStyleSheet(SCROLLBAR_STYLE)
        self.hbar.valueChanged.connect(self._h_scrolled)
        self.vbar.valueChanged.connect(self._v_scrolled)
        self.controller_box = QComboBox(self)
        for c, name in CONTROLLER_NAMES.items():
            self.controller_box.addItem(name, c)
        self.controller_box.currentIndexChanged.connect(
            lambda _i: self.controller_lane.set_controller(self.controller_box.currentData()))
        self.controller_box.setFixedWidth(KEYS_WIDTH + 30)
        vel_label = QLabel("Velocity", self)
        vel_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)

        grid = QGridLayout()
        grid.setSpacing(0)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.addWidget(self.ruler, 0, 1)
        grid.addWidget(self.keyboard, 1, 0, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(self.canvas, 1, 1)
        grid.addWidget(self.vbar, 1, 2)
        grid.addWidget(vel_label, 2, 0)
        grid.addWidget(self.velocity_lane, 2, 1)
        grid.addWidget(self.controller_box, 3, 0)
        grid.addWidget(self.controller_lane, 3, 1)
        grid.addWidget(self.hbar, 4, 1)
        grid.setColumnStretch(1, 1)
        grid.setRowStretch(1, 1)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(2)
        outer.addWidget(self.toolbar)
        outer.addLayout(grid)
        self.toolbar.show_state()

    # -- state the parts read ------------------------------------------------------------------
    def track_styles(self) -> list[TrackStyle]:
        """Every track's look, in drawing order: the others first, the active track last."""
        tracks = self.document.project.sorted_tracks()
        styles = [TrackStyle.of(t.id, t.color, t.id == self.active_track) for t in tracks
                  if t.id != self.active_track]
        styles += [TrackStyle.of(t.id, t.color, True) for t in tracks if t.id == self.active_track]
        return styles

    def selection_array(self) -> npt.NDArray[np.int64]:
        if self._selection_array is None:
            self._selection_array = np.fromiter(self.selection, np.int64, len(self.selection))
        return self._selection_array

    def snapper(self) -> Snapper:
        settings = self.document.project.settings
        return Snapper.of_hits(self.snap_mode, self.grid, settings.tempo, settings.rate,
                               (h.frame for h in self.index.marks.hits),
                               round(HIT_REACH_PX * self.geo.fpp), self.quantize.swing)

    def draw_length(self, start: int) -> int:
        """A drawn note's length: the last one drawn or resized, else one grid step."""
        if self._last_length is not None:
            return self._last_length
        return self.min_length(start)

    def min_length(self, start: int) -> int:
        if self.snap_mode is SnapMode.GRID:
            return tempo_grid(self.document.project.settings.tempo).step_at(start, self.grid)
        if self.snap_mode is SnapMode.OFF:
            return FLICKS_PER_SECOND // 100
        return self.document.project.settings.rate.flicks_per_frame

    def remember_length(self, length: int) -> None:
        self._last_length = length

    def status(self, text: str) -> None:
        self.statusMessage.emit(text)

    # -- changing the model (only through the document) ----------------------------------------
    def execute(self, changes: Sequence[Change], label: str, merge_key: str | None = None) -> None:
        if not changes:
            return
        try:
            self.document.execute_changes(changes, label, merge_key)
        except PermissionError as e:
            self.status(str(e))

    def _on_changes(self, changes: Sequence[Change]) -> None:
        self.index.apply(changes)
        gone = {c.id for c in changes if isinstance(c, EntityChange) and c.kind is Note
                and c.after is None}
        if gone & self.selection:
            self.set_selection(self.selection - gone)
        if any(isinstance(c, EntityChange) and c.kind is Track for c in changes):
            if self.active_track not in self.document.project.tracks:
                tracks = self.document.project.sorted_tracks()
                self.set_active_track(tracks[0].id if tracks else None)
        self.refresh()

    # -- selection and tracks ------------------------------------------------------------------
    def set_selection(self, ids: Iterable[int]) -> None:
        ids = set(ids)
        if ids != self.selection:
            self.selection = ids
            self._selection_array = None
            self.selectionChanged.emit()
            self.refresh()

    def set_active_track(self, track_id: int | None) -> None:
        if track_id == self.active_track:
            return
        self.active_track = track_id
        self.set_selection(set())
        if track_id is not None:
            self.activeTrackChanged.emit(track_id)
        self.refresh()

    def select_range(self, start: int, end: int) -> None:
        """The active track's notes that start from ``start`` up to ``end`` (flicks)."""
        if self.active_track is None:
            return
        tn = self.index.notes.get(self.active_track)
        if tn is None:
            return
        lo = int(np.searchsorted(tn["start"], start, "left"))
        hi = int(np.searchsorted(tn["start"], end, "right"))
        self.set_selection(tn["id"][lo:hi].tolist())

    def select_all(self) -> None:
        if self.active_track is not None:
            self.set_selection(self.index.track_ids(self.active_track))

    # -- settings --------------------------------------------------------------------------------
    def set_tool(self, tool: object) -> None:
        """``"draw"``: a click or drag in empty space draws; ``"select"``: it draws a band."""
        self.tool = "select" if tool == "select" else "draw"
        self.toolbar.show_state()

    def set_grid(self, grid: object) -> None:
        assert isinstance(grid, Grid)
        self.grid = grid
        self._last_length = None
        self.quantize = replace(self.quantize, grid=grid)
        self.toolbar.show_state()
        self.refresh()

    def set_snap(self, mode: object) -> None:
        assert isinstance(mode, SnapMode)
        self.snap_mode = mode
        self.toolbar.show_state()

    def set_follow(self, mode: object) -> None:
        """Follow playback by pages, continuously, or not (``Follow.OFF``)."""
        assert isinstance(mode, Follow)
        self.follow = mode
        self.toolbar.show_state()

    def set_ruler_lead(self, lead: object) -> None:
        """``"timecode"`` or ``"bars"`` on the ruler's top row."""
        self.ruler_lead = "bars" if lead == "bars" else "timecode"
        self.toolbar.show_state()
        self.ruler.update()

    def set_quantize(self, q: edits.Quantize) -> None:
        """Strength, swing and ends for Q (the grid is the roll's)."""
        self.quantize = replace(q, grid=self.grid)
        self.toolbar.show_state()

    def set_audition(self, audition: Audition | None) -> None:
        self.audition = audition or _no_audition

    # -- edits on the selection ----------------------------------------------------------------
    def _project(self) -> Project:
        return self.document.project

    def delete_selection(self) -> None:
        self.execute(edits.delete_notes(self._project(), self.selection), "Delete notes")

    def duplicate_selection(self) -> None:
        notes = [self._project().notes[i] for i in self.selection if i in self._project().notes]
        if not notes:
            return
        start, end = min(n.start for n in notes), max(n.end for n in notes)
        offset = end - start
        if self.snap_mode is SnapMode.GRID:  # the copy starts on the grid line after the end
            tg = tempo_grid(self._project().settings.tempo)
            base = tg.at_or_before(start, self.grid)
            target = end if tg.at_or_before(end, self.grid) == end else tg.after(end, self.grid)
            offset = target - base
        changes = edits.duplicate_notes(self._project(), self.selection, offset)
        self.execute(changes, "Duplicate notes")
        self.set_selection(edits.inserted_ids(changes))

    def copy(self) -> None:
        self.clipboard = edits.copy_notes(self._project(), self.selection)
        if self.clipboard:
            self.status(f"Copied {len(self.clipboard.notes)} notes")

    def cut(self) -> None:
        self.copy()
        self.execute(edits.delete_notes(self._project(), self.selection), "Cut notes")

    def paste(self) -> None:
        """The clipboard at the playhead, on the active track."""
        if not self.clipboard or self.active_track is None:
            return
        changes = edits.paste_notes(self._project(), self.clipboard, self.transport.position(),
                                    self.active_track)
        self.execute(changes, "Paste notes")
        self.set_selection(edits.inserted_ids(changes))

    def transpose(self, semitones: int) -> None:
        self.execute(edits.transpose_notes(self._project(), self.selection, semitones), "Transpose")

    def nudge(self, direction: int, by_frame: bool = False) -> None:
        """Move the selection one grid step (or one frame) later (+1) or earlier (-1)."""
        notes = [self._project().notes[i] for i in self.selection if i in self._project().notes]
        if not notes:
            return
        first = min(n.start for n in notes)
        settings = self._project().settings
        if by_frame:
            dt = settings.rate.flicks_per_frame
        else:
            tg = tempo_grid(settings.tempo)
            on_line = tg.at_or_before(first, self.grid)
            if direction > 0:
                dt = tg.after(first, self.grid) - first
            else:
                prev = on_line if on_line < first else tg.at_or_before(first - 1, self.grid)
                dt = first - prev
        self.execute(edits.move_notes(self._project(), self.selection, direction * dt),
                     "Nudge notes")

    def quantize_selection(self) -> None:
        ids = self.selection or set(self.index.track_ids(self.active_track)
                                    if self.active_track is not None else [])
        changes = edits.quantize_notes(self._project(), ids, self._project().settings.tempo,
                                       self.quantize)
        self.execute(changes, "Quantize")
        self.status(f"Quantized {len(changes)} notes to {self.grid.label}")

    # -- the transport ---------------------------------------------------------------------------
    def set_range_marks(self, marks: RangeMarks) -> None:
        """Show these in and out marks in the ruler (Ctrl+drag there sets them)."""
        self.range_marks = marks
        marks.observe(weak_emitter(self._bridge, "marks"))
        self.ruler.update()

    def seek(self, position: int) -> None:
        self.transport.seek(position)

    def _on_transport(self, state: TransportState) -> None:
        if state.loop != self._loop_shown:  # the range is drawn brighter while it loops
            self._loop_shown = state.loop
            self.ruler.update()
        if state.playing and not self._timer.isActive():
            self._timer.start()
        elif not state.playing:
            self._timer.stop()
        self.tick()

    def tick(self) -> None:
        """Move the playhead to the transport's position; scroll when following."""
        pos = self.transport.position()
        old_x = round(self.geo.x_of(self.playhead))
        self.playhead = pos
        shift = self.geo.follow(pos, self.follow)
        if shift and abs(shift) < self.geo.width // 2:
            self._shift_view(shift, old_x - shift)
        elif shift:
            self.refresh()
        else:
            self._update_columns(old_x, round(self.geo.x_of(pos)))

    def _update_columns(self, *xs: int) -> None:
        """Repaint the few pixel columns the playhead leaves and enters."""
        for x in xs:
            if -3 <= x <= self.geo.width + 3:
                for w in self._timed():
                    w.update(QRect(x - 2, 0, 5, w.height()))

    def _shift_view(self, dx: int, old_x: int) -> None:
        """The view moved ``dx`` pixels later: shift what is drawn and draw only what came
        into view (and a margin for the readout labels that reach left of their notes)."""
        margin = 90
        for w in self._timed():
            w.scroll(-dx, 0)
            if dx > 0:
                w.update(QRect(w.width() - dx - margin, 0, dx + margin, w.height()))
            else:
                w.update(QRect(0, 0, -dx + margin, w.height()))
        self.ruler.update(QRect(0, 0, 260, self.ruler.height()))  # cue names held at the left
        self._update_columns(old_x, round(self.geo.x_of(self.playhead)))
        self._sync_bars()
        self.viewChanged.emit()

    def _timed(self) -> list[QWidget]:
        return [self.ruler, self.canvas, self.velocity_lane, self.controller_lane]

    # -- the view -------------------------------------------------------------------------------
    def canvas_resized(self, width: int, height: int) -> None:
        self.geo.width, self.geo.height = width, height
        self.geo.clamp()
        self._sync_bars()

    def refresh(self) -> None:
        """Repaint every part (after a change to the model, the view or the selection)."""
        self._sync_bars()
        for w in (*self._timed(), self.keyboard):
            w.update()
        self.viewChanged.emit()

    def _sync_bars(self) -> None:
        geo = self.geo
        lo, hi = self.index.extent()
        lo = min(lo, geo.t0, 0)
        hi = max(hi + 10 * FLICKS_PER_SECOND, geo.t1)
        for bar, (a, b, page, value) in (
                (self.hbar, (lo / geo.fpp, (hi - geo.width * geo.fpp) / geo.fpp, geo.width,
                             geo.t0 / geo.fpp)),
                (self.vbar, (0, 128 * geo.key_h - geo.height, geo.height,
                             (128 - geo.top) * geo.key_h))):
            bar.blockSignals(True)
            bar.setRange(int(a), max(int(a), int(b)))
            bar.setPageStep(max(int(page), 1))
            bar.setSingleStep(max(int(page) // 20, 1))
            bar.setValue(int(value))
            bar.blockSignals(False)

    def _h_scrolled(self, value: int) -> None:
        self.geo.t0 = round(value * self.geo.fpp)
        self.refresh()

    def _v_scrolled(self, value: int) -> None:
        self.geo.top = 128 - value / self.geo.key_h
        self.geo.clamp()
        self.refresh()

    def zoom_time(self, factor: float, anchor_x: float | None = None) -> None:
        self.geo.zoom_time(factor, anchor_x)
        self.refresh()

    def zoom_pitch(self, factor: float, anchor_y: float | None = None) -> None:
        self.geo.zoom_pitch(factor, anchor_y)
        self.refresh()

    def show_range(self, start: int, end: int) -> None:
        self.geo.show_time(start, end)
        self.refresh()

    def zoom_to_selection(self) -> None:
        notes = [self._project().notes[i] for i in self.selection if i in self._project().notes]
        if not notes:
            return
        self.geo.show_time(min(n.start for n in notes), max(n.end for n in notes))
        self.geo.show_pitches(min(n.pitch for n in notes), max(n.pitch for n in notes))
        self.refresh()

    def zoom_to_cue(self, cue_id: int | None = None) -> None:
        """Fit a cue (by default the one under the playhead, else the next one) in the view."""
        marks, rate = self.index.marks, self._project().settings.rate
        cue = next((c for c in marks.cues if c.id == cue_id), None) if cue_id is not None else None
        if cue is None and cue_id is None:
            frame = rate.flicks_to_frame(self.playhead)
            cue = next((c for c in marks.cues if c.start_frame <= frame < c.end_frame), None) or \
                next((c for c in marks.cues if c.start_frame >= frame), None)
        if cue is None:
            self.status("No cue to zoom to")
            return
        self.show_range(rate.frame_to_flicks(cue.start_frame), rate.frame_to_flicks(cue.end_frame))

    def wheel(self, event: QWheelEvent, x: float | None, y: float | None, zoom: bool = False) -> None:
        """Ctrl+wheel zooms time; Ctrl+Shift+wheel or Alt+wheel zooms pitch; Shift+wheel
        scrolls time; the wheel alone scrolls pitch (time, over the ruler and lanes: zoom)."""
        delta = event.angleDelta()
        amount = delta.y() or delta.x()
        if amount == 0:
            return
        mods = event.modifiers()
        ctrl = bool(mods & Qt.KeyboardModifier.ControlModifier)
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        alt = bool(mods & Qt.KeyboardModifier.AltModifier)
        factor = 1.25 ** (amount / 120)
        if (ctrl and shift) or alt:
            self.zoom_pitch(factor, y)
        elif ctrl or (zoom and not shift):
            self.zoom_time(factor, x)
        elif shift or delta.x():
            self.geo.scroll_x(-amount / 120 * self.geo.width / 10)
            self.refresh()
        else:
            self.geo.scroll_y(-amount / 120 * 3 * self.geo.key_h)
            self.refresh()
        event.accept()

    # -- keys ------------------------------------------------------------------------------------
    def _key_action(self, event: QKeyEvent) -> Callable[[], None] | None:
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        shift = mods == Qt.KeyboardModifier.ShiftModifier
        plain = mods == Qt.KeyboardModifier.NoModifier
        ctrl = mods == Qt.KeyboardModifier.ControlModifier
        K = Qt.Key
        has_sel = bool(self.selection)
        if key in (K.Key_Delete, K.Key_Backspace) and plain and has_sel:
            return self.delete_selection
        if ctrl and key == K.Key_D:
            return self.duplicate_selection
        if ctrl and key == K.Key_A:
            return self.select_all
        if ctrl and key == K.Key_C:
            return self.copy
        if ctrl and key == K.Key_X:
            return self.cut
        if ctrl and key == K.Key_V:
            return self.paste
        if plain and key == K.Key_Q:
            return self.quantize_selection
        if plain and key == K.Key_Escape and has_sel:
            return lambda: self.set_selection(set())
        if plain and key == K.Key_Z:
            return self.zoom_to_selection
        if shift and key == K.Key_Z:
            return self.zoom_to_cue
        if (plain or shift) and key in (K.Key_Up, K.Key_Down) and has_sel:
            step = (12 if shift else 1) * (1 if key == K.Key_Up else -1)
            return lambda: self.transpose(step)
        if (plain or shift) and key in (K.Key_Left, K.Key_Right) and has_sel:
            direction = 1 if key == K.Key_Right else -1
            return lambda: self.nudge(direction, by_frame=shift)
        return None

    def event(self, event: QEvent) -> bool:
        # Keys the roll handles win over the window's shortcuts while the roll has focus.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if self._key_action(event) is not None:
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = self._key_action(event)
        if action is None:
            super().keyPressEvent(event)
            return
        action()
        event.accept()

    def frames_off_readout(self) -> dict[int, int]:
        """What the hit readout shows now: note id -> frames early (-) or late (+), for the
        notes in view that start within ``hit_window`` frames of a hit."""
        rate = self._project().settings.rate
        layers = rp.note_layers(self.index, self.geo, self.track_styles(), self.selection_array(),
                                0, self.geo.width)
        out: dict[int, int] = {}
        for layer in layers:
            starts = layer.notes["start"][layer.rows]
            near, offs = frames_off(starts, self.index.marks.hit_frames, rate, self.hit_window)
            out.update(zip(layer.notes["id"][layer.rows][near].tolist(), offs.tolist()))
        return out

__all__ = ["PianoRoll", "Follow", "SnapMode", "COMMANDS", "Audition"]
