"""The tempo map search under a free meter plan: the bars may change length.

Everything of ``mapsearch`` holds (anchors exactly on their grid, steps, ramps, a steady tail,
each hit measured on its stretch); what changes is the downbeat. A bar line is on a multiple of
the plan's common step (``FitProblem.bar_step``: the hit's downbeat grid here), and the search
**pins** bar lines: bar 1, each anchor asked to land on a downbeat, and each downbeat hit it
chooses to catch, on the step nearest the middle of its frame (so that a pinned hit measured
on the map's bar lines is measured on that very one). Between two pinned bar lines the bars
are any sequence of allowed lengths filling the distance exactly (``bars.BarFill``); a
downbeat hit left unpinned is missed (a map that caught it anyway would be the same map with
it pinned, and better: so the best map never does).

A path's cost, compared in this order (each adds up along the path, so the best path to a
node is the best start of every path through it):

1. the tempo changes: as with a fixed meter, the fewest tempo changes come first; a meter
   change is not a tempo change, and a plan that lets a steady tempo catch every hit should
   find it,
2. the weight of hits missed: the point of the search; a meter change that catches a hit is
   worth it,
3. the meter changes: among maps that catch as much, the fewest bars out of the meter, since
   every change is a new time signature on the players' parts,
4. the sum of the tempo changes' sizes (the gentlest),
5. the sum of the caught hits' |frames off|.

A node is (hit, its beat, the tempo coming in, after a ramp or not, the last pinned bar line,
the meter of the bar ending there). Exact, and slower than the fixed meter's search: a free
plan is searched for cues of up to ``MAX_HITS`` hits, and gives up with a plain error past
``MAX_PIECES`` pieces measured (some seconds: 24 hits over a minute in two tempos take one to
four; 32 hits in a range of 40-240 bpm with 8 changes would take a minute and a half).
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from cuesketch.timing.tempo_fit.bars import BarFill
from cuesketch.timing.tempo_fit.mapsearch import FitMap, Piece, _tail_tempo
from cuesketch.timing.tempo_fit.pieces import RAMP_REACH
from cuesketch.timing.tempo_fit.problem import (
    F,
    FitError,
    FitProblem,
    Grid,
    Ramp,
    Step,
    nearer,
    nearest_on,
    off_at,
)
from cuesketch.timing.tempo_fit.sweep import Anchor, sweep

Cost5 = tuple[int, int, int, Fraction, int]  # tempo changes, missed, meter changes, bpm, off
MAX_HITS = 32
MAX_NODES = 100_000
MAX_PIECES = 40_000  # pieces measured at most in one search (some seconds): else a plain error

Pins = tuple[tuple[Fraction, int | None], ...]  # bar lines pinned: (beat, meter ending there)
# the last pinned bar line and its meter -> (missed, meter changes, frames off, pins)
Bars = dict[tuple[Fraction, int | None], tuple[int, int, int, Pins]]


@dataclass
class _Node:
    cost: Cost5
    back: tuple[_Node, Piece, Pins] | None
    index: int
    tau: int
    beat: Fraction
    t_in: Fraction | None
    after_ramp: bool
    bar: Fraction
    meter: int | None


def _add(c: Cost5, tempo: int, size: Fraction, bars: tuple[int, int, int]) -> Cost5:
    return (c[0] + tempo, c[1] + bars[0], c[2] + bars[1], c[3] + size, c[4] + bars[2])


class _Search:
    def __init__(self, problem: FitProblem) -> None:
        self.p = problem
        self.n = len(problem.hits)
        self.fill = BarFill(problem)
        self.down = [h.grid is Grid.DOWNBEAT for h in problem.hits]
        self.measured = 0

    def through(self, lattice: Step | Ramp, index: int, upto: int, end: Fraction | None,
                bar: Fraction, meter: int | None) -> Bars:
        """The hits after ``index`` up to (not with) ``upto`` on a piece: every way to pin
        their downbeats, best per the last bar line and meter."""
        p = self.p
        self.measured += 1
        if self.measured > MAX_PIECES:
            raise FitError("a free meter plan makes this search too long; narrow the tempo "
                           "range, allow fewer tempo changes or fewer meters, or fit the cue "
                           "in parts")
        states: Bars = {(bar, meter): (0, 0, 0, ())}
        for j in range(index + 1, upto):
            hit = p.hits[j]
            got = nearest_on(lattice, p, j, end)
            caught = got is not None and abs(got[1]) <= hit.tolerance
            if not self.down[j]:
                if caught:
                    assert got is not None
                    states = {k: (m, c, e + abs(got[1]), pins)
                              for k, (m, c, e, pins) in states.items()}
                elif hit.must:
                    return {}
                else:
                    states = {k: (m + hit.weight, c, e, pins)
                              for k, (m, c, e, pins) in states.items()}
                continue
            new: Bars = {}
            for (lb, mt), (m, c, e, pins) in states.items():
                if not hit.must:
                    _keep(new, (lb, mt), (m + hit.weight, c, e, pins))
                if caught:
                    assert got is not None
                    pick, off = got
                    for m_out, ch in self.fill.ends(pick - lb, mt):
                        _keep(new, (pick, m_out), (m, c + ch, e + abs(off),
                                                   pins + ((pick, m_out),)))
            states = new
            if not states:
                return {}
        return states

    def land(self, states: Bars, b: int, beat: Fraction) -> Bars:
        """An anchor on hit ``b`` at ``beat``: on a downbeat grid, a bar line pinned there."""
        if not self.down[b]:
            return states
        new: Bars = {}
        for (lb, mt), (m, c, e, pins) in states.items():
            for m_out, ch in self.fill.ends(beat - lb, mt):
                _keep(new, (beat, m_out), (m, c + ch, e, pins + ((beat, m_out),)))
        return new


def _keep(table: Bars, key: tuple[Fraction, int | None],
          value: tuple[int, int, int, Pins]) -> None:
    old = table.get(key)
    if old is None or value[:3] < old[:3]:
        table[key] = value


def best_free_map(problem: FitProblem) -> FitMap | None:
    """The best map under a free meter plan (see the module's text), or None if no map with
    ``min_changes`` to ``max_changes`` tempo changes catches every must-catch hit.

    The tempo changes come first in the cost, so the search is run for at most
    ``min_changes`` changes, then one more, and so on: the first run that finds a map has
    found the best (and a run at its limit only holds the tempo, which is quick)."""
    if len(problem.hits) > MAX_HITS:
        raise FitError(f"a free meter plan is searched for cues of up to {MAX_HITS} hits "
                       f"(this one has {len(problem.hits)}); fix the meter, or fit the cue in "
                       f"parts")
    s = _Search(problem)
    count = [0]
    for limit in range(problem.min_changes, problem.max_changes + 1):
        found = _run(s, limit, count)
        if found is not None:
            return found
    return None


def _run(s: _Search, limit: int, count: list[int]) -> FitMap | None:
    """The best map with at most ``limit`` tempo changes (and at least ``min_changes``)."""
    p = s.p
    n = s.n
    layers: list[dict[tuple[object, ...], _Node]] = [dict() for _ in range(n)]
    best: list[tuple[Cost5, _Node, Piece, Pins] | None] = [None]

    def offer(node: _Node) -> None:
        if node.cost[0] > limit:
            return
        key = (node.beat, node.t_in, node.after_ramp, node.bar, node.meter,
               min(node.cost[0], p.min_changes))
        table = layers[node.index]
        old = table.get(key)
        if old is None or node.cost < old.cost:
            table[key] = node
            count[0] += 1
            if count[0] > MAX_NODES:
                raise FitError("too many candidate maps to search with a free meter plan; "
                               "narrow the tempo range, allow fewer changes or fewer meters")

    def done(node: _Node, tempo: int, size: Fraction, states: Bars, piece: Piece) -> None:
        for (m, c, e, pins) in states.values():
            total = _add(node.cost, tempo, size, (m, c, e))
            if not p.min_changes <= total[0] <= limit:
                continue
            if best[0] is None or total < best[0][0]:
                best[0] = (total, node, piece, pins)

    def tail(node: _Node) -> None:
        hit = node.index if node.index >= 0 else None
        if node.index == n - 1:
            assert node.t_in is not None
            done(node, 0, Fraction(0), {(node.bar, node.meter): (0, 0, 0, ())},
                 Piece(node.tau, node.beat, node.t_in, node.t_in, False, hit))
            return
        if node.t_in is not None and (node.cost[0] == limit or node.after_ramp):
            # no change left (or after a ramp): the tail holds the tempo
            t = node.t_in
            states = s.through(Step(node.tau, node.beat, p.period_of(t)), node.index, n, None,
                               node.bar, node.meter)
            done(node, 0, Fraction(0), states, Piece(node.tau, node.beat, t, t, False, hit))
            return
        rest = list(range(node.index + 1, n))
        options: list[tuple[Cost5, Fraction, int, Fraction]] = []
        for cell in sweep(p, Anchor(node.tau, node.beat), rest, p.p_min, p.p_max):
            if cell.musts_missed:  # missed on every step, so on every bar line too
                continue
            t = _tail_tempo(cell, node.t_in, p)
            tempo, size = 0, Fraction(0)
            if node.t_in is not None and t != node.t_in:
                tempo, size = 1, abs(t - node.t_in)
                if size > p.max_step:
                    continue
            # what a step catches, only fewer on bar lines: the least the tail can cost
            options.append((_add(node.cost, tempo, size, (cell.soft_missed, 0, 0)), t, tempo,
                            size))
        options.sort(key=lambda o: o[0])
        for least, t, tempo, size in options:
            if best[0] is not None and least >= best[0][0]:
                break
            states = s.through(Step(node.tau, node.beat, p.period_of(t)), node.index, n, None,
                               node.bar, node.meter)
            done(node, tempo, size, states, Piece(node.tau, node.beat, t, t, False, hit))

    def pieces(node: _Node) -> None:
        hit = node.index if node.index >= 0 else None
        t_in = node.t_in
        hold = t_in is not None and node.cost[0] == limit  # no change left: hold the tempo
        for b in range(node.index + 1, n):
            dt = p.anchor_time(b) - node.tau
            g = p.sizes[b]
            lo, hi = p.lo, p.hi
            if hold:
                assert t_in is not None
                lo = hi = t_in
            elif p.ramps and t_in is not None and b - node.index <= RAMP_REACH:
                lo = min(lo, (t_in + max(p.lo, t_in - p.max_step)) / 2)
            kmin = ((node.beat + lo * dt / (60 * F)) / g).__ceil__()
            kmax = ((node.beat + hi * dt / (60 * F)) / g).__floor__()
            for k in range(kmin, kmax + 1):
                beat = k * g
                d = beat - node.beat
                if d <= 0:
                    continue
                avg = 60 * F * d / dt
                to = p.anchor_time(b)
                if p.lo <= avg <= p.hi and (t_in is None or avg == t_in or not node.after_ramp):
                    tempo = 0 if t_in is None or avg == t_in else 1
                    size = Fraction(0) if tempo == 0 else abs(avg - t_in)  # type: ignore
                    if size <= p.max_step:
                        step = Step(node.tau, node.beat, p.period_of(avg))
                        go(node, b, beat, to, avg, False, tempo, size,
                           s.through(step, node.index, b, beat, node.bar, node.meter),
                           Piece(node.tau, node.beat, avg, avg, False, hit))
                if p.ramps and t_in is not None and not hold and b - node.index <= RAMP_REACH:
                    t1 = 2 * avg - t_in
                    if p.lo <= t1 <= p.hi and t1 != t_in and abs(t1 - t_in) <= p.max_step:
                        ramp = Ramp(node.tau, node.beat, d, t_in, t1)
                        go(node, b, beat, to, t1, True, 1, abs(t1 - t_in),
                           s.through(ramp, node.index, b, beat, node.bar, node.meter),
                           Piece(node.tau, node.beat, t_in, t1, True, hit))

    def go(node: _Node, b: int, beat: Fraction, tau: int, t: Fraction, ramp: bool,
           tempo: int, size: Fraction, states: Bars, piece: Piece) -> None:
        for (lb, mt), (m, c, e, pins) in s.land(states, b, beat).items():
            offer(_Node(_add(node.cost, tempo, size, (m, c, e)), (node, piece, pins), b, tau,
                        beat, t, ramp, lb, mt))

    for o in p.origins:
        start = _Node((0, 0, 0, Fraction(0), 0), None, -1, o, Fraction(0), None, False,
                      Fraction(0), None)
        tail(start)
        pieces(start)
    for index in range(n):
        for node in list(layers[index].values()):
            if best[0] is not None and node.cost >= best[0][0]:
                continue
            tail(node)
            pieces(node)
    if best[0] is None:
        return None
    return _build(p, s.fill, *best[0])


def _build(p: FitProblem, fill: BarFill, total: Cost5, node: _Node, last: Piece,
           last_pins: Pins) -> FitMap:
    parts: list[tuple[Piece, Pins]] = [(last, last_pins)]
    cur = node
    while cur.back is not None:
        prev, piece, pins = cur.back
        parts.append((piece, pins))
        cur = prev
    parts.reverse()
    seq: list[int] = []
    bar, meter = Fraction(0), None
    for _, pins in parts:
        for beat, m_out in pins:
            seq += fill.bars(beat - bar, meter, m_out)
            bar, meter = beat, m_out
    pieces = [pc for pc, _ in parts]
    fm = FitMap(cur.tau, pieces, (total[0], total[1], total[3], total[4]), [],
                [pc.hit for pc in pieces if pc.hit is not None])
    fm.meter_changes = total[2]
    fm.bars = fill.meter_changes(seq)
    fm.offs = free_offs(p, fm, fill, seq)
    return fm


def free_offs(p: FitProblem, fm: FitMap, fill: BarFill, seq: list[int]) -> list[int | None]:
    """Frames off of every hit on the found map: a downbeat hit on the map's bar lines."""
    from cuesketch.timing.tempo_fit.mapsearch import claimed_offs
    offs = claimed_offs(p, fm)
    starts = [pc.tau for pc in fm.pieces]
    anchors = set(fm.anchors)
    lines: list[Fraction] | None = None
    for i, hit in enumerate(p.hits):
        if hit.grid is not Grid.DOWNBEAT or i in anchors:
            continue
        c = p.center(i)
        j = max(k for k, t in enumerate(starts) if t <= c)
        pc = fm.pieces[j]
        end = fm.pieces[j + 1].beat if j + 1 < len(fm.pieces) else None
        lattice: Step | Ramp = Ramp(pc.tau, pc.beat, end - pc.beat, pc.t0, pc.t1) \
            if pc.ramp and end is not None else Step(pc.tau, pc.beat, p.period_of(pc.t0))
        beat_c = lattice.beat_at(c)
        if lines is None or lines[-1] <= beat_c:
            lines = fill.lines(seq, beat_c + max(p.bar_lengths))
        inside = [x for x in lines if x >= pc.beat and (end is None or x <= end)]
        below = [x for x in inside if x <= beat_c]
        above = [x for x in inside if x > beat_c]
        if not below and not above:
            offs[i] = None
            continue
        pick = above[0] if not below else below[-1] if not above else nearer(
            lattice, c, below[-1], above[0])
        offs[i] = off_at(lattice, p, i, pick)
    return offs
