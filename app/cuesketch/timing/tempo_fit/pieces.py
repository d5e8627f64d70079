"""The pieces a tempo map is made of, out of one anchored hit: every steady piece to a later
hit on its grid and every ramp, what each catches, how far a steady piece can reach, and the
cells of a steady tail. Kept per anchor and beat modulo the largest grid (the same lattice),
so the search (``mapsearch``) asks for each once.
"""

from __future__ import annotations

from fractions import Fraction

from cuesketch.timing.tempo_fit.problem import (
    F,
    FitError,
    FitProblem,
    Grid,
    Ramp,
    Step,
    frames_off_on,
    step_off,
)
from cuesketch.timing.tempo_fit.sweep import Anchor, Cell, Periods, catch_set, sweep

# hit, its beat, the tempo, weight missed, frames off summed, the beat modulo the largest grid
Edge = tuple[int, Fraction, Fraction, int, int, Fraction]

RAMP_REACH = 8  # a ramp runs to one of the next 8 hits
RAMP_BUDGET = 200_000  # ramps tried at most in one search (some seconds): else a plain error


class Pieces:
    def __init__(self, problem: FitProblem) -> None:
        self.p = problem
        self.n = len(problem.hits)
        self.modulus = problem.bar if any(h.grid is Grid.DOWNBEAT for h in problem.hits) \
            else Fraction(1)
        self.full: Periods = [(problem.p_min, problem.p_max, True)]
        # by the anchor's flick and its beat modulo the largest grid: the same lattice
        self._tails: dict[tuple[int, Fraction], list[tuple[Cell, tuple[Fraction, Fraction]]]] \
            = {}
        self._steps: dict[tuple[int, Fraction], list[Edge]] = {}
        self._steps_beat: dict[tuple[int, Fraction], Fraction] = {}
        # the last hit a steady piece from the anchor can reach with every must between
        # caught (n - 1: all of them)
        self._reach: dict[tuple[int, Fraction], int] = {}
        self.musts = [h.must for h in problem.hits]
        # one object for each tempo and residue, so that equal ones are the same object: the
        # search compares them by ``is`` and keys on their ids
        self._canon: dict[Fraction, Fraction] = {}
        # ramps by anchor, beat modulo the largest grid and the tempo coming in (its id)
        self._ramps: dict[tuple[int, Fraction, int], list[Edge]] = {}
        self._ramps_beat: dict[tuple[int, Fraction, int], Fraction] = {}
        self.ramps_tried = 0
        self._floats: dict[int, float] = {}

    def canon(self, x: Fraction) -> Fraction:
        return self._canon.setdefault(x, x)

    def approx(self, x: Fraction) -> float:
        """A canonical tempo as a float (cached by identity)."""
        f = self._floats.get(id(x))
        if f is None:
            f = self._floats[id(x)] = float(x)
        return f

    # -- the pieces out of an anchor (independent of the tempo coming in) -----------------------
    def tail_cells(self, index: int, anchor: Anchor) -> list[tuple[Cell, tuple[Fraction,
                                                                                Fraction]]]:
        """The cells of a steady tail from the anchor where every must is caught, each with
        its fastest and slowest tempo."""
        key = (anchor.tau, anchor.beat % self.modulus)
        if key not in self._tails:
            after = list(range(index + 1, self.n))
            allowed = self.full
            for j in after:
                if self.musts[j]:
                    allowed = catch_set(self.p, anchor, j, allowed)
                    if not allowed:
                        break
            cells: list[Cell] = []
            for lo, hi, closed in allowed:
                part = sweep(self.p, anchor, after, lo, hi)
                if not closed:
                    part = [c for c in part if c.lo < hi]
                    if part:
                        part[-1].closed = False
                cells.extend(c for c in part if c.musts_missed == 0)
            self._tails[key] = [(c, (self.p.bpm_of(c.lo), self.p.bpm_of(c.hi))) for c in cells]
        return self._tails[key]

    def steps(self, index: int, anchor: Anchor) -> tuple[list[Edge], Fraction]:
        """Every steady piece from the anchor to a later hit on its grid, catching every must
        between, and what to add to their beats (the pieces are kept once for every anchor
        with the same beat modulo the largest grid)."""
        key = (anchor.tau, anchor.beat % self.modulus)
        if key in self._steps:
            return self._steps[key], anchor.beat - self._steps_beat[key]
        p = self.p
        out: list[Edge] = []
        allowed = self.full
        reach = self.n - 1
        q = p.q
        bq = anchor.beat.numerator * q // anchor.beat.denominator
        for b in range(index + 1, self.n):
            dt = p.anchor_time(b) - anchor.tau
            gq = p.sizes[b].numerator * q // p.sizes[b].denominator
            for lo, hi, closed in allowed:
                # the beat's distance from the anchor, dq / q beats: the period dt q / dq
                # lies in the interval when dt q / hi <= dq <= dt q / lo
                ln, lm, hn, hm = lo.numerator, lo.denominator, hi.numerator, hi.denominator
                kmin = -(-(bq * hn + dt * q * hm) // (gq * hn))
                kmax = (bq * ln + dt * q * lm) // (gq * ln)
                for k in range(kmin, kmax + 1):
                    dq = k * gq - bq
                    if dq <= 0:
                        continue
                    # lo <= dt q / dq < hi (or == hi when closed)
                    if dt * q * hm > hn * dq or (dt * q * hm == hn * dq and not closed) \
                            or dt * q * lm < ln * dq:
                        continue
                    per = Fraction(dt * q, dq)
                    missed, err, _ = self._between(Step(anchor.tau, anchor.beat, per),
                                                   index, b, Fraction(k * gq, q))
                    if missed is not None:
                        beat = Fraction(k * gq, q)
                        out.append((b, beat, self.canon(Fraction(60 * F * dq, dt * q)), missed,
                                    err, self.canon(beat % self.modulus)))
            if self.musts[b]:
                allowed = catch_set(p, anchor, b, allowed)
                if not allowed:
                    reach = b - 1
                    break
        self._steps[key] = out
        self._steps_beat[key] = anchor.beat
        self._reach[key] = reach
        return out, Fraction(0)

    def reach(self, index: int, anchor: Anchor) -> int:
        self.steps(index, anchor)
        return self._reach[(anchor.tau, anchor.beat % self.modulus)]

    def fewest_more(self) -> dict[tuple[int, int], int]:
        """A lower bound, for each hit as an anchor at each beat modulo the largest grid, on
        the changes still to come after the piece leaving it.

        Between two changes the tempo holds: a steady piece from the anchor catches every
        must up to its reach, so the tempo must change again on a hit no later than just
        past it. With ramps, the piece leaving the anchor may be a ramp to one of the next
        ``RAMP_REACH`` hits and the hold after it reaches as far as a steady piece from
        there: the next change comes no later than just past the farthest of those."""
        p = self.p
        n = self.n
        bound: dict[tuple[int, int], int] = {}  # by hit and the residue's id
        least = [0] * n  # over every beat
        steady = [0] * n  # the farthest reach of a steady piece from each hit, any beat
        for a in range(n - 1, -1, -1):
            g = p.sizes[a]
            residues = {self.canon((k * g) % self.modulus)
                        for k in range(int(self.modulus / g) + 1)}
            reaches = {id(r): self.reach(a, Anchor(p.anchor_time(a), r)) for r in residues}
            steady[a] = max(reaches.values())
            ramped = max(steady[a + 1:a + 1 + RAMP_REACH], default=a) if p.ramps else a
            for r in residues:
                far = max(reaches[id(r)], ramped)
                bound[(a, id(r))] = 0 if far >= n - 1 else 1 + min(least[a + 1:far + 2])
            least[a] = min(bound[(a, id(r))] for r in residues)
        return bound

    def _between(self, lattice: Step | Ramp, a: int, b: int,
                 end: Fraction) -> tuple[int | None, int, dict[int, int | None]]:
        if isinstance(lattice, Ramp) and any(
                self.musts[j] and _surely_missed(lattice, self.p, j) for j in range(a + 1, b)):
            return None, 0, {}
        missed = err = 0
        offs: dict[int, int | None] = {}
        for j in range(a + 1, b):
            if isinstance(lattice, Step):
                off = step_off(self.p, lattice.tau, lattice.beat, lattice.period, j, end)
            else:
                off = frames_off_on(lattice, self.p, j, end)
            offs[j] = off
            hit = self.p.hits[j]
            if off is not None and abs(off) <= hit.tolerance:
                err += abs(off)
            elif hit.must:
                return None, 0, offs
            else:
                missed += hit.weight
        return missed, err, offs

    def ramps(self, index: int, anchor: Anchor, t0: Fraction) -> list[Edge]:
        """(hit, its beat, the tempo reached, weight missed, frames off) of every ramp
        from the anchor at ``t0`` bpm to one of the next ``RAMP_REACH`` hits."""
        key = (anchor.tau, anchor.beat % self.modulus, id(t0))
        if key in self._ramps:
            shift = anchor.beat - self._ramps_beat[key]
            if not shift:
                return self._ramps[key]
            return [(b, beat + shift, t, m, e, r) for b, beat, t, m, e, r in self._ramps[key]]
        p = self.p
        out: list[Edge] = []
        t_lo = max(p.lo, t0 - p.max_step)
        t_hi = min(p.hi, t0 + p.max_step)
        for b in range(index + 1, min(self.n, index + 1 + RAMP_REACH)):
            dt = p.anchor_time(b) - anchor.tau
            g = p.sizes[b]
            # duration dt = 120 F d / (t0 + t1)  =>  d = dt (t0 + t1) / (120 F)
            kmin = ((anchor.beat + dt * (t0 + t_lo) / (120 * F)) / g).__ceil__()
            kmax = ((anchor.beat + dt * (t0 + t_hi) / (120 * F)) / g).__floor__()
            for k in range(kmin, kmax + 1):
                d = k * g - anchor.beat
                if d <= 0:
                    continue
                t1 = 120 * F * d / dt - t0
                if t1 == t0 or not t_lo <= t1 <= t_hi:
                    continue
                self.ramps_tried += 1
                if self.ramps_tried > RAMP_BUDGET:
                    raise FitError("too many ramps to try for a search this size; allow "
                                   "fewer changes, narrow the tempo range or the largest "
                                   "step, or fit without ramps")
                missed, err, _ = self._between(Ramp(anchor.tau, anchor.beat, d, t0, t1),
                                               index, b, k * g)
                if missed is not None:
                    out.append((b, k * g, self.canon(t1), missed, err,
                                self.canon((k * g) % self.modulus)))
        self._ramps[key] = out
        self._ramps_beat[key] = anchor.beat
        return out


def _surely_missed(ramp: Ramp, problem: FitProblem, j: int) -> bool:
    """A quick look in floats: is hit ``j`` missed on the ramp by a clear margin (a thousand
    flicks past every boundary that could decide it)? Close calls are left to the exact
    count."""
    t0, t1, length = float(ramp.t0), float(ramp.t1), float(ramp.length)
    c = float(120 * F) * length / (t1 * t1 - t0 * t0)
    g = float(problem.sizes[j])
    centre = float(problem.center(j)) - ramp.tau
    tempo_c = t0 + centre / c
    if tempo_c <= 0:
        return False
    beat_c = (tempo_c * tempo_c - t0 * t0) * length / (t1 * t1 - t0 * t0)
    beat0 = float(ramp.beat)

    def time(b: float) -> float:  # flicks after the anchor
        y = t0 * t0 + (t1 * t1 - t0 * t0) * (b - beat0) / length
        return c * (max(y, 0.0) ** 0.5 - t0)

    k = (beat0 + beat_c) // g
    ta, tb = time(k * g), time((k + 1) * g)
    if k * g < beat0:
        t = tb
    elif abs((centre - ta) - (tb - centre)) < 1000:
        return False
    else:
        t = ta if centre - ta <= tb - centre else tb
    fpf = problem.fpf
    x = (t + ramp.tau + 0.5) / fpf
    if abs(x - round(x)) * fpf < 1000:
        return False
    off = int(x // 1) - problem.hits[j].frame
    return abs(off) > problem.hits[j].tolerance
