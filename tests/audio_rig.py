"""The real audio engine on a JACK server of its own, with its clock written down.

FluidSynth's JACK driver calls ``Playback.process`` every period; the transport follows it.
Every callback is logged (monotonic wake-up time, the device sample it starts at) and every
cue the transport gives the audio (the sample a take starts at, and where). From those an
offline, non-causal fit says what was really heard when: the truth the transport's online
estimate is checked against, in tests and figures.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cuesketch.engine.audio_out import AudioOutput
from cuesketch.engine.clock import SystemClock
from cuesketch.engine.playback import Playback
from cuesketch.engine.synth import SynthEngine
from cuesketch.engine.transport import Transport
from cuesketch.model import changes
from cuesketch.model.document import Document
from cuesketch.model.entities import Track
from cuesketch.model.project import Project
from cuesketch.timing.units import FLICKS_PER_SECOND


class LoggedTransport(Transport):
    def __init__(self) -> None:
        super().__init__(SystemClock())
        self.cues: list[tuple[int, int, int]] = []  # (device sample, flicks, monotonic ns)

    def device_period(self, sample: int, heard_ns: int, frames: int, rate: int,
                      epoch: int) -> int | None:
        cue = super().device_period(sample, heard_ns, frames, rate, epoch)
        if cue is not None:
            self.cues.append((sample, cue, time.monotonic_ns()))
        return cue


class LoggedOutput(AudioOutput):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.log: list[tuple[int, int]] = []  # (wake-up monotonic ns, first device sample)
        super().__init__(*args, **kwargs)

    def _process(self, data: Any, n: int, nfx: int, fx: Any, nout: int, out: Any) -> int:
        self.log.append((time.monotonic_ns(), self.playback.synth.samples_written))
        return super()._process(data, n, nfx, fx, nout, out)


@dataclass
class Rig:
    transport: LoggedTransport
    document: Document
    playback: Playback
    output: LoggedOutput
    stepped: list[int] = field(default_factory=list)

    def heard_fit(self, start_ns: int, end_ns: int) -> tuple[float, float, float] | None:
        """(slope samples/ns, intercept, residual rms ns) of the samples heard against time
        over the callbacks in [start, end), outliers (late wake-ups) left out; None when the
        device lost time in there (a step in the residuals: no one straight line is true)."""
        log = np.array([(t, s) for t, s in self.output.log if start_ns <= t < end_ns],
                       dtype=np.float64)
        if len(log) < 20:
            return None
        t = log[:, 0] + self.output.latency_ns - start_ns
        s = log[:, 1]
        keep = np.ones(len(t), dtype=bool)
        for _ in range(3):
            k, b = np.polyfit(t[keep], s[keep], 1)
            res_ns = (s - (k * t + b)) / k
            keep = np.abs(res_ns) < 1.5e6
        if keep.mean() < 0.9:
            return None
        rms = float(np.sqrt(np.mean(res_ns[keep] ** 2)))
        if rms > 1e6:
            return None
        return float(k), float(b - k * start_ns), rms

    def truth(self, fit: tuple[float, float, float], cue: tuple[int, int, int],
              t_ns: int) -> int:
        """Where the audio was heard at ``t_ns`` (held at the take's start before that)."""
        k, b, _ = fit
        sample, position, _ = cue
        heard = k * t_ns + b
        rate = self.playback.rate
        return position + max(0, round((heard - sample) * FLICKS_PER_SECOND / rate))


@contextmanager
def audio_rig(period: int = 256) -> Iterator[Rig]:
    """Inside a running JACK server (the caller's): the engine, started; stopped after."""
    transport = LoggedTransport()
    document = Document(Project())
    document.execute_changes([changes.insert(Track(1, "Piano"))], "Add track")
    synth = SynthEngine(None)
    playback = Playback(synth, document=document, transport=transport)
    output = LoggedOutput(playback, drivers=("jack",), period_size=period,
                          client_name=f"CuesketchRig{time.monotonic_ns() % 100000}")
    try:
        if not output.start():
            raise RuntimeError(f"the JACK audio output did not start: {output.failures}")
        time.sleep(0.5)  # the device runs before anything plays (as from the app's start)
        yield Rig(transport, document, playback, output)
    finally:
        output.stop()
        playback.close()
        synth.close()
