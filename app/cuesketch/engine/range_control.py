"""The in–out range and what it is for: looping it, punching in and out over it, and how a take
is recorded (record mode, count-in). Plain Python beside ``RecordSession``: the Transport
menu's actions only show its state (checked or not) and call its methods, and a test drives it
without a window.

    control = RangeControl(document, transport, marks, session)
    control.mark_in()                 # at the playhead, on a frame; returns what to say
    control.set_loop(True)            # the range; with none marked, the cue under the playhead
    control.observe(show)             # show(control.state) after every change; returns a
                                      # handle that stops it

With no range marked, loop and punch take the cue under the playhead (and mark it), so one key
still loops the cue being written. While loop or punch is on, moving a mark moves what they
cover; clearing the range ends them. Recording loop takes switches the loop on first
(``record``). Every method runs on the thread that owns the marks (the GUI thread) and
returns the sentence to tell the user (``None``: nothing to say).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from cuesketch.engine.range_marks import RangeMarks
from cuesketch.engine.recorder import RecordMode, RecordOptions, count_in_flicks
from cuesketch.engine.session import RecordSession
from cuesketch.engine.transport import Transport
from cuesketch.model.document import Document
from cuesketch.timing.cues import cue_at
from cuesketch.timing.position import tempo_at
from cuesketch.timing.timecode import format_timecode


class Mark(enum.Enum):
    IN = "in"
    OUT = "out"


@dataclass(frozen=True)
class RangeState:
    """What the Transport menu shows: the marks, and which of loop, punch, count-in and record
    mode are on."""

    in_at: int | None = None
    out_at: int | None = None
    loop: bool = False
    punch: bool = False
    count_in: bool = False
    mode: RecordMode = RecordMode.REPLACE

    @property
    def range(self) -> tuple[int, int] | None:
        if self.in_at is None or self.out_at is None:
            return None
        return self.in_at, self.out_at


Listener = Callable[[RangeState], None]


class RangeControl:
    def __init__(self, document: Document, transport: Transport,
                 marks: RangeMarks | None = None, session: RecordSession | None = None) -> None:
        """``session``: where punch, mode and count-in go (its ``options``); without one they
        are only kept here."""
        self.document = document
        self.transport = transport
        self.marks = marks if marks is not None else RangeMarks()
        self.session = session
        self._loop = False
        self._punch = False
        self._count_in = False
        self._mode = session.options.mode if session is not None else RecordMode.REPLACE
        self._listeners: list[Listener] = []
        self.marks.observe(self._marks_moved)

    # -- state ---------------------------------------------------------------------------------
    @property
    def state(self) -> RangeState:
        return RangeState(self.marks.in_at, self.marks.out_at, self._loop, self._punch,
                          self._count_in, self._mode)

    def observe(self, listener: Listener) -> Callable[[], None]:
        """Hear every change of ``state``; call what is returned to stop."""
        self._listeners.append(listener)

        def stop() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)
        return stop

    def _changed(self) -> None:
        state = self.state
        for listener in list(self._listeners):
            listener(state)

    # -- the marks -------------------------------------------------------------------------------
    def mark_in(self) -> str:
        self.marks.set_in(self._on_frame(self.transport.position()))
        return f"In at {self._tc(self.marks.in_at or 0)}" + self._with_range()

    def mark_out(self) -> str:
        self.marks.set_out(self._on_frame(self.transport.position()))
        return f"Out at {self._tc(self.marks.out_at or 0)}" + self._with_range()

    def range_to_cue(self) -> str:
        found = self._current_cue()
        if found is None:
            return "The playhead is in no cue"
        self.marks.set(*found[1])
        return f"Range: {found[0]}, {self.described()}"

    def range_to_notes(self, note_ids: Iterable[int]) -> str:
        """The whole frames around these notes (the roll's selection)."""
        notes = self.document.project.notes
        chosen = [notes[i] for i in note_ids if i in notes]
        if not chosen:
            return "No notes are selected"
        start = min(n.start for n in chosen)
        end = max(n.end for n in chosen)
        fpf = self.document.project.settings.rate.flicks_per_frame
        self.marks.set(start // fpf * fpf, -(-end // fpf) * fpf)
        return f"Range: the {len(chosen)} selected notes, {self.described()}"

    def clear(self) -> str:
        self.marks.clear()
        return "Range cleared"

    def go_to(self, which: Mark) -> str | None:
        at = self.marks.in_at if which is Mark.IN else self.marks.out_at
        if at is None:
            return f"There is no {which.value} mark"
        self.transport.seek(at)
        return None

    def described(self) -> str:
        r = self.marks.range
        return f"{self._tc(r[0])} – {self._tc(r[1])}" if r else "no range"

    # -- loop, punch and how a take is recorded ------------------------------------------------
    def set_loop(self, on: bool) -> str:
        """Loop the range (else the cue under the playhead, marked), or stop looping."""
        if not on:
            self._loop = False
            self.transport.set_loop(None)
            self._changed()
            return "Loop off"
        r = self._the_range("loop")
        if isinstance(r, str):
            return r
        self._loop = True
        self.transport.set_loop(r)
        self._changed()
        return f"Looping {self.described()}"

    def set_punch(self, on: bool) -> str:
        """Record only inside the range (else the cue under the playhead, marked), or
        everywhere again."""
        if not on:
            self._punch = False
            self._options(lambda o: replace(o, punch=None))
            self._changed()
            return "Punch off"
        r = self._the_range("punch in")
        if isinstance(r, str):
            return r
        self._punch = True
        self._options(lambda o: replace(o, punch=r))
        self._changed()
        return f"Punch in and out over {self.described()}: only that range is recorded"

    def set_mode(self, mode: RecordMode) -> str:
        self._mode = mode
        self._options(lambda o: replace(o, mode=mode))
        self._changed()
        return f"Record mode: {mode.value}"

    def set_count_in(self, on: bool) -> str:
        """One bar of the meter and tempo at the playhead before a take, or none."""
        self._count_in = on
        at = self.transport.position()
        project = self.document.project
        flicks = count_in_flicks(tempo_at(at, project.settings, project.cues.values()), at,
                                 1 if on else 0)
        self._options(lambda o: replace(o, count_in=flicks))
        self._changed()
        return "Count-in: one bar" if on else "Count-in off"

    def record(self) -> str | None:
        """R: start a take or land it. Loop takes go round the range: with the loop off, R
        switches it on first (the marked range, else the cue under the playhead)."""
        session = self.session
        if session is None:
            return None
        if not session.recorder.active and self._mode is RecordMode.LOOP and not self._loop:
            said = self.set_loop(True)
            if not self._loop:
                return said  # nothing to loop over
        return session.toggle()

    # -- inside ----------------------------------------------------------------------------------
    def _marks_moved(self, marks: RangeMarks) -> None:
        """Loop and punch cover the range as it moves; with no range they end."""
        r = marks.range
        if self._loop:
            self.transport.set_loop(r)
            self._loop = r is not None
        if self._punch:
            self._options(lambda o: replace(o, punch=r))
            self._punch = r is not None
        self._changed()

    def _the_range(self, what: str) -> tuple[int, int] | str:
        """The marked range; else the cue under the playhead, marked; else why there is none."""
        if self.marks.range is not None:
            return self.marks.range
        found = self._current_cue()
        if found is None:
            return (f"No range is marked and the playhead is in no cue: nothing to {what} "
                    "(mark in and out with I and O)")
        self.marks.set(*found[1])
        assert self.marks.range is not None
        return self.marks.range

    def _options(self, change: Callable[[RecordOptions], RecordOptions]) -> None:
        if self.session is not None:
            self.session.options = change(self.session.options)

    def _current_cue(self) -> tuple[str, tuple[int, int]] | None:
        rate = self.document.project.settings.rate
        frame = rate.flicks_to_frame(self.transport.position())
        cue = cue_at(self.document.project.cues.values(), frame)
        if cue is None:
            return None
        return cue.name, (rate.frame_to_flicks(cue.start_frame), rate.frame_to_flicks(cue.end_frame))

    def _on_frame(self, t: int) -> int:
        rate = self.document.project.settings.rate
        return rate.frame_to_flicks(rate.nearest_frame(t))

    def _tc(self, t: int) -> str:
        s = self.document.project.settings
        return format_timecode(s.start_frame + s.rate.flicks_to_frame(t), s.rate)

    def _with_range(self) -> str:
        return f" (range {self.described()})" if self.marks.range else ""
