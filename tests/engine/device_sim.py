"""A simulated audio device driving a Transport, on a FakeClock: the truth is known exactly.

The device's sample ``s`` is heard at ``heard(s)``: its own crystal (``ppm`` off the monotonic
clock), plus whatever time it lost (an xrun) or a restart. Its callback for the period from
``s`` wakes ``latency_ns`` before that (plus jitter) and reports as the app's audio callback
does (``Transport.device_period``); when told to (re)start, the "audio" plays transport
position ``cue`` at sample ``s`` and on, one sample per sample. So the position the listener
hears at time ``t`` is known, and the transport can be checked against it at every step.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from cuesketch.engine.clock import FakeClock
from cuesketch.engine.transport import Transport
from cuesketch.timing.units import FLICKS_PER_SECOND

MS = FLICKS_PER_SECOND // 1000


@dataclass
class SimDevice:
    clock: FakeClock
    transport: Transport
    rate: int = 48000
    frames: int = 256
    ppm: float = 0.0  # + runs fast
    latency_ns: int = 10_666_667
    jitter_ns: int = 0  # wake-ups early or late by up to this (uniform)
    first_report_offset_ns: int = 0  # the very first report is this late (a device starting)
    seed: int = 1
    sample: int = 0  # the next period's first sample
    origin_ns: int = 0  # when sample 0 is heard
    lost_ns: int = 0  # time the device lost (xruns, a restart): later samples are heard later
    epoch: int = -1
    audio: tuple[int, int] | None = None  # (sample, transport flicks) the audio plays from
    reports: int = 0
    cues: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.seed)
        self.origin_ns = self.clock.now_ns() + self.latency_ns

    @property
    def period_ns(self) -> float:
        return self.frames * 1e9 / (self.rate * (1 + self.ppm * 1e-6))

    def heard(self, sample: float) -> float:
        return self.origin_ns + self.lost_ns + sample * 1e9 / (self.rate * (1 + self.ppm * 1e-6))

    def next_wake(self) -> int:
        return round(self.heard(self.sample) - self.latency_ns)

    def heard_position(self, t_ns: int) -> int | None:
        """What the listener hears at ``t_ns`` (flicks, unwrapped), if the audio plays."""
        if self.audio is None:
            return None
        s0, p0 = self.audio
        sample = (t_ns - self.origin_ns - self.lost_ns) * self.rate * (1 + self.ppm * 1e-6) / 1e9
        if sample < s0:
            return p0
        return p0 + round((sample - s0) * FLICKS_PER_SECOND / self.rate)

    def callback(self) -> None:
        """Run the period that is due now (the clock is at its wake-up time)."""
        state = self.transport.state()
        if state.epoch != self.epoch:
            self.epoch = state.epoch
            self.audio = None  # a jump: what played before is no longer the truth
        # Wake-ups scatter both ways around the device's own time (a constant lateness would
        # be indistinguishable from latency, for the app as for anyone).
        late = self.rng.randint(-self.jitter_ns, self.jitter_ns) if self.jitter_ns else 0
        if self.reports == 0:
            late += self.first_report_offset_ns
        heard_ns = self.clock.now_ns() + late + self.latency_ns
        cue = self.transport.device_period(self.sample, heard_ns, self.frames, self.rate,
                                           self.epoch)
        self.reports += 1
        if cue is not None:
            self.audio = (self.sample, cue)
            self.cues.append(cue)
        if not state.playing:
            self.audio = None
        self.sample += self.frames


def run(device: SimDevice, seconds: float, step_ns: int = 500_000,
        on_step: object = None) -> list[tuple[int, int, int | None]]:
    """Step the clock by ``step_ns`` for ``seconds``, calling the device when due; returns
    (time, transport position, heard position) at every step."""
    clock = device.clock
    end = clock.now_ns() + round(seconds * 1e9)
    samples = []
    while clock.now_ns() < end:
        wake = device.next_wake()
        target = min(clock.now_ns() + step_ns, end)
        if wake <= target:
            clock.t = max(clock.t, wake)
            device.callback()
            continue
        clock.t = target
        if callable(on_step):
            on_step()
        now = clock.now_ns()
        samples.append((now, device.transport.position(), device.heard_position(now)))
    return samples
