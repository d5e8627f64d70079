"""What a tempo map does to each hit, measured from scratch on the map itself.

This reads only the ``TempoMap`` (its exact beat <-> flick conversions) and the hits: it is how
an applied map is checked, and what the results table, the command line and the click book
show for each hit: bar|beat|tick, timecode, signed frames off and caught / near / missed.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from cuesketch.timing.tempo import BarBeatTick, TempoMap
from cuesketch.timing.tempo_fit.problem import FitProblem, Grid, Status
from cuesketch.timing.timecode import format_timecode


@dataclass(frozen=True)
class HitResult:
    index: int
    frame: int
    name: str
    bbt: BarBeatTick  # where the hit's frame starts on the map
    timecode: str
    off: int | None  # frames off of the nearest grid position: + late, - early (None: none)
    status: Status

    @property
    def off_text(self) -> str:
        if self.off is None:
            return "-"
        return f"{self.off:+d}f" if self.off else "0f"


def measure(tm: TempoMap, problem: FitProblem, start_frame: int = 0) -> list[HitResult]:
    """Each hit against the map: of the grid positions on the stretch of the map the middle of
    its frame falls in (from the tempo change before it to the one after, both included; a hit
    on the downbeat under a free meter plan: the map's bar lines), the nearest in time (the earlier of two equally near); where it sounds (its nearest flick) and
    the frame that shows then. ``start_frame``: the project's start timecode, in frames."""
    fpf = problem.fpf
    unit = problem.unit
    beats = [t.beat for t in tm.tempos]
    times = [tm.beat_to_flicks(b) for b in beats]
    out = []
    for i, hit in enumerate(problem.hits):
        g = problem.sizes[i] * unit  # the grid in quarter notes
        centre = problem.center(i)
        s = max((j for j, t in enumerate(times) if t <= centre), default=0)
        first = (beats[s] / g).__ceil__()
        last = (beats[s + 1] / g).__floor__() if s + 1 < len(beats) else None
        beat_c = tm.flicks_to_beat(centre.__floor__())
        k = (beat_c / g).__floor__()
        if problem.free and hit.grid is Grid.DOWNBEAT:
            bar = tm.beat_to_bbt(beat_c).bar
            near = [tm.bbt_to_beat(BarBeatTick(b)) for b in range(bar - 2, bar + 4)]
            positions = [x for x in near if x >= beats[s] and (
                s + 1 >= len(beats) or x <= beats[s + 1])]
        else:
            positions = [kk * g for kk in range(max(k - 2, first),
                                                k + 4 if last is None else min(k + 4, last + 1))]
        best: tuple[Fraction, int] | None = None
        for x in positions:
            flick = tm.beat_to_flicks(x)
            # the exact time is within half a flick of its flick; compare as floor(T + 1/2)
            dist = abs(Fraction(flick) - Fraction(1, 2) - centre)
            if best is None or dist < best[0]:
                best = (dist, flick)
        off = None if best is None else best[1] // fpf - hit.frame
        out.append(HitResult(i, hit.frame, hit.name, tm.flicks_to_bbt(hit.frame * fpf),
                             format_timecode(start_frame + hit.frame, problem.rate), off,
                             problem.status(off, i)))
    return out
