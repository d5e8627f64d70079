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

import numpy as np

from cuesketch.timing.tempo_fit.problem import FitProblem

FAR = 1 << 30  # status code of a hit missed by more than its tolerance and the near margin
VECTOR_FROM = 8  # grid positions from which a hit's events are made with numpy

Periods = list[tuple[Fraction, Fraction, bool]]  # sorted disjoint [lo, hi), hi in if True


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


def _cmp_exact(an: int, am: int, bn: int, bm: int) -> int:
    x, y = an * bm, bn * am
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
        gq, eq, bq = self.gq, self.e * self.q, self.bq
        k0 = -(-bq // gq)  # the first position at or after the anchor
        # nearest for p in [Pb(k), Pb(k-1)), Pb(k) = e q / (2 d_k + gq)
        # Pb(k) <= hi  <=>  2 d_k + gq >= e q / hi ; Pb(k-1) > lo <=> 2 d_k - gq < e q / lo
        ln, lm, hn, hm = lo.numerator, lo.denominator, hi.numerator, hi.denominator
        kmin = max(k0, (eq * hm - gq * hn + 2 * bq * hn) // (2 * hn * gq))
        kmax = (eq * lm + gq * ln + 2 * bq * ln) // (2 * ln * gq) + 1
        return range(kmin, kmax + 1)

    def off(self, n: int, m: int, dk: int) -> int:
        """Frames off of the position dk/q beats after the anchor, at the period n/m."""
        q = self.q
        return (2 * self.tau * q * m + 2 * dk * n + q * m) // (2 * q * m * self.fpf) - self.h

    def code(self, off: int) -> int:
        return off if -self.reach <= off <= self.reach else FAR

    def events(self, lo: Fraction, hi: Fraction,
               out: list[tuple[float, int, int, int, int]]) -> tuple[np.ndarray, ...] | None:
        """The hit's events: from the period n/m on, the hit is ``code`` frames off (FAR past
        the near margin); the first is at ``lo``. Grid positions whose whole region lies well
        inside [lo, hi] are done with numpy (returned as arrays key, n, m, code) when their
        numbers fit in 64 bits; the rest are appended to ``out`` as (key, n, m, hit, code)."""
        ks = self.k_range(lo, hi)
        q, gq, eq, fpf, reach = self.q, self.gq, self.e * self.q, self.fpf, self.reach
        r = self.tau - self.h * fpf  # the anchor from the hit's frame, in flicks
        kk = np.arange(ks.start, ks.stop, dtype=np.int64) if len(ks) else None
        # numpy's int64 products must not overflow, and its float keys must be correctly
        # rounded (numerators below 2^53, so that they convert to floats exactly)
        top_n = abs(q * (2 * ((reach + 2) * fpf + abs(r)) + 1)) + eq
        fits = (kk is not None and len(ks) > VECTOR_FROM and top_n < 2 ** 53
                and (top_n + abs(2 * r * q)) * (2 * (ks.stop * gq + abs(self.bq)) + gq) * 4
                < 2 ** 62)
        if not fits or kk is None:
            for k in ks:
                self._events_k(k, lo, hi, out)
            return None
        d = kk * gq - self.bq
        with np.errstate(divide="ignore"):
            start = eq / (2.0 * d + gq)  # where each position becomes the nearest ...
            end = np.where(2 * d - gq > 0, eq / (2.0 * d - gq), np.inf)  # ... and stops
        inside = (d > 0) & (2 * d - gq > 0) & (start > float(lo) * (1 + 1e-9)) \
            & (end < float(hi) * (1 - 1e-9))
        for k in kk[~inside].tolist():
            self._events_k(k, lo, hi, out)
        d = d[inside]
        if not len(d):
            return None
        am, bm = 2 * d + gq, 2 * d - gq
        off_a = (2 * r * q * am + 2 * d * eq + q * am) // (2 * q * am * fpf)
        keys = [eq / am]
        ns = [np.full(len(d), eq, np.int64)]
        ms = [am]
        codes = [np.where(np.abs(off_a) <= reach, off_a, FAR)]
        for f in range(-reach, reach + 2):
            cn = q * (2 * (f * fpf - r) - 1)
            at = (cn * am > eq * 2 * d) & (cn * bm < eq * 2 * d)  # strictly inside the region
            if not at.any():
                continue
            cm = 2 * d[at]
            keys.append(cn / cm)
            ns.append(np.full(len(cm), cn, np.int64))
            ms.append(cm)
            codes.append(np.full(len(cm), f if f <= reach else FAR, np.int64))
        return (np.concatenate(keys), np.concatenate(ns), np.concatenate(ms),
                np.concatenate(codes))

    def _events_k(self, k: int, lo: Fraction, hi: Fraction,
                  out: list[tuple[float, int, int, int, int]]) -> None:
        """The events of grid position ``k``, exactly, in whole numbers."""
        q, gq, eq, fpf, h, reach = self.q, self.gq, self.e * self.q, self.fpf, self.h, self.reach
        lon, lom, hin, him = lo.numerator, lo.denominator, hi.numerator, hi.denominator
        i = self.i
        dk = self.d(k)
        if dk < 0:
            return
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
            return
        off = self.off(an, am, dk)
        out.append((an / am, an, am, i, self.code(off)))
        if dk == 0:
            return
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


@dataclass
class Cells:
    """The cells of a sweep as arrays (one entry a cell, in order of periods): cell ``j``
    holds from ``lo_n[j] / lo_m[j]`` to the next cell's start (the last one to ``hi``,
    included)."""

    lo_n: np.ndarray
    lo_m: np.ndarray
    hi: Fraction
    caught: np.ndarray
    near: np.ndarray
    musts_missed: np.ndarray
    worst: np.ndarray
    error: np.ndarray
    soft_missed: np.ndarray

    def __len__(self) -> int:
        return len(self.lo_n)

    def lo(self, j: int) -> Fraction:
        return Fraction(int(self.lo_n[j]), int(self.lo_m[j]))

    def cell(self, j: int) -> Cell:
        last = j + 1 == len(self)
        return Cell(self.lo(j), self.hi if last else self.lo(j + 1), last,
                    int(self.caught[j]), int(self.near[j]), int(self.musts_missed[j]),
                    int(self.worst[j]), int(self.error[j]), int(self.soft_missed[j]))


def sweep_cells(problem: FitProblem, anchor: Anchor, hits: list[int], lo: Fraction,
                hi: Fraction) -> Cells | None:
    """Every cell of periods in ``[lo, hi]`` for ``hits`` (indices, all after the anchor),
    walked with numpy: each event's change to the sums is its hit's new status less its old
    one, and the sums after a cell's last event are the cell's."""
    if lo > hi or not hits:
        return None
    swept = [_Hit(problem, anchor, i) for i in hits]
    events: list[tuple[float, int, int, int, int]] = []
    blocks: list[tuple[np.ndarray, ...]] = []  # the events done with numpy
    for n_hit, sh in enumerate(swept):
        got = sh.events(lo, hi, events)
        if got is not None:
            blocks.append((*got, np.full(len(got[0]), n_hit, np.int64)))
    local = {sh.i: n for n, sh in enumerate(swept)}
    big = any(abs(e[1]) >= 2 ** 62 or e[2] >= 2 ** 62 for e in events)
    kind = object if big else np.int64
    keys = np.concatenate([np.fromiter((e[0] for e in events), np.float64, len(events))]
                          + [b[0] for b in blocks])
    nn = np.concatenate([np.array([e[1] for e in events], dtype=kind)]
                        + [b[1].astype(kind) for b in blocks])
    mm = np.concatenate([np.array([e[2] for e in events], dtype=kind)]
                        + [b[2].astype(kind) for b in blocks])
    code = np.concatenate([np.fromiter((e[4] for e in events), np.int64, len(events))]
                          + [b[3] for b in blocks])
    hit = np.concatenate([np.fromiter((local[e[3]] for e in events), np.int64, len(events))]
                         + [b[4] for b in blocks])
    count = len(keys)
    if not count:
        return None
    order = np.argsort(keys, kind="stable")
    keys, nn, mm, code, hit = keys[order], nn[order], mm[order], code[order], hit[order]
    # equal float keys: settle their order exactly (a float never orders two different
    # rationals the wrong way, it only may not tell them apart)
    same = np.flatnonzero(keys[1:] == keys[:-1])
    if len(same):
        j = 0
        ties = same.tolist()
        while j < len(ties):
            start = ties[j]
            end = start + 1
            while j < len(ties) and ties[j] == end - 1:
                end = ties[j] + 2
                j += 1
            def exact(x: int, y: int) -> int:
                return _cmp_exact(int(nn[x]), int(mm[x]), int(nn[y]), int(mm[y]))

            span = np.array(sorted(range(start, end), key=cmp_to_key(exact)))
            for arr in (nn, mm, code, hit):
                arr[start:end] = arr[span]
    # each event's hit's code before it
    by_hit = np.lexsort((np.arange(count), hit))
    prev = np.full(count, FAR, np.int64)
    sorted_hits = hit[by_hit]
    follows = np.flatnonzero(sorted_hits[1:] == sorted_hits[:-1]) + 1
    prev[by_hit[follows]] = code[by_hit[follows - 1]]
    tol = np.array([sh.tol for sh in swept], np.int64)[hit]
    weight = np.array([sh.weight for sh in swept], np.int64)[hit]
    must = np.array([sh.must for sh in swept], bool)[hit]

    def parts(c: np.ndarray) -> tuple[np.ndarray, ...]:
        real = c != FAR
        a = np.abs(np.where(real, c, 0))
        caught = real & (a <= tol)
        near = real & ~caught
        return caught, near, a

    new_caught, new_near, new_a = parts(code)
    old_caught, old_near, old_a = parts(prev)
    d_caught = (new_caught.astype(np.int64) - old_caught) * weight
    d_near = (new_near.astype(np.int64) - old_near) * weight
    d_musts = ((~new_caught & must).astype(np.int64) - (~old_caught & must))
    d_soft = ((~new_caught & ~must).astype(np.int64) - (~old_caught & ~must)) * weight
    d_error = np.where(new_caught, new_a, 0) - np.where(old_caught, old_a, 0)
    top = int(tol.max()) if count else 0
    levels = [np.cumsum((new_caught & (new_a == lv)).astype(np.int64)
                        - (old_caught & (old_a == lv))) for lv in range(top + 1)]
    # cells: where the exact period changes (equal floats are checked exactly)
    new_group = np.ones(count, bool)
    new_group[1:] = keys[1:] != keys[:-1]
    for j in same.tolist():
        if int(nn[j]) * int(mm[j + 1]) != int(nn[j + 1]) * int(mm[j]):
            new_group[j + 1] = True
    changed = code != prev
    starts = np.flatnonzero(new_group)
    ends = np.append(starts[1:], count) - 1
    moved = np.logical_or.reduceat(changed, starts)
    moved[0] = True
    starts, ends = starts[moved], np.append(starts[moved][1:], count) - 1
    musts0 = sum(1 for sh in swept if sh.must)
    soft0 = sum(sh.weight for sh in swept if not sh.must)
    worst = np.zeros(len(ends), np.int64)
    for lv in range(top + 1):
        worst = np.where(levels[lv][ends] > 0, lv, worst)
    return Cells(nn[starts], mm[starts], hi,
                 np.cumsum(d_caught)[ends], np.cumsum(d_near)[ends],
                 musts0 + np.cumsum(d_musts)[ends], worst, np.cumsum(d_error)[ends],
                 soft0 + np.cumsum(d_soft)[ends])


def sweep(problem: FitProblem, anchor: Anchor, hits: list[int], lo: Fraction,
          hi: Fraction) -> list[Cell]:
    """Every cell of periods in ``[lo, hi]`` for ``hits``, as ``Cell`` objects."""
    cells = sweep_cells(problem, anchor, hits, lo, hi)
    return [] if cells is None else [cells.cell(j) for j in range(len(cells))]


# -- sets of periods -----------------------------------------------------------------------------

def catch_set(problem: FitProblem, anchor: Anchor, i: int, within: Periods) -> Periods:
    """The periods inside ``within`` (sorted disjoint [lo, hi), ``hi`` included when the flag
    says so) where hit ``i`` is caught from ``anchor``: for each grid position, where it is the
    nearest and within the tolerance. (Whole numbers: each bound is n / m.)"""
    sh = _Hit(problem, anchor, i)
    q, gq, eq, fpf, h, tol = sh.q, sh.gq, sh.e * sh.q, sh.fpf, sh.h, sh.tol
    early = q * (2 * (h - tol) * fpf - 2 * sh.tau - 1)  # off >= -tol from early / (2 d)
    late = q * (2 * (h + tol + 1) * fpf - 2 * sh.tau - 1)  # off > tol from late / (2 d)
    windows: list[tuple[Fraction, Fraction, bool]] = []
    for lo, hi, closed in within:
        ln, lm, hn, hm = lo.numerator, lo.denominator, hi.numerator, hi.denominator
        found: list[tuple[int, int, int, int, bool]] = []
        for k in reversed(sh.k_range(lo, hi)):  # later positions first: shorter periods
            dk = sh.d(k)
            if dk < 0:
                continue
            an, am = eq, 2 * dk + gq  # nearest from here ...
            if dk == 0:
                if abs(sh.off(1, 1, 0)) > tol:
                    continue
                bn, bm = 1, 0  # ... to the end
            else:
                if early * am > an * 2 * dk:
                    an, am = early, 2 * dk
                bn, bm = late, 2 * dk
                if 2 * dk - gq > 0 and eq * bm < bn * (2 * dk - gq):  # ... to here
                    bn, bm = eq, 2 * dk - gq
            if an * lm < ln * am:
                an, am = ln, lm
            if bm == 0 or bn * hm > hn * bm:
                bn, bm, shut = hn, hm, closed
            else:
                shut = False
            if an * bm < bn * am or (an * bm == bn * am and shut):
                found.append((an, am, bn, bm, shut))
        for an, am, bn, bm, shut in found:
            w = (Fraction(an, am), Fraction(bn, bm), shut)
            if windows and windows[-1][1] == w[0] and not windows[-1][2]:
                windows[-1] = (windows[-1][0], w[1], w[2])
            else:
                windows.append(w)
    return windows
