"""The exact sweep: how every hit fares at every period, from one anchored beat.

A steady tempo through beat ``B`` at time ``tau`` puts grid position ``k g`` at
``tau + (k g - B) p`` for a period ``p`` (flicks a beat). As ``p`` grows each position moves
later, so a hit's status (its frames off, see ``problem``) is a step function of ``p``: the
nearest position changes where two of them are equally near the middle of the hit's frame, and
its frames off change where it crosses a frame boundary. Each such point is a rational
``N / M`` of whole numbers: the sweep lists them all, sorts them (by a float key, which never
orders two different rationals the wrong way; equal keys are settled exactly), and walks them,
so every **cell** ``[p_j, p_j+1)`` between two points has one status per hit, known exactly.
No tempo is tried on a grid: a cell a thousandth of a bpm wide is found like any other.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cmp_to_key

from cuesketch.timing.tempo_fit.problem import FitProblem

FAR = 1 << 30  # status code of a hit missed by more than its tolerance and the near margin

Interval = tuple[Fraction, Fraction]  # [lo, hi) of periods


@dataclass(frozen=True)
class Anchor:
    """A beat ``beat`` pinned to the flick ``tau``: the origin (beat 0) or a hit's change."""

    tau: int
    beat: Fraction


@dataclass
class Cell:
    """Periods ``[lo, hi)`` (``hi`` included when ``closed``) where every swept hit keeps one
    frames-off value: ``offs[i]`` (``None`` past the near margin)."""

    lo: Fraction
    hi: Fraction
    closed: bool
    caught: int  # weight caught (musts count their weight too)
    near: int  # weight near but not caught
    musts_missed: int
    worst: int  # the largest |frames off| of a caught hit (0 with none caught)
    error: int  # the sum of |frames off| over caught hits
    soft_missed: int  # weight of hits that are not musts and are not caught
    offs: dict[int, int | None] | None = None

    def contains(self, p: Fraction) -> bool:
        return self.lo <= p < self.hi or (self.closed and p == self.hi)


def _cmp(a: tuple[float, int, int, int, int], b: tuple[float, int, int, int, int]) -> int:
    x, y = a[1] * b[2], b[1] * a[2]
    return -1 if x < y else (1 if x > y else 0)


