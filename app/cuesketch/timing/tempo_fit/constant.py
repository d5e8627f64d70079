"""One steady tempo for a cue: every interval of tempos, ranked, and the best tempo in each.

The sweep (``sweep``) gives every cell of periods where each hit's frames off hold still; a
run of neighbouring cells with the same score is one **tempo interval**. Intervals rank by
must-catch hits missed (fewest first), weight caught (most), weight near (most), then the
largest frames off of a caught hit (smallest), then the sum of frames off, then the nearest to
the tempo the cue has (``prefer``, if given).
Inside an interval: the least-squares and the minimax tempo (the beats' distances to the middle
of the hits' frames), the nearest nice tempo (whole, half, quarter bpm) and the nearest film
frame click (F-e: a click every F and e/8 frames, at the film's exact rate).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from cuesketch.timing.tempo_fit.problem import F, FitProblem, Step, frames_off_on
from cuesketch.timing.tempo_fit.sweep import Anchor, Cell, Cells, sweep_cells


@dataclass(frozen=True)
class Score:
    musts_missed: int
    caught: int
    near: int
    worst: int

    def key(self) -> tuple[int, int, int, int]:
        return (self.musts_missed, -self.caught, -self.near, self.worst)


@dataclass(frozen=True)
class TempoInterval:
    """Tempos from ``lo_bpm`` (excluded unless ``lo_closed``) to ``hi_bpm`` (included) with bar
    1 at ``origin`` flicks: all of them score ``score``.

    ``bpm`` is the suggestion: a nice tempo inside, else a frame click inside, else the minimax
    tempo. ``offs``: each hit's frames off at ``bpm`` (None past the near margin)."""

    origin: int
    lo_bpm: Fraction
    hi_bpm: Fraction
    lo_closed: bool
    score: Score
    error: int
    least_squares: Fraction
    minimax: Fraction
    nice: Fraction
    nice_inside: bool
    click: str
    click_bpm: Fraction
    click_inside: bool
    bpm: Fraction
    offs: tuple[int | None, ...]

    def contains(self, bpm: Fraction) -> bool:
        return (self.lo_bpm < bpm or (self.lo_closed and bpm == self.lo_bpm)) \
            and bpm <= self.hi_bpm


def constant_intervals(problem: FitProblem, top: int = 10) -> list[TempoInterval]:
    """The ``top`` best tempo intervals over every allowed start of bar 1, best first. A steady
    tempo keeps one meter: with a free meter plan, the plan's first (the tempo map with no
    tempo change is where the bars may change length)."""
    problem = problem.fixed()
    ranked: list[tuple[tuple[float, ...], int, Cells, int, int, int]] = []
    for origin in problem.origins:
        cells = sweep_cells(problem, Anchor(origin, Fraction(0)),
                            list(range(len(problem.hits))), problem.p_min, problem.p_max)
        assert cells is not None
        cols = (cells.musts_missed, -cells.caught, -cells.near, cells.worst)
        n = len(cells)
        brk = np.zeros(n, bool)
        brk[0] = True
        for col in cols:
            brk[1:] |= col[1:] != col[:-1]
        starts = np.flatnonzero(brk)
        ends = np.append(starts[1:], n)
        # the run's cell with the smallest sum of frames off (the first of equals)
        run_of = np.cumsum(brk) - 1
        pick = np.lexsort((np.arange(n), cells.error, run_of))
        first_in_run = np.flatnonzero(np.r_[True, run_of[pick][1:] != run_of[pick][:-1]])
        best_cell = pick[first_in_run]
        # last, among equals: the nearest to the tempo the cue has (0 inside), in floats
        far = np.zeros(len(starts))
        if problem.prefer is not None:
            fast = 60 * F / (cells.lo_n[starts].astype(float) / cells.lo_m[starts].astype(float))
            hi_p = np.append(cells.lo_n[starts[1:]].astype(float)
                             / cells.lo_m[starts[1:]].astype(float), float(cells.hi))
            slow = 60 * F / hi_p
            want = float(problem.prefer)
            far = np.maximum(np.maximum(slow - want, want - fast), 0.0)
        # the best runs of this origin (at most ``top`` can make the list)
        order = np.lexsort((far, cells.error[best_cell], cols[3][starts], cols[2][starts],
                            cols[1][starts], cols[0][starts]))[:top]
        for r in order.tolist():
            j = int(best_cell[r])
            key = (int(cols[0][starts[r]]), int(cols[1][starts[r]]), int(cols[2][starts[r]]),
                   int(cols[3][starts[r]]), int(cells.error[j]), float(far[r]))
            ranked.append((key, origin, cells, int(starts[r]), int(ends[r]), j))
    ranked.sort(key=lambda x: x[0])
    return [_interval(problem, origin, cells, a, b, j)
            for _, origin, cells, a, b, j in ranked[:top]]


