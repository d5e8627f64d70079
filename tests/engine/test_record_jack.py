"""Recording through a real MIDI port: a JACK sender plays known notes into the app's input.

jackd runs with the dummy backend (conftest's ``jackd`` fixture, 48 kHz, 256-frame periods).
The sender is a virtual JACK MIDI output (mido, rtmidi UNIX_JACK); the app opens it like any
keyboard through ``MidiInputs``, the transport plays on the system clock and the recorder
records. A note's expected place is the transport position when it was sent; JACK delivers
it at the next period, so the tolerance is one period plus 1 ms.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import mido
import pytest

from cuesketch.engine.midi_input import JACK, MidiEvent, MidiInputs, PortChange, PortStatus
from cuesketch.engine.monitor import Monitor
from cuesketch.engine.recorder import Recorder, RecordOptions
from cuesketch.engine.transport import Transport
from cuesketch.model import changes
from cuesketch.model.document import Document
from cuesketch.model.entities import Note, Track
from cuesketch.model.project import Project
from cuesketch.timing.units import FLICKS_PER_SECOND

pytestmark = pytest.mark.jack

PERIOD_S = 256 / 48000
TOLERANCE = round((PERIOD_S + 0.001) * FLICKS_PER_SECOND)
SENDER = f"cuesketch-test-keys-{os.getpid()}"
PORT = f"{SENDER}:out"


def open_sender() -> mido.ports.BaseOutput:
    return mido.Backend("mido.backends.rtmidi/UNIX_JACK").open_output("out", client_name=SENDER)


@dataclass
class Played:
    pitch: int
    start: int  # expected transport positions (at the moment each message was sent)
    end: int


class SinkCalls:
    def __init__(self) -> None:
        self.ons: list[int] = []

    def note_on(self, channel: int, pitch: int, velocity: int) -> None:
        self.ons.append(pitch)

    def note_off(self, channel: int, pitch: int) -> None:
        pass

    def control_change(self, channel: int, controller: int, value: int) -> None:
        pass

    def pitch_bend(self, channel: int, value: int) -> None:
        pass


class Studio:
    def __init__(self) -> None:
        self.transport = Transport()
        self.document = Document(Project())
        self.document.execute_changes([changes.insert(Track(1, "Piano"))], "Add track")
        self.recorder = Recorder(self.document, self.transport)
        self.sink = SinkCalls()
        self.monitor = Monitor(self.sink)
        self.monitor.arm(0)
        self.statuses: list[PortStatus] = []
        self.inputs = MidiInputs(api=JACK, client_name=f"CuesketchTest{os.getpid()}",
                                 poll_interval=0.05)
        self.inputs.add_listener(self.recorder.on_event)
        self.inputs.add_listener(self.monitor.on_event)
        self.inputs.add_status_listener(self.statuses.append)
        self.inputs.add_status_listener(self.recorder.on_status)
        self.inputs.add_status_listener(self.monitor.on_status)

    def wait_for(self, what: Callable[[], bool], timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while not what():
            assert time.monotonic() < deadline, f"timed out; statuses: {self.statuses}"
            time.sleep(0.01)

    def play(self, out: mido.ports.BaseOutput, notes: list[tuple[float, float, int]]) -> list[Played]:
        """Send (start s, duration s, pitch) from now on; each expected place as sent."""
        t0 = time.monotonic()
        messages = sorted([(a, 1, p) for a, d, p in notes] + [(a + d, 0, p) for a, d, p in notes])
        played: dict[int, Played] = {}
        for at, is_on, pitch in messages:
            delay = t0 + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            position = self.transport.position_at(time.monotonic_ns())
            out.send(mido.Message("note_on" if is_on else "note_off", note=pitch,
                                  velocity=90 if is_on else 0))
            if is_on:
                played[pitch] = Played(pitch, position, 0)
            else:
                played[pitch].end = position
        return sorted(played.values(), key=lambda p: p.start)

    def close(self) -> None:
        self.inputs.close()


# Counts the JACK server's xruns (periods it could not finish in time). It runs in a process of
# its own: libjack calls the xrun callback on its notification thread, which would need our GIL,
# while python-rtmidi holds the GIL waiting on the same server (a deadlock until JACK times out).
XRUN_COUNTER = textwrap.dedent("""
    import ctypes, sys
    from cuesketch.engine.jack_ports import JACK_NO_START_SERVER, _libjack
    lib = _libjack()
    Callback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
    lib.jack_set_xrun_callback.argtypes = [ctypes.c_void_p, Callback, ctypes.c_void_p]
    lib.jack_activate.argtypes = [ctypes.c_void_p]
    count = 0
    def on_xrun(arg):
        global count
        count += 1
        return 0
    callback = Callback(on_xrun)
    client = lib.jack_client_open(sys.argv[1].encode(), JACK_NO_START_SERVER,
                                  ctypes.byref(ctypes.c_int(0)))
    if not client or lib.jack_set_xrun_callback(client, callback, None) or lib.jack_activate(client):
        print("no JACK server", flush=True)
        sys.exit(1)
    print("ready", flush=True)
    for _line in sys.stdin:
        print(count, flush=True)
    lib.jack_client_close(client)
