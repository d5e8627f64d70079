"""Find Tempo against brute force, in exact fractions, on random small problems (up to 7 hits):
the best constant tempo's score and the best map's cost equal the brute force's on every one."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.tempo_fit import FitHit, FitProblem, Grid, best_map, constant_intervals
from tempo_fit_brute import brute_constant, brute_free_map, brute_map

RATES = [STANDARD_RATES["24"], STANDARD_RATES["25"], STANDARD_RATES["23.976"]]


@st.composite
def problems(draw: st.DrawFn, frames_up_to: int = 60, widest: int = 24) -> FitProblem:
    n = draw(st.integers(1, 7))
    frames = sorted(draw(st.sets(st.integers(1, frames_up_to), min_size=n, max_size=n)))
    hits = tuple(FitHit(f, must=draw(st.booleans()), weight=draw(st.integers(1, 3)),
                        tolerance=draw(st.integers(0, 1)), grid=draw(st.sampled_from(list(Grid))))
                 for f in frames)
    lo = draw(st.integers(60, 160))
    return FitProblem(
        hits, draw(st.sampled_from(RATES)), start_frame=0, lo=Fraction(lo),
        hi=Fraction(lo + draw(st.integers(1, widest))), near=draw(st.integers(0, 2)),
        origin_window=draw(st.integers(0, 1)), numerator=draw(st.integers(2, 4)),
        ramps=draw(st.booleans()), max_step=Fraction(draw(st.integers(2, 30))),
        max_changes=draw(st.integers(0, 3)))


def check(problem: FitProblem) -> None:
    assert constant_intervals(problem, top=1)[0].score.key() == brute_constant(problem)
    found = best_map(problem)
    assert (found.cost if found else None) == brute_map(problem)


@settings(max_examples=1000, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_solver_equals_brute_force(problem: FitProblem) -> None:
    check(problem)


@settings(max_examples=250, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(problems(frames_up_to=40, widest=80))
def test_the_sweep_made_with_numpy_equals_brute_force(problem: FitProblem) -> None:
    # small problems have few grid positions a hit; here every one goes through numpy
    from cuesketch.timing.tempo_fit import sweep
    saved = sweep.VECTOR_FROM
    sweep.VECTOR_FROM = 0
    try:
        check(problem)
    finally:
        sweep.VECTOR_FROM = saved


PLANS = [((4, 4), (3, 4)), ((3, 4), (5, 4)), ((4, 4), (3, 4), (5, 4)), ((6, 8), (5, 8)),
         ((4, 4), (2, 4)), ((3, 4), (2, 4))]


@st.composite
def free_problems(draw: st.DrawFn) -> FitProblem:
    """Small problems under a free meter plan: up to 5 hits, most on the downbeat, most of
    them near the bar lines of a random layout of the plan's bars at a random tempo (some
    anywhere)."""
    plan = draw(st.sampled_from(PLANS))
    rate = draw(st.sampled_from(RATES))
    lo = draw(st.integers(60, 140))
    hi = lo + draw(st.integers(1, 30))
    bpm = Fraction(draw(st.integers(max(lo, 90), max(hi, 90))))
    unit = Fraction(4, plan[0][1])
    lines: list[Fraction] = []
    beat = Fraction(0)
    while len(lines) < 8:
        n_, d_ = draw(st.sampled_from(plan))
        beat += Fraction(4 * n_, d_) / unit
        lines.append(beat)
    fps = rate.fps
    planted = {int(x * 60 * fps / bpm) + draw(st.integers(-1, 1)) for x in lines}
    n = draw(st.integers(2, 5))
    pool = sorted(f for f in planted if 1 <= f <= 140)
    frames = sorted(set(draw(st.sets(st.sampled_from(pool), min_size=min(n, len(pool)) - 1,
                                     max_size=n)) if pool else []) |
                    set(draw(st.sets(st.integers(1, 140), min_size=1, max_size=max(1, n - 3)))))
    grids = st.sampled_from([Grid.DOWNBEAT] * 4 + [Grid.BEAT, Grid.HALF])
    hits = tuple(FitHit(f, must=draw(st.integers(0, 3)) == 0, weight=draw(st.integers(1, 3)),
                        tolerance=draw(st.integers(0, 1)), grid=draw(grids)) for f in frames)
    return FitProblem(
        hits, rate, start_frame=0, lo=Fraction(lo), hi=Fraction(hi),
        near=draw(st.integers(0, 2)), origin_window=draw(st.integers(0, 1)), meters=plan,
        ramps=draw(st.integers(0, 3)) == 0, max_step=Fraction(draw(st.integers(2, 30))),
        max_changes=draw(st.integers(0, 2)))


@settings(max_examples=300, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(free_problems())
def test_free_meter_solver_equals_brute_force(problem: FitProblem) -> None:
    found = best_map(problem)
    got = None if found is None else (found.cost[0], found.cost[1], found.meter_changes,
                                      found.cost[2], found.cost[3])
    assert got == brute_free_map(problem)
    if found is not None:  # what it claims of each hit is what the map does
        from cuesketch.timing.tempo_fit.report import measure
        assert [r.off for r in measure(found.tempo_map(problem), problem)] == found.offs
