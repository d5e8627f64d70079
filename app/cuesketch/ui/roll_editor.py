"""The piano roll's editing without Qt: the selection, the active track, the tool, the grid and
snapping, the edits on the selection (with their grid arithmetic) and the key commands.

    editor = RollEditor(document, position=transport.position, tell=say)
    document.observe(editor.apply)           # the roll does this through the Qt bridge
    editor.set_selection({3, 4})
    editor.perform(editor.command_for("Ctrl+D"))   # duplicate onto the next grid line

The roll's widgets read and change the roll only through this object and the small
``RollHost`` protocol (``roll_host``). Every edit goes through ``document.execute``, one undo
step each. Listeners hear which aspect changed (``Aspect``) on the thread that changed it.
Nothing here imports Qt: a test drives it without a window.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Protocol

import numpy as np
import numpy.typing as npt

from cuesketch.model import edits
from cuesketch.model.changes import Change, EntityChange
from cuesketch.model.document import Document, Gesture
from cuesketch.model.entities import Note, Track
from cuesketch.model.grid import Grid, tempo_grid
from cuesketch.model.project import Project
from cuesketch.model.snap import SnapMode, Snapper
from cuesketch.timing.position import tempo_at as tempo_in_force
from cuesketch.timing.tempo import PPQ, TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND
from cuesketch.ui.roll_index import RollIndex

HIT_REACH_PX = 8  # how near (pixels) a hit pulls an edit when snapping to hits


class Tool(enum.Enum):
    DRAW = "draw"  # a click or drag in empty space draws a note
    SELECT = "select"  # a drag in empty space draws a rubber band


class Aspect(enum.Flag):
    """What changed, for the editor's listeners."""

    SELECTION = enum.auto()
    TRACK = enum.auto()  # the active track
    SETTINGS = enum.auto()  # tool, grid, snapping, quantize
    CLIPBOARD = enum.auto()  # notes were copied


class Command(enum.Enum):
    DELETE = "delete"
    DUPLICATE = "duplicate"
    SELECT_ALL = "select all"
    COPY = "copy"
    CUT = "cut"
    PASTE = "paste"
    QUANTIZE = "quantize"
    CLEAR_SELECTION = "clear selection"
    ZOOM_SELECTION = "zoom to selection"  # the view's: the roll does it
    ZOOM_CUE = "zoom to cue"  # the view's
    UP = "up a semitone"
    DOWN = "down a semitone"
    OCTAVE_UP = "up an octave"
    OCTAVE_DOWN = "down an octave"
    LATER = "a grid step later"
    EARLIER = "a grid step earlier"
    FRAME_LATER = "a frame later"
    FRAME_EARLIER = "a frame earlier"
    TICK_LATER = "a tick later"
    TICK_EARLIER = "a tick earlier"


class Step(enum.Enum):
    """What a nudge moves the selection by."""

    GRID = "a grid step"
    FRAME = "a frame"
    TICK = "a tick"  # 1/960 of a quarter note at the tempo there


# Keys while the roll has focus (Qt's portable key text). Delete, Escape, the arrows need a
# selection: without one, the arrows are left to the window (frame and second steps).
# Alt+arrows nudge by a frame, Ctrl+Alt+arrows by a tick; Shift+arrows stay the window's
# one-second steps.
KEYS: dict[str, Command] = {
    "Del": Command.DELETE, "Backspace": Command.DELETE, "Ctrl+D": Command.DUPLICATE,
    "Ctrl+A": Command.SELECT_ALL, "Ctrl+C": Command.COPY, "Ctrl+X": Command.CUT,
    "Ctrl+V": Command.PASTE, "Q": Command.QUANTIZE, "Esc": Command.CLEAR_SELECTION,
    "Z": Command.ZOOM_SELECTION, "Shift+Z": Command.ZOOM_CUE,
    "Up": Command.UP, "Down": Command.DOWN, "Shift+Up": Command.OCTAVE_UP,
    "Shift+Down": Command.OCTAVE_DOWN, "Right": Command.LATER, "Left": Command.EARLIER,
    "Alt+Right": Command.FRAME_LATER, "Alt+Left": Command.FRAME_EARLIER,
    "Ctrl+Alt+Right": Command.TICK_LATER, "Ctrl+Alt+Left": Command.TICK_EARLIER,
}
NUDGES: dict[Command, tuple[int, Step]] = {
    Command.LATER: (1, Step.GRID), Command.EARLIER: (-1, Step.GRID),
    Command.FRAME_LATER: (1, Step.FRAME), Command.FRAME_EARLIER: (-1, Step.FRAME),
    Command.TICK_LATER: (1, Step.TICK), Command.TICK_EARLIER: (-1, Step.TICK),
}
TRANSPOSES: dict[Command, int] = {
    Command.UP: 1, Command.DOWN: -1, Command.OCTAVE_UP: 12, Command.OCTAVE_DOWN: -12}
