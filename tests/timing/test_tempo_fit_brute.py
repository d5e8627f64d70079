"""Find Tempo against brute force, in exact fractions, on random small problems (up to 7 hits):
the best constant tempo's score and the best map's cost equal the brute force's on every one."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.tempo_fit import FitHit, FitProblem, Grid, best_map, constant_intervals
from tempo_fit_brute import brute_constant, brute_map

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