""")


class XrunWatch:
    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-c", XRUN_COUNTER, f"cuesketch-xruns-{os.getpid()}"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "app")})
        assert self._proc.stdout is not None
        assert self._proc.stdout.readline().strip() == "ready", "no JACK server"

    @property
    def count(self) -> int:
        assert self._proc.stdin is not None and self._proc.stdout is not None
        self._proc.stdin.write("\n")
        self._proc.stdin.flush()
        return int(self._proc.stdout.readline())

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait(10)


@pytest.fixture
def xruns(jackd: None) -> Iterator[XrunWatch]:
    watch = XrunWatch()
    yield watch
    watch.close()


def retry_on_xrun(xruns: XrunWatch, scenario: Callable[[], None]) -> None:
    """Run a scenario; if it fails while the JACK server itself reported an xrun, the server
    missed its own deadline (the dummy backend is not realtime, and a busy machine delays it):
    that run says nothing about our timing, so it is played once more."""
    before = xruns.count
    try:
        scenario()
    except AssertionError:
        if xruns.count == before:
            raise
        scenario()


@pytest.fixture
def studio(jackd: None) -> Iterator[Studio]:
    s = Studio()
    yield s
    s.close()


def recorded(document: Document) -> list[Note]:
    return sorted(document.project.notes.values(), key=lambda n: n.start)


def assert_close(notes: list[Note], played: list[Played]) -> None:
    assert [n.pitch for n in notes] == [p.pitch for p in played]
    for note, p in zip(notes, played):
        assert abs(note.start - p.start) <= TOLERANCE, (note, p, TOLERANCE)
        assert abs(note.end - p.end) <= TOLERANCE, (note, p, TOLERANCE)
        assert note.velocity == 90


# Irregular onsets (not on a period grid), chords, overlaps, a staccato 10 ms note.
SEQUENCE = [(0.05, 0.2, 60), (0.137, 0.05, 64), (0.2, 0.3, 67), (0.29, 0.01, 72),
            (0.41, 0.123, 62), (0.5, 0.2, 65), (0.611, 0.07, 69), (0.75, 0.15, 71)]


def test_notes_played_through_jack_land_where_they_were_played(xruns: XrunWatch) -> None:
    def scenario() -> None:
        studio = Studio()
        out = open_sender()
        try:
            studio.inputs.set_ports([PORT])
            studio.inputs.start()
            assert studio.inputs.open_ports() == [PORT], studio.statuses
            time.sleep(0.1)  # let JACK settle the new connection
            studio.transport.seek(10 * FLICKS_PER_SECOND)
            studio.recorder.start(1, RecordOptions(early_grace=0))
            played = studio.play(out, SEQUENCE)
            time.sleep(0.05)
            result = studio.recorder.stop()
        finally:
            out.close()
            studio.close()
        assert result is not None and result.notes == len(SEQUENCE)
        assert_close(recorded(studio.document), played)
        assert sorted(studio.sink.ons) == sorted(p for _a, _d, p in SEQUENCE)  # monitored too
        assert studio.document.history()[-1] == "Record take"

    retry_on_xrun(xruns, scenario)


def test_pulling_the_port_away_mid_take_loses_nothing_and_it_is_reopened(
        xruns: XrunWatch) -> None:
    def scenario() -> None:
        studio = Studio()
        try:
            pull_the_port_away(studio)
        finally:
            studio.close()

    retry_on_xrun(xruns, scenario)


def pull_the_port_away(studio: Studio) -> None:
    out = open_sender()
    studio.inputs.set_ports([PORT])
    studio.inputs.start()
    time.sleep(0.1)
    studio.recorder.start(1, RecordOptions(early_grace=0))
    before = studio.play(out, [(0.02, 0.05, 60), (0.1, 0.05, 62)])
    out.send(mido.Message("note_on", note=64, velocity=90))  # held when the cable goes
    time.sleep(0.05)
    out.close()  # the keyboard is unplugged: its JACK client and port vanish
    studio.wait_for(lambda: any(s.change is PortChange.WENT_AWAY for s in studio.statuses))
    assert studio.inputs.open_ports() == []
    assert studio.recorder.active and studio.transport.playing  # the take goes on
    out = open_sender()  # plugged in again
    try:
        studio.wait_for(lambda: studio.statuses[-1].change is PortChange.CAME_BACK)
        assert studio.inputs.open_ports() == [PORT]
        time.sleep(0.1)
        after = studio.play(out, [(0.0, 0.05, 65), (0.08, 0.05, 67)])
        time.sleep(0.05)
        result = studio.recorder.stop()
    finally:
        out.close()
    assert result is not None and result.lost_ports == (PORT,)
    notes = recorded(studio.document)
    assert [n.pitch for n in notes] == [60, 62, 64, 65, 67]
    assert_close([notes[0], notes[1], notes[3], notes[4]], before + after)
    held = notes[2]
    went_away = next(s for s in studio.statuses if s.change is PortChange.WENT_AWAY)
    assert held.end <= studio.transport.position_at(went_away.t_ns) + TOLERANCE
    assert "went away" in went_away.text and "came back" in studio.statuses[-1].text


def test_events_come_from_the_jack_thread_stamped_before_anything_else(studio: Studio) -> None:
    out = open_sender()
    seen: list[tuple[MidiEvent, int, str]] = []
    studio.inputs.add_listener(
        lambda e: seen.append((e, time.monotonic_ns(), threading.current_thread().name)))
    try:
        studio.inputs.set_ports([PORT])
        studio.inputs.start()
        time.sleep(0.1)
        sent = time.monotonic_ns()
        out.send(mido.Message("note_on", note=61, velocity=5))
        studio.wait_for(lambda: bool(seen))
    finally:
        out.close()
    event, handled, thread = seen[0]
    assert event.source == PORT and event.message.note == 61
    assert sent <= event.arrived_ns <= handled
    assert event.arrived_ns - sent <= 0.05e9  # a period or two (the timing test says how close)
    # dated half a period earlier: JACK delivers at period starts, 0..1 period after sending
    assert studio.inputs.delivery_delay_ns == 256 * 10**9 // 48000 // 2
    assert event.t_ns == event.arrived_ns - studio.inputs.delivery_delay_ns
    assert thread != threading.main_thread().name
