"""The piano roll: notes against the picture's time, edited with the mouse and DAW keys.

    roll = PianoRoll(document, transport, audition=synth_audition)

It observes the document and the transport (through ``bridge``) and never changes the project
except through ``document.execute`` (every edit is one undo step; a drag is one step). What is
edited and how (selection, active track, tool, grid, snapping, the edits, the key commands) is
its ``editor`` (``roll_editor``, no Qt); the widget adds the view: geometry, scrolling and
zoom, following the playhead, and its parts: the ruler (``roll_ruler``), the keyboard
(``roll_keyboard``), the note canvas (``roll_canvas``), the velocity and controller lanes
(``roll_lanes``), drawn by ``roll_paint`` from the index in ``roll_index`` and the geometry in
``roll_view_model``. The parts see the roll through the ``RollHost`` protocol (``roll_host``).

Keys while the roll has focus: Delete/Backspace delete, Ctrl+D duplicate, Ctrl+A select all in
the track, Ctrl+C/X/V copy, cut, paste at the playhead, Q quantize, Up/Down transpose
(Shift: an octave), Left/Right nudge by the grid (Alt: a frame, Ctrl+Alt: a tick), Escape
clear the selection, Z zoom to the selection, Shift+Z zoom to the cue at the playhead, Alt+Z
show every note in use, Ctrl+Shift+Up/Down taller or smaller rows (Ctrl+wheel over the keys).
Left/Right are left to the window (frame steps) when nothing is selected. The window's menus
and the right-click menu (``roll_menu``) run the same commands.

The view opens on the notes in use (their pitches and, up to a few minutes, their times) and
keeps them framed as the window settles until the user scrolls or zooms; a take's notes are
drawn while it is played (``set_live_source``) and scrolled into view when it lands.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QByteArray, QEvent, QKeyCombination, QRect, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QWheelEvent
from PySide6.QtWidgets import QComboBox, QLabel, QVBoxLayout, QWidget

from cuesketch.engine.range_control import RangeControl, RangeState
from cuesketch.engine.transport import Transport, TransportState
from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.document import Document
from cuesketch.model.entities import Note
from cuesketch.model.hit_sync import frames_off
from cuesketch.model.snap import SnapMode
from cuesketch.timing.cues import cue_at
from cuesketch.timing.units import FLICKS_PER_SECOND
from cuesketch.ui import roll_paint as rp
from cuesketch.ui.bridge import DocumentSignals, Relay, TransportSignals
from cuesketch.ui.roll_canvas import NoteCanvas
from cuesketch.ui.roll_editor import Aspect, Command, RollEditor, Tool
from cuesketch.ui.roll_host import RulerLead
from cuesketch.ui.roll_keyboard import Keyboard
from cuesketch.ui.roll_lanes import CONTROLLER_NAMES, ControllerLane, VelocityLane
from cuesketch.ui.roll_layout import (LEFT_PX, LaneSplitter, pitch_zoom_buttons,
                                      row_layout, row_pane, scroll_bars, sync_scroll_bars)
from cuesketch.ui.roll_live import LiveSource, LiveTake
from cuesketch.ui.roll_readout import READOUT_REACH
from cuesketch.ui.roll_paint import TrackStyle
from cuesketch.ui.roll_ruler import Ruler
from cuesketch.ui.roll_toolbar import RollToolbar
from cuesketch.ui.roll_view_model import Follow, RollGeometry
from cuesketch.ui.tempo_lane import TempoLane

Audition = Callable[[int, int], None]  # (pitch, velocity); velocity 0 releases the key
TICK_MS = 15  # the playhead's refresh while playing: a little faster than the display
LIVE_EVERY = 2  # ticks between two looks at the take being recorded
WIDEST_OPEN_FPP = FLICKS_PER_SECOND * 180 / 1000  # opening zooms out to 3 minutes a 1000 px


def _no_audition(pitch: int, velocity: int) -> None:
    pass


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
        self.editor = RollEditor(document, transport.position, self.status)
        self.index = self.editor.index
        self.geo = RollGeometry()
        self.follow = Follow.PAGE
        self.ruler_lead = RulerLead.TIMECODE
        self.hit_window = 4  # frames: the readout shows notes this near a hit
        self.playhead = transport.position()
        self._range_control: RangeControl | None = None  # the in–out range, in the ruler
        self._extra_timed: list[QWidget] = []  # strips added under the ruler
        self.live = LiveTake()  # the take being recorded, drawn as it is played
        self._live_ticks = 0
        self._take_seen = False  # a take was recorded: frame its notes when it lands
        self._fresh = True  # nobody scrolled or zoomed yet: the view frames the notes in use

        self._document_signals = DocumentSignals(document, self, history=False)
        self._document_signals.changed.connect(self._on_changes)
        self._transport_signals = TransportSignals(transport, self)
        self._transport_signals.stateChanged.connect(self._on_transport)
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)

        self._build()
        self.editor.observe(self._editor_changed)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if transport.playing:
            self._timer.start()

    # -- layout --------------------------------------------------------------------------------
    def _build(self) -> None:
        self.toolbar = RollToolbar(self, self)
        self.ruler = Ruler(self, self)
        self.keyboard = Keyboard(self, self)
        self.canvas = NoteCanvas(self, self)
        self.velocity_lane = VelocityLane(self, self)
        self.controller_lane = ControllerLane(self, self)
        self.hbar, self.vbar = scroll_bars(self)
        self.hbar.valueChanged.connect(self._h_scrolled)
        self.vbar.valueChanged.connect(self._v_scrolled)
        self.controller_box = QComboBox(self)
        for c, name in CONTROLLER_NAMES.items():
            self.controller_box.addItem(name, c)
        self.controller_box.currentIndexChanged.connect(
            lambda _i: self.controller_lane.set_controller(self.controller_box.currentData()))
        self.controller_box.setFixedWidth(LEFT_PX)
        vel_label = QLabel("Velocity", self)
        vel_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self.ruler_rows = QVBoxLayout()  # the ruler, and any lane kept above the notes
        self.ruler_rows.setSpacing(0)
        self.ruler_rows.addWidget(self.ruler)
        self.tempo_lane = TempoLane(self, self)  # tempo and meter, under the ruler
        self.add_ruler_row(self.tempo_lane)
        self.lanes = LaneSplitter(self)
        self.lanes.addWidget(row_pane(self, self.keyboard, self.canvas, self.vbar))
        self.lanes.addWidget(row_pane(self, vel_label, self.velocity_lane))
        self.lanes.addWidget(row_pane(self, self.controller_box, self.controller_lane))
        self.lanes.setStretchFactor(0, 1)
        self.lanes.setCollapsible(0, False)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        outer.addWidget(self.toolbar)
        outer.addLayout(row_layout(None, self.ruler_rows))
        self.bands = QVBoxLayout()  # full-width strips over the notes: the film's lanes
        outer.addLayout(self.bands)
        outer.addWidget(self.lanes, 1)
        zoom = pitch_zoom_buttons(self, self.zoom_pitch, self.frame_notes)
        outer.addLayout(row_layout(zoom, self.hbar))
        self.toolbar.show_state()

    def add_ruler_row(self, widget: QWidget, timed: bool = True) -> None:
        """Another strip under the ruler, as wide as the notes (a tempo lane); ``timed``: it
        follows the view in time like the ruler (scrolled and repainted with it)."""
        self.ruler_rows.addWidget(widget)
        if timed:
            self._extra_timed.append(widget)

    def add_band(self, widget: QWidget, timed: Sequence[QWidget]) -> None:
        """A full-width strip (names at the left) between the ruler and the notes; its
        ``timed`` parts follow the view in time like the ruler."""
        self.bands.addWidget(widget)
        self._extra_timed.extend(timed)

    def lane_state(self) -> QByteArray:
        """The lanes' heights (and which are folded away), for the window to keep."""
        return self.lanes.saveState()

    def restore_lane_state(self, state: QByteArray) -> bool:
        return self.lanes.restoreState(state)

    # -- what the window and the parts read ------------------------------------------------------
    @property
    def selection(self) -> set[int]:
        return self.editor.selection

    @property
    def active_track(self) -> int | None:
        return self.editor.active_track

    def set_active_track(self, track_id: int | None) -> None:
        self.editor.set_active_track(track_id)

    def track_styles(self) -> list[TrackStyle]:
        """Every track's look, in drawing order: the others first, the active track last."""
        active = self.editor.active_track
        tracks = self.document.project.sorted_tracks()
        styles = [TrackStyle.of(t.id, t.color, t.id == active) for t in tracks
                  if t.id != active]
        styles += [TrackStyle.of(t.id, t.color, True) for t in tracks if t.id == active]
        return styles

    def status(self, text: str) -> None:
        self.statusMessage.emit(text)

    def _on_changes(self, changes: Sequence[Change]) -> None:
        self.editor.apply(changes)
        if self._take_seen:
            landed = [c.after for c in changes if isinstance(c, EntityChange)
                      and c.before is None and isinstance(c.after, Note)]
            if landed:
                self._take_seen = False
                self.geo.ensure_pitches(min(n.pitch for n in landed),
                                        max(n.pitch for n in landed))
        self.refresh()

    def _editor_changed(self, aspect: Aspect) -> None:
        if aspect & Aspect.SELECTION:
            self.selectionChanged.emit()
        if aspect & Aspect.TRACK and self.editor.active_track is not None:
            self.activeTrackChanged.emit(self.editor.active_track)
        if aspect & Aspect.SETTINGS:
            self.toolbar.show_state()
        self.refresh()

    # -- view settings ---------------------------------------------------------------------------
    def set_follow(self, mode: Follow) -> None:
        """Follow playback by pages, continuously, or not (``Follow.OFF``)."""
        self.follow = mode
        self.toolbar.show_state()

    def set_ruler_lead(self, lead: RulerLead) -> None:
        """Timecode or bars on the ruler's top row."""
        self.ruler_lead = lead
        self.toolbar.show_state()
        self.ruler.update()

    # -- the transport ---------------------------------------------------------------------------
    def set_range(self, control: RangeControl) -> None:
        """Show this controller's in and out marks (brighter while they loop); Ctrl+drag in
        the ruler sets them."""
        self._range_control = control
        Relay(control.observe, self).fired.connect(self._range_changed)
        self._range_changed(control.state)

    @property
    def range(self) -> RangeState | None:
        return self._range_control.state if self._range_control is not None else None

    def mark_range(self, start: int, end: int) -> None:
        if self._range_control is not None:
            self._range_control.marks.set(start, end)

    def _range_changed(self, _state: object) -> None:
        self.ruler.update()
        self.canvas.update()

    def seek(self, position: int) -> None:
        self.transport.seek(position)

    def _on_transport(self, state: TransportState) -> None:
        self._take_seen = self._take_seen or state.recording
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
        if shift:
            self._fresh = False
        if shift and abs(shift) < self.geo.width // 2:
            self._shift_view(shift, old_x - shift)
        elif shift:
            self.refresh()
        else:
            self._update_columns(old_x, round(self.geo.x_of(pos)))
        self._live_ticks += 1
        if self._live_ticks >= LIVE_EVERY or not self.transport.playing:
            self._live_ticks = 0
            self.poll_live()

    # -- the take being recorded -----------------------------------------------------------------
    def set_live_source(self, source: LiveSource | None) -> None:
        """Where the notes of the take being played come from (the recorder's
        ``live_notes``): looked at on the repaint timer while playing."""
        self.live.source = source

    def poll_live(self) -> None:
        """Draw what changed in the take since the last look; a note played outside the view
        scrolls it into view."""
        if self.transport.recording:
            self._take_seen = True
        damage = self.live.look(self.geo)
        if damage is None:
            self.refresh()
        else:
            for rect in damage:
                self.canvas.update(rect)

    def _update_columns(self, *xs: int) -> None:
        """Repaint the few pixel columns the playhead leaves and enters."""
        for x in xs:
            if -3 <= x <= self.geo.width + 3:
                for w in self._timed():
                    w.update(QRect(x - 2, 0, 5, w.height()))

    def _shift_view(self, dx: int, old_x: int) -> None:
        """The view moved ``dx`` pixels later: shift what is drawn and draw only what came
        into view (and a margin for the readout labels that reach left of their notes)."""
        fpf = self.document.project.settings.rate.flicks_per_frame
        margin = max(90, round(READOUT_REACH + self.hit_window * fpf / self.geo.fpp))
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
        return [self.ruler, *self._extra_timed, self.canvas, self.velocity_lane,
                self.controller_lane]

    # -- the view -------------------------------------------------------------------------------
    def canvas_resized(self, width: int, height: int) -> None:
        self.geo.width, self.geo.height = width, height
        self.geo.clamp()
        if self._fresh:
            self._frame(times=True)
        self._sync_bars()

    def frame_notes(self, times: bool = True) -> None:
        """Show every note in use: their pitches (C4 when there are none) and, when they span
        no more than a few minutes, their times."""
        self._fresh = False
        self._frame(times)
        self.refresh()

    def _frame(self, times: bool) -> None:
        used = self.index.notes_extent()
        if used is None:
            self.geo.frame_pitches(48, 72, margin=1, largest=self.geo.key_h)  # C3 to C5
            return
        low, high, start, end = used
        self.geo.frame_pitches(low, high)
        if times:
            self.geo.frame_times(start, end, WIDEST_OPEN_FPP)

    def refresh(self) -> None:
        """Repaint every part (after a change to the model, the view or the selection)."""
        self._sync_bars()
        for w in (*self._timed(), self.keyboard):
            w.update()
        self.viewChanged.emit()

    def _sync_bars(self) -> None:
        sync_scroll_bars(self.hbar, self.vbar, self.geo, self.index.extent())

    def _h_scrolled(self, value: int) -> None:
        self._fresh = False
        self.geo.t0 = round(value * self.geo.fpp)
        self.refresh()

    def _v_scrolled(self, value: int) -> None:
        self._fresh = False
        self.geo.top = 128 - value / self.geo.key_h
        self.geo.clamp()
        self.refresh()

    def zoom_time(self, factor: float, anchor_x: float | None = None) -> None:
        self._fresh = False
        self.geo.zoom_time(factor, anchor_x)
        self.refresh()

    def zoom_pitch(self, factor: float, anchor_y: float | None = None) -> None:
        self._fresh = False
        self.geo.zoom_pitch(factor, anchor_y)
        self.refresh()

    def show_range(self, start: int, end: int) -> None:
        self._fresh = False
        self.geo.show_time(start, end)
        self.refresh()

    def zoom_to_selection(self) -> None:
        notes = self.editor.selected_notes()
        if not notes:
            return
        self._fresh = False
        self.geo.show_time(min(n.start for n in notes), max(n.end for n in notes))
        self.geo.show_pitches(min(n.pitch for n in notes), max(n.pitch for n in notes))
        self.refresh()

    def zoom_to_cue(self, cue_id: int | None = None) -> None:
        """Fit a cue (by default the one under the playhead, else the next one) in the view."""
        marks, rate = self.index.marks, self.document.project.settings.rate
        cue = next((c for c in marks.cues if c.id == cue_id), None) if cue_id is not None else None
        if cue is None and cue_id is None:
            frame = rate.flicks_to_frame(self.playhead)
            cue = cue_at(marks.cues, frame) or \
                next((c for c in marks.cues if c.start_frame >= frame), None)
        if cue is None:
            self.status("No cue to zoom to")
            return
        self.show_range(rate.frame_to_flicks(cue.start_frame), rate.frame_to_flicks(cue.end_frame))

    def wheel(self, event: QWheelEvent, x: float | None, y: float | None, zoom: bool = False) -> None:
        """Ctrl+wheel zooms time (over the keys: pitch); Ctrl+Shift+wheel or Alt+wheel zooms
        pitch; Shift+wheel scrolls time; the wheel alone scrolls pitch (time, over the ruler
        and lanes: zoom)."""
        delta = event.angleDelta()
        amount = delta.y() or delta.x()
        if amount == 0:
            return
        self._fresh = False
        if x is None and y is not None and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self.zoom_pitch(1.25 ** (amount / 120), y)  # over the keyboard
            event.accept()
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
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = QKeySequence(QKeyCombination(mods, Qt.Key(event.key()))).toString()
        view = VIEW_KEYS.get(key)
        if view is not None:
            return lambda: view(self)
        command = self.editor.command_for(key)
        if command is None:
            return None
        return lambda: self.perform(command)

    def perform(self, command: Command) -> None:
        """A roll command (the keys, a window's menu): the editor's, or the view's zooms."""
        if command is Command.ZOOM_SELECTION:
            self.zoom_to_selection()
        elif command is Command.ZOOM_CUE:
            self.zoom_to_cue()
        else:
            self.editor.perform(command)

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
        rate = self.document.project.settings.rate
        layers = rp.note_layers(self.index, self.geo, self.track_styles(),
                                self.editor.selection_array(), 0, self.geo.width)
        out: dict[int, int] = {}
        for layer in layers:
            starts = layer.notes["start"][layer.rows]
            near, offs = frames_off(starts, self.index.marks.hit_frames, rate, self.hit_window)
            out.update(zip(layer.notes["id"][layer.rows][near].tolist(), offs.tolist()))
        return out


VIEW_KEYS: dict[str, Callable[[PianoRoll], None]] = {
    "Ctrl+Shift+Up": lambda roll: roll.zoom_pitch(1.25),
    "Ctrl+Shift+Down": lambda roll: roll.zoom_pitch(1 / 1.25),
    "Alt+Z": lambda roll: roll.frame_notes(),
}
VIEW_KEY_NAMES = {"Ctrl+Shift+Up": "Taller rows (zoom pitch in)",
                  "Ctrl+Shift+Down": "Smaller rows (zoom pitch out)",
                  "Alt+Z": "Show every note in use"}

__all__ = ["PianoRoll", "Follow", "SnapMode", "Tool", "RulerLead", "Audition"]