def _interval(problem: FitProblem, origin: int, cells: Cells, first: int, end: int,
              best: int) -> TempoInterval:
    """The run of cells ``first`` to ``end`` (excluded) as an interval, its best tempo found
    in the cell ``best``."""
    lo_p = cells.lo(first)
    last = end == len(cells)
    hi_p, hi_closed = (cells.hi, True) if last else (cells.lo(end), False)
    cell = cells.cell(best)
    anchor = Anchor(origin, Fraction(0))
    n = len(problem.hits)
    # the grid position each caught hit takes in the chosen cell
    probe = Step(origin, Fraction(0), cell.lo)
    beats: list[tuple[int, Fraction]] = []
    for i in range(n):
        off = frames_off_on(probe, problem, i)
        if problem.status(off, i).value == "caught":
            beats.append((i, _pick_beat(problem, probe, i)))
    lsq = _clamp(_least_squares(problem, origin, beats), cell)
    mm = _clamp(_minimax(problem, origin, beats), cell)
    to_bpm = problem.bpm_of
    lo_bpm, hi_bpm = to_bpm(hi_p), to_bpm(lo_p)
    nice, nice_inside = _nice(lo_bpm, hi_bpm, hi_closed, to_bpm(mm))
    click, click_bpm, click_inside = _click(problem, lo_p, hi_p, hi_closed, mm)
    bpm = nice if nice_inside else click_bpm if click_inside else to_bpm(mm)
    step = Step(anchor.tau, anchor.beat, problem.period_of(bpm))
    offs = tuple(frames_off_on(step, problem, i) for i in range(n))
    return TempoInterval(origin, lo_bpm, hi_bpm, hi_closed, Score(cell.musts_missed,
                         cell.caught, cell.near, cell.worst), cell.error, to_bpm(lsq),
                         to_bpm(mm), nice, nice_inside, click, click_bpm, click_inside, bpm,
                         offs)


def _pick_beat(problem: FitProblem, step: Step, i: int) -> Fraction:
    g = problem.sizes[i]
    c = problem.center(i)
    k = (step.beat_at(c) / g).__floor__()
    a, b = k * g, (k + 1) * g
    return a if c - step.time_of(a) <= step.time_of(b) - c else b


def _least_squares(problem: FitProblem, origin: int,
                   beats: list[tuple[int, Fraction]]) -> Fraction | None:
    num = den = Fraction(0)
    for i, b in beats:
        w = problem.hits[i].weight
        num += w * b * (problem.center(i) - origin)
        den += w * b * b
    return num / den if den else None


def _minimax(problem: FitProblem, origin: int,
             beats: list[tuple[int, Fraction]]) -> Fraction | None:
    """The period that makes the largest distance to a frame's middle smallest (exact: where
    the latest-running and the earliest-running beat are equally far off)."""
    lines = [(b, problem.center(i) - origin) for i, b in beats if b > 0]
    if not lines:
        return None

    flines = [(float(b), float(c)) for b, c in lines]

    def spread(p: float) -> tuple[float, int, int]:
        late = [b * p - c for b, c in flines]
        early = [c - b * p for b, c in flines]
        hi_i = max(range(len(lines)), key=late.__getitem__)
        lo_i = max(range(len(lines)), key=early.__getitem__)
        return late[hi_i] - early[lo_i], hi_i, lo_i

    # the crossing of the latest-running and the earliest-running beat, found in floats;
    # the answer is the exact crossing of the two lines found there
    lo, hi = float(problem.p_min) / 2, float(problem.p_max) * 2
    for _ in range(80):
        mid = (lo + hi) / 2
        if spread(mid)[0] < 0:
            lo = mid
        else:
            hi = mid
    _, a, b = spread(hi)
    (ba, ca), (bb, cb) = lines[a], lines[b]
    return (ca + cb) / (ba + bb)


def _clamp(p: Fraction | None, cell: Cell) -> Fraction:
    if p is None:
        return (cell.lo + cell.hi) / 2
    if p < cell.lo:
        return cell.lo
    if p > cell.hi or (p == cell.hi and not cell.closed):
        return cell.hi if cell.closed else cell.hi - (cell.hi - cell.lo) / 64
    return p


def _nice(lo: Fraction, hi: Fraction, lo_closed: bool, aim: Fraction) -> tuple[Fraction, bool]:
    """The nicest tempo inside (lo, hi] (whole, then half, then quarter bpm; nearest ``aim``),
    else the quarter-bpm tempo nearest the interval."""
    for step in (Fraction(1), Fraction(1, 2), Fraction(1, 4)):
        first = (lo / step).__floor__() * step
        while first < lo or (first == lo and not lo_closed):
            first += step
        if first <= hi:
            cands: list[Fraction] = []
            x = first
            while x <= hi and len(cands) < 10000:
                cands.append(x)
                x += step
            return min(cands, key=lambda c: (abs(c - aim), c)), True
    q = Fraction(1, 4)
    below, above = (lo / q).__floor__() * q, (hi / q).__ceil__() * q
    return (below if lo - below <= above - hi else above), False


def _click(problem: FitProblem, lo_p: Fraction, hi_p: Fraction, hi_closed: bool,
           aim: Fraction) -> tuple[str, Fraction, bool]:
    """The frame click (F-e) inside the interval nearest ``aim`` (a period), else the nearest
    one outside. A click every F + e/8 frames is a period of (8F + e) fpf / 8 flicks."""
    eighth = Fraction(problem.fpf, 8)
    first = (lo_p / eighth).__ceil__()
    last = (hi_p / eighth).__floor__()
    if last * eighth == hi_p and not hi_closed:
        last -= 1
    inside = first <= last and first > 0
    if inside:
        total = min(range(first, last + 1), key=lambda t: abs(t * eighth - aim)) \
            if last - first < 10000 else (aim / eighth).__round__()
    else:
        below, above = last, first
        total = below if below > 0 and lo_p - below * eighth <= above * eighth - hi_p else above
    frames, e = divmod(total, 8)
    return f"{frames}-{e}", 60 * F / (total * eighth), inside
