"""The tempo map with the fewest changes that catches every must-catch hit: a shortest path.

A map here is bar 1 at an allowed origin, then **anchors**: hits where the tempo changes, each
exactly on its grid (the change sits on the flick in the middle of the hit's frame). Between
two anchors the tempo is steady (a step: fixed by the beats and the time between them) or, if
allowed, a linear ramp (accelerando, ritardando) from the tempo coming in; after the last
anchor it is steady at any tempo in the range. A path goes through nodes (hit, beat, tempo
coming in) in the order of the hits, and costs, compared in this order:

1. the tempo changes (a step to another tempo, a ramp; holding the tempo costs none),
2. the weight of hits missed (a must-catch hit is never missed: such a path does not exist),
3. the sum of the changes' sizes in bpm (each at most ``max_step``: the gentlest map),
4. the sum of the caught hits' |frames off|.

Every cost adds up along the path, so the best path to a node is the best start of every path
through it, and each node keeps only its best. Hits are measured on the stretch of the map they
fall in: the grid positions of their piece, from its anchor's beat to the next anchor's (the map
written at the end has a change on every anchor, so that ``report.measure`` reads the same
stretches). Soft hits only order maps with the fewest changes: ``min_changes`` asks for more.

A ramp runs from its anchor to one of the next ``RAMP_REACH`` hits, and what follows a ramp
goes on from the tempo it reached (a tempo map can't ramp and jump on one beat).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from cuesketch.timing.tempo import MeterChange, TempoChange, TempoMap
from cuesketch.timing.tempo_fit.pieces import Pieces
from cuesketch.timing.tempo_fit.problem import FitError, FitProblem, Ramp, Step, frames_off_on
from cuesketch.timing.tempo_fit.sweep import Anchor, Cell

Cost = tuple[int, int, Fraction, int]
ZERO: Cost = (0, 0, Fraction(0), 0)

MAX_STATES = 200_000

__all__ = ["FitMap", "Piece", "best_map", "claimed_offs"]


@dataclass(frozen=True)
class Piece:
    """From anchor beat ``beat`` (flick ``tau``) at ``t0`` bpm: steady, or ramping to ``t1``."""

    tau: int
    beat: Fraction
    t0: Fraction
    t1: Fraction
    ramp: bool
    hit: int | None  # the anchor hit starting the piece (None: bar 1)


@dataclass
class FitMap:
    """A map the search found: its pieces, its cost and what it claims of each hit."""

    origin: int
    pieces: list[Piece]
    cost: Cost
    offs: list[int | None]  # frames off per hit (None past the near margin)
    anchors: list[int] = field(default_factory=list)
    meter_changes: int = 0  # under a free meter plan: the changes in ``bars``
    bars: tuple[MeterChange, ...] = ()  # under a free meter plan: the meters (else fixed)

    @property
    def changes(self) -> int:
        return self.cost[0]

    def tempo_map(self, problem: FitProblem) -> TempoMap:
        """The map in Cuesketch's terms: quarter notes, origin at bar 1."""
        unit = problem.unit
        tempos: list[TempoChange] = []
        for piece in self.pieces:  # a change on every anchor, even one that holds the tempo:
            # each hit is measured on the stretch between the changes around it
            tempos.append(TempoChange(piece.beat * unit, piece.t0 * unit, piece.ramp))
        return TempoMap(self.origin, tuple(tempos), self.bars or (
            MeterChange(0, problem.numerator, problem.denominator),))


@dataclass
class _State:
    cost: Cost
    back: tuple[object, Piece] | None
    anchor: Anchor
    t_in: Fraction | None
    after_ramp: bool
    index: int  # the anchor hit (-1: bar 1)
    beat: Fraction


def _tail_tempo(cell: Cell, t_in: Fraction | None, problem: FitProblem,
                bounds: tuple[Fraction, Fraction] | None = None) -> Fraction:
    """The tempo a tail takes in its cell: the one coming in if the cell has it, else the
    nearest the cell has (near its open end if that is nearer). ``bounds``: the cell's
    fastest and slowest tempo, if known."""
    fast, slow = bounds or (problem.bpm_of(cell.lo), problem.bpm_of(cell.hi))  # fast included
    if t_in is None:
        return fast
    if slow < t_in <= fast or (cell.closed and t_in == slow):
        return t_in
    if t_in > fast:
        return fast
    if cell.closed:
        return slow
    return slow + min((fast - slow) / 2, Fraction(1, 200))


def add(a: Cost, b: Cost) -> Cost:
    return (a[0] + b[0], a[1] + b[1], a[2] + b[2], a[3] + b[3])


