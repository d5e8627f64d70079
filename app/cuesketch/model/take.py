"""A take from the raw MIDI events it was played with: notes paired, controllers kept.

Pure and deterministic: the recorder feeds it live, and a crash recovery replays the journaled
events through the same code, so a recovered take is the take that was being played. Both land
it through ``land_pass`` too: the notes and controller points of one pass, as inserts on a track.

Rules (those of the DAWs composers know):
- Nothing is kept before the record point (count-in, pre-roll), except a note played up to
  ``early_grace`` before it: players anticipate a downbeat by a few ms; it lands on the point.
- With a punch range, nothing is kept from the punch-out on; a note held over it ends there.
- Note-ons pair with note-offs first in, first out, per (port, channel, pitch): the same pitch
  may overlap itself (two keyboards, a held note under a re-struck one).
- A note still held when the take ends is closed there; on a loop, at the loop end of its pass.
- Controllers: sustain (CC64), modulation (CC1), expression (CC11), pitch bend. The last value
  moved during the pre-roll is put on the record point (the pedal already down is kept down),
  and a pass that ends with the pedal down gets a pedal-up at its end, so playback never hangs.
- A note is at least ``MIN_DURATION`` (one sample) long: a note-off at its note-on's time, or
  a note of the early grace released before the record point, still sounds; a zero-length note
  is never landed.
"""

from __future__ import annotations

import enum
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from cuesketch.model import changes
from cuesketch.model.changes import Change
from cuesketch.model.entities import CC_CONTROLLERS, ControlPoint, Controller, Note


class RecordMode(enum.Enum):
    """How a take meets what is on the track (``engine.recorder`` says what each does)."""

    REPLACE = "replace"
    OVERDUB = "overdub"
    LOOP = "loop"

    @classmethod
    def named(cls, name: object) -> RecordMode:
        """A mode as written in a journal (an unknown one, from a newer Cuesketch: REPLACE)."""
        try:
            return cls(name)
        except ValueError:
            return cls.REPLACE
from cuesketch.model.project import Project
from cuesketch.timing.units import FLICKS_PER_SAMPLE

MIN_DURATION = FLICKS_PER_SAMPLE  # a note is at least one sample long


@dataclass(frozen=True)
class TakeEvent:
    """One raw message of a take, on the transport: what the journal keeps."""

    position: int  # flicks (inside the loop range on a loop)
    pass_index: int  # 0, or the loop pass
    source: str  # the port it came from
    data: tuple[int, ...]  # the MIDI bytes

    @property
    def recordable(self) -> bool:
        status = self.data[0] & 0xF0 if self.data else 0
        return status in (0x80, 0x90, 0xE0) or (status == 0xB0 and len(self.data) > 2
                                                and self.data[1] in CC_CONTROLLERS)


@dataclass(frozen=True)
class TakeNote:
    pass_index: int
    start: int
    end: int
    pitch: int
    velocity: int


@dataclass(frozen=True)
class TakeControl:
    pass_index: int
    time: int
    controller: Controller
    value: int


@dataclass
class _Open:
    start: int
    pass_index: int
    velocity: int


