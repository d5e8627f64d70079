"""Brute force for Find Tempo, in exact fractions, for small problems: the reference the
solver is checked against (tests and the optimality figure).

Constant tempo: every period where any hit's status can change (every grid position crossing
every frame boundary near the hit, every point where two positions are equally near its
frame's middle) is a candidate; each hit is measured there by trying every grid position. Maps:
every origin, every subset of hits as anchors in order, every beat of each on its grid, a step
or a ramp between them, and every tail cell found the same way as the constant tempo's.
"""

from __future__ import annotations

from fractions import Fraction

from cuesketch.timing.tempo_fit.mapsearch import _tail_tempo
from cuesketch.timing.tempo_fit.pieces import RAMP_REACH
from cuesketch.timing.tempo_fit.problem import (
    F,
    FitProblem,
    Grid,
    Ramp,
    Step,
    frames_off_on,
    nearer,
    off_at,
)
from cuesketch.timing.tempo_fit.sweep import FAR, Cell

Cost = tuple[int, int, Fraction, int]


def off_step(problem: FitProblem, tau: int, beat: Fraction, p: Fraction, i: int,
             end: Fraction | None = None) -> int | None:
    """Frames off of hit i on a steady lattice: the nearest of every grid position from a
    little before the one at the frame's middle (the others are only further away), in whole
    numbers (times scaled by 2 q times the period's denominator)."""
    q = problem.q
    gq, bq = int(problem.sizes[i] * q), int(beat * q)
    pn, pd = p.numerator, p.denominator
    c2 = 2 * problem.hits[i].frame * problem.fpf + problem.fpf - 1  # twice the centre
    scale = q * pd
    base = 2 * tau * scale
    target = c2 * scale
    k = max(-(-bq // gq), (bq * 2 * pn + (c2 - 2 * tau) * scale) // (2 * pn * gq) - 2)
    last = None if end is None else (end / problem.sizes[i]).__floor__()
    best: tuple[int, int] | None = None
    while last is None or k <= last:
        t2 = base + 2 * (k * gq - bq) * pn  # twice the time, scaled
        d = abs(t2 - target)
        if best is None or d < best[0]:
            best = (d, t2)
        if t2 > target:
            break
        k += 1
    if best is None:
        return None
    return (best[1] + scale) // (2 * problem.fpf * scale) - problem.hits[i].frame


def _candidates(problem: FitProblem, tau: int, beat: Fraction, hits: list[int],
                lo: Fraction, hi: Fraction) -> list[Fraction]:
    points = {lo, hi}
    for i in hits:
        g = problem.sizes[i]
        c = problem.center(i)
        h = problem.hits[i].frame
        reach = problem.hits[i].tolerance + problem.near
        # every grid position that comes within reach of the hit at some period in [lo, hi]
        margin = (reach + 3) * problem.fpf
        k = max((beat / g).__ceil__(), ((beat + (c - tau - margin) / hi) / g).__floor__() - 1)
        last = ((beat + (c - tau + margin) / lo) / g).__ceil__() + 1
        while k <= last:
            d = k * g - beat
            if d > 0:
                for m in range(h - reach - 1, h + reach + 3):
                    points.add((m * problem.fpf - Fraction(1, 2) - tau) / d)
                points.add(2 * (c - tau) / (2 * d + g))
            k += 1
    return sorted(p for p in points if lo <= p <= hi)


def code(problem: FitProblem, i: int, off: int | None) -> int:
    reach = problem.hits[i].tolerance + problem.near
    return off if off is not None and abs(off) <= reach else FAR


def brute_cells(problem: FitProblem, tau: int, beat: Fraction, hits: list[int],
                lo: Fraction, hi: Fraction) -> list[tuple[Cell, dict[int, int]]]:
    """The cells of a steady tail from (tau, beat), each with its hits' codes."""
    pts = _candidates(problem, tau, beat, hits, lo, hi)
    cells: list[tuple[Cell, dict[int, int]]] = []
    for j, p in enumerate(pts):
        codes = {i: code(problem, i, off_step(problem, tau, beat, p, i)) for i in hits}
        nxt = pts[j + 1] if j + 1 < len(pts) else hi
        closed = j + 1 == len(pts)
        if cells and cells[-1][1] == codes:
            cells[-1][0].hi, cells[-1][0].closed = nxt, closed
            continue
        if j + 1 == len(pts) and p == hi and cells and len(pts) > 1:
            pass
        caught = near = musts = worst = err = soft = 0
        for i, cd in codes.items():
            hit = problem.hits[i]
            if cd != FAR and abs(cd) <= hit.tolerance:
                caught += hit.weight
                worst = max(worst, abs(cd))
                err += abs(cd)
            else:
                if hit.must:
                    musts += 1
                else:
                    soft += hit.weight
                if cd != FAR:
                    near += hit.weight
        cells.append((Cell(p, nxt, closed, caught, near, musts, worst, err, soft), codes))
    return cells


def brute_constant(problem: FitProblem) -> tuple[int, int, int, int]:
    """The best (musts missed, -weight caught, -weight near, worst frames off)."""
    best = None
    hits = list(range(len(problem.hits)))
    for o in problem.origins:
        for cell, _ in brute_cells(problem, o, Fraction(0), hits, problem.p_min, problem.p_max):
            key = (cell.musts_missed, -cell.caught, -cell.near, cell.worst)
            if best is None or key < best:
                best = key
    assert best is not None
    return best


def _piece_cost(problem: FitProblem, offs: dict[int, int | None]) -> tuple[int, int] | None:
    missed = err = 0
    for j, off in offs.items():
        hit = problem.hits[j]
        if off is not None and abs(off) <= hit.tolerance:
            err += abs(off)
        elif hit.must:
            return None
        else:
            missed += hit.weight
    return missed, err


def brute_map(problem: FitProblem) -> Cost | None:
    """The best map's cost over every anchor subset, beat and piece kind."""
    n = len(problem.hits)
    best: list[Cost | None] = [None]
    lo, hi = problem.lo, problem.hi

    def consider(cost: Cost) -> None:
        if problem.min_changes <= cost[0] <= problem.max_changes:
            if best[0] is None or cost < best[0]:
                best[0] = cost

    def go(index: int, tau: int, beat: Fraction, t_in: Fraction | None, after_ramp: bool,
           cost: Cost) -> None:
        if cost[0] > problem.max_changes:
            return
        rest = list(range(index + 1, n))
        # the tail
        if not rest:
            consider(cost)
        else:
            for cell, _ in brute_cells(problem, tau, beat, rest, problem.p_min, problem.p_max):
                if cell.musts_missed:
                    continue
                t = _tail_tempo(cell, t_in, problem)
                if after_ramp and t != t_in:
                    continue
                if t_in is None or t == t_in:
                    ch, size = 0, Fraction(0)
                else:
                    ch, size = 1, abs(t - t_in)
                    if size > problem.max_step:
                        continue
                consider((cost[0] + ch, cost[1] + cell.soft_missed, cost[2] + size,
                          cost[3] + cell.error))
        # the next anchor
        for b in rest:
            dt = problem.anchor_time(b) - tau
            g = problem.sizes[b]
            k = (beat / g).__floor__() + 1
            while True:
                d = k * g - beat
                k += 1
                if d <= 0:
                    continue
                avg = 60 * F * d / dt  # the average tempo over the piece
                if avg > 2 * hi:
                    break
                # a step
                if lo <= avg <= hi:
                    offs = {j: off_step(problem, tau, beat, 60 * F / avg, j, k * g - g)
                            for j in range(index + 1, b)}
                    pc = _piece_cost(problem, offs)
                    if pc is not None:
                        if t_in is None or avg == t_in:
                            ch, size = 0, Fraction(0)
                        else:
                            ch, size = 1, abs(avg - t_in)
                        if (t_in is None or avg == t_in or not after_ramp) \
                                and size <= problem.max_step:
                            go(b, problem.anchor_time(b), k * g - g, avg, False,
                               (cost[0] + ch, cost[1] + pc[0], cost[2] + size, cost[3] + pc[1]))
                # a ramp from the tempo coming in
                if problem.ramps and t_in is not None and b - index <= RAMP_REACH:
                    t1 = 2 * avg - t_in
                    if lo <= t1 <= hi and t1 != t_in and abs(t1 - t_in) <= problem.max_step:
                        ramp = Ramp(tau, beat, d, t_in, t1)
                        offs = {j: frames_off_on(ramp, problem, j, k * g - g)
                                for j in range(index + 1, b)}
                        pc = _piece_cost(problem, offs)
                        if pc is not None:
                            go(b, problem.anchor_time(b), k * g - g, t1, True,
                               (cost[0] + 1, cost[1] + pc[0], cost[2] + abs(t1 - t_in),
                                cost[3] + pc[1]))

    for o in problem.origins:
        go(-1, o, Fraction(0), None, False, (0, 0, Fraction(0), 0))
    return best[0]


# -- a free meter plan: every layout of bars -----------------------------------------------

Cost5 = tuple[int, int, int, Fraction, int]  # tempo changes, missed, meter changes, bpm, off
Lattice = Step | Ramp
Open = tuple[int, Lattice, Fraction, Fraction | None]  # a downbeat hit on its stretch


def layouts(problem: FitProblem) -> list[tuple[frozenset[Fraction], list[Fraction], int]]:
    """Every sequence of the plan's bars from bar 1 until a bar line lies past any beat a hit
    can be on: (its bar lines as a set, sorted, its meter changes)."""
    last = problem.hits[-1].frame + 1
    top = problem.hi * (last * problem.fpf - min(problem.origins)) / (60 * F) + 1
    out: list[tuple[frozenset[Fraction], list[Fraction], int]] = []

    def grow(lines: list[Fraction], meter: int | None, changes: int) -> None:
        if lines[-1] > top:
            out.append((frozenset(lines), lines, changes))
            return
        for m, length in enumerate(problem.bar_lengths):
            grow(lines + [lines[-1] + length], m,
                 changes + (meter is not None and m != meter))

    grow([Fraction(0)], None, 0)
    return out


def _on_lines(problem: FitProblem, hit: Open, lines: list[Fraction]) -> int | None:
    i, lattice, start, end = hit
    c = problem.center(i)
    beat_c = lattice.beat_at(c)
    inside = [x for x in lines if x >= start and (end is None or x <= end)]
    below = [x for x in inside if x <= beat_c]
    above = [x for x in inside if x > beat_c]
    if not inside:
        return None
    pick = above[0] if not below else below[-1] if not above else nearer(
        lattice, c, below[-1], above[0])
    return off_at(lattice, problem, i, pick)


def brute_free_map(problem: FitProblem) -> Cost5 | None:
    """The best map's cost under a free meter plan: every anchor subset, beat and piece kind
    as ``brute_map``, and for each every layout of bars, each downbeat hit measured on the
    layout's bar lines."""
    n = len(problem.hits)
    down = [h.grid is Grid.DOWNBEAT for h in problem.hits]
    plans = layouts(problem)
    best: list[Cost5 | None] = [None]
    lo, hi = problem.lo, problem.hi

    def finish(cost: Cost5, opened: list[Open], pinned: list[Fraction]) -> None:
        if not problem.min_changes <= cost[0] <= problem.max_changes:
            return
        for lines_set, lines, changes in plans:
            if any(b not in lines_set for b in pinned):
                continue
            missed, err = cost[1], cost[4]
            for hit in opened:
                off = _on_lines(problem, hit, lines)
                h = problem.hits[hit[0]]
                if off is not None and abs(off) <= h.tolerance:
                    err += abs(off)
                elif h.must:
                    break
                else:
                    missed += h.weight
            else:
                total = (cost[0], missed, changes, cost[3], err)
                if best[0] is None or total < best[0]:
                    best[0] = total

    def piece(lattice: Lattice, index: int, upto: int, end: Fraction | None,
              offs: dict[int, int | None], opened: list[Open]) -> tuple[int, int] | None:
        for j in range(index + 1, upto):
            if down[j]:
                opened.append((j, lattice, lattice.beat, end))
        return _piece_cost(problem, {j: o for j, o in offs.items() if not down[j]})

    def go(index: int, tau: int, beat: Fraction, t_in: Fraction | None, after_ramp: bool,
           cost: Cost5, opened: list[Open], pinned: list[Fraction]) -> None:
        if cost[0] > problem.max_changes:
            return
        rest = list(range(index + 1, n))
        if not rest:
            finish(cost, opened, pinned)
        else:
            for cell, _ in brute_cells(problem, tau, beat, rest, problem.p_min, problem.p_max):
                t = _tail_tempo(cell, t_in, problem)
                if after_ramp and t != t_in:
                    continue
                ch, size = (0, Fraction(0)) if t_in is None or t == t_in else (1, abs(t - t_in))
                if size > problem.max_step:
                    continue
                lattice = Step(tau, beat, 60 * F / t)
                more = list(opened)
                offs = {j: off_step(problem, tau, beat, 60 * F / t, j) for j in rest}
                pc = piece(lattice, index, n, None, offs, more)
                if pc is not None:
                    finish((cost[0] + ch, cost[1] + pc[0], 0, cost[3] + size, cost[4] + pc[1]),
                           more, pinned)
        for b in rest:
            dt = problem.anchor_time(b) - tau
            g = problem.sizes[b]
            k = (beat / g).__floor__() + 1
            while True:
                end = k * g
                d = end - beat
                k += 1
                if d <= 0:
                    continue
                avg = 60 * F * d / dt
                if avg > 2 * hi:
                    break
                pins = pinned + [end] if down[b] else pinned
                if lo <= avg <= hi and (t_in is None or avg == t_in or not after_ramp):
                    ch, size = (0, Fraction(0)) if t_in is None or avg == t_in \
                        else (1, abs(avg - t_in))
                    if size <= problem.max_step:
                        more = list(opened)
                        offs = {j: off_step(problem, tau, beat, 60 * F / avg, j, end)
                                for j in range(index + 1, b)}
                        pc = piece(Step(tau, beat, 60 * F / avg), index, b, end, offs, more)
                        if pc is not None:
                            go(b, problem.anchor_time(b), end, avg, False,
                               (cost[0] + ch, cost[1] + pc[0], 0, cost[3] + size,
                                cost[4] + pc[1]), more, pins)
                if problem.ramps and t_in is not None and b - index <= RAMP_REACH:
                    t1 = 2 * avg - t_in
                    if lo <= t1 <= hi and t1 != t_in and abs(t1 - t_in) <= problem.max_step:
                        ramp = Ramp(tau, beat, d, t_in, t1)
                        more = list(opened)
                        offs = {j: frames_off_on(ramp, problem, j, end)
                                for j in range(index + 1, b)}
                        pc = piece(ramp, index, b, end, offs, more)
                        if pc is not None:
                            go(b, problem.anchor_time(b), end, t1, True,
                               (cost[0] + 1, cost[1] + pc[0], 0, cost[3] + abs(t1 - t_in),
                                cost[4] + pc[1]), more, pins)

    for o in problem.origins:
        go(-1, o, Fraction(0), None, False, (0, 0, 0, Fraction(0), 0), [], [])
    return best[0]
