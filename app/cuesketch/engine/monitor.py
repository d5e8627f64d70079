"""Monitoring: what is played sounds at once on the record-armed track's instrument.

The monitor is a ``MidiInputs`` listener: it runs on the MIDI thread and calls the synth
directly (FluidSynth's calls are thread-safe), rechannelled to the armed track's channel
whatever channel the keyboard sends on. It remembers what is held so that re-arming another
track or losing a keyboard never leaves a note hanging, and it measures its own latency: the
arrival stamp to the moment the synth is called.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import Protocol

from cuesketch.engine.clock import MonotonicClock, SystemClock
from cuesketch.engine.midi_input import MidiEvent, PortChange, PortStatus

SUSTAIN = 64


class LiveSink(Protocol):
    """What plays live input: the synth engine implements it. Called from the MIDI thread."""

    def note_on(self, channel: int, pitch: int, velocity: int) -> None: ...

    def note_off(self, channel: int, pitch: int) -> None: ...

    def control_change(self, channel: int, controller: int, value: int) -> None: ...

    def pitch_bend(self, channel: int, value: int) -> None:
        """``value`` -8192..8191, 0 the centre."""
        ...


class Monitor:
    LATENCY_SAMPLES = 4096  # the latest latencies kept for the figures
    STALE_NS = 250_000_000  # a note-on that arrived this long ago is not sounded any more

    def __init__(self, sink: LiveSink | None = None, clock: MonotonicClock | None = None) -> None:
        self.sink = sink
        self.clock = clock or SystemClock()  # the app's one clock (the transport's)
        self._now = self.clock.now_ns
        self._channel: int | None = None  # None: nothing armed, nothing sounds
        self._held: dict[tuple[str, int], int] = {}  # (source, pitch) -> channel it sounds on
        self._sustained: set[tuple[str, int]] = set()  # (source, channel) with the pedal down
        self._lock = threading.Lock()
        self.latencies_ns: deque[int] = deque(maxlen=self.LATENCY_SAMPLES)

    @property
    def channel(self) -> int | None:
        return self._channel

    def arm(self, channel: int | None) -> None:
        """Play live input on ``channel`` (the armed track's); None stops monitoring."""
        with self._lock:
            if channel == self._channel:
                return
            self._release(lambda source: True)
            self._channel = channel

    # -- listeners ---------------------------------------------------------------------------
    def on_event(self, event: MidiEvent) -> None:
        sink, channel = self.sink, self._channel
        if sink is None or channel is None:
            return
        msg = event.message
        kind = msg.type
        with self._lock:
            if kind == "note_on" and msg.velocity > 0:
                if self._now() - event.arrived_ns > self.STALE_NS:
                    return  # waited while the process was stopped: played then, not now
                self._held[(event.source, msg.note)] = channel
                self.latencies_ns.append(self._now() - event.arrived_ns)
                sink.note_on(channel, msg.note, msg.velocity)
            elif kind == "note_off" or kind == "note_on":
                # The note ends where it began, even if another track was armed meanwhile.
                sounding = self._held.pop((event.source, msg.note), channel)
                self.latencies_ns.append(self._now() - event.arrived_ns)
                sink.note_off(sounding, msg.note)
            elif kind == "control_change":
                if msg.control == SUSTAIN:
                    (self._sustained.add if msg.value >= 64 else self._sustained.discard)(
                        (event.source, channel))
                self.latencies_ns.append(self._now() - event.arrived_ns)
                sink.control_change(channel, msg.control, msg.value)
            elif kind == "pitchwheel":
                self.latencies_ns.append(self._now() - event.arrived_ns)
                sink.pitch_bend(channel, msg.pitch)

    def on_status(self, status: PortStatus) -> None:
        """A keyboard went away: its held notes and pedal would sound for ever; end them."""
        if status.change is PortChange.WENT_AWAY:
            with self._lock:
                self._release(lambda source: source == status.port)

    def _release(self, which: Callable[[str], bool]) -> None:
        sink = self.sink
        for (source, pitch), channel in list(self._held.items()):
            if which(source):
                del self._held[(source, pitch)]
                if sink is not None:
                    sink.note_off(channel, pitch)
        for source, channel in list(self._sustained):
            if which(source):
                self._sustained.discard((source, channel))
                if sink is not None:
                    sink.control_change(channel, SUSTAIN, 0)

    # -- figures -----------------------------------------------------------------------------
    def latency_ms(self) -> dict[str, float]:
        """Mean, p99 and max of the arrival-to-synth-call latency, in ms."""
        values = sorted(self.latencies_ns)
        if not values:
            return {"count": 0, "mean": 0.0, "p99": 0.0, "max": 0.0}
        p99 = values[min(len(values) - 1, int(0.99 * len(values)))]
        return {"count": len(values), "mean": sum(values) / len(values) / 1e6,
                "p99": p99 / 1e6, "max": values[-1] / 1e6}
