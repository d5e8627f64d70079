"""Recording against the transport: a take from the MIDI thread, one undo step at the end.

    recorder = Recorder(document, transport, journal)
    midi.add_listener(recorder.on_event)          # MIDI thread: stamp -> transport time
    midi.add_status_listener(recorder.on_status)  # a keyboard went away: close its notes
    recorder.start(track_id, RecordOptions(mode=RecordMode.REPLACE, count_in=...))
    ...
    result = recorder.stop()                      # GUI thread: the take lands, one undo step

Each message is placed at ``transport.position_at(arrival stamp)``. While recording, the raw
events go to the journal every quarter second (a crash loses at most that), and the model is
not touched until ``stop``, which writes the whole take in one transaction ("Record take").

Modes (``RecordMode``):
- REPLACE: the armed track's notes and controller points from the record point to the stop
  are removed (a note started before and sounding into the range is shortened to it).
- OVERDUB: the take is merged with what is there.
- LOOP: the transport loops over a range and each pass is a take. The last pass that has
  notes lands on the armed track (replacing the loop range, like REPLACE); every earlier pass
  lands on a new muted track next to it, "Strings take 1", "Strings take 2" ... with the same
  instrument. ``take_ranges.swap_take`` exchanges a take track's notes with the armed
  track's (one undo step), so the composer can audition and choose while every take stays in
  the project.
A punch range (``RecordOptions.punch``) limits REPLACE or OVERDUB to [in, out). Count-in and
pre-roll roll the transport from before the record point; nothing played there is recorded
(but see ``early_grace`` in ``model/take.py``). A take with nothing in it changes nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Protocol

from cuesketch.engine.click import count_in_beat_flicks
from cuesketch.engine.midi_input import MidiEvent, PortChange, PortStatus
from cuesketch.engine.take_ranges import RecordError, clear_range, take_name
from cuesketch.engine.transport import NS_PER_SECOND, Transport, TransportState
from cuesketch.model import changes
from cuesketch.model.changes import Change
from cuesketch.model.document import Document
from cuesketch.model.entities import Note, Track
from cuesketch.model.take import RecordMode, TakeBuilder, TakeEvent, land_pass
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND

EARLY_GRACE = FLICKS_PER_SECOND // 20  # 50 ms
TAKE_LABEL = "Record take"


@dataclass(frozen=True)
class RecordOptions:
    mode: RecordMode = RecordMode.REPLACE
    punch: tuple[int, int] | None = None  # REPLACE / OVERDUB only inside [in, out)
    loop: tuple[int, int] | None = None  # LOOP: the range (None: the transport's loop)
    count_in: int = 0  # flicks (``count_in_flicks``): the click counts, nothing is recorded
    pre_roll: int = 0  # flicks rolled before the record point (and the count-in)
    early_grace: int = EARLY_GRACE


class TakeJournal(Protocol):
    """Where a take's raw events go while it is played, so that a crash loses almost nothing.

    ``append`` is called from the recorder's flush thread about every 0.25 s.
    """

    def begin_take(self, track_id: int, start: int, mode: RecordMode, *, end: int | None = None,
                   loop: tuple[int, int] | None = None, early_grace: int = 0) -> str:
        """A take starts (its id is returned); with ``end``, ``loop`` and ``early_grace`` a
        recovered take follows the same rules as the live one (``model.take.replay``)."""
        ...

    def append(self, events: Sequence[TakeEvent]) -> None: ...

    def end_take(self, committed: bool, take: str | None = None) -> None:
        """The take (the one being recorded, or ``take``) is in the project (``committed``) or
        thrown away: forget its events. Another take may still wait to land."""
        ...


@dataclass(frozen=True)
class TakeResult:
    track_id: int
    start: int  # the recorded range on the transport
    end: int
    notes: int  # notes that landed on the armed track
    take_tracks: tuple[int, ...] = ()  # LOOP: the muted tracks holding the other passes
    lost_ports: tuple[str, ...] = ()  # keyboards that went away during the take


def count_in_flicks(tempo: TempoMap, at: int, bars: int) -> int:
    """``bars`` bars of the meter and tempo at the record point ``at``, in flicks (the click's
    own count-in arithmetic, so that the clicks and the record point agree)."""
    if bars <= 0:
        return 0
    numerator = tempo.meter_at(tempo.flicks_to_bbt(at).bar).numerator
    return round(bars * numerator * count_in_beat_flicks(tempo, at))


class _Take:
    """One take in progress: what it records, the builder, and the journal's backlog."""

    def __init__(self, track_id: int, options: RecordOptions, start: int, end: int | None,
                 loop: tuple[int, int] | None, roll_pos: int, roll_ns: int,
                 count_in: int) -> None:
        self.track_id = track_id
        self.count_in = count_in
        self.options = options
        self.start = start
        self.end = end
        self.loop = loop
        self.roll_pos = roll_pos  # the transport position at ``roll_ns`` (for loop passes)
        self.roll_ns = roll_ns
        self.builder = TakeBuilder(start, end, options.early_grace, loop)
        self.backlog: list[TakeEvent] = []
        self.events: list[TakeEvent] = []  # all of them: a journal moved elsewhere starts anew
        self.stop_ns: int | None = None
        self.stop_pos = 0
        self.stop_pass = 0
        self.lost_ports: list[str] = []
        self.journal_id: str | None = None  # its id in the journal, until it lands

    def pass_at(self, t_ns: int, position: int) -> int:
        """Which loop pass a moment falls in: the transport gives the wrapped position only."""
        if self.loop is None:
            return 0
        unwrapped = self.roll_pos + (t_ns - self.roll_ns) * FLICKS_PER_SECOND // NS_PER_SECOND
        length = self.loop[1] - self.loop[0]
        return max(0, round((unwrapped - position) / length))


