"""The recorder against a fake clock: modes, count-in, pre-roll, takes, one undo step."""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import pytest

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.midi_input import MidiInputs, PortChange, PortStatus
from cuesketch.engine.recorder import (
    EARLY_GRACE,
    Recorder,
    TakeResult,
    RecordError,
    RecordMode,
    RecordOptions,
    count_in_flicks,
)
from cuesketch.engine.take_ranges import swap_take
from cuesketch.engine.transport import Transport
from cuesketch.model import changes
from cuesketch.model.document import Document
from cuesketch.model.entities import ControlPoint, Controller, Note, Track
from cuesketch.model.project import Project
from cuesketch.model.take import TakeControl, TakeEvent, TakeNote, land_pass, replay
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.units import FLICKS_PER_SAMPLE, FLICKS_PER_SECOND as S

MS = S // 1000
KBD = "Keys"


class FakeJournal:
    def __init__(self) -> None:
        self.events: list[TakeEvent] = []
        self.begun: list[tuple[int, int, str]] = []
        self.ended: list[bool] = []
        self.rules: tuple[int | None, tuple[int, int] | None, int] | None = None

    def begin_take(self, track_id: int, start: int, mode: RecordMode, *, end: int | None = None,
                   loop: tuple[int, int] | None = None, early_grace: int = 0) -> str:
        self.begun.append((track_id, start, mode))
        self.rules = (end, loop, early_grace)
        return f"take {len(self.begun)}"

    def append(self, events: Sequence[TakeEvent]) -> None:
        self.events.extend(events)

    def end_take(self, committed: bool, take: str | None = None) -> None:
        self.ended.append(committed)


class Rig:
    """A document with a "Strings" track, a transport on a fake clock, the input path."""

    def __init__(self, notes: Sequence[tuple[float, float, int]] = ()) -> None:
        self.clock = FakeClock()
        self.transport = Transport(self.clock)
        self.document = Document(Project())
        track = Track(1, "Strings", program=48, channel=2)
        self.document.execute_changes([changes.insert(track)], "Add track")
        self.document.execute_changes(
            [changes.insert(Note(i + 1, 1, round(a * S), round(d * S), p))
             for i, (a, d, p) in enumerate(notes)], "Add notes")
        self.journal = FakeJournal()
        self.recorder = Recorder(self.document, self.transport, self.journal)
        self.recorder.JOURNAL_INTERVAL_S = 0.01
        self.inputs = MidiInputs(clock=self.clock, system=None)
        self.inputs.add_listener(self.recorder.on_event)
        self.t0 = self.clock.now_ns()

    def at(self, seconds: float) -> None:
        """Move the clock to ``seconds`` after the rig was made."""
        self.clock.t = self.t0 + round(seconds * 1e9)

    def send(self, seconds: float, *data: int, source: str = KBD) -> None:
        self.at(seconds)
        self.inputs.deliver(source, list(data), self.clock.now_ns())

    def on(self, seconds: float, pitch: int, velocity: int = 100, source: str = KBD) -> None:
        self.send(seconds, 0x90, pitch, velocity, source=source)

    def off(self, seconds: float, pitch: int, source: str = KBD) -> None:
        self.send(seconds, 0x80, pitch, 0, source=source)

    def notes(self, track_id: int = 1) -> list[tuple[int, int, int, int]]:
        return sorted((n.start, n.duration, n.pitch, n.velocity)
                      for n in self.document.project.notes_of(track_id))

    def points(self, track_id: int = 1) -> list[tuple[int, Controller, int]]:
        return sorted(((p.time, p.controller, p.value)
                       for p in self.document.project.controls.values()
                       if p.track_id == track_id), key=lambda x: (x[0], x[1].value))


def snapshot(document: Document) -> tuple[object, ...]:
    p = document.project
    return (dict(p.notes), dict(p.tracks), dict(p.controls))


