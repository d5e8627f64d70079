"""Sample-tight scheduling on a synth that starts events only at 64-sample block boundaries.

FluidSynth applies an event at the start of the next block it renders, and its sequencer is no
more precise. So we render in chunks split at event times: each event is sent when the synth
stands exactly on the block boundary nearest the event's sample, which puts the onset at most
32 samples off (not 63), and between events the synth renders in large chunks.

Times are absolute synth samples (``SynthEngine.samples_written`` counts them). An event whose
nearest boundary lies past the end of this render waits for the next one; so the caller hands
over events up to ``LOOKAHEAD`` samples past the end, or an event just after a chunk end that
is not on a boundary would land late. Realtime (the audio callback) and offline rendering both
go through ``Scheduler.render``.

A note-on more than ``MAX_LATE_S`` late is dropped: after the process was stopped (a laptop
asleep, SIGSTOP) whatever was waiting would otherwise sound all at once. Note-offs, releases
and controllers are always sent, so nothing hangs and the channel's state stays right.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from cuesketch.engine.synth import BLOCK, Audio, SynthEngine

HALF_BLOCK = BLOCK // 2
LOOKAHEAD = HALF_BLOCK  # samples past a chunk's end whose events the caller hands over too

# Event kinds, in the order they apply when they fall on the same sample.
NOTE_OFF = 0
RELEASE = 1  # sustain off and all notes off on a channel (seek, loop, stop)
CONTROL = 2  # a: controller number, b: value
PITCH = 3  # a: bend -8192..8191
NOTE_ON = 4  # a: key, b: velocity


class Event(NamedTuple):
    time: int  # absolute synth sample
    kind: int
    channel: int
    a: int = 0
    b: int = 0


def nearest_boundary(sample: int) -> int:
    """The 64-sample block boundary nearest ``sample`` (a tie goes to the later one)."""
    return (sample + HALF_BLOCK) // BLOCK * BLOCK


class Scheduler:
    MAX_LATE_S = 0.1  # a note-on later than this is dropped; note-offs and controls never are

    def __init__(self, synth: SynthEngine) -> None:
        self.synth = synth
        self._pending: list[Event] = []
        self.max_error = 0  # largest |boundary - event time| sent so far (samples), for reports
        self.max_late = round(self.MAX_LATE_S * synth.sample_rate)
        self.dropped = 0  # stale note-ons not played

    @property
    def pending(self) -> list[Event]:
        return list(self._pending)

    def clear(self) -> list[Event]:
        """Drop the events waiting for the next render (a seek); returns them."""
        dropped, self._pending = self._pending, []
        return dropped

    def render(self, n: int, events: list[Event] | tuple[Event, ...] = (),
               out: Audio | None = None) -> Audio:
        """Render ``n`` samples, sending each event on the boundary nearest its time.

        ``events`` must be sorted; they may reach past the end (look-ahead): those whose
        boundary is later than the end wait for the next call.
        """
        if out is None:
            out = np.empty((n, 2), dtype=np.float32)
        synth = self.synth
        start = synth.samples_written
        end = start + n
        queue = sorted(self._pending + list(events)) if self._pending else events
        self._pending = []
        for i, ev in enumerate(queue):
            boundary = nearest_boundary(ev.time)
            if boundary > end:
                self._pending = list(queue[i:])
                break
            if ev.kind == NOTE_ON and ev.time < start - self.max_late:
                self.dropped += 1  # stale (the process was stopped): a burst, not music
                continue
            if boundary > synth.samples_written:
                synth.render_into(out, synth.samples_written - start, boundary - start)
            self._send(ev)
            # A late event (its boundary already rendered) starts at the next boundary.
            landed = max(boundary, -(-synth.samples_written // BLOCK) * BLOCK)
            self.max_error = max(self.max_error, abs(landed - ev.time))
        synth.render_into(out, synth.samples_written - start, n)
        return out

    def _send(self, ev: Event) -> None:
        synth = self.synth
        kind = ev.kind
        if kind == NOTE_ON:
            synth.note_on(ev.channel, ev.a, ev.b)
        elif kind == NOTE_OFF:
            synth.note_off(ev.channel, ev.a)
        elif kind == CONTROL:
            synth.control_change(ev.channel, ev.a, ev.b)
        elif kind == PITCH:
            synth.pitch_bend(ev.channel, ev.a)
        elif kind == RELEASE:
            synth.release(ev.channel)