class Recorder:
    JOURNAL_INTERVAL_S = 0.25

    def __init__(self, document: Document, transport: Transport,
                 journal: TakeJournal | None = None) -> None:
        self.document = document
        self.transport = transport
        self.journal = journal
        self._take: _Take | None = None
        self._lock = threading.Lock()
        self._flusher: threading.Thread | None = None
        self._flush_stop = threading.Event()
        self._owner: threading.Thread | None = None
        self._stopping = False
        # Told when a take lands (also when the transport was stopped by something else).
        self.on_landed: Callable[[TakeResult | None], None] | None = None
        self.last_error: Exception | None = None  # a take that could not be written
        self.unlanded: list[_Take] = []  # takes the project file refused, kept to land later
        transport.observe(self._on_transport)

    @property
    def active(self) -> bool:
        return self._take is not None

    @property
    def record_point(self) -> int | None:
        """Where the take being recorded starts keeping notes (punch-in, loop start)."""
        take = self._take
        return take.start if take is not None else None

    @property
    def count_in_range(self) -> tuple[int, int] | None:
        """(start, record point) of the count-in being played, for the click; else None."""
        take = self._take
        if take is None or take.count_in <= 0:
            return None
        return take.start - take.count_in, take.start

    # -- GUI thread ----------------------------------------------------------------------------
    def start(self, track_id: int, options: RecordOptions | None = None) -> None:
        """Arm ``track_id`` and roll: from the record point less count-in and pre-roll when
        stopped; at once when already playing (punching in on the fly)."""
        options = options or RecordOptions()
        if self._take is not None:
            raise RecordError("a take is being recorded already")
        if track_id not in self.document.project.tracks:
            raise RecordError("choose a track to record on first")
        if self.document.read_only:
            raise RecordError("this project is open read-only: nothing can be recorded")
        t = self.transport
        loop: tuple[int, int] | None = None
        end: int | None = None
        if options.mode is RecordMode.LOOP:
            loop = options.loop or t.loop
            if loop is None:
                raise RecordError("loop recording needs a loop range: set one first")
            if loop[1] <= loop[0]:
                raise RecordError("a loop range ends after it starts")
            start, end = loop  # (the transport wraps; this also holds if it was past the end)
        elif options.punch is not None:
            start, end = options.punch
            if end <= start:
                raise RecordError("the punch-out comes after the punch-in")
        else:
            start = t.position()
        if options.mode is RecordMode.LOOP and t.loop != loop:
            t.set_loop(loop)
        rolled_back = not t.playing  # already playing: punch in at once, no count-in
        if rolled_back:
            t.seek(start - options.count_in - options.pre_roll)
        t.set_recording(True)
        if not t.playing:
            t.play()
        roll_ns = t.clock.now_ns()
        self._owner = threading.current_thread()
        self.last_error = None
        self._take = _Take(track_id, options, start, end, loop, t.position_at(roll_ns), roll_ns,
                           options.count_in if rolled_back else 0)
        if self.journal is not None:
            self._take.journal_id = self.journal.begin_take(
                track_id, start, options.mode, end=end, loop=loop,
                early_grace=options.early_grace)
            self._flush_stop.clear()
            self._flusher = threading.Thread(target=self._flush_loop, name="take journal",
                                             daemon=True)
            self._flusher.start()

    def stop(self) -> TakeResult | None:
        """Stop the transport and land the take: one undo step. None when nothing was played."""
        take = self._take
        if take is None:
            return None
        self._mark_stop(self.transport.clock.now_ns())
        self._stopping = True
        try:
            self.transport.stop()
        finally:
            self._stopping = False
        try:
            return self._land()
        except Exception as e:  # kept in ``unlanded``; the caller says so (``last_error``)
            self.last_error = e
            return None

    def cancel(self) -> None:
        """Throw the take away (the transport stops; the project is not touched)."""
        if self._take is None:
            return
        self._mark_stop(self.transport.clock.now_ns())
        self._stopping = True
        try:
            self.transport.stop()
        finally:
            self._stopping = False
        self._stop_flusher()
        take, self._take = self._take, None
        if self.journal is not None:
            self.journal.end_take(committed=False, take=take.journal_id)

    def live_notes(self) -> list[Note]:
        """The current pass so far, held notes drawn up to now (ids 0: not in the project)."""
        take = self._take
        if take is None:
            return []
        now = self.transport.clock.now_ns()
        pos = self.transport.position_at(now)
        with self._lock:
            k = take.pass_at(now, pos)
            notes = [n for n in take.builder.notes if n.pass_index == k]
            notes += take.builder.held(pos, k)
        return [Note(0, take.track_id, n.start, n.end - n.start, n.pitch, n.velocity)
                for n in notes]

    # -- MIDI thread ---------------------------------------------------------------------------
    def on_event(self, event: MidiEvent) -> None:
        take = self._take
        if take is None:
            return
        data = tuple(event.message.bytes())
        # What arrived before the take began is not part of it. What arrived after is, even if
        # it is dated before (JACK dates half a period back): it was played as the take began.
        t_ns = max(event.t_ns, take.roll_ns)
        with self._lock:
            if self._take is not take or event.arrived_ns < take.roll_ns:
                return
            if take.stop_ns is not None or not self.transport.playing:
                if take.stop_ns is None:  # stopped from elsewhere; the observer is coming
                    self._mark_stop_locked(take, self.transport.clock.now_ns())
                assert take.stop_ns is not None
                if t_ns >= take.stop_ns:
                    return
                # Stamped before the stop, arriving after it: count back from the stop.
                pos = take.stop_pos - (take.stop_ns - t_ns) * FLICKS_PER_SECOND // NS_PER_SECOND
                k = take.stop_pass
            else:
                pos = self.transport.position_at(t_ns)
                k = take.pass_at(t_ns, pos)
            te = TakeEvent(pos, k, event.source, data)
            if not te.recordable:
                return
            take.builder.add(te)
            take.events.append(te)
            if self.journal is not None:
                take.backlog.append(te)

    def on_status(self, status: PortStatus) -> None:
        """A keyboard went away mid-take: keep its notes, end the held ones where it left."""
        take = self._take
        if take is None or status.change is not PortChange.WENT_AWAY:
            return
        with self._lock:
            if self._take is not take:
                return
            take.lost_ports.append(status.port)
            if take.stop_ns is not None:
                return
            pos = self.transport.position_at(status.t_ns)
            self._end_held(take, pos, take.pass_at(status.t_ns, pos), status.port)

    def on_gap(self, start_ns: int, end_ns: int) -> None:
        """The process did not run from ``start_ns`` to ``end_ns`` (the computer slept, SIGSTOP):
        notes held then end where it stopped, and nothing is placed inside the gap (a note-off
        that beat this call to the lock does not stretch its note across the gap)."""
        take = self._take
        if take is None:
            return
        with self._lock:
            if self._take is not take or take.stop_ns is not None:
                return
            pos = self.transport.position_at(start_ns)
            after = self.transport.position_at(end_ns)
            k = take.pass_at(start_ns, pos)
            # The notes held through the pause end where it began; those begun after it ended
            # (the pause is told late) are the composer's next notes and stay.
            self._end_held(take, pos, k, None, began_by=(after, take.pass_at(end_ns, after)))
            b = take.builder
            b.notes = [replace(n, end=max(pos, n.start + 1))
                       if n.pass_index == k and n.start <= pos < n.end and n.end >= after
                       else n for n in b.notes]

    def _end_held(self, take: _Take, pos: int, k: int, source: str | None,
                  began_by: tuple[int, int] | None = None) -> None:
        """End the held notes (of ``source``, or all) at ``pos`` with note-offs that are
        journaled too, so that a take recovered after a crash ends them there as well.
        ``began_by`` (position, pass): only the notes begun by then."""
        for src, channel, pitch in take.builder.held_keys(began_by):
            if source is None or src == source:
                te = TakeEvent(pos, k, src, (0x80 | channel, pitch, 0))
                take.builder.add(te)
                take.events.append(te)
                if self.journal is not None:
                    take.backlog.append(te)

    # -- internals -----------------------------------------------------------------------------
    def _on_transport(self, state: TransportState) -> None:
        take = self._take
        if take is None or state.playing:
            return
        self._mark_stop(self.transport.clock.now_ns(), state.position)
        # Stopped from the GUI (space bar): land the take now. From another thread: the
        # next ``stop()`` lands it, on the GUI thread, where the model may change.
        if not self._stopping and threading.current_thread() is self._owner:
            try:
                self._land()
            except Exception as e:  # the transport's other listeners must still hear the stop
                self.last_error = e

    def _mark_stop(self, t_ns: int, position: int | None = None) -> None:
        with self._lock:
            take = self._take
            if take is not None and take.stop_ns is None:
                self._mark_stop_locked(take, t_ns, position)

    def _mark_stop_locked(self, take: _Take, t_ns: int, position: int | None = None) -> None:
        pos = self.transport.position_at(t_ns) if position is None else position
        take.stop_ns, take.stop_pos, take.stop_pass = t_ns, pos, take.pass_at(t_ns, pos)

    def _land(self) -> TakeResult | None:
        take = self._take
        if take is None:
            return None
        self._stop_flusher()
        with self._lock:
            self._take = None
            take.builder.finish(take.stop_pos, take.stop_pass)
        try:
            result = self._commit(take)
        except Exception:
            # The disk is full or gone: the take stays in memory (and the journal), and lands
            # by ``retry_landing`` once it can, or into the file Save As makes.
            self.unlanded.append(take)
            raise
        self._landed(take, result)
        return result

    def _landed(self, take: _Take, result: TakeResult | None) -> None:
        if self.journal is not None and take.journal_id is not None:
            self.journal.end_take(committed=True, take=take.journal_id)
        if self.on_landed is not None:
            self.on_landed(result)

    def retry_landing(self) -> list[TakeResult | None]:
        """GUI thread: land the takes that could not be written (oldest first); what landed.
        Raises (and keeps the rest) if the file still can't be written."""
        landed: list[TakeResult | None] = []
        while self.unlanded:
            result = self._commit(self.unlanded[0])
            take = self.unlanded.pop(0)
            self.last_error = None
            landed.append(result)
            self._landed(take, result)
        return landed

    def move_journal(self, journal: TakeJournal | None) -> None:
        """Journal from now on to ``journal`` (the project moved: Save As, a rescue copy); a
        take being recorded, and those not landed yet, are written into it whole."""
        self._stop_flusher()
        with self._lock:  # what the takes hold now; the MIDI thread goes on meanwhile
            self.journal = None
            takes = [*self.unlanded, *([self._take] if self._take is not None else [])]
            written = [(take, list(take.events)) for take in takes]
        if journal is not None:  # the disk is written outside the lock the MIDI thread takes
            for take, events in written:  # the take being recorded last: its events follow
                take.journal_id = journal.begin_take(
                    take.track_id, take.start, take.options.mode, end=take.end, loop=take.loop,
                    early_grace=take.options.early_grace)
                journal.append(events)
        with self._lock:
            for take, events in written:  # what came in while writing: the flusher's next
                take.backlog = take.events[len(events):] if journal is not None else []
            self.journal = journal
        if journal is not None and self._take is not None:
            self._flush_stop.clear()
            self._flusher = threading.Thread(target=self._flush_loop, name="take journal",
                                             daemon=True)
            self._flusher.start()

    def _commit(self, take: _Take) -> TakeResult | None:
        b = take.builder
        stop = take.stop_pos if take.end is None else min(take.stop_pos, take.end)
        if not b.notes and not b.controls:
            return None
        project = self.document.project
        track = project.tracks.get(take.track_id)
        if track is None:  # deleted while recording: the take goes to a new track
            track = Track(project.new_id(Track), "Recorded take")
            first: list[Change] = [changes.insert(track)]
        else:
            first = []
        passes = b.passes()
        active = max((k for k in passes if any(n.pass_index == k for n in b.notes)),
                     default=passes[-1])
        if take.loop is not None:
            lo, hi = take.loop
        else:
            lo, hi = take.start, max(stop, take.start + 1)
        todo: list[Change] = first
        if take.options.mode is not RecordMode.OVERDUB:
            todo += clear_range(self.document, track.id, lo, hi)
        todo += land_pass(project, track.id, b.notes, b.controls, active)
        take_tracks: list[int] = []
        for k in passes:
            if k == active:
                continue
            copy = replace(track, id=project.new_id(Track), name=take_name(project, track, k),
                           mute=True, solo=False)
            take_tracks.append(copy.id)
            todo.append(changes.insert(copy))
            todo += land_pass(project, copy.id, b.notes, b.controls, k)
        with self.document.transaction(TAKE_LABEL):
            self.document.execute_changes(todo, TAKE_LABEL)
        return TakeResult(track.id, lo, hi, sum(1 for n in b.notes if n.pass_index == active),
                          tuple(take_tracks), tuple(dict.fromkeys(take.lost_ports)))

    def _flush_loop(self) -> None:
        while not self._flush_stop.wait(self.JOURNAL_INTERVAL_S):
            self._flush()

    def _flush(self) -> None:
        take, journal = self._take, self.journal
        if take is None or journal is None:
            return
        with self._lock:
            batch, take.backlog = take.backlog, []
        if batch:
            journal.append(batch)

    def _stop_flusher(self) -> None:
        if self._flusher is not None:
            self._flush_stop.set()
            self._flusher.join(5)
            self._flusher = None
            self._flush()  # what came in since the last flush