NEEDS_SELECTION = frozenset({
    Command.DELETE, Command.CLEAR_SELECTION, Command.COPY, Command.CUT, Command.DUPLICATE,
    *TRANSPOSES, *NUDGES})
VIEW_COMMANDS = frozenset({Command.ZOOM_SELECTION, Command.ZOOM_CUE})

# The window's actions (``ui/actions.py`` names them) that are the roll's commands.
ACTION_COMMANDS: dict[str, Command] = {
    "edit.cut": Command.CUT, "edit.copy": Command.COPY, "edit.paste": Command.PASTE,
    "edit.duplicate": Command.DUPLICATE, "edit.delete": Command.DELETE,
    "edit.select_all": Command.SELECT_ALL, "edit.select_none": Command.CLEAR_SELECTION,
    "edit.quantize": Command.QUANTIZE,
    "edit.transpose_up": Command.UP, "edit.transpose_down": Command.DOWN,
    "edit.octave_up": Command.OCTAVE_UP, "edit.octave_down": Command.OCTAVE_DOWN,
    "edit.nudge_later": Command.LATER, "edit.nudge_earlier": Command.EARLIER,
    "edit.frame_later": Command.FRAME_LATER, "edit.frame_earlier": Command.FRAME_EARLIER,
    "edit.tick_later": Command.TICK_LATER, "edit.tick_earlier": Command.TICK_EARLIER,
    "view.zoom_selection": Command.ZOOM_SELECTION, "view.zoom_cue": Command.ZOOM_CUE,
}

def _silent(text: str) -> None:
    pass


class Clipboard(Protocol):
    """Where copied notes are kept: the editor's own memory, or the system's clipboard."""

    def put(self, clip: edits.Clip) -> None: ...

    def get(self) -> edits.Clip: ...


class MemoryClipboard:
    def __init__(self) -> None:
        self.clip = edits.Clip((), 0)

    def put(self, clip: edits.Clip) -> None:
        self.clip = clip

    def get(self) -> edits.Clip:
        return self.clip


