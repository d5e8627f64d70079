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
fall in: the grid positions of their piece, at or after its anchor.

A ramp runs from its anchor to one of the next ``RAMP_REACH`` hits, and what follows a ramp
goes on from the tempo it reached (a tempo map can't ramp and jump on one beat).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction

from cuesketch.timing.tempo import MeterChange, TempoChange, TempoMap
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
from cuesketch.timing.tempo_fit.sweep import Anchor, Cell, catch_set, sweep

Cost = tuple[int, int, Fraction, int]
# hit, its beat, the tempo, weight missed, frames off summed, the beat modulo the largest grid
Edge = tuple[int, Fraction, Fraction, int, int, Fraction]
Periods = list[tuple[Fraction, Fraction, bool]]
ZERO: Cost = (0, 0, Fraction(0), 0)

MAX_STATES = 200_000
RAMP_REACH = 8  # a ramp runs to one of the next 8 hits


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
        return TempoMap(self.origin, tuple(tempos),
                        (MeterChange(0, problem.numerator, problem.denominator),))


@dataclass
class _State:
    cost: Cost
    back: tuple[object, Piece] | None
    anchor: Anchor
    t_in: Fraction | None
    after_ramp: bool
    index: int  # the anchor hit (-1: bar 1)
    beat: Fraction


class _Search:
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
        for b in range(index + 1, self.n):
            dt = p.anchor_time(b) - anchor.tau
            g = p.sizes[b]
            for lo, hi, closed in allowed:
                # beats from the anchor: dt / hi <= d <= dt / lo (d = dt / period)
                kmin = ((anchor.beat + dt / hi) / g).__ceil__()
                kmax = ((anchor.beat + dt / lo) / g).__floor__()
                for k in range(kmin, kmax + 1):
                    d = k * g - anchor.beat
                    if d <= 0:
                        continue
                    per = dt / d
                    if not (lo <= per < hi or (closed and per == hi)):
                        continue
                    missed, err, _ = self._between(Step(anchor.tau, anchor.beat, per),
                                                   index, b, k * g)
                    if missed is not None:
                        out.append((b, k * g, self.canon(p.bpm_of(per)), missed, err,
                                    self.canon((k * g) % self.modulus)))
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
        the changes still to come after it (steps only): a steady piece from it catches every
        must up to its reach, so the tempo must really change on some hit up to there."""
        p = self.p
        n = self.n
        bound: dict[tuple[int, int], int] = {}  # by hit and the residue's id
        least = [0] * n  # over every beat
        for a in range(n - 1, -1, -1):
            g = p.sizes[a]
            residues = {self.canon((k * g) % self.modulus)
                        for k in range(int(self.modulus / g) + 1)}
            for r in residues:
                far = self.reach(a, Anchor(p.anchor_time(a), r))
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
                missed, err, _ = self._between(Ramp(anchor.tau, anchor.beat, d, t0, t1),
                                               index, b, k * g)
                if missed is not None:
                    out.append((b, k * g, self.canon(t1), missed, err,
                                self.canon((k * g) % self.modulus)))
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
    run drops a node that can't finish within its changes (see ``_Search.fewest_more``; with
    ramps, which reach further than a steady piece, only the changes made so far count)."""
    s = _Search(problem)
    more = _NoBound() if problem.ramps else s.fewest_more()
    for limit in range(problem.min_changes, problem.max_changes + 1):
        found = _run(s, limit, more)
        if found is not None:
            return found
    return None


class _NoBound(dict[tuple[int, int], int]):
    def __missing__(self, key: tuple[int, int]) -> int:
        return 0


def _run(s: _Search, limit: int, more: dict[tuple[int, int], int]) -> FitMap | None:
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
        if p.ramps and t_in is not None and changes + 1 <= limit:
            for b, beat, t1, missed, err, residue in s.ramps(st.index, a, t_in):
                piece = Piece(a.tau, a.beat, t_in, t1, True, st.index)
                offer(_State(add(st.cost, (1, missed, abs(t1 - t_in), err)), (st, piece),
                             Anchor(p.anchor_time(b), beat), t1, True, b, beat), residue)

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