def best_map(problem: FitProblem) -> FitMap | None:
    """The best map with ``min_changes`` to ``max_changes`` changes, or None if no map in the
    range catches every must-catch hit.

    The changes come first in the cost, so the search is run for at most ``min_changes``
    changes, then one more, and so on: the first run that finds a map has found the best. Each
    run drops a node that can't finish within its changes (see ``Pieces.fewest_more``).

    Under a free meter plan, ``freemeter`` searches (the bars may change length there)."""
    if problem.free:
        from cuesketch.timing.tempo_fit.freemeter import best_free_map
        return best_free_map(problem)
    s = Pieces(problem)
    more = s.fewest_more()
    for limit in range(problem.min_changes, problem.max_changes + 1):
        found = _run(s, limit, more)
        if found is not None:
            return found
    return None


def _run(s: Pieces, limit: int, more: dict[tuple[int, int], int]) -> FitMap | None:
    """The best map with at most ``limit`` changes (and at least ``min_changes``)."""
    p = s.p
    n = s.n
    layers: list[dict[tuple[int, int, bool, int], _State]] = [dict() for _ in range(n)]
    best: tuple[Cost, _State, Piece] | None = None
    starts = [_State(ZERO, None, Anchor(o, Fraction(0)), None, False, -1, Fraction(0))
              for o in p.origins]
    count = 0

    def offer(st: _State, residue: Fraction) -> None:
        # the same residue and tempo objects stay alive in the search's tables: ids are safe
        nonlocal count
        table = layers[st.index]
        k = (id(residue), id(st.t_in), st.after_ramp, min(st.cost[0], p.min_changes))
        old = table.get(k)
        if old is None or st.cost < old.cost:
            table[k] = st
            count += 1
            if count > MAX_STATES:
                raise FitError("too many candidate maps to search; narrow the tempo range or "
                               "allow fewer changes")

    def finish(st: _State) -> None:
        nonlocal best
        a = st.anchor
        options: list[tuple[Cost, Fraction]] = []
        if st.index == n - 1:
            assert st.t_in is not None
            options.append((ZERO, st.t_in))
        else:
            for c, bounds in s.tail_cells(st.index, a):
                t = _tail_tempo(c, st.t_in, p, bounds)
                if st.t_in is None or t == st.t_in:
                    change, size = 0, Fraction(0)
                else:
                    if st.after_ramp:  # after a ramp the tempo goes on from where it got to
                        continue
                    change, size = 1, abs(t - st.t_in)
                    if size > p.max_step:
                        continue
                options.append(((change, c.soft_missed, size, c.error), t))
        for extra, t in options:
            total = add(st.cost, extra)
            if not p.min_changes <= total[0] <= limit:
                continue
            if best is None or total < best[0]:
                best = (total, st, Piece(a.tau, a.beat, t, t, False,
                                         st.index if st.index >= 0 else None))

    def expand_ramps(st: _State) -> None:
        """Ramps out of a node (and, after a ramp, the steady pieces holding its tempo: done
        by ``expand_node`` with the rest)."""
        a = st.anchor
        t_in, changes = st.t_in, st.cost[0]
        if p.ramps and t_in is not None and changes + 1 <= limit:
            for b, beat, t1, missed, err, residue in s.ramps(st.index, a, t_in):
                if changes + 1 + more[(b, id(residue))] > limit:
                    continue
                piece = Piece(a.tau, a.beat, t_in, t1, True, st.index)
                offer(_State(add(st.cost, (1, missed, abs(t1 - t_in), err)), (st, piece),
                             Anchor(p.anchor_time(b), beat), t1, True, b, beat), residue)

    def expand(st: _State) -> None:
        a = st.anchor
        t_in, changes = st.t_in, st.cost[0]
        edges, shift = s.steps(st.index, a)
        piece = None
        for b, beat, t, missed, err, residue in edges:
            if t_in is None or t is t_in:
                change, size = 0, ZERO[2]
            else:
                if st.after_ramp or changes + 1 + more[(b, id(residue))] > limit:
                    continue
                change, size = 1, abs(t - t_in)
                if size > p.max_step:
                    continue
            if change == 0 and changes + more[(b, id(residue))] > limit:
                continue
            if piece is None or piece.t0 != t:
                piece = Piece(a.tau, a.beat, t, t, False, st.index if st.index >= 0 else None)
            beat += shift
            offer(_State(add(st.cost, (change, missed, size, err)), (st, piece),
                         Anchor(p.anchor_time(b), beat), t, False, b, beat), residue)
        expand_ramps(st)

    def expand_node(states: list[_State]) -> None:
        """Steady pieces out of every node at one hit and beat at once: for each piece, the
        node it is best from (floats find the few that may be; exact fractions decide)."""
        a0 = states[0].anchor
        edges, _ = s.steps(states[0].index, a0)
        if not edges:
            return
        by_tempo: dict[int, list[_State]] = {}
        for st in states:
            by_tempo.setdefault(id(st.t_in), []).append(st)
        movable = sorted((st for st in states if not st.after_ramp),
                         key=lambda st: (st.cost[0], st.cost[1]))
        groups: list[list[tuple[_State, float, float]]] = []
        for st in movable:
            assert st.t_in is not None
            row = (st, s.approx(st.t_in), float(st.cost[2]))
            if groups and (groups[-1][0][0].cost[:2] == st.cost[:2]):
                groups[-1].append(row)
            else:
                groups.append([row])
        step_f = float(p.max_step)
        slack = 1e-9 * (1 + step_f)
        for b, beat, t, missed, err, residue in edges:
            bound = more[(b, id(residue))]
            target = Anchor(p.anchor_time(b), Fraction(0))
            # holding the tempo: no change
            for st in by_tempo.get(id(t), ()):
                if st.cost[0] + bound <= limit:
                    emit(st, b, beat, t, (0, missed, ZERO[2], err), residue, target)
            # changing it: the first group (fewest changes, least missed) with a node near
            # enough, and in it the smallest sum of steps
            t_f = s.approx(t)
            for group in groups:
                if group[0][0].cost[0] + 1 + bound > limit:
                    break
                scores: list[tuple[float, _State]] = []
                for st, tin_f, size_f in group:
                    if st.t_in is t:
                        continue
                    diff = abs(t_f - tin_f)
                    if diff > step_f + slack:
                        continue
                    if diff > step_f - slack:
                        assert st.t_in is not None
                        if abs(t - st.t_in) > p.max_step:
                            continue
                    scores.append((size_f + diff, st))
                if not scores:
                    continue
                low = min(x for x, _ in scores)
                pick: tuple[Cost, _State] | None = None
                for x, st in scores:
                    if x <= low + 1e-9 * (1 + low):
                        assert st.t_in is not None
                        cost = add(st.cost, (1, missed, abs(t - st.t_in), err))
                        if pick is None or cost < pick[0]:
                            pick = (cost, st)
                assert pick is not None
                st = pick[1]
                assert st.t_in is not None
                emit(st, b, beat, t, (1, missed, abs(t - st.t_in), err), residue, target)
                break

    def emit(st: _State, b: int, beat: Fraction, t: Fraction, extra: Cost, residue: Fraction,
             target: Anchor) -> None:
        shift = st.anchor.beat - s._steps_beat[(st.anchor.tau, st.beat % s.modulus)]
        at = beat + shift
        piece = Piece(st.anchor.tau, st.anchor.beat, t, t, False,
                      st.index if st.index >= 0 else None)
        offer(_State(add(st.cost, extra), (st, piece), Anchor(target.tau, at), t, False, b,
                     at), residue)

    for st in starts:
        finish(st)
        expand(st)
    for index in range(n):
        nodes: dict[int, list[_State]] = {}
        for key, st in list(layers[index].items()):
            # every cost adds up in every part: a node already no better than the best map
            # found can only get worse
            if best is not None and st.cost >= best[0]:
                continue
            finish(st)
            if best is not None and st.cost >= best[0]:
                continue
            nodes.setdefault(key[0], []).append(st)
            if p.ramps or st.after_ramp:
                expand_ramps(st)
        for states in nodes.values():
            expand_node(states)
    if best is None:
        return None
    total, st, last = best
    pieces = [last]
    cur: _State | None = st
    while cur is not None and cur.back is not None:
        prev, piece = cur.back
        pieces.append(piece)
        cur = prev  # type: ignore[assignment]
    pieces.reverse()
    assert cur is not None
    fm = FitMap(cur.anchor.tau, pieces, total, [], [pc.hit for pc in pieces if pc.hit is not None])
    fm.offs = claimed_offs(p, fm)
    return fm


def claimed_offs(problem: FitProblem, fm: FitMap) -> list[int | None]:
    """Frames off of every hit on the found map's pieces (anchors are on their frame)."""
    anchors = set(fm.anchors)
    offs: list[int | None] = []
    starts = [pc.tau for pc in fm.pieces]
    for i in range(len(problem.hits)):
        if i in anchors:
            offs.append(0)
            continue
        c = problem.center(i)
        j = max(k for k, t in enumerate(starts) if t <= c)
        pc = fm.pieces[j]
        end = fm.pieces[j + 1].beat if j + 1 < len(fm.pieces) else None
        if pc.ramp:
            assert end is not None
            lattice: Step | Ramp = Ramp(pc.tau, pc.beat, end - pc.beat, pc.t0, pc.t1)
        else:
            lattice = Step(pc.tau, pc.beat, problem.period_of(pc.t0))
        offs.append(frames_off_on(lattice, problem, i, end))
    return offs
