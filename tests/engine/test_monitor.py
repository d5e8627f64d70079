"""Monitoring: live input rechannelled to the armed track, nothing left hanging."""

from __future__ import annotations

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.midi_input import MidiInputs, PortChange, PortStatus
from cuesketch.engine.monitor import LiveSink, Monitor


class Sink:
    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def note_on(self, channel: int, pitch: int, velocity: int) -> None:
        self.calls.append(("on", channel, pitch, velocity))

    def note_off(self, channel: int, pitch: int) -> None:
        self.calls.append(("off", channel, pitch))

    def control_change(self, channel: int, controller: int, value: int) -> None:
        self.calls.append(("cc", channel, controller, value))

    def pitch_bend(self, channel: int, value: int) -> None:
        self.calls.append(("bend", channel, value))


def rig() -> tuple[Sink, Monitor, MidiInputs, FakeClock]:
    clock = FakeClock()
    sink = Sink()
    structural: LiveSink = sink  # the synth implements the protocol without importing it
    monitor = Monitor(structural, clock)
    inputs = MidiInputs(clock=clock, system=None)
    inputs.add_listener(monitor.on_event)
    return sink, monitor, inputs, clock


def test_input_plays_on_the_armed_channel_whatever_the_keyboard_sends() -> None:
    sink, monitor, inputs, clock = rig()
    inputs.deliver("K", [0x90, 60, 100], clock.now_ns())  # nothing armed: silent
    assert sink.calls == []
    monitor.arm(5)
    inputs.deliver("K", [0x93, 60, 100], clock.now_ns())
    inputs.deliver("K", [0xB3, 64, 127], clock.now_ns())
    inputs.deliver("K", [0xE3, 0, 0x40], clock.now_ns())
    inputs.deliver("K", [0x93, 60, 0], clock.now_ns())
    inputs.deliver("K", [0xC3, 7], clock.now_ns())  # program change: the track decides
    assert sink.calls == [("on", 5, 60, 100), ("cc", 5, 64, 127), ("bend", 5, 0),
                          ("off", 5, 60)]


def test_rearming_ends_held_notes_where_they_sound() -> None:
    sink, monitor, inputs, clock = rig()
    monitor.arm(1)
    inputs.deliver("K", [0x90, 60, 100], clock.now_ns())
    inputs.deliver("K", [0xB0, 64, 127], clock.now_ns())
    inputs.deliver("K", [0x90, 62, 100], clock.now_ns())
    inputs.deliver("K", [0x80, 62, 0], clock.now_ns())
    sink.calls.clear()
    monitor.arm(2)
    assert sink.calls == [("off", 1, 60), ("cc", 1, 64, 0)]


def test_a_keyboard_going_away_releases_its_notes_only() -> None:
    sink, monitor, inputs, clock = rig()
    monitor.arm(0)
    inputs.deliver("K", [0x90, 60, 100], clock.now_ns())
    inputs.deliver("P", [0x90, 64, 100], clock.now_ns())
    sink.calls.clear()
    monitor.on_status(PortStatus("K", PortChange.WENT_AWAY, 0, "gone"))
    assert sink.calls == [("off", 0, 60)]


def test_latency_is_measured_from_the_arrival_stamp() -> None:
    sink, monitor, inputs, clock = rig()
    monitor.arm(0)
    stamp = clock.now_ns()
    clock.advance(250_000)  # the synth call happens 0.25 ms after the message arrived
    inputs.deliver("K", [0x90, 60, 100], stamp)
    clock.advance(1_000_000)
    inputs.deliver("K", [0x80, 60, 100], stamp)
    stats = monitor.latency_ms()
    assert stats["count"] == 2 and stats["max"] == 1.25 and stats["mean"] == 0.75