@dataclass
class TakeBuilder:
    start: int  # the record point (punch-in, loop start)
    end: int | None = None  # punch-out: nothing from here on
    early_grace: int = 0
    loop: tuple[int, int] | None = None
    notes: list[TakeNote] = field(default_factory=list)
    controls: list[TakeControl] = field(default_factory=list)
    _open: dict[tuple[str, int, int], deque[_Open]] = field(default_factory=dict)
    _chase: dict[Controller, int] = field(default_factory=dict)  # moved during the pre-roll
    _last: dict[tuple[int, Controller], int] = field(default_factory=dict)  # per pass

    def add(self, event: TakeEvent) -> None:
        data, pos, k = event.data, event.position, event.pass_index
        if not data:
            return
        status, channel = data[0] & 0xF0, data[0] & 0x0F
        if status == 0x90 and len(data) > 2 and data[2] > 0:
            if pos < self.start - self.early_grace or self._after_end(pos):
                return
            key = (event.source, channel, data[1])
            self._open.setdefault(key, deque()).append(_Open(max(pos, self.start), k, data[2]))
        elif status in (0x80, 0x90) and len(data) > 1:
            opened = self._open.get((event.source, channel, data[1]))
            if opened:
                self._close(data[1], opened.popleft(), pos, k)
        elif status == 0xB0 and len(data) > 2 and data[1] in CC_CONTROLLERS:
            self._control(pos, k, CC_CONTROLLERS[data[1]], data[2])
        elif status == 0xE0 and len(data) > 2:
            self._control(pos, k, Controller.PITCH_BEND, (data[2] << 7 | data[1]) - 8192)

    def held_keys(self, at: tuple[int, int] | None = None) -> list[tuple[str, int, int]]:
        """(source, channel, pitch) of every note held now, once per note-on still open;
        with ``at`` (position, pass), only those that began by then (oldest first: a note-off
        closes the oldest note-on of its key)."""
        return [key for key, opened in self._open.items() for o in opened
                if at is None or (o.pass_index, o.start) <= (at[1], at[0])]

    def close_source(self, source: str, position: int, pass_index: int) -> None:
        """A port went away: its held notes end now (their note-offs will never come)."""
        for key, opened in self._open.items():
            if key[0] == source:
                while opened:
                    self._close(key[2], opened.popleft(), position, pass_index)

    def finish(self, position: int, pass_index: int) -> None:
        """The take ends at ``position`` (in pass ``pass_index``): close what is still held."""
        for key, opened in self._open.items():
            while opened:
                self._close(key[2], opened.popleft(), position, pass_index)
        self._open.clear()
        if self._chase and (self.notes or self.controls):
            for controller, value in self._chase.items():
                if not any(c.pass_index == 0 and c.time == self.start and
                           c.controller is controller for c in self.controls):
                    self.controls.append(TakeControl(0, self.start, controller, value))
                self._last.setdefault((0, controller), value)
            self._chase.clear()
        for (k, controller), value in sorted(self._last.items(), key=lambda kv: kv[0][0]):
            if controller is Controller.SUSTAIN and value >= 64:
                self.controls.append(TakeControl(k, self._pass_end(k, pass_index, position),
                                                 controller, 0))
        self._last.clear()
        self.notes.sort(key=lambda n: (n.pass_index, n.start, n.pitch))
        self.controls.sort(key=lambda c: (c.pass_index, c.time))

    def held(self, position: int, pass_index: int) -> list[TakeNote]:
        """The notes held now, as if they ended at ``position`` (to draw them while playing)."""
        return [TakeNote(o.pass_index, o.start, max(o.start + MIN_DURATION, position), key[2],
                         o.velocity)
                for key, opened in self._open.items() for o in opened
                if o.pass_index == pass_index]

    def passes(self) -> list[int]:
        return sorted({n.pass_index for n in self.notes} | {c.pass_index for c in self.controls})

    # -- internals ---------------------------------------------------------------------------
    def _after_end(self, pos: int) -> bool:
        return self.end is not None and pos >= self.end

    def _pass_end(self, k: int, current: int, position: int) -> int:
        end = self.loop[1] if self.loop is not None and k < current else position
        return min(end, self.end) if self.end is not None else end

    def _close(self, pitch: int, o: _Open, pos: int, k: int) -> None:
        end = self._pass_end(o.pass_index, k, pos)
        self.notes.append(TakeNote(o.pass_index, o.start, max(end, o.start + MIN_DURATION),
                                   pitch, o.velocity))

    def _control(self, pos: int, k: int, controller: Controller, value: int) -> None:
        if k == 0 and pos < self.start:
            self._chase[controller] = value
            return
        if self._after_end(pos):
            return
        if self._last.get((k, controller)) == value:
            return  # a wheel at rest repeats itself: keep the changes only
        self._last[(k, controller)] = value
        self.controls.append(TakeControl(k, pos, controller, value))


def replay(events: list[TakeEvent], start: int, stop: int, stop_pass: int = 0,
           end: int | None = None, early_grace: int = 0,
           loop: tuple[int, int] | None = None) -> TakeBuilder:
    """The take a list of journaled events makes (crash recovery): the same rules as live."""
    builder = TakeBuilder(start, end, early_grace, loop)
    for event in events:
        builder.add(event)
    builder.finish(stop, stop_pass)
    return builder


def land_pass(project: Project, track_id: int, notes: Iterable[TakeNote],
              controls: Iterable[TakeControl], pass_index: int) -> list[Change]:
    """One pass of a take as inserts on ``track_id``: its notes, each at least ``MIN_DURATION``
    long, and its controller points. The one way a take lands, live (``Recorder``) or
    recovered after a crash (``store.journal.recover``)."""
    out: list[Change] = []
    for n in notes:
        if n.pass_index == pass_index:
            out.append(changes.insert(Note(project.new_id(Note), track_id, n.start,
                                           max(n.end - n.start, MIN_DURATION), n.pitch,
                                           n.velocity)))
    for c in controls:
        if c.pass_index == pass_index:
            out.append(changes.insert(ControlPoint(project.new_id(ControlPoint), track_id,
                                                   c.time, c.controller, c.value)))
    return out
