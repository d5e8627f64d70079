"""Tempo maps: tempo steps and ramps, meter changes, bars|beats|ticks.

Musical time is measured in beats, always quarter notes (``Fraction``), from the map's origin.
Conversions to time are exact: a step segment is linear, and a ramp (the tempo moving linearly
in *time* from one change's bpm to the next's) lasts exactly ``120 * B / (T0 + T1)`` seconds for
``B`` beats, so the beat at a time is a quadratic with rational coefficients. Only the time of
a beat inside a ramp needs a square root; it is taken on integers (``math.isqrt``) and gives the
nearest flick exactly. Each tempo change sits on the flick nearest its exact time (summed
exactly when the map is built), so nothing accumulates: after two hours and hundreds of
changes every position is still within a flick of the exact one, and flicks -> beat -> flicks
returns the same flick.

Bars|beats|ticks count 1-based bars and beats for display; the beat is the meter's
denominator (an eighth in 6/8) and ticks are 960 a quarter note (480 an eighth).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property
from math import isqrt

from cuesketch.timing.rates import FrameRate
from cuesketch.timing.units import (
    FLICKS_PER_SECOND,
    Flicks,
    Frames,
)

PPQ = 960  # ticks per quarter note
_TICKS_PER_WHOLE = 4 * PPQ
DENOMINATORS = (1, 2, 4, 8, 16, 32, 64)  # a meter's bottom number
_F = FLICKS_PER_SECOND


class TempoError(ValueError):
    """A tempo map, bar|beat|tick or click that makes no sense, said in plain words."""


@dataclass(frozen=True)
class TempoChange:
    """From ``beat`` (quarter notes from the map's origin) the tempo is ``bpm``.

    ``ramp``: the tempo moves linearly in time from here to the next change's bpm
    (accelerando, ritardando); otherwise it holds until the next change.
    """

    beat: Fraction
    bpm: Fraction
    ramp: bool = False


@dataclass(frozen=True)
class MeterChange:
    """From bar ``bar`` (0-based from the origin) the meter is numerator/denominator."""

    bar: int
    numerator: int = 4
    denominator: int = 4


@dataclass(frozen=True, order=True)
class BarBeatTick:
    """A musical position for display: 1-based ``bar`` and ``beat``, ``tick`` within the beat.

    Bars before the origin are 0, -1, ...; a beat has 960 * 4 / denominator ticks.
    """

    bar: int
    beat: int = 1
    tick: int = 0

    def __str__(self) -> str:
        return f"{self.bar}|{self.beat}|{self.tick:03d}"

    @classmethod
    def parse(cls, text: str) -> BarBeatTick:
        """``3|2|480``, ``3|2`` or ``3|`` (bar 3, beat 2, tick 480)."""
        m = _BBT.match(text)
        if m is None:
            raise TempoError(f"'{text.strip()}' is not bars|beats|ticks; write e.g. 3|2|480")
        bar, beat, tick = m.groups()
        return cls(int(bar), int(beat or 1), int(tick or 0))


_BBT = re.compile(r"^\s*(-?\d+)\s*\|\s*(\d+)?\s*(?:\|\s*(\d+)\s*)?$")


def _nearest(x: Fraction) -> int:
    """The nearest integer, halves rounded up (``round`` would round them to even)."""
    return (2 * x.numerator + x.denominator) // (2 * x.denominator)


@dataclass(frozen=True)
class TempoMap:
    """Musical time anchored at ``origin`` (flicks on the transport, beat 0 there).

    ``tempos`` start at beat 0 in increasing beat order; ``meters`` start at bar 0 in increasing
    bar order. Before the origin the first tempo and meter extend backwards; a ramp on the last
    change has nothing to ramp to and holds its tempo.
    """

    origin: int = 0
    tempos: tuple[TempoChange, ...] = (TempoChange(Fraction(0), Fraction(120)),)
    meters: tuple[MeterChange, ...] = field(default=(MeterChange(0, 4, 4),))

    def __post_init__(self) -> None:
        if not self.tempos or self.tempos[0].beat != 0:
            raise TempoError("a tempo map needs a tempo at beat 0")
        for a, b in zip(self.tempos, self.tempos[1:]):
            if b.beat <= a.beat:
                raise TempoError(f"tempo changes must be in order of beats "
                                 f"(beat {b.beat} comes after beat {a.beat})")
        for t in self.tempos:
            if t.bpm <= 0:
                raise TempoError(f"a tempo must be above 0 bpm, not {t.bpm}")
        if not self.meters or self.meters[0].bar != 0:
            raise TempoError("a tempo map needs a meter at bar 0")
        for ma, mb in zip(self.meters, self.meters[1:]):
            if mb.bar <= ma.bar:
                raise TempoError(f"meter changes must be in order of bars "
                                 f"(bar {mb.bar} comes after bar {ma.bar})")
        for m in self.meters:
            if m.numerator < 1 or m.denominator not in DENOMINATORS:
                raise TempoError(f"{m.numerator}/{m.denominator} is not a meter; the top is 1 "
                                 f"or more, the bottom one of {', '.join(map(str, DENOMINATORS))}")

    @classmethod
    def constant(cls, bpm: Fraction | int, numerator: int = 4, denominator: int = 4,
                 origin: int = 0) -> TempoMap:
        return cls(origin, (TempoChange(Fraction(0), Fraction(bpm)),),
                   (MeterChange(0, numerator, denominator),))

    @cached_property
    def _tempo(self) -> _TempoIndex:
        return _TempoIndex(self.tempos)

    @cached_property
    def _meter(self) -> _MeterIndex:
        return _MeterIndex(self.meters)

    # --- beats <-> flicks (transport positions) -------------------------------------------

    def flicks_to_beat(self, flicks: int) -> Fraction:
        """The exact beat (quarter notes from the origin) at a transport position."""
        return self._tempo.beat_at(flicks - self.origin)

    def beat_to_flicks(self, beat: Fraction | int) -> Flicks:
        """The transport position of a beat, to the nearest flick."""
        return Flicks(self.origin + self._tempo.time_of(Fraction(beat)))

    def bpm_at(self, flicks: int) -> Fraction:
        """The tempo sounding at a transport position (inside a ramp, exactly)."""
        return self._tempo.bpm_at(flicks - self.origin)

    # --- bars|beats|ticks -----------------------------------------------------------------

    def beat_to_bbt(self, beat: Fraction | int) -> BarBeatTick:
        """Bars|beats|ticks of a beat, to the nearest tick."""
        return self._meter.bbt(_nearest(Fraction(beat) * PPQ))

    def bbt_to_beat(self, bbt: BarBeatTick) -> Fraction:
        return Fraction(self._meter.ticks(bbt), PPQ)

    def flicks_to_bbt(self, flicks: int) -> BarBeatTick:
        return self.beat_to_bbt(self.flicks_to_beat(flicks))

    def bbt_to_flicks(self, bbt: BarBeatTick) -> Flicks:
        return self.beat_to_flicks(self.bbt_to_beat(bbt))

    def meter_at(self, bar: int) -> MeterChange:
        """The meter in effect in a (1-based) bar."""
        return self._meter.meter_of(bar - 1)

    # --- frames (from the project start) and samples ---------------------------------------

    def frame_to_beat(self, frame: int, rate: FrameRate) -> Fraction:
        """The exact beat at the start of a frame."""
        return self.flicks_to_beat(frame * rate.flicks_per_frame)

    def beat_to_frame(self, beat: Fraction | int, rate: FrameRate) -> Frames:
        """The frame whose start is nearest to a beat."""
        return rate.nearest_frame(self.beat_to_flicks(beat))

    def frame_to_bbt(self, frame: int, rate: FrameRate) -> BarBeatTick:
        return self.beat_to_bbt(self.frame_to_beat(frame, rate))

    def bbt_to_frame(self, bbt: BarBeatTick, rate: FrameRate) -> Frames:
        """The frame nearest to a bar|beat|tick; frame -> bbt -> frame returns the same frame
        as long as a tick is shorter than a frame (any tempo above 4 bpm at 60 fps)."""
        return self.beat_to_frame(self.bbt_to_beat(bbt), rate)


class _TempoIndex:
    """A tempo map's segments, their start times and coefficients, computed once.

    Times here are flicks from the origin. Segment i starts at beat ``beats[i]`` and at flick
    ``starts[i]``, the flick nearest to its exact start time (summed exactly, so rounding
    never adds up: every position is within half a flick of the exact one). Keeping starts on
    whole flicks keeps the rationals small: summing hundreds of arbitrary tempos exactly
    gives denominators of thousands of bits, and conversions ten times slower.
    Each conversion is a bisection and a polynomial with precomputed rational coefficients.
    """

    def __init__(self, tempos: tuple[TempoChange, ...]) -> None:
        n = len(tempos)
        self.beats: list[Fraction] = [Fraction(t.beat) for t in tempos]
        self.bpms: list[Fraction] = [Fraction(t.bpm) for t in tempos]
        # Bisect on ints (Fraction comparisons are slow): a beat is at or after beats[i] only
        # if floor(beat) >= floor(beats[i]).
        self.beat_floors: list[int] = [b.numerator // b.denominator for b in self.beats]
        self.starts: list[int] = []
        # beat(t) = c0 + t (c1 + c2 t) for int t inside segment i (c2 = 0 for a step)
        self.c0: list[Fraction] = []
        self.c1: list[Fraction] = []
        self.c2: list[Fraction] = []
        # time(beat) = d0 + beat q for a step
        self.d0: list[Fraction] = []
        self.q: list[Fraction] = []
        self.ramps: list[_Ramp | None] = []
        exact = Fraction(0)
        for i in range(n):
            t = _nearest(exact)
            self.starts.append(t)
            b0, bpm = self.beats[i], self.bpms[i]
            ramp = None
            if i + 1 < n and tempos[i].ramp and self.bpms[i + 1] != bpm:
                ramp = _Ramp(t, self.beats[i + 1] - b0, bpm, self.bpms[i + 1])
            self.ramps.append(ramp)
            q = 60 * _F / bpm  # flicks per beat at a steady tempo
            self.q.append(q)
            self.d0.append(t - b0 * q)
            if ramp is None:
                self.c0.append(b0 - t / q)
                self.c1.append(1 / q)
                self.c2.append(Fraction(0))
            else:  # b0 + u (a + b u) with u = time - t, expanded in time
                self.c0.append(b0 + ramp.b * t * t - ramp.a * t)
                self.c1.append(ramp.a - 2 * ramp.b * t)
                self.c2.append(ramp.b)
            if i + 1 < n:
                exact += ramp.duration if ramp else (self.beats[i + 1] - b0) * q

    def _segment_of_time(self, t: int) -> int:
        return bisect_right(self.starts, t) - 1

    def _segment_of_beat(self, beat: Fraction) -> int:
        i = bisect_right(self.beat_floors, beat.numerator // beat.denominator) - 1
        while i >= 0 and self.beats[i] > beat:
            i -= 1
        return i

    def beat_at(self, t: int) -> Fraction:
        i = self._segment_of_time(t)
        if i < 0:  # before the origin: the first tempo extends backwards
            return t / self.q[0]
        if self.ramps[i] is None:
            return self.c0[i] + t * self.c1[i]
        return self.c0[i] + t * (self.c1[i] + t * self.c2[i])

    def time_of(self, beat: Fraction) -> int:
        i = self._segment_of_beat(beat)
        if i < 0:
            return _nearest(beat * self.q[0])
        ramp = self.ramps[i]
        if ramp is None:
            return _nearest(self.d0[i] + beat * self.q[i])
        return ramp.nearest_time(beat - self.beats[i])

    def bpm_at(self, t: int) -> Fraction:
        i = max(self._segment_of_time(t), 0)
        ramp = self.ramps[i]
        if ramp is None:
            return self.bpms[i]
        return ramp.t0 + (ramp.t1 - ramp.t0) * (t - self.starts[i]) / ramp.duration


class _Ramp:
    """A tempo moving linearly in time from ``t0`` to ``t1`` bpm over ``length`` beats.

    With u the flicks since the ramp's start and D its duration in flicks:
    tempo(u) = t0 + (t1 - t0) u / D, and beats(u) = (t0 u + (t1 - t0) u^2 / 2D) / 60F,
    so D = 120 F length / (t0 + t1). Inverting: the tempo's square is linear in beats,
    tempo(b)^2 = t0^2 + (t1^2 - t0^2) b / length, and u(b) = C (tempo(b) - t0) with
    C = 120 F length / (t1^2 - t0^2).
    """

    def __init__(self, start: int, length: Fraction, t0: Fraction, t1: Fraction) -> None:
        self.t0, self.t1 = t0, t1
        self.duration = 120 * _F * length / (t0 + t1)
        self.a = t0 / (60 * _F)  # beats(u) = u * (a + b u)
        self.b = (t1 - t0) / (120 * _F * self.duration)
        c = 120 * _F * length / (t1 * t1 - t0 * t0)
        # start + u(b) + 1/2 = C tempo(b) + y = sign(C) sqrt(X(b)) + y, where
        # X(b) = C^2 tempo(b)^2 = x0 + x1 b is linear in beats.
        self.sign = 1 if c > 0 else -1
        self.x0 = (c * t0) ** 2
        self.x1 = 120 * _F * c
        self.y = start - c * t0 + Fraction(1, 2)

    def nearest_time(self, beats: Fraction) -> int:
        """floor(start + u(beats) + 1/2) exactly: the nearest flick to the beat's time."""
        x = self.x0 + self.x1 * beats
        # floor(s*sqrt(xn/xd) + yn/yd) = floor((s*sqrt(Z) + A) / M), Z = xn xd yd^2,
        # A = yn xd, M = xd yd; and floor((r + A) / M) only depends on floor(r) for integer A, M.
        xn, xd = x.numerator, x.denominator
        yn, yd = self.y.numerator, self.y.denominator
        z = xn * xd * yd * yd
        root = isqrt(z)
        if self.sign < 0 and root * root != z:
            root += 1  # floor(-sqrt(Z)) = -ceil(sqrt(Z))
        return (self.sign * root + yn * xd) // (xd * yd)


# --- meters -----------------------------------------------------------------------------

class _MeterIndex:
    """Meter segments in ticks from beat 0: bar ``bars[j]`` starts at tick ``starts[j]``."""

    def __init__(self, meters: tuple[MeterChange, ...]) -> None:
        self.meters = meters
        self.bars = [m.bar for m in meters]
        self.bar_ticks = [m.numerator * _TICKS_PER_WHOLE // m.denominator for m in meters]
        self.beat_ticks = [_TICKS_PER_WHOLE // m.denominator for m in meters]
        self.starts = [0]
        for j in range(1, len(meters)):
            bars = self.bars[j] - self.bars[j - 1]
            self.starts.append(self.starts[-1] + bars * self.bar_ticks[j - 1])

    def meter_of(self, bar_index: int) -> MeterChange:
        return self.meters[max(bisect_right(self.bars, bar_index) - 1, 0)]

    def bbt(self, ticks: int) -> BarBeatTick:
        j = max(bisect_right(self.starts, ticks) - 1, 0)
        bars, rest = divmod(ticks - self.starts[j], self.bar_ticks[j])
        beat, tick = divmod(rest, self.beat_ticks[j])
        return BarBeatTick(self.bars[j] + bars + 1, beat + 1, tick)

    def ticks(self, bbt: BarBeatTick) -> int:
        index = bbt.bar - 1
        j = max(bisect_right(self.bars, index) - 1, 0)
        m = self.meters[j]
        if not 1 <= bbt.beat <= m.numerator:
            raise TempoError(f"{bbt}: a bar of {m.numerator}/{m.denominator} has beats "
                             f"1 to {m.numerator}")
        if not 0 <= bbt.tick < self.beat_ticks[j]:
            raise TempoError(f"{bbt}: a beat of {m.numerator}/{m.denominator} has ticks "
                             f"0 to {self.beat_ticks[j] - 1}")
        return (self.starts[j] + (index - self.bars[j]) * self.bar_ticks[j]
                + (bbt.beat - 1) * self.beat_ticks[j] + bbt.tick)


# --- film frame clicks ------------------------------------------------------------------

_CLICK = re.compile(r"^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$")


def _fps(fps: FrameRate | Fraction | int) -> Fraction:
    return fps.fps if isinstance(fps, FrameRate) else Fraction(fps)


def click_to_bpm(click: str, fps: FrameRate | Fraction | int) -> Fraction:
    """The tempo of a frame click: ``12-2`` is a click every 12 2/8 frames (117.55 bpm at 24)."""
    m = _CLICK.match(click)
    if m is None:
        raise TempoError(f"'{click.strip()}' is not a frame click; write frames-eighths, "
                         f"e.g. 12-2 for a click every 12 2/8 frames")
    frames, eighths = int(m.group(1)), int(m.group(2) or 0)
    if eighths > 7:
        raise TempoError(f"{click.strip()}: the eighths of a frame go from 0 to 7")
    total = 8 * frames + eighths
    if total == 0:
        raise TempoError("a click every 0 frames has no tempo")
    return 60 * 8 * _fps(fps) / total


def bpm_to_click(bpm: Fraction | int | float, fps: FrameRate | Fraction | int) -> str:
    """The frame click nearest to a tempo, to 1/8 frame: 120 bpm at 24 fps is ``12-0``."""
    bpm = Fraction(bpm)
    if bpm <= 0:
        raise TempoError(f"a tempo must be above 0 bpm, not {bpm}")
    total = _nearest(60 * 8 * _fps(fps) / bpm)
    if total == 0:
        raise TempoError(f"{float(bpm):g} bpm is faster than one click every 1/8 frame")
    frames, eighths = divmod(total, 8)
    return f"{frames}-{eighths}"