class RollEditor:
    def __init__(self, document: Document, position: Callable[[], int] = lambda: 0,
                 tell: Callable[[str], None] = _silent, index: RollIndex | None = None) -> None:
        """``position``: the playhead (paste lands there); ``tell``: what to say to the user."""
        self.document = document
        self.position = position
        self.tell = tell
        self.index = index if index is not None else RollIndex(document.project)
        self.tool = Tool.DRAW
        self.grid: Grid = Grid.parse("1/16")
        self.snap_mode = SnapMode.GRID
        self.quantize = edits.Quantize(self.grid)
        self.draw_velocity = 100
        self.selection: set[int] = set()
        self._selection_array: npt.NDArray[np.int64] | None = None
        self.clipboard_store: Clipboard = MemoryClipboard()
        self._last_length: int | None = None
        self._listeners: list[Callable[[Aspect], None]] = []
        tracks = document.project.sorted_tracks()
        self.active_track: int | None = tracks[0].id if tracks else None

    @property
    def project(self) -> Project:
        return self.document.project

    @property
    def clipboard(self) -> edits.Clip:
        """The notes Paste would paste."""
        return self.clipboard_store.get()

    def observe(self, listener: Callable[[Aspect], None]) -> Callable[[], None]:
        """Hear what changed; call what is returned to stop."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def _changed(self, aspect: Aspect) -> None:
        for listener in list(self._listeners):
            listener(aspect)

    # -- the model -------------------------------------------------------------------------------
    def execute(self, changes: Sequence[Change], label: str) -> bool:
        """One undo step (or part of the open drag's); False if nothing was done."""
        if not changes:
            return False
        try:
            self.document.execute_changes(changes, label)
        except PermissionError as e:
            self.tell(str(e))
            return False
        return True

    def begin(self, label: str) -> Gesture:
        """Open a drag: what is executed until ``finish`` shows at once, and becomes one undo
        step and one write to the project file at the end."""
        return self.document.begin(label)

    def finish(self, gesture: Gesture) -> None:
        """Close a drag (the mouse was released); if the project file refuses it, the drag is
        taken back and said."""
        try:
            gesture.commit()
        except Exception as e:  # the store's error, whatever it is: the drag is undone
            self.tell(f"{gesture.label}: could not be saved ({e})")

    def apply(self, changes: Sequence[Change]) -> None:
        """The document changed: the index follows; deleted notes leave the selection; a
        deleted active track gives way to the first one."""
        self.index.apply(changes)
        gone = {c.id for c in changes if isinstance(c, EntityChange) and c.kind is Note
                and c.after is None}
        if gone & self.selection:
            self.set_selection(self.selection - gone)
        if any(isinstance(c, EntityChange) and c.kind is Track for c in changes):
            if self.active_track not in self.project.tracks:
                tracks = self.project.sorted_tracks()
                self.set_active_track(tracks[0].id if tracks else None)

    # -- selection and tracks --------------------------------------------------------------------
    def set_selection(self, ids: Iterable[int]) -> None:
        ids = set(ids)
        if ids != self.selection:
            self.selection = ids
            self._selection_array = None
            self._changed(Aspect.SELECTION)

    def selection_array(self) -> npt.NDArray[np.int64]:
        if self._selection_array is None:
            self._selection_array = np.fromiter(self.selection, np.int64, len(self.selection))
        return self._selection_array

    def selected_notes(self) -> list[Note]:
        notes = self.project.notes
        return [notes[i] for i in self.selection if i in notes]

    def set_active_track(self, track_id: int | None) -> None:
        if track_id == self.active_track:
            return
        self.active_track = track_id
        self.set_selection(set())
        self._changed(Aspect.TRACK)

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
    def set_tool(self, tool: Tool) -> None:
        self.tool = tool
        self._changed(Aspect.SETTINGS)

    def set_grid(self, grid: Grid) -> None:
        self.grid = grid
        self._last_length = None
        self.quantize = replace(self.quantize, grid=grid)
        self._changed(Aspect.SETTINGS)

    def set_snap(self, mode: SnapMode) -> None:
        self.snap_mode = mode
        self._changed(Aspect.SETTINGS)

    def set_quantize(self, q: edits.Quantize) -> None:
        """Strength, swing and ends for Q (the grid is the roll's)."""
        self.quantize = replace(q, grid=self.grid)
        self._changed(Aspect.SETTINGS)

    # -- grid arithmetic -------------------------------------------------------------------------
    def snapper(self, fpp: float) -> Snapper:
        """Where edits land at this zoom (``fpp``: flicks per pixel; hits pull from a few
        pixels away)."""
        settings = self.project.settings
        return Snapper.of_hits(self.snap_mode, self.grid, settings.tempo, settings.rate,
                               (h.frame for h in self.index.marks.hits),
                               round(HIT_REACH_PX * fpp), self.quantize.swing, self.tempo_at)

    def tempo_at(self, position: int) -> TempoMap:
        """The tempo map in force at a position: a cue's own inside the cue, else the
        project's (the grid, snapping, nudges and quantize all count by it)."""
        return tempo_in_force(position, self.project.settings, self.project.cues.values())

    def draw_length(self, start: int) -> int:
        """A drawn note's length: the last one drawn or resized, else one grid step."""
        if self._last_length is not None:
            return self._last_length
        return self.min_length(start)

    def min_length(self, start: int) -> int:
        if self.snap_mode is SnapMode.GRID:
            return tempo_grid(self.tempo_at(start)).step_at(start, self.grid)
        if self.snap_mode is SnapMode.OFF:
            return FLICKS_PER_SECOND // 100
        return self.project.settings.rate.flicks_per_frame

    def remember_length(self, length: int) -> None:
        self._last_length = length

    # -- edits on the selection ------------------------------------------------------------------
    def delete_selection(self) -> None:
        self.execute(edits.delete_notes(self.project, self.selection), "Delete notes")

    def duplicate_selection(self) -> None:
        notes = self.selected_notes()
        if not notes:
            return
        start, end = min(n.start for n in notes), max(n.end for n in notes)
        offset = end - start
        if self.snap_mode is SnapMode.GRID:  # the copy starts on the grid line after the end
            tg = tempo_grid(self.tempo_at(start))
            base = tg.at_or_before(start, self.grid)
            target = end if tg.at_or_before(end, self.grid) == end else tg.after(end, self.grid)
            offset = target - base
        changes = edits.duplicate_notes(self.project, self.selection, offset)
        self.execute(changes, "Duplicate notes")
        self.set_selection(edits.inserted_ids(changes))

    def copy(self) -> None:
        clip = edits.copy_notes(self.project, self.selection)
        if not clip:
            return
        self.clipboard_store.put(clip)
        self.tell(f"Copied {_count(len(clip.notes))}")
        self._changed(Aspect.CLIPBOARD)

    def cut(self) -> None:
        clip = edits.copy_notes(self.project, self.selection)
        if not clip:
            return
        if self.execute(edits.delete_notes(self.project, self.selection), "Cut notes"):
            self.clipboard_store.put(clip)
            self.tell(f"Cut {_count(len(clip.notes))}")
            self._changed(Aspect.CLIPBOARD)

    def paste(self) -> None:
        """The clipboard at the playhead, on the active track: one undo step; the pasted notes
        become the selection."""
        if self.active_track is None:
            self.tell("Choose a track to paste on")
            return
        try:
            clip = self.clipboard
        except ValueError as e:  # the system's clipboard held something damaged
            self.tell(f"Nothing pasted: {e}")
            return
        if not clip:
            self.tell("Nothing to paste: copy some notes first")
            return
        changes = edits.paste_notes(self.project, clip, self.position(), self.active_track)
        if self.execute(changes, "Paste notes"):
            self.set_selection(edits.inserted_ids(changes))
            self.tell(f"Pasted {_count(len(changes))} at the playhead")

    def transpose(self, semitones: int) -> None:
        """The selection up (+) or down (-) by semitones, one undo step; a chord at the edge of
        the keyboard stops there whole."""
        notes = self.selected_notes()
        if not notes or semitones == 0:
            return
        if not self.execute(edits.transpose_notes(self.project, self.selection, semitones),
                            "Transpose"):
            way = "top" if semitones > 0 else "bottom"
            self.tell(f"The notes are at the {way} of the keyboard already")

    def nudge_step(self, direction: int, step: Step) -> int:
        """How far (flicks) a nudge moves the selection later (+1) or earlier (-1), counted
        from its first note: to the next or previous grid line, by one frame, or by one tick
        at the tempo where it starts."""
        notes = self.selected_notes()
        if not notes:
            return 0
        first = min(n.start for n in notes)
        settings = self.project.settings
        if step is Step.FRAME:
            return direction * settings.rate.flicks_per_frame
        tempo = self.tempo_at(first)
        if step is Step.TICK:
            beat = tempo.flicks_to_beat(first)
            return tempo.beat_to_flicks(beat + Fraction(direction, PPQ)) - first
        tg = tempo_grid(tempo)
        if direction > 0:
            return tg.after(first, self.grid) - first
        on_line = tg.at_or_before(first, self.grid)
        prev = on_line if on_line < first else tg.at_or_before(first - 1, self.grid)
        return prev - first

    def nudge(self, direction: int, step: Step = Step.GRID) -> None:
        """Move the selection one step later (+1) or earlier (-1): one undo step each."""
        dt = self.nudge_step(direction, step)
        if dt:
            self.execute(edits.move_notes(self.project, self.selection, dt),
                         f"Nudge notes by {step.value}")

    def quantize_selection(self) -> None:
        """Q: the selection, or with none the whole active track."""
        ids = self.selection or set(self.index.track_ids(self.active_track)
                                    if self.active_track is not None else [])
        changes = edits.quantize_notes(self.project, ids, self.tempo_at, self.quantize)
        self.execute(changes, "Quantize")
        self.tell(f"Quantized {_count(len(changes))} to {self.grid.label}")

    # -- key commands ----------------------------------------------------------------------------
    def available(self, command: Command) -> bool:
        """Whether a command would do something now (a menu greys it out if not)."""
        if command in NEEDS_SELECTION:
            return bool(self.selection)
        if command is Command.PASTE:
            return self.active_track is not None
        if command in (Command.SELECT_ALL, Command.QUANTIZE):
            return bool(self.selection) or (self.active_track is not None and
                                            len(self.index.track_ids(self.active_track)) > 0)
        if command is Command.ZOOM_SELECTION:
            return bool(self.selection)
        return True

    def command_for(self, key: str) -> Command | None:
        """The command a key does now (``"Ctrl+D"``, ``"Shift+Left"``), if any."""
        command = KEYS.get(key)
        if command in NEEDS_SELECTION and not self.selection:
            return None
        return command

    def perform(self, command: Command) -> bool:
        """Do an editing command; False for the view's own (zooming), left to the roll."""
        if command in VIEW_COMMANDS:
            return False
        steps: dict[Command, Callable[[], None]] = {
            Command.DELETE: self.delete_selection,
            Command.DUPLICATE: self.duplicate_selection,
            Command.SELECT_ALL: self.select_all,
            Command.COPY: self.copy,
            Command.CUT: self.cut,
            Command.PASTE: self.paste,
            Command.QUANTIZE: self.quantize_selection,
            Command.CLEAR_SELECTION: lambda: self.set_selection(()),
        }
        if command in TRANSPOSES:
            self.transpose(TRANSPOSES[command])
        elif command in NUDGES:
            self.nudge(*NUDGES[command])
        else:
            steps[command]()
        return True


def _count(n: int) -> str:
    return "1 note" if n == 1 else f"{n} notes"
