"""MIDI inputs against a fake port system: choosing, opening, unplugging, the message path."""

from __future__ import annotations

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.midi_input import (
    ArrivalClock,
    Deliver,
    MidiEvent,
    MidiInputs,
    PortChange,
    PortStatus,
    port_key,
    rtmidi_callback,
)


class FakePort:
    def __init__(self, system: FakeSystem, name: str, deliver: Deliver) -> None:
        self.system, self.name, self.deliver = system, name, deliver
        self.closed = False

    def close(self) -> None:
        self.closed = True


class FakeSystem:
    api = "FAKE"
    delivery_delay_ns = 0

    def __init__(self, *names: str) -> None:
        self.names = list(names)
        self.opened: list[FakePort] = []
        self.refuse: set[str] = set()

    def list_ports(self) -> list[str]:
        return list(self.names)

    def open(self, name: str, deliver: Deliver) -> FakePort:
        if name in self.refuse:
            raise OSError("busy")
        port = FakePort(self, name, deliver)
        self.opened.append(port)
        return port

    def close(self) -> None:
        pass

    def live(self, name: str) -> FakePort:
        return next(p for p in reversed(self.opened) if p.name == name and not p.closed)


def make(*names: str) -> tuple[MidiInputs, FakeSystem, list[PortStatus], list[MidiEvent]]:
    system = FakeSystem(*names)
    inputs = MidiInputs(clock=FakeClock(), system=system)
    statuses: list[PortStatus] = []
    events: list[MidiEvent] = []
    inputs.add_status_listener(statuses.append)
    inputs.add_listener(events.append)
    return inputs, system, statuses, events


def test_the_first_real_port_opens_by_default() -> None:
    inputs, system, statuses, _ = make("Midi Through:Midi Through Port-0 14:0",
                                       "Keystation:Keystation MIDI 1 24:0", "Pads:Pads 28:0")
    inputs.poll()
    assert inputs.open_ports() == ["Keystation:Keystation MIDI 1 24:0"]
    assert [s.change for s in statuses] == [PortChange.OPENED]
    assert "Keystation" in statuses[0].text


def test_several_chosen_ports_at_once_and_messages_carry_their_source_and_stamp() -> None:
    inputs, system, statuses, events = make("A:out", "B:out", "C:out")
    inputs.set_ports(["A:out", "C:out", "D:out"])  # D is not plugged in: opened when it comes
    assert sorted(inputs.open_ports()) == ["A:out", "C:out"]
    system.live("C:out").deliver([0x90, 60, 100], 123)
    system.live("A:out").deliver([0xB0, 64, 127], 456)
    system.live("A:out").deliver([0xF0], 789)  # an incomplete sysex: dropped, no error
    assert [(e.source, e.message.type, e.t_ns) for e in events] == [
        ("C:out", "note_on", 123), ("A:out", "control_change", 456)]
    system.names.append("D:out")
    inputs.poll()
    assert sorted(inputs.open_ports()) == ["A:out", "C:out", "D:out"]
    inputs.set_ports(["D:out"])
    assert inputs.open_ports() == ["D:out"]
    assert all(p.closed for p in system.opened if p.name != "D:out")


def test_a_port_that_goes_away_is_reported_and_reopened_when_it_returns() -> None:
    inputs, system, statuses, events = make("Keys:Keys MIDI 1 20:0")
    inputs.poll()
    first = system.live("Keys:Keys MIDI 1 20:0")
    system.names.clear()
    inputs.poll()
    assert first.closed and inputs.open_ports() == []
    assert statuses[-1].change is PortChange.WENT_AWAY and "went away" in str(statuses[-1])
    inputs.poll()
    assert len(statuses) == 2  # said once
    system.names.append("Keys:Keys MIDI 1 24:0")  # ALSA gave it another client number
    inputs.poll()
    assert [s.change for s in statuses][-1:] == [PortChange.CAME_BACK]
    assert "came back" in statuses[-1].text
    second = system.live("Keys:Keys MIDI 1 24:0")
    assert second is not first
    second.deliver([0x90, 64, 1], 5)
    assert events[-1].source == "Keys:Keys MIDI 1 24:0"


def test_a_port_that_fails_to_open_is_said_once_and_tried_again_when_replugged() -> None:
    inputs, system, statuses, _ = make("Keys:out")
    system.refuse.add("Keys:out")
    inputs.poll()
    inputs.poll()
    assert [s.change for s in statuses] == [PortChange.FAILED] and "busy" in statuses[0].text
    system.refuse.clear()
    system.names.clear()
    inputs.poll()
    system.names.append("Keys:out")
    inputs.poll()
    assert inputs.open_ports() == ["Keys:out"]


