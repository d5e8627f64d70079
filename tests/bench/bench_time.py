"""Exact time: tempo-map conversion speed, and timecode against an independent reference."""

from __future__ import annotations

import importlib
import random
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from fractions import Fraction

from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.tempo import MeterChange, TempoChange, TempoMap
from cuesketch.timing.timecode import format_timecode, frames_per_day, parse_timecode
from cuesketch.timing.units import FLICKS_PER_SECOND


def two_hour_cue(changes: int = 500, seed: int = 3) -> tuple[TempoMap, Fraction]:
    """A cue of two hours and more with ``changes`` tempo changes, half of them ramps, and a
    few meter changes; also returns its exact length in flicks (summed without rounding)."""
    rng = random.Random(seed)
    tempos, beat, exact = [], Fraction(0), Fraction(0)
    bpm = Fraction(rng.randint(6000, 16000), 100)
    for i in range(changes):
        nxt = Fraction(rng.randint(6000, 16000), 100)
        ramp = rng.random() < 0.5 and i + 1 < changes
        tempos.append(TempoChange(beat, bpm, ramp))
        length = Fraction(rng.randint(28 * 960, 40 * 960), 960)
        exact += 120 * FLICKS_PER_SECOND * length / (bpm + (nxt if ramp else bpm))
        beat += length
        bpm = nxt
    meters = (MeterChange(0, 4, 4), MeterChange(40, 3, 4), MeterChange(90, 7, 8),
              MeterChange(200, 5, 4), MeterChange(400, 4, 4))
    tm = TempoMap(0, tuple(tempos), meters)
    assert exact >= 2 * 3600 * FLICKS_PER_SECOND, "the cue must last two hours"
    # No drift: the end of the last change lands on the flick nearest its exact time.
    if abs(tm.beat_to_flicks(beat) - exact) > Fraction(1, 2):
        raise AssertionError(f"the map drifted: {tm.beat_to_flicks(beat)} flicks, exact {exact}")
    return tm, exact


def figure_tempo_convert_us() -> float:
    """Median µs of frame -> bars|beats|ticks -> frame in a two-hour cue with 500 tempo
    changes (steps and ramps), at 29.97df and 24; fails on any round trip that drifts."""
    tm, length = two_hour_cue()
    rng = random.Random(11)
    times: list[float] = []
    clock = time.perf_counter
    for name in ("29.97df", "24"):
        rate = STANDARD_RATES[name]
        last = int(length) // rate.flicks_per_frame
        frames = [rng.randrange(last) for _ in range(5000)] + [0, last - 1]
        for frame in frames:
            t0 = clock()
            back = tm.bbt_to_frame(tm.frame_to_bbt(frame, rate), rate)
            times.append(clock() - t0)
            if back != frame:
                raise AssertionError(f"frame {frame} at {name} came back as {back}")
    return round(statistics.median(times) * 1e6, 2)


REFERENCE_RATES = (("29.97df", "29.97"), ("59.94df", "59.94"))


def _reference_chunk(name: str, ref_rate: str, start: int, stop: int) -> int:
    from timecode import Timecode as Reference  # counts frames from 1

    rate = STANDARD_RATES[name]
    ref = Reference(ref_rate)
    to_tc, to_string = ref.frames_to_tc, ref.tc_to_string
    bad = 0
    for f in range(start, stop):
        theirs = to_string(*to_tc(f + 1))
        if format_timecode(f, rate) != theirs or parse_timecode(theirs, rate) != f:
            bad += 1
    return bad


def figure_tc_reference_disagreements() -> int:
    """Frames of a whole day at 29.97df and 59.94df where our timecode (either way) differs
    from the `timecode` package's: must be 0. About 7.8 million frames, on every core."""
    jobs = []
    for name, ref_rate in REFERENCE_RATES:
        day = frames_per_day(STANDARD_RATES[name])
        step = 200_000
        jobs += [(name, ref_rate, a, min(a + step, day)) for a in range(0, day, step)]
    # run.py loads this file without registering it as a module; workers need the importable
    # copy (run.py puts this directory on sys.path) to find the function by name.
    worker = importlib.import_module("bench_time")._reference_chunk
    with ProcessPoolExecutor() as pool:
        return sum(pool.map(worker, *zip(*jobs)))