def test_replace_take_lands_as_one_undo_step_and_undo_restores_exactly() -> None:
    rig = Rig(notes=[(0.5, 1.0, 60), (1.5, 0.2, 62), (2.2, 0.3, 64), (4.0, 0.5, 65)])
    before = snapshot(rig.document)
    rig.transport.seek(S)
    rig.at(0)
    rig.recorder.start(1)  # the transport rolls from 1 s at t = 0
    rig.on(0.25, 72, 90)
    rig.off(0.75, 72)
    rig.on(1.0, 74, 64)
    rig.off(1.125, 74)
    rig.at(2.0)
    result = rig.recorder.stop()  # at 3 s on the transport
    assert result is not None and result.notes == 2
    assert (result.start, result.end) == (S, 3 * S)
    assert rig.notes() == [
        (S // 2, S // 2, 60, 100),  # sounded into the range: shortened to the record point
        (S + S // 4, S // 2, 72, 90),
        (2 * S, S // 8, 74, 64),
        (4 * S, S // 2, 65, 100),  # after the stop: untouched
    ]  # 1.5 s and 2.2 s were inside the range: replaced
    assert rig.document.history()[-1] == "Record take"
    assert len(rig.document.history()) == 3
    assert not rig.transport.playing and not rig.transport.recording
    assert rig.document.undo() == "Record take"
    assert snapshot(rig.document) == before
    assert rig.document.redo() == "Record take"
    assert len(rig.notes()) == 4


def test_overdub_merges_with_what_is_there() -> None:
    rig = Rig(notes=[(1.5, 0.2, 62)])
    rig.at(0)
    rig.recorder.start(1, RecordOptions(mode=RecordMode.OVERDUB))
    rig.on(1.5, 64)
    rig.off(1.7, 64)
    rig.at(3)
    rig.recorder.stop()
    assert [(a, p) for a, _d, p, _v in rig.notes()] == [(S + S // 2, 62), (S + S // 2, 64)]


def test_punch_records_only_inside_the_range_after_the_pre_roll() -> None:
    rig = Rig(notes=[(2.5, 0.1, 50), (3.5, 0.1, 51)])
    rig.at(0)
    rig.recorder.start(1, RecordOptions(punch=(2 * S, 3 * S), pre_roll=S))
    assert rig.transport.position() == S  # rolls from one second before the punch-in
    rig.on(0.5, 60)  # 1.5 s: pre-roll, not recorded
    rig.off(0.6, 60)
    rig.on(1.25, 61)  # 2.25 s
    rig.off(1.5, 61)
    rig.on(1.75, 62)  # 2.75 s, held over the punch-out: ends there
    rig.off(2.5, 62)
    rig.on(2.2, 63)  # 3.2 s: after the punch-out
    rig.off(2.3, 63)
    rig.at(3)
    rig.recorder.stop()
    assert rig.notes() == [(2 * S + S // 4, S // 4, 61, 100), (2 * S + 3 * S // 4, S // 4, 62, 100),
                           (3 * S + S // 2, S // 10, 51, 100)]


def test_count_in_records_nothing_but_a_note_just_ahead_of_the_downbeat() -> None:
    tempo = TempoMap.constant(120)
    count_in = count_in_flicks(tempo, 4 * S, 1)
    assert count_in == 2 * S  # one bar of 4/4 at 120 bpm
    assert count_in_flicks(TempoMap.constant(90, 6, 8), 0, 2) == 4 * S  # 2 x 3 quarters at 90
    rig = Rig()
    rig.transport.seek(4 * S)
    rig.at(0)
    rig.recorder.start(1, RecordOptions(count_in=count_in))
    assert rig.transport.position() == 2 * S
    assert rig.recorder.record_point == 4 * S
    assert rig.recorder.count_in_range == (2 * S, 4 * S)  # for the click
    rig.on(1.0, 60)  # during the count-in
    rig.off(1.1, 60)
    rig.on(1.9, 61)  # 100 ms early: still the count-in
    rig.off(1.95, 61)
    rig.on(1.97, 62)  # 30 ms early: meant for the downbeat, lands on it
    rig.on(2.5, 64)  # held at the stop: closed there
    rig.at(3.0)
    rig.recorder.stop()
    assert rig.notes() == [(4 * S, S, 62, 100), (4 * S + S // 2, S // 2, 64, 100)]
    assert EARLY_GRACE == 50 * MS


def test_controllers_and_the_pedal_held_from_the_pre_roll() -> None:
    rig = Rig()
    rig.at(0)
    rig.recorder.start(1, RecordOptions(pre_roll=S))  # record point 0, rolls from -1 s
    rig.send(0.5, 0xB0, 64, 127)  # pedal down in the pre-roll, held into the take
    rig.on(1.0, 60)
    rig.off(1.25, 60)
    rig.send(1.5, 0xB0, 1, 40)  # modulation
    rig.send(1.5, 0xB0, 1, 40)  # the same value again: dropped
    rig.send(1.6, 0xB0, 11, 90)  # expression
    rig.send(1.7, 0xE0, 0x00, 0x60)  # pitch bend (0x60 << 7) - 8192 = 4096
    rig.send(1.8, 0xB0, 7, 100)  # volume: not recorded
    rig.send(1.9, 0xB0, 64, 0)
    rig.send(2.0, 0xB0, 64, 127)  # down again at the stop: lifted there
    rig.at(2.5)
    rig.recorder.stop()
    assert rig.points() == [
        (0, Controller.SUSTAIN, 127),
        (S // 2, Controller.MODULATION, 40),
        (6 * S // 10, Controller.EXPRESSION, 90),
        (7 * S // 10, Controller.PITCH_BEND, 4096),
        (9 * S // 10, Controller.SUSTAIN, 0),
        (S, Controller.SUSTAIN, 127),
        (3 * S // 2, Controller.SUSTAIN, 0),
    ]
    assert rig.notes() == [(0, S // 4, 60, 100)]


def test_the_same_pitch_overlapping_itself_pairs_first_in_first_out() -> None:
    rig = Rig()
    rig.at(0)
    rig.recorder.start(1, RecordOptions(early_grace=0))
    rig.on(0.1, 60, 50)
    rig.on(0.2, 60, 80)
    rig.off(0.3, 60)
    rig.off(0.5, 60)
    rig.on(0.6, 60, 10, source="Other keys")  # another keyboard, same pitch
    rig.send(0.7, 0x90, 60, 0)  # note-on with velocity 0 is a note-off
    rig.off(0.8, 60, source="Other keys")
    rig.at(1)
    rig.recorder.stop()
    assert rig.notes() == [(S // 10, S // 5, 60, 50), (S // 5, 3 * S // 10, 60, 80),
                           (6 * S // 10, S // 5, 60, 10)]


def test_a_note_off_at_the_note_on_time_keeps_one_sample() -> None:
    rig = Rig()
    rig.at(0)
    rig.recorder.start(1)
    rig.on(0.5, 60)
    rig.off(0.5, 60)
    rig.at(1)
    rig.recorder.stop()
    assert rig.notes() == [(S // 2, FLICKS_PER_SAMPLE, 60, 100)]



def test_landing_never_makes_a_zero_length_note() -> None:
    """``land_pass``, the one landing of live and recovered takes: a note is at least one
    sample long whatever it is handed, and only the pass asked for lands."""
    project = Project()
    notes = [TakeNote(0, S, S, 60, 90), TakeNote(0, 2 * S, 3 * S, 62, 80),
             TakeNote(1, S, 2 * S, 64, 70)]
    controls = [TakeControl(0, S, Controller.SUSTAIN, 127),
                TakeControl(1, S, Controller.SUSTAIN, 0)]
    landed = [c.after for c in land_pass(project, 7, notes, controls, 0)]
    assert [(n.track_id, n.start, n.duration, n.pitch) for n in landed if isinstance(n, Note)] == [
        (7, S, FLICKS_PER_SAMPLE, 60), (7, 2 * S, S, 62)]
    assert [(p.time, p.value) for p in landed if isinstance(p, ControlPoint)] == [(S, 127)]

def test_loop_recording_keeps_each_pass_as_a_take() -> None:
    rig = Rig(notes=[(1.5, 0.1, 40), (3.5, 0.1, 41)])
    before = snapshot(rig.document)
    rig.at(0)
    rig.recorder.start(1, RecordOptions(mode=RecordMode.LOOP, loop=(S, 3 * S), pre_roll=S // 2))
    assert rig.transport.loop == (S, 3 * S) and rig.transport.position() == S // 2
    # pass 1: transport 1..3 s is t 0.5..2.5; pass 2: t 2.5..4.5; pass 3: t 4.5..
    rig.on(1.0, 60)  # 1.5 s
    rig.off(1.5, 60)
    rig.on(2.25, 61)  # 2.75 s held over the loop end: ends at 3 s
    rig.off(2.75, 61)
    rig.on(3.0, 62)  # pass 2 at 1.5 s
    rig.off(3.25, 62)
    rig.on(5.0, 64)  # pass 3 at 1.5 s, held at the stop
    rig.at(5.5)
    result = rig.recorder.stop()  # pass 3 at 2 s
    assert result is not None and len(result.take_tracks) == 2
    tracks = rig.document.project.tracks
    take1, take2 = (tracks[i] for i in result.take_tracks)
    assert (take1.name, take2.name) == ("Strings take 1", "Strings take 2")
    assert take1.mute and take2.mute and take1.program == 48 and take1.channel == 2
    assert rig.notes(take1.id) == [(3 * S // 2, S // 2, 60, 100), (11 * S // 4, S // 4, 61, 100)]
    assert rig.notes(take2.id) == [(3 * S // 2, S // 4, 62, 100)]
    # the last pass is on the armed track; the loop range was cleared, 3.5 s kept
    assert rig.notes() == [(3 * S // 2, S // 2, 64, 100), (7 * S // 2, S // 10, 41, 100)]
    assert rig.document.history()[-1] == "Record take"
    rig.document.undo()
    assert snapshot(rig.document) == before
    rig.document.redo()
    swap_take(rig.document, 1, take1.id)
    assert [p for _a, _d, p, _v in rig.notes()] == [60, 61, 41]
    assert [p for _a, _d, p, _v in rig.notes(take1.id)] == [64]
    assert rig.document.history()[-1] == "Use take"


def test_stopping_the_transport_itself_lands_the_take() -> None:
    rig = Rig()
    landed: list[TakeResult | None] = []
    rig.recorder.on_landed = landed.append
    rig.at(0)
    rig.recorder.start(1)
    rig.on(0.5, 60)
    rig.at(1.0)
    rig.transport.stop()  # the space bar, not the recorder
    assert not rig.recorder.active
    assert rig.notes() == [(S // 2, S // 2, 60, 100)]
    assert len(landed) == 1 and landed[0] is not None and landed[0].notes == 1
    assert rig.recorder.stop() is None


def test_a_keyboard_going_away_mid_take_loses_nothing() -> None:
    rig = Rig()
    rig.at(0)
    rig.recorder.start(1)
    rig.on(0.2, 60)
    rig.off(0.4, 60)
    rig.on(0.5, 62)  # held when the cable is pulled
    rig.on(0.6, 67, source="Pads")
    rig.at(0.9)
    rig.recorder.on_status(PortStatus(KBD, PortChange.WENT_AWAY, rig.clock.now_ns(), "gone"))
    rig.off(1.5, 62)  # can't come from that keyboard any more; if it does, nothing pairs
    rig.off(1.2, 67, source="Pads")
    rig.on(1.5, 64)  # plugged in again
    rig.off(1.75, 64)
    rig.at(2)
    result = rig.recorder.stop()
    assert result is not None and result.lost_ports == (KBD,)
    assert rig.notes() == [(S // 5, S // 5, 60, 100), (S // 2, 2 * S // 5, 62, 100),
                           (3 * S // 5, 3 * S // 5, 67, 100), (3 * S // 2, S // 4, 64, 100)]


def test_an_empty_take_changes_nothing() -> None:
    rig = Rig(notes=[(0.5, 0.1, 60)])
    rig.at(0)
    rig.recorder.start(1)
    rig.at(2)
    assert rig.recorder.stop() is None
    assert rig.document.history() == ["Add track", "Add notes"]
    assert len(rig.notes()) == 1


def test_the_journal_gets_every_event_and_replaying_it_gives_the_take() -> None:
    rig = Rig()
    rig.at(0)
    rig.recorder.start(1)
    assert rig.journal.begun == [(1, 0, RecordMode.REPLACE)]
    assert rig.journal.rules == (None, None, EARLY_GRACE)
    rig.on(0.1, 60)
    rig.send(0.2, 0xB0, 64, 127)
    rig.off(0.3, 60)
    rig.send(0.35, 0xF8)  # a clock tick: not part of a take (and not a parsable note)
    rig.on(0.4, 62)
    rig.at(0.5)
    events_before_stop = list(rig.journal.events)  # the flush thread may not have run yet
    result = rig.recorder.stop()
    assert result is not None and rig.journal.ended == [True]
    assert len(rig.journal.events) == 4 and set(events_before_stop) <= set(rig.journal.events)
    recovered = replay(rig.journal.events, 0, S // 2)
    assert sorted((n.start, n.end - n.start, n.pitch) for n in recovered.notes) == [
        (a, d, p) for a, d, p, _v in rig.notes()]
    assert [(c.time, c.value) for c in recovered.controls] == [
        (a, v) for a, _c, v in rig.points()]


def test_cancel_throws_the_take_away() -> None:
    rig = Rig()
    rig.at(0)
    rig.recorder.start(1)
    rig.on(0.1, 60)
    rig.recorder.cancel()
    assert rig.notes() == [] and rig.journal.ended == [False] and not rig.transport.playing


def test_start_explains_what_is_missing() -> None:
    rig = Rig()
    with pytest.raises(RecordError, match="track"):
        rig.recorder.start(99)
    with pytest.raises(RecordError, match="loop range"):
        rig.recorder.start(1, RecordOptions(mode=RecordMode.LOOP))
    with pytest.raises(RecordError, match="punch-out"):
        rig.recorder.start(1, RecordOptions(punch=(2 * S, S)))
    rig.recorder.start(1)
    with pytest.raises(RecordError, match="already"):
        rig.recorder.start(1)


def test_punching_in_while_playing_starts_at_once() -> None:
    rig = Rig()
    rig.at(0)
    rig.transport.play()
    rig.at(1.0)
    rig.recorder.start(1, RecordOptions(count_in=S))  # no seek, no count-in: punch in now
    assert rig.recorder.count_in_range is None and rig.recorder.record_point == S
    rig.on(1.5, 60)
    rig.off(1.75, 60)
    rig.at(2)
    rig.recorder.stop()
    assert rig.notes() == [(3 * S // 2, S // 4, 60, 100)]


def test_live_notes_show_the_take_while_it_is_played() -> None:
    rig = Rig()
    rig.at(0)
    rig.recorder.start(1)
    rig.on(0.1, 60)
    rig.off(0.2, 60)
    rig.on(0.3, 62)
    rig.at(0.5)
    live = sorted((n.start, n.duration, n.pitch, n.id) for n in rig.recorder.live_notes())
    assert live == [(S // 10, S // 10, 60, 0), (3 * S // 10, S // 5, 62, 0)]
    assert rig.notes() == []  # the model is untouched until the stop


def test_control_points_keep_fractional_time_exact() -> None:
    # position_at of a stamp is exact to the flick: 1/3 s after the start
    rig = Rig()
    rig.at(0)
    rig.recorder.start(1)
    rig.clock.t = rig.t0 + 333_333_333
    rig.inputs.deliver(KBD, [0xB0, 1, 5], rig.clock.now_ns())
    rig.at(1)
    rig.recorder.stop()
    (time, _c, _v), = rig.points()
    assert time == 333_333_333 * S // 1_000_000_000
    assert Fraction(time, S) - Fraction(1, 3) < Fraction(1, 10**6)
    assert all(isinstance(p, ControlPoint) for p in rig.document.project.controls.values())


def test_a_note_played_as_the_take_begins_is_kept_though_dated_before_it() -> None:
    # JACK delivers at period starts, so a message is dated half a period before it arrived:
    # one played within that of the roll is dated before it. It arrived after: it is the take's
    # first note (a crash trial lost exactly that note). What arrived before the roll is not.
    rig = Rig()
    rig.transport.seek(S)
    rig.at(0)
    rig.recorder.start(1)  # rolls from 1 s at t = 0
    half_period = 2_666_667
    for at_ns, data in [(-1_000_000, [0x90, 60, 100]), (1_000_000, [0x90, 64, 90]),
                        (100_000_000, [0x80, 60, 0]), (200_000_000, [0x80, 64, 0])]:
        rig.clock.t = rig.t0 + at_ns
        rig.inputs.deliver(KBD, data, rig.t0 + at_ns - half_period, rig.t0 + at_ns)
    rig.at(1.0)
    rig.recorder.stop()
    assert rig.notes() == [(S, (200_000_000 - half_period) * S // 1_000_000_000, 64, 90)]
