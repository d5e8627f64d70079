"""Find Tempo figures: how fast the exact solver is on a five-minute cue, whether it is optimal
against brute force, and what it catches that a 0.01-bpm grid search misses."""

from __future__ import annotations

import random
import sys
import time
from fractions import Fraction
from pathlib import Path

from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.tempo_fit import FitHit, FitProblem, Grid, best_map, constant_intervals
from cuesketch.timing.tempo_fit.problem import F, Step, frames_off_on

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "timing"))

RATE = STANDARD_RATES["24"]


def five_minute_cue(seed: int = 1, hits: int = 50, changes: int = 6,
                    must_share: float = 0.7) -> FitProblem:
    """50 hits over about 5 minutes on an eighth-note grid, planted from a map with
    ``changes`` tempo changes (each in the middle of a hit's frame, where Find Tempo puts
    them); most hits must be caught, the rest weigh 1 and may be a frame off."""
    rng = random.Random(seed)
    fpf = RATE.flicks_per_frame
    tau, beat, bpm = Fraction(0), Fraction(0), Fraction(rng.randint(70, 160))
    change_at = set(rng.sample(range(3, hits - 2), changes))
    out: list[FitHit] = []
    for i in range(hits):
        # the next hit 3 to 14 eighths later: about 6 s apart at these tempos
        step = Fraction(rng.randint(3, 14), 2)
        t = tau + step * 60 * F / bpm
        frame = int((t + Fraction(1, 2)) // fpf)
        must = rng.random() < must_share
        out.append(FitHit(frame, must=must, tolerance=0 if must else 1, grid=Grid.HALF))
        tau, beat = t, beat + step
        if i in change_at:  # the tempo changes here, in the middle of the hit's frame
            tau = Fraction(frame * fpf + fpf // 2)
            bpm = max(Fraction(50), min(Fraction(200), bpm + rng.randint(-30, 30)))
    return FitProblem(tuple(out), RATE, start_frame=0, lo=Fraction(40), hi=Fraction(240),
                      max_changes=8)


def figure_fit_tempo_50_hits_ms() -> dict[str, object]:
    """Milliseconds to fit 50 hits over 5 minutes (40-240 bpm, eighth-note grid): the steady
    tempo, and the map with up to 8 changes; ``value`` is the slower of the two."""
    problem = five_minute_cue()
    t0 = time.perf_counter()
    intervals = constant_intervals(problem)
    t1 = time.perf_counter()
    found = best_map(problem)
    t2 = time.perf_counter()
    constant_ms, map_ms = (t1 - t0) * 1000, (t2 - t1) * 1000
    return {"value": round(max(constant_ms, map_ms), 1), "constant_ms": round(constant_ms, 1),
            "map_ms": round(map_ms, 1), "map_changes": found.changes if found else None,
            "constant_caught": intervals[0].score.caught}