class _Hit:
    """One hit's integers, for the sweep from one anchor."""

    __slots__ = ("i", "h", "gq", "e", "tol", "reach", "weight", "must", "fpf", "tau", "q", "bq")

    def __init__(self, problem: FitProblem, anchor: Anchor, i: int) -> None:
        hit = problem.hits[i]
        self.i, self.h = i, hit.frame
        self.q = problem.q
        self.gq = int(problem.sizes[i] * self.q)
        self.bq = int(anchor.beat * self.q)
        self.fpf = problem.fpf
        self.tau = anchor.tau
        # 2 (centre - tau): the centre of the frame, in half flicks from the anchor
        self.e = 2 * hit.frame * self.fpf + self.fpf - 1 - 2 * anchor.tau
        self.tol = hit.tolerance
        self.reach = hit.tolerance + problem.near
        self.weight = hit.weight
        self.must = hit.must
        if self.e <= 0:
            raise ValueError("a swept hit must come after its anchor")

    def d(self, k: int) -> int:
        """(k g - B) q: how far grid position k is from the anchor, in 1/q beats."""
        return k * self.gq - self.bq

    def k_range(self, lo: Fraction, hi: Fraction) -> range:
        """The grid positions that are nearest to the hit somewhere in [lo, hi]."""
        gq, eq = self.gq, self.e * self.q
        k0 = -(-self.bq // gq)  # the first position at or after the anchor
        # nearest for p in [Pb(k), Pb(k-1)), Pb(k) = e q / (2 d_k + gq)
        # Pb(k) <= hi  <=>  2 d_k + gq >= e q / hi ; Pb(k-1) > lo <=> 2 d_k - gq < e q / lo
        kmin = max(k0, ((eq / hi - gq) / 2 + self.bq) // gq)
        kmax = ((eq / lo + gq) / 2 + self.bq) // gq + 1
        return range(int(kmin), int(kmax) + 1)

    def off(self, n: int, m: int, dk: int) -> int:
        """Frames off of the position dk/q beats after the anchor, at the period n/m."""
        q = self.q
        return (2 * self.tau * q * m + 2 * dk * n + q * m) // (2 * q * m * self.fpf) - self.h

    def code(self, off: int) -> int:
        return off if -self.reach <= off <= self.reach else FAR

    def events(self, lo: Fraction, hi: Fraction,
               out: list[tuple[float, int, int, int, int]]) -> None:
        """Append (key, n, m, hit, code): from the period n/m on, the hit is ``code`` frames off
        (FAR past the near margin). The first event is at ``lo``."""
        q, gq, eq, fpf, h, reach = self.q, self.gq, self.e * self.q, self.fpf, self.h, self.reach
        lon, lom, hin, him = lo.numerator, lo.denominator, hi.numerator, hi.denominator
        i = self.i
        for k in self.k_range(lo, hi):
            dk = self.d(k)
            if dk < 0:
                continue
            # region [a, b) where k is the nearest position
            an, am = eq, 2 * dk + gq
            if an * lom < lon * am:
                an, am = lon, lom
            clipped = True
            if dk == 0:
                bn, bm = hin, him
            else:
                bn, bm = eq, 2 * dk - gq
                if bm <= 0 or bn * him > hin * bm:
                    bn, bm = hin, him
                else:
                    clipped = False
            if an * bm > bn * am or (an * bm == bn * am and not clipped):
                continue
            off = self.off(an, am, dk)
            out.append((an / am, an, am, i, self.code(off)))
            if dk == 0:
                continue
            # frame crossings inside the region: off becomes m - h at p = q(2 m fpf - 2 tau - 1)
            # / (2 dk); only those that change the status matter
            f = off + 1
            if f < -reach:
                f = -reach
            while f <= reach + 1:
                cn = q * (2 * (h + f) * fpf - 2 * self.tau - 1)
                cm = 2 * dk
                if cn * bm > bn * cm or (cn * bm == bn * cm and not clipped):
                    break
                if cn * am >= an * cm:
                    out.append((cn / cm, cn, cm, i, self.code(f)))
                f += 1


def sweep(problem: FitProblem, anchor: Anchor, hits: list[int], lo: Fraction, hi: Fraction,
          keep_offs: bool = False) -> list[Cell]:
    """Every cell of periods in ``[lo, hi]`` for ``hits`` (indices, all after the anchor)."""
    if lo > hi:
        return []
    swept = [_Hit(problem, anchor, i) for i in hits]
    events: list[tuple[float, int, int, int, int]] = []
    for sh in swept:
        sh.events(lo, hi, events)
    events.sort(key=lambda e: e[0])
    # settle equal float keys exactly
    n = len(events)
    j = 0
    while j < n:
        k = j + 1
        while k < n and events[k][0] == events[j][0]:
            k += 1
        if k - j > 1:
            events[j:k] = sorted(events[j:k], key=cmp_to_key(_cmp))
        j = k
    by_index = {sh.i: sh for sh in swept}
    state: dict[int, int] = {sh.i: FAR for sh in swept}
    caught = near = musts_missed = error = soft_caught = 0
    levels: dict[int, int] = {}
    soft_total = sum(sh.weight for sh in swept if not sh.must)
    musts_missed = sum(1 for sh in swept if sh.must)
    cells: list[Cell] = []
    j = 0
    while j < n:
        en, em = events[j][1], events[j][2]
        k = j
        changed = not cells
        while k < n and events[k][1] * em == en * events[k][2]:
            _, _, _, i, code = events[k]
            sh = by_index[i]
            old = state[i]
            if old != code:
                # take the old status out, put the new one in
                for c, sign in ((old, -1), (code, 1)):
                    if c == FAR:
                        if sh.must:
                            musts_missed += sign
                        continue
                    a = abs(c)
                    if a <= sh.tol:
                        caught += sign * sh.weight
                        error += sign * a
                        levels[a] = levels.get(a, 0) + sign
                        if not sh.must:
                            soft_caught += sign * sh.weight
                    else:
                        near += sign * sh.weight
                        if sh.must:
                            musts_missed += sign
                state[i] = code
                changed = True
            k += 1
        if k < n:
            hi_p, closed = Fraction(events[k][1], events[k][2]), False
        else:
            hi_p, closed = hi, True
        if not changed:  # nothing moved here: the cell before goes on
            cells[-1].hi, cells[-1].closed = hi_p, closed
            j = k
            continue
        lo_p = Fraction(en, em)
        worst = max((a for a, c in levels.items() if c), default=0)
        offs = {i: (None if c == FAR else c) for i, c in state.items()} if keep_offs else None
        cells.append(Cell(lo_p, hi_p, closed, caught, near, musts_missed, worst, error,
                          soft_total - soft_caught, offs))
        j = k
    return cells


# -- sets of periods -----------------------------------------------------------------------------

def catch_set(problem: FitProblem, anchor: Anchor, i: int,
              within: list[tuple[Fraction, Fraction, bool]]) -> list[tuple[Fraction, Fraction, bool]]:
    """The periods inside ``within`` (sorted disjoint [lo, hi), ``hi`` included when the flag
    says so) where hit ``i`` is caught from ``anchor``."""
    out: list[tuple[Fraction, Fraction, bool]] = []
    for lo, hi, closed in within:
        cells = sweep(problem, anchor, [i], lo, hi)
        if not closed:
            cells = [c for c in cells if c.lo < hi]
            if cells:
                cells[-1].closed = False
        for c in cells:
            if c.musts_missed == 0 and c.caught > 0:
                if c.hi == c.lo and not c.closed:
                    continue
                if out and out[-1][1] == c.lo and not out[-1][2]:
                    out[-1] = (out[-1][0], c.hi, c.closed)
                else:
                    out.append((c.lo, c.hi, c.closed))
    return out
