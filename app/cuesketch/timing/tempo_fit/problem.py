"""What Find Tempo is asked, and the one rule that says how far a beat lands from a hit.

A hit is a frame (counted from the project start). A beat at the exact time ``T`` (flicks)
sounds on the flick nearest ``T`` and shows on the frame that flick falls in, as everywhere in
Cuesketch: frame ``floor((T + 1/2) / fpf)``. The hit's **frames off** is that frame minus the
hit's, for the grid position nearest in time to the middle of the hit's frame (the earlier of
two equally near): ``0`` on the frame, ``+2`` two frames late, ``-1`` one early. A hit is
**caught** when ``|off| <= tolerance``, **near** within ``near`` frames more, else **missed**.

Musical time here counts *beats* of the beat unit (a quarter note in 4/4, say; a dotted
quarter in 6/8 if asked) and tempos are beats of that unit a minute; the tempo map written at
the end is in quarter notes, as every map in Cuesketch.

Exact arithmetic: every time is a ``Fraction`` of flicks (or an ``int``), every period (flicks
a beat) a ``Fraction``. Floats are only for display and for sorting keys whose ties are settled
exactly (see ``sweep``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from fractions import Fraction
from functools import cached_property
from math import gcd, isqrt, lcm

from cuesketch.timing.rates import FrameRate
from cuesketch.timing.tempo import DENOMINATORS
from cuesketch.timing.units import FLICKS_PER_SECOND

F = FLICKS_PER_SECOND


class FitError(ValueError):
    """A Find Tempo question that cannot be asked, said in plain words."""


class Grid(enum.Enum):
    """Where a hit should land: a downbeat, any beat, or a half, third or quarter of a beat."""

    DOWNBEAT = "bar"
    BEAT = "beat"
    HALF = "1/2"
    THIRD = "1/3"
    QUARTER = "1/4"

    def size(self, bar: Fraction) -> Fraction:
        """The grid's step in beats (``bar``: a bar's length in beats)."""
        return bar if self is Grid.DOWNBEAT else _GRID_SIZES[self]

    @classmethod
    def parse(cls, text: str) -> Grid:
        key = text.strip().lower()
        for g in cls:
            if key == g.value or key == g.name.lower():
                return g
        if key in _GRID_ALIASES:
            return _GRID_ALIASES[key]
        raise FitError(f"'{text}' is not a grid; use bar, beat, 1/2, 1/3 or 1/4")


_GRID_SIZES = {Grid.BEAT: Fraction(1), Grid.HALF: Fraction(1, 2), Grid.THIRD: Fraction(1, 3),
               Grid.QUARTER: Fraction(1, 4)}
_GRID_ALIASES = {"downbeat": Grid.DOWNBEAT, "half": Grid.HALF, "third": Grid.THIRD,
                 "triplet": Grid.THIRD, "quarter": Grid.QUARTER, "1": Grid.BEAT}


class Status(enum.Enum):
    CAUGHT = "caught"
    NEAR = "near"
    MISSED = "missed"

    @property
    def color(self) -> str:
        """How the status is shown ("#rrggbb"): green caught, amber near, red missed."""
        return _STATUS_COLORS[self]


_STATUS_COLORS = {Status.CAUGHT: "#5cd65c", Status.NEAR: "#ffb347", Status.MISSED: "#ff5c5c"}


@dataclass(frozen=True)
class FitHit:
    """A hit as Find Tempo weighs it: ``must`` (caught or no answer), else ``weight`` (1 and
    up); caught within ``tolerance`` frames either way, on its ``grid``."""

    frame: int
    must: bool = False
    weight: int = 1
    tolerance: int = 0
    grid: Grid = Grid.BEAT
    name: str = ""
    id: int = 0


@dataclass(frozen=True)
class FitProblem:
    """A cue's hits and what the answer may be.

    ``start_frame``: where bar 1 starts (the cue's start); with ``origin_window`` W it may move
    W whole frames either way (never past the first hit). Tempos from ``lo`` to ``hi`` beats a
    minute; ``numerator``/``denominator`` the meter; ``beat_unit`` the beat in quarter notes
    (default: the meter's denominator). ``meters``: the meter plan: empty (or one meter) for a
    fixed meter, else the bar lengths a map may use, as (numerator, denominator) pairs, the
    first the meter bar 1 is in when nothing asks otherwise (see ``freemeter`` for how a free
    plan is searched). Maps: at most ``max_changes`` changes, none larger than
    ``max_step`` bpm, ramps between anchors if ``ramps``. Among equally good steady tempos the
    nearest to ``prefer`` (the cue's tempo now, say) comes first.
    """

    hits: tuple[FitHit, ...]
    rate: FrameRate
    start_frame: int = 0
    lo: Fraction = Fraction(40)
    hi: Fraction = Fraction(240)
    numerator: int = 4
    denominator: int = 4
    beat_unit: Fraction | None = None
    origin_window: int = 0
    near: int = 2
    ramps: bool = False
    max_step: Fraction = Fraction(40)
    max_changes: int = 8
    min_changes: int = 0
    prefer: Fraction | None = None  # among equally good tempos, the nearest to this one
    meters: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        plan = tuple(dict.fromkeys((int(n), int(d)) for n, d in self.meters))
        object.__setattr__(self, "meters", plan)
        if plan:  # the plan's first meter is the meter
            object.__setattr__(self, "numerator", plan[0][0])
            object.__setattr__(self, "denominator", plan[0][1])
        for n, d in plan:
            if n < 1 or d not in DENOMINATORS:
                raise FitError(f"{n}/{d} is not a meter")
        object.__setattr__(self, "lo", Fraction(self.lo))
        object.__setattr__(self, "hi", Fraction(self.hi))
        object.__setattr__(self, "max_step", Fraction(self.max_step))
        if not self.hits:
            raise FitError("there are no hits to fit a tempo to")
        if not 0 < self.lo < self.hi:
            raise FitError(f"the tempo range must go up from above 0 bpm "
                           f"(not {_bpm(self.lo)} to {_bpm(self.hi)})")
        if self.numerator < 1 or self.denominator not in DENOMINATORS:
            raise FitError(f"{self.numerator}/{self.denominator} is not a meter")
        if self.beat_unit is not None and self.beat_unit <= 0:
            raise FitError("the beat unit must be a positive length")
        frames = [h.frame for h in self.hits]
        if frames != sorted(frames) or len(set(frames)) != len(frames):
            raise FitError("hits must be in order of frames, one a frame (merge_same_frame "
                           "joins hits on one frame)")
        for h in self.hits:
            if h.weight < 1 or h.tolerance < 0:
                raise FitError(f"hit at frame {h.frame}: the weight is 1 or more and the "
                               f"tolerance 0 frames or more")
        if self.near < 0 or self.origin_window < 0:
            raise FitError("the near margin and the origin window are 0 frames or more")
        if not 0 <= self.min_changes <= self.max_changes:
            raise FitError(f"tempo changes from {self.min_changes} to {self.max_changes} "
                           f"make no range")
        if self.max_step <= 0:
            raise FitError("the largest tempo step must be above 0 bpm")
        if self.free:
            self._check_plan()
        if not self.origins:
            raise FitError("bar 1 would start after the first hit; start the cue earlier "
                           "or let bar 1 move")

    def _check_plan(self) -> None:
        """In a free plan every bar is a whole number of every finer grid a hit asks for, so
        that a hit on the beat (or half, third, quarter) stays on it after any bar."""
        for h in self.hits:
            if h.grid is Grid.DOWNBEAT:
                continue
            g = h.grid.size(Fraction(1))
            for (n, d), length in zip(self.meters, self.bar_lengths):
                if (length / g).denominator != 1:
                    raise FitError(
                        f"a bar of {n}/{d} is {_beats(length)} beats, so hits on the "
                        f"{h.grid.value} grid would fall off it after such a bar; count the "
                        f"beat in 1/{d} notes or leave {n}/{d} out of the plan")

    @property
    def free(self) -> bool:
        """Whether the meter plan lets the bars change length."""
        return len(self.meters) > 1

    def fixed(self) -> FitProblem:
        """The same question in the plan's first meter, fixed."""
        return replace(self, meters=()) if self.free else self

    @cached_property
    def bar_lengths(self) -> tuple[Fraction, ...]:
        """The plan's bars in beats, in the plan's order (one: a fixed meter)."""
        plan = self.meters or ((self.numerator, self.denominator),)
        return tuple(Fraction(4 * n, d) / self.unit for n, d in plan)

    @cached_property
    def bar_step(self) -> Fraction:
        """The largest length every bar of the plan is a whole number of: a bar line of a
        free plan is always on a multiple of it (the bar, for a fixed meter)."""
        den = lcm(*(x.denominator for x in self.bar_lengths))
        return Fraction(gcd(*(int(x * den) for x in self.bar_lengths)), den)

    # -- derived, exact ------------------------------------------------------------------------
    @cached_property
    def fpf(self) -> int:
        return self.rate.flicks_per_frame

    @cached_property
    def unit(self) -> Fraction:
        """The beat in quarter notes."""
        return Fraction(self.beat_unit) if self.beat_unit is not None else Fraction(
            4, self.denominator)

    @cached_property
    def bar(self) -> Fraction:
        """A bar in beats."""
        return Fraction(4 * self.numerator, self.denominator) / self.unit

    @cached_property
    def sizes(self) -> tuple[Fraction, ...]:
        """Each hit's grid step in beats."""
        bar = self.bar_step if self.free else self.bar
        return tuple(h.grid.size(bar) for h in self.hits)

    @cached_property
    def q(self) -> int:
        """Beats times ``q`` are whole numbers on every grid here (and every anchor's beat)."""
        return lcm(*(s.denominator for s in self.sizes))

    @cached_property
    def p_min(self) -> Fraction:
        """The shortest period (flicks a beat): the fastest tempo."""
        return 60 * F / self.hi

    @cached_property
    def p_max(self) -> Fraction:
        return 60 * F / self.lo

    @cached_property
    def origins(self) -> tuple[int, ...]:
        """Where bar 1 may start (flicks): whole frames in the window, none after the first
        hit's frame."""
        first = self.hits[0].frame
        return tuple(f * self.rate.flicks_per_frame
                     for f in range(self.start_frame - self.origin_window,
                                    self.start_frame + self.origin_window + 1) if f <= first)

    def anchor_time(self, i: int) -> int:
        """Where a tempo change on hit ``i`` goes: the flick in the middle of its frame."""
        return self.hits[i].frame * self.fpf + self.fpf // 2

    def center(self, i: int) -> Fraction:
        """The exact time whose flick is the middle of hit ``i``'s frame: what a beat aims at."""
        return Fraction(2 * self.hits[i].frame * self.fpf + self.fpf - 1, 2)

    def frame_off(self, time: Fraction | int, i: int) -> int:
        """Frames off of a beat at the exact ``time`` for hit ``i``."""
        t = Fraction(time)
        return int((2 * t.numerator + t.denominator) // (2 * t.denominator * self.fpf)) \
            - self.hits[i].frame

    def status(self, off: int | None, i: int) -> Status:
        if off is None:
            return Status.MISSED
        tol = self.hits[i].tolerance
        if abs(off) <= tol:
            return Status.CAUGHT
        return Status.NEAR if abs(off) <= tol + self.near else Status.MISSED

    def bpm_of(self, period: Fraction) -> Fraction:
        return 60 * F / period

    def period_of(self, bpm: Fraction) -> Fraction:
        return 60 * F / bpm


def _bpm(x: Fraction) -> str:
    return f"{float(x):g}"


def parse_meters(text: str) -> tuple[tuple[int, int], ...]:
    """A meter plan as written: ``4/4, 3/4, 5/4`` (commas or spaces between). Empty: the meter
    is fixed (one meter: fixed at it)."""
    plan: list[tuple[int, int]] = []
    for part in text.replace(",", " ").split():
        n, slash, d = part.partition("/")
        if not slash or not n.isdigit() or not d.isdigit():
            raise FitError(f"'{part}' is not a meter; write the bar lengths allowed as "
                           f"e.g. 4/4, 3/4, 5/4")
        if int(n) < 1 or int(d) not in DENOMINATORS:
            raise FitError(f"{part} is not a meter")
        plan.append((int(n), int(d)))
    return tuple(dict.fromkeys(plan))


def _beats(x: Fraction) -> str:
    whole, part = divmod(x, 1)
    return f"{whole}" + ({Fraction(1, 2): "½", Fraction(1, 4): "¼", Fraction(3, 4): "¾"}.get(
        part, f" {part}") if part else "")


def merge_same_frame(hits: list[FitHit]) -> list[FitHit]:
    """Hits in frame order, those on one frame joined: a must if any is, weights added, the
    smallest tolerance, the grid of the weightiest (a must first)."""
    out: dict[int, FitHit] = {}
    for h in sorted(hits, key=lambda h: h.frame):
        o = out.get(h.frame)
        if o is None:
            out[h.frame] = h
            continue
        lead = max((o, h), key=lambda x: (x.must, x.weight))
        out[h.frame] = FitHit(h.frame, o.must or h.must, o.weight + h.weight,
                              min(o.tolerance, h.tolerance), lead.grid,
                              " + ".join(n for n in (o.name, h.name) if n), lead.id)
    return list(out.values())


# -- lattices: where a piece of a map puts its beats -------------------------------------------

@dataclass(frozen=True)
class Step:
    """A steady tempo through beat ``beat`` at time ``tau``, ``period`` flicks a beat."""

    tau: int
    beat: Fraction
    period: Fraction

    def time_of(self, beat: Fraction) -> Fraction:
        return self.tau + (beat - self.beat) * self.period

    def beat_at(self, time: Fraction) -> Fraction:
        return self.beat + (time - self.tau) / self.period


@dataclass(frozen=True)
class Ramp:
    """A tempo moving linearly in time from ``t0`` to ``t1`` bpm, from beat ``beat`` at ``tau``
    over ``length`` beats (it lasts ``120 F length / (t0 + t1)`` flicks exactly)."""

    tau: int
    beat: Fraction
    length: Fraction
    t0: Fraction
    t1: Fraction

    @cached_property
    def duration(self) -> Fraction:
        return 120 * F * self.length / (self.t0 + self.t1)

    def beat_at(self, time: Fraction) -> Fraction:
        u = Fraction(time) - self.tau
        return self.beat + u * (self.t0 / (60 * F) + (self.t1 - self.t0) * u
                                / (120 * F * self.duration))

    def tempo_sq(self, beat: Fraction) -> Fraction:
        """The tempo's square at a beat: linear in beats."""
        return self.t0 ** 2 + (self.t1 ** 2 - self.t0 ** 2) * (beat - self.beat) / self.length

    @cached_property
    def _c(self) -> Fraction:
        # time - tau = C (tempo - t0)
        return 120 * F * self.length / (self.t1 ** 2 - self.t0 ** 2)


def _floor_sqrt_plus(y: Fraction, scale: Fraction, shift: Fraction) -> int:
    """floor(scale * sqrt(y) + shift) exactly (y >= 0)."""
    # scale*sqrt(y) = s * sqrt(scale^2 y), s = sign(scale)
    z = scale * scale * y
    s = 1 if scale > 0 else -1
    zn, zd = z.numerator, z.denominator
    sn, sd = shift.numerator, shift.denominator
    # floor((s sqrt(zn zd) / zd) + sn/sd) = floor((s sqrt(zn zd) sd + sn zd) / (zd sd))
    # with sqrt(zn zd) sd = sqrt(zn zd sd^2)
    w = zn * zd * sd * sd
    r = isqrt(w)
    if s < 0 and r * r != w:
        r += 1
    return (s * r + sn * zd) // (zd * sd)


def frames_off_on(lattice: Step | Ramp, problem: FitProblem, i: int,
                  end: Fraction | None = None) -> int | None:
    """Frames off of hit ``i`` on the stretch of a map it falls in: the grid positions from the
    piece's anchored beat to ``end`` (the next anchor's beat; None: no end), exactly. None if
    the stretch has no position of the hit's grid."""
    found = nearest_on(lattice, problem, i, end)
    return None if found is None else found[1]


def nearest_on(lattice: Step | Ramp, problem: FitProblem, i: int,
               end: Fraction | None = None) -> tuple[Fraction, int] | None:
    """``frames_off_on`` with the grid position it measured from: (its beat, frames off)."""
    g = problem.sizes[i]
    c = problem.center(i)
    beat_c = lattice.beat_at(c)
    k = (beat_c / g).__floor__()
    first = (lattice.beat / g).__ceil__()
    last = (end / g).__floor__() if end is not None else None
    if last is not None and last < first:
        return None
    if k < first:  # the position before is in the stretch before: not this one's
        pick = first * g
    elif last is not None and k + 1 > last:  # the one after is in the stretch after
        pick = k * g
    else:
        pick = nearer(lattice, c, k * g, (k + 1) * g)
    return pick, off_at(lattice, problem, i, pick)


def nearer(lattice: Step | Ramp, c: Fraction, a: Fraction, b: Fraction) -> Fraction:
    """Of beats ``a`` < ``b`` on either side of the time ``c``, the nearer to it in time (``a``
    if equally near), exactly."""
    if isinstance(lattice, Step):
        return a if c - lattice.time_of(a) <= lattice.time_of(b) - c else b
    # A ramp: times are C (sqrt(Y) - t0) + tau with Y the tempo's square (rational); compare
    # the times of a and b to the centre exactly.
    ya, yb = lattice.tempo_sq(a), lattice.tempo_sq(b)
    tc = lattice.t0 + (c - lattice.tau) / lattice._c  # the tempo at the centre (rational)
    # nearer to the earlier: c - t(a) <= t(b) - c  <=>  2 tc <= ta + tb (times up with tempo
    # when C > 0; a ritardando has C < 0 and the comparison turns)
    earlier = _sum_sqrt_ge(ya, yb, 2 * tc) if lattice._c > 0 else not _sum_sqrt_gt(ya, yb, 2 * tc)
    return a if earlier else b


def step_off(problem: FitProblem, tau: int, beat: Fraction, period: Fraction, i: int,
             end: Fraction | None = None) -> int | None:
    """``frames_off_on`` for a steady piece, in whole numbers (every time doubled and scaled
    by q times the period's denominator): the same answer, many times faster."""
    q = problem.q
    gq = problem.sizes[i].numerator * q // problem.sizes[i].denominator
    bq = beat.numerator * q // beat.denominator
    pn, pd = period.numerator, period.denominator
    fpf = problem.fpf
    c2 = 2 * problem.hits[i].frame * fpf + fpf - 1  # twice the centre
    scale = q * pd
    first = -(-bq // gq)
    last = None if end is None else (end.numerator * q // end.denominator) // gq
    if last is not None and last < first:
        return None
    k = (bq * 2 * pn + (c2 - 2 * tau) * scale) // (2 * pn * gq)
    base, target = 2 * tau * scale, c2 * scale
    if k < first:
        pick = first
    elif last is not None and k + 1 > last:
        pick = k
    else:
        ta = base + 2 * (k * gq - bq) * pn
        tb = ta + 2 * gq * pn
        pick = k if target - ta <= tb - target else k + 1
    t2 = base + 2 * (pick * gq - bq) * pn
    return (t2 + scale) // (2 * fpf * scale) - problem.hits[i].frame


def off_at(lattice: Step | Ramp, problem: FitProblem, i: int, pick: Fraction) -> int:
    if isinstance(lattice, Step):
        return problem.frame_off(lattice.time_of(pick), i)
    y = lattice.tempo_sq(pick)
    shift = lattice.tau - lattice._c * lattice.t0 + Fraction(1, 2)
    flick = _floor_sqrt_plus(y, lattice._c, shift)  # the nearest flick: floor(T + 1/2)
    return flick // problem.fpf - problem.hits[i].frame


def _sum_sqrt_ge(a: Fraction, b: Fraction, c: Fraction) -> bool:
    """sqrt(a) + sqrt(b) >= c, exactly (a, b >= 0)."""
    if c <= 0:
        return True
    # a + b + 2 sqrt(ab) >= c^2  <=>  2 sqrt(ab) >= c^2 - a - b
    r = c * c - a - b
    return r <= 0 or 4 * a * b >= r * r


def _sum_sqrt_gt(a: Fraction, b: Fraction, c: Fraction) -> bool:
    """sqrt(a) + sqrt(b) > c, exactly."""
    if c < 0:
        return True
    r = c * c - a - b
    return r < 0 or 4 * a * b > r * r
