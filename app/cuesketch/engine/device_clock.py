"""The audio device's clock, filtered: a delay-locked loop over its (sample, time) pairs.

Once per period the audio callback says: the device sample ``s`` (the period's first) will be
heard at monotonic time ``t``. The wake-up times jitter (a fraction of a millisecond on a
realtime server, milliseconds on JACK's non-realtime dummy backend), and the device's crystal
runs a little fast or slow against the monotonic clock (the dummy backend here: 0.07-0.6 %).
``DeviceClock`` turns the pairs into one straight line, time -> sample, as JACK does for its
own frame-time estimates: a second-order loop (F. Adriaensen, "Using a DLL to filter time",
2005) whose phase term follows the wake-ups and whose rate term absorbs the crystal, so a
constant rate offset leaves no phase error behind.

Bandwidth: 0.5 Hz (zeta = 0.707): one wake-up 1 ms late moves the line by 0.024 ms, and
wake-ups scattered by +-1 ms (0.58 ms rms) leave 0.09 ms rms (measured on the simulated
device of the tests); a crystal's drift, far slower, is followed. A loop that
narrow would take seconds to learn the rate after a (re)start, and a wide one learns the
jitter instead, so the first ``FAST_PERIODS`` (340 ms at 256 frames, 48 kHz) fit the line by
least squares over every report since the start (the best straight line there is for
scattered wake-ups), and the loop takes over from that line.

Discontinuities are not jitter and are not filtered:
- a *phase step*: the device lost or gained time (an xrun; the dummy backend drops a period
  every few seconds). ``STEP_CONFIRM`` periods in a row off by a similar amount beyond
  ``STEP_NS`` re-phase the line at once, keeping the rate; outliers that do not agree are
  ignored (late wake-ups: a process that was not scheduled for a while).
- a *restart*: an error beyond ``RESET_NS``, a sample count that did not follow on, or a new
  sample rate start the loop over from the period at hand.
Pure arithmetic: no locks, no threads (the transport calls it under its own lock).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

NS_PER_SECOND = 1_000_000_000


@dataclass(frozen=True)
class Line:
    """time -> sample: ``sample = sample0 + (t - time0) / ns_per_sample``."""

    sample0: int
    time0: float  # ns
    ns_per_sample: float

    def sample_at(self, t_ns: float) -> float:
        return self.sample0 + (t_ns - self.time0) / self.ns_per_sample

    def time_of(self, sample: float) -> float:
        return self.time0 + (sample - self.sample0) * self.ns_per_sample


class DeviceClock:
    BANDWIDTH_HZ = 0.5
    FAST_PERIODS = 64
    STEP_NS = 4_000_000  # beyond the worst wake-up jitter seen here (3.5 ms, non-realtime)
    STEP_CONFIRM = 3  # periods in a row, off by about the same, make a step
    MAX_RATE_ERROR = 0.02  # no device's crystal is 2 % off: an estimate past that is noise
    FIT_MIN_PERIODS = 8  # the fit's rate is trusted from this many reports on
    RESET_NS = 60_000_000

    def __init__(self) -> None:
        self.line: Line | None = None
        self.rate = 0  # the device's nominal sample rate
        self.restarts = 0  # how many times the loop started over (tests, figures)
        self.steps = 0  # phase steps taken
        self.periods = 0  # periods since the last (re)start
        self._next_sample = 0  # the sample the next period should start at
        self._predicted = 0.0  # the filtered time of ``_next_sample``
        self._ns_per_sample = 0.0  # the rate term (ns per device sample)
        self._suspects: list[float] = []  # errors beyond STEP_NS waiting for confirmation
        self._origin = (0, 0)  # the first report since the (re)start: the fit's origin
        self._sums = [0.0] * 5  # n, sum x, sum y, sum xx, sum xy (x samples, y ns from origin)

    @property
    def ratio(self) -> float:
        """Device samples per nominal sample of the monotonic clock (1.0057: 0.57 % fast)."""
        if not self.rate or not self._ns_per_sample:
            return 1.0
        return NS_PER_SECOND / self.rate / self._ns_per_sample

    def update(self, sample: int, t_ns: int, frames: int, rate: int) -> str:
        """A period of ``frames`` samples from ``sample`` is heard from ``t_ns``.

        Returns what happened: "start" (the loop (re)started here), "step" (re-phased),
        "skip" (an outlier, ignored) or "track".
        """
        if (self.line is None or rate != self.rate or sample != self._next_sample
                or frames <= 0):
            return self._start(sample, t_ns, frames, rate)
        error = t_ns - self._predicted
        if abs(error) > self.RESET_NS:
            return self._start(sample, t_ns, frames, rate)
        if abs(error) > self.STEP_NS:
            suspects = self._suspects
            if suspects and abs(error - suspects[0]) >= self.STEP_NS / 2:
                suspects.clear()  # not the same offset: a late wake-up after all
            suspects.append(error)
            if len(suspects) >= self.STEP_CONFIRM:
                suspects.clear()
                self.steps += 1
                if self.periods < self.FAST_PERIODS:
                    self._start(sample, t_ns, frames, rate)  # fit again from here
                else:
                    self._advance(sample, float(t_ns), frames, self._ns_per_sample)
                return "step"
            self._advance(sample, self._predicted, frames, self._ns_per_sample)
            return "skip"
        self._suspects.clear()
        self.periods += 1
        if self.periods < self.FAST_PERIODS:
            self._fit(sample, t_ns, frames)
            return "track"
        omega = 2 * math.pi * self.BANDWIDTH_HZ * frames / rate
        b, c = math.sqrt(2) * omega, omega * omega
        # The next period's predicted time takes the phase correction; the rate term learns.
        period = frames * self._ns_per_sample + b * error
        self._ns_per_sample = self._bounded(self._ns_per_sample + c * error / frames)
        self._advance(sample, self._predicted, frames, period / frames)
        return "track"

    def _start(self, sample: int, t_ns: int, frames: int, rate: int) -> str:
        self.rate = rate
        self._ns_per_sample = NS_PER_SECOND / rate
        self._suspects.clear()
        self.periods = 0
        self.restarts += 1
        self._origin = (sample, t_ns)
        self._sums = [0.0] * 5
        self._fit(sample, t_ns, max(frames, 1))
        return "start"

    def _fit(self, sample: int, t_ns: int, frames: int) -> None:
        """Least squares over the reports since the start (running sums: O(1) a period)."""
        x, y = sample - self._origin[0], t_ns - self._origin[1]
        sums = self._sums
        for i, v in enumerate((1.0, x, y, x * x, x * y)):
            sums[i] += v
        n, sx, sy, sxx, sxy = sums
        det = n * sxx - sx * sx
        if n >= self.FIT_MIN_PERIODS and det > 0:
            # A device that has just started wanders by milliseconds: a rate from a few of its
            # first periods could be anything (1.6x was seen), so it waits for enough of them.
            self._ns_per_sample = self._bounded((n * sxy - sx * sy) / det)
        at = self._origin[1] + (sy - self._ns_per_sample * sx) / n + self._ns_per_sample * x
        self._advance(sample, at, frames, self._ns_per_sample)

    def _bounded(self, ns_per_sample: float) -> float:
        nominal = NS_PER_SECOND / self.rate
        return min(max(ns_per_sample, nominal / (1 + self.MAX_RATE_ERROR)),
                   nominal * (1 + self.MAX_RATE_ERROR))

    def _advance(self, sample: int, at: float, frames: int, ns_per_sample: float) -> None:
        """The line through (sample, at) with this slope; the next period predicted on it."""
        self.line = Line(sample, at, ns_per_sample)
        self._next_sample = sample + frames
        self._predicted = at + frames * ns_per_sample
