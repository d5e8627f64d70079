"""What a tempo map does to each hit, measured from scratch on the map itself.

This reads only the ``TempoMap`` (its exact beat <-> flick conversions) and the hits: it is how
an applied map is checked, and what the results table, the command line and the click book
show for each hit: bar|beat|tick, timecode, signed frames off and caught / near / missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from cuesketch.timing.tempo import BarBeatTick, TempoMap
from cuesketch.timing.tempo_fit.problem import FitProblem, Status
from cuesketch.timing.timecode import format_timecode


@dataclass(frozen=True)
class HitResult:
    index: int
    frame: int
    name: str
    bbt: BarBeatTick  # where the hit's frame starts on the map
    timecode: str
    off: int  # frames off of the nearest grid position: + late, - early
    status: Status

    @property
    def off_text(self) -> str:
        return f"{self.off:+d}f" if self.off else "0f"


def measure(tm: TempoMap, problem: FitProblem, start_frame: int = 0) -> list[HitResult]:
    """Each hit against the map: the grid position nearest in time to the middle of its frame
    (the earlier of two equally near), where that position sounds (its nearest flick), and the
    frame that shows then. ``start_frame``: the project's start timecode, in frames."""
    fpf = problem.fpf
    unit = problem.unit
    out = []
    for i, hit in enumerate(problem.hits):
        g = problem.sizes[i] * unit  # the grid in quarter notes
        centre = problem.center(i)
        beat_c = tm.flicks_to_beat(centre.__floor__())
        k = (beat_c / g).__floor__()
        best: tuple[Fraction, int] | None = None
        for kk in range(k - 2, k + 4):
            flick = tm.beat_to_flicks(kk * g)
            # the exact time lies within half a flick: compare the positions' flicks, each
            # as floor(T + 1/2), to the centre's
            dist = abs(Fraction(flick) - Fraction(1, 2) - centre)
            if best is None or dist < best[0]:
                best = (dist, flick)
        assert best is not None
        off = best[1] // fpf - hit.frame
        out.append(HitResult(i, hit.frame, hit.name, tm.flicks_to_bbt(hit.frame * fpf),
                             format_timecode(start_frame + hit.frame, problem.rate), off,
                             problem.status(off, i)))
    return out
