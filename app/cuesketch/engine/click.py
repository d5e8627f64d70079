"""The click track: a metronome on the tempo map's beats, a film frame click, and count-ins.

``Click.hits(a, b, tempo, rate)`` lists the clicks whose sample falls in ``[a, b)``
(transport samples), each marked as a downbeat (accent) or not. Playback sends them to the
synth as GM percussion on their own channel (``CLICK_CHANNEL``: woodblocks by default), or,
with ``sound="synth"`` or no SoundFont, mixes a synthesized tick in at the exact sample.

- ``mode="beats"``: one click per beat of the meter (its denominator: eighths in 6/8), the
  downbeat of each bar accented; the tempo map's ramps and meter changes are followed.
- ``mode="frames"``: a film frame click, e.g. ``"12-2"`` (a click every 12 2/8 frames) from
  ``frame_origin``, accented every ``frame_beats_per_bar`` clicks.
- A count-in ``(start, end)`` (flicks) clicks even when the click is off: bars at the tempo
  and meter in force at ``end`` (the record point), counted back from it.
- ``stretches``: where several maps are in force (a cue's own inside it, the project's
  elsewhere), each stretch of the transport clicks by its own map.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import NamedTuple

import numpy as np

from cuesketch.engine.synth import Audio
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.tempo import BarBeatTick, TempoError, TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND, flicks_to_samples, samples_to_flicks

# GM percussion (channel 10) keys
HI_WOOD_BLOCK = 76
LOW_WOOD_BLOCK = 77
SIDE_STICK = 37
CLAVES = 75
_CLICK = re.compile(r"^\s*(\d+)\s*(?:-\s*([0-7])\s*)?$")


CLICK_SOUNDS = {"gm": "Woodblocks (SoundFont)", "synth": "Plain tick"}


class ClickHit(NamedTuple):
    time: int  # transport sample
    accent: bool


class TempoStretch(NamedTuple):
    """A stretch of the transport, samples ``[start, end)`` (``None``: without an end), and
    the tempo map in force in it."""

    start: int | None
    end: int | None
    tempo: TempoMap

    def holds(self, sample: int) -> bool:
        return (self.start is None or sample >= self.start) and \
            (self.end is None or sample < self.end)


@dataclass
class Click:
    enabled: bool = False
    level: float = 0.8  # 0..1 (CC7 on the click channel, or the synthesized tick's gain)
    mode: str = "beats"  # "beats" (the tempo map) or "frames" (a film frame click)
    frame_click: str = "12-0"  # frames-eighths between clicks, for mode "frames"
    frame_origin: int = 0  # flicks: where the frame click's first downbeat falls
    frame_beats_per_bar: int = 4
    sound: str = "gm"  # "gm": percussion through the synth; "synth": a synthesized tick
    accent_key: int = HI_WOOD_BLOCK
    beat_key: int = LOW_WOOD_BLOCK
    accent_velocity: int = 127
    beat_velocity: int = 90
    count_in: tuple[int, int] | None = None  # (start, end) flicks: clicks even when disabled

    # -- what sounds where -------------------------------------------------------------------
    def hits(self, a: int, b: int, tempo: TempoMap, rate: FrameRate,
             sample_rate: int, stretches: tuple[TempoStretch, ...] = ()) -> list[ClickHit]:
        """The clicks in transport samples ``[a, b)``, in order: by ``tempo``, or where
        ``stretches`` are given by the map in force in each."""
        out: list[ClickHit] = []
        if b <= a:
            return out
        ca = cb = 0
        if self.count_in is not None:
            ca = flicks_to_samples(self.count_in[0], sample_rate)
            cb = flicks_to_samples(self.count_in[1], sample_rate)
            if a < cb and ca < b:
                counted = next((s.tempo for s in stretches if s.holds(cb)), tempo)
                out += [h for h in self._count_in_hits(counted, sample_rate)
                        if max(a, ca) <= h.time < min(b, cb)]
        if self.enabled:
            pieces = [(a, b, tempo)] if not stretches or self.mode == "frames" else [
                (max(a, s.start if s.start is not None else a),
                 min(b, s.end if s.end is not None else b), s.tempo) for s in stretches]
            # Inside the count-in its own clicks replace the grid's.
            out += [h for pa, pb, tm in pieces if pa < pb
                    for h in self._grid(pa, pb, tm, rate, sample_rate)
                    if not ca <= h.time < cb]
        return sorted(out)

    def _grid(self, a: int, b: int, tempo: TempoMap, rate: FrameRate,
              sample_rate: int) -> list[ClickHit]:
        if self.mode == "frames":
            return self._frame_hits(a, b, rate, sample_rate)
        return beat_hits(a, b, tempo, sample_rate)

    def _frame_hits(self, a: int, b: int, rate: FrameRate, sample_rate: int) -> list[ClickHit]:
        period = frame_click_flicks(self.frame_click, rate)
        fa, fb = samples_to_flicks(a, sample_rate), samples_to_flicks(b, sample_rate)
        k = -((self.frame_origin - fa) // period) - 1  # a little before a: filtered below
        out = []
        while True:
            t = self.frame_origin + k * period
            if t >= fb + period:
                break
            s = flicks_to_samples(t, sample_rate)
            if a <= s < b:
                out.append(ClickHit(s, k % max(1, self.frame_beats_per_bar) == 0))
            k += 1
        return out

    def _count_in_hits(self, tempo: TempoMap, sample_rate: int) -> list[ClickHit]:
        assert self.count_in is not None
        start, end = self.count_in
        beat = count_in_beat_flicks(tempo, end)
        numerator = tempo.meter_at(tempo.flicks_to_bbt(end).bar).numerator
        n = round(Fraction(end - start) / beat)
        return [ClickHit(flicks_to_samples(end - round((n - i) * beat), sample_rate),
                         i % numerator == 0) for i in range(n)]

    def count_in_start(self, position: int, bars: int, tempo: TempoMap) -> int:
        """Where a count-in of ``bars`` bars before ``position`` starts (flicks)."""
        numerator = tempo.meter_at(tempo.flicks_to_bbt(position).bar).numerator
        return position - round(bars * numerator * count_in_beat_flicks(tempo, position))


def count_in_beat_flicks(tempo: TempoMap, position: int) -> Fraction:
    """One beat of the meter (its denominator) at the tempo in force at ``position``."""
    meter = tempo.meter_at(tempo.flicks_to_bbt(position).bar)
    quarter = Fraction(60 * FLICKS_PER_SECOND) / tempo.bpm_at(position)
    return quarter * 4 / meter.denominator


def beat_hits(a: int, b: int, tempo: TempoMap, sample_rate: int) -> list[ClickHit]:
    """A click on every beat of the meter in transport samples ``[a, b)``; downbeats accented."""
    fa = samples_to_flicks(a, sample_rate)
    bbt = tempo.flicks_to_bbt(fa)
    bar, beat = bbt.bar, bbt.beat
    # Step back one beat: flicks_to_bbt rounds to the nearest tick.
    bar, beat = _prev_beat(tempo, bar, beat)
    out = []
    for _ in range(100_000):
        t = flicks_to_samples(tempo.bbt_to_flicks(BarBeatTick(bar, beat, 0)), sample_rate)
        if t >= b:
            break
        if t >= a:
            out.append(ClickHit(t, beat == 1))
        bar, beat = _next_beat(tempo, bar, beat)
    return out


def _next_beat(tempo: TempoMap, bar: int, beat: int) -> tuple[int, int]:
    if beat < tempo.meter_at(bar).numerator:
        return bar, beat + 1
    return bar + 1, 1


def _prev_beat(tempo: TempoMap, bar: int, beat: int) -> tuple[int, int]:
    if beat > 1:
        return bar, beat - 1
    return bar - 1, tempo.meter_at(bar - 1).numerator


def frame_click_flicks(click: str, rate: FrameRate) -> int:
    """Flicks between the clicks of a frame click (``12-2``: 12 2/8 frames), exactly."""
    m = _CLICK.match(click)
    if m is None:
        raise TempoError(f"'{click.strip()}' is not a frame click; write frames-eighths, "
                         f"e.g. 12-2 for a click every 12 2/8 frames")
    eighths = 8 * int(m.group(1)) + int(m.group(2) or 0)
    if eighths == 0:
        raise TempoError("a click every 0 frames has no tempo")
    return eighths * rate.flicks_per_frame // 8


class SynthesizedClick:
    """A short pitched tick mixed in at the exact sample (no SoundFont needed)."""

    def __init__(self, sample_rate: int, length_ms: float = 30.0) -> None:
        n = int(sample_rate * length_ms / 1000)
        t = np.arange(n, dtype=np.float64) / sample_rate
        env = np.exp(-t * 180.0)
        self.accent = (0.5 * env * np.sin(2 * math.pi * 1800.0 * t)).astype(np.float32)
        self.beat = (0.4 * env * np.sin(2 * math.pi * 1200.0 * t)).astype(np.float32)
        self._tails: list[tuple[np.ndarray, int]] = []  # (wave, samples already played)

    @property
    def ringing(self) -> bool:
        """A tick is still sounding into the next buffer."""
        return bool(self._tails)

    def mix(self, out: Audio, hits: list[tuple[int, bool]], level: float) -> None:
        """Add ticks starting at buffer offsets ``hits`` (offset, accent), and earlier tails."""
        tails, self._tails = self._tails, []
        for wave, done in tails:
            self._add(out, wave, 0, done, level)
        for offset, accent in hits:
            self._add(out, self.accent if accent else self.beat, offset, 0, level)

    def _add(self, out: Audio, wave: np.ndarray, offset: int, done: int, level: float) -> None:
        n = out.shape[0]
        take = min(n - offset, len(wave) - done)
        if take <= 0:
            return
        chunk = wave[done:done + take] * level
        out[offset:offset + take, 0] += chunk
        out[offset:offset + take, 1] += chunk
        if done + take < len(wave):
            self._tails.append((wave, done + take))