def test_a_broken_listener_does_not_silence_the_others() -> None:
    inputs, system, _, events = make()

    def broken(event: MidiEvent) -> None:
        raise RuntimeError("bug")

    inputs.remove_listener(events.append)
    inputs.add_listener(broken)
    inputs.add_listener(events.append)
    inputs.sender("Computer keyboard")([0x90, 60, 100])
    assert len(events) == 1 and events[0].source == "Computer keyboard"


def test_port_keys_survive_alsa_renumbering_only() -> None:
    assert port_key("Keys:Keys MIDI 1 20:0") == port_key("Keys:Keys MIDI 1 24:0") == \
        "Keys:Keys MIDI 1"
    assert port_key("sender:out") == "sender:out"
    assert port_key("a2j:Keys [20] (capture): Keys MIDI 1") != port_key("sender:out")


def test_our_own_ports_are_never_inputs() -> None:
    inputs, system, _, _ = make("Cuesketch:out", "Cuesketch-01:in", "Keys:out")
    assert inputs.ports() == ["Keys:out"]


def test_the_watcher_thread_polls_until_closed() -> None:
    inputs, system, statuses, _ = make("Keys:out")
    inputs.poll_interval = 0.01
    inputs.start()
    try:
        system.names.clear()
        for _ in range(500):
            if statuses and statuses[-1].change is PortChange.WENT_AWAY:
                break
            import time
            time.sleep(0.01)
        assert statuses[-1].change is PortChange.WENT_AWAY
    finally:
        inputs.close()
    assert inputs.open_ports() == []


def test_arrival_clock_takes_the_gil_wait_out_of_the_stamps() -> None:
    clock = ArrivalClock()
    true = [1_000_000_000 + k * 7_000_000 for k in range(8)]  # arrivals, 7 ms apart
    waits = [3_000_000, 0, 4_000_000, 2_500_000, 0, 9_000_000, 100, 0]  # GIL waits
    got = []
    previous = true[0]
    for arrival, wait in zip(true, waits):
        got.append(clock.arrival((arrival - previous) / 1e9, arrival + wait))
        previous = arrival
    assert got[0] == true[0] + 3_000_000  # nothing to go by yet: the stamp
    # from the first prompt stamp on: exact but for the allowed drift (0.1 ms a second)
    assert [round((g - t) / 1000) for g, t in zip(got[1:], true[1:])] == [0, 1, 1, 0, 1, 0, 0]


def test_arrival_clock_never_moves_a_stamp_later_and_bounds_its_correction() -> None:
    clock = ArrivalClock()
    stamps = [10**9 + k * 50_000_000 for k in range(6)]
    got = [clock.arrival(0.0, s) for s in stamps]  # a backend whose deltas are all 0
    assert all(g <= s for g, s in zip(got, stamps))
    assert all(s - g <= ArrivalClock.MAX_CORRECTION_NS for g, s in zip(got, stamps))


class Stamps:
    """A clock that reads out the given times, one a call (the callback reads it once)."""

    def __init__(self, *times: int) -> None:
        self.times = iter(times)

    def now_ns(self) -> int:
        return next(self.times)


def test_the_rtmidi_callback_stamps_then_corrects() -> None:
    got: list[tuple[list[int], int]] = []
    callback = rtmidi_callback(lambda data, t: got.append((data, t)), Stamps(100, 250, 300))
    callback(([0x90, 60, 1], 0.0), None)
    callback(([0x80, 60, 0], 100e-9), None)  # arrived 100 ns after the first, stamped 150 after
    callback(([0x90, 61, 1], 100e-9), None)
    assert got == [([0x90, 60, 1], 100), ([0x80, 60, 0], 200), ([0x90, 61, 1], 300)]
    plain = rtmidi_callback(lambda data, t: got.append((data, t)), Stamps(7),
                            use_deltas=False)
    plain(([0xB0, 1, 2], 5.0), None)
    assert got[-1] == ([0xB0, 1, 2], 7)


def test_a_missing_keyboard_is_said_once_with_what_still_works() -> None:
    inputs, system, statuses, _ = make("Midi Through:Midi Through Port-0 14:0")
    inputs.poll()
    inputs.poll()
    assert [s.change for s in statuses] == [PortChange.MISSING]
    assert "no MIDI keyboard" in statuses[0].text and "musical typing" in statuses[0].text
    system.names.append("Keys:out")
    inputs.poll()
    assert statuses[-1].change is PortChange.OPENED
    inputs.set_ports(["Keys:out", "Pads:out"])
    assert [s.text for s in statuses if s.change is PortChange.MISSING][-1].startswith(
        "MIDI input “Pads:out” is not plugged in")
