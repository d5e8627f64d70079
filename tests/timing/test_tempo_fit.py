"""Find Tempo: planted problems come back exactly, and an applied map measured from scratch
gives the frames off the solver claimed."""

from __future__ import annotations

import random
from fractions import Fraction

import pytest

from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.tempo import TempoChange, TempoMap
from cuesketch.timing.tempo_fit import (
    FitError,
    FitHit,
    FitProblem,
    Grid,
    Status,
    best_map,
    constant_intervals,
    merge_same_frame,
)
from cuesketch.timing.tempo_fit.problem import F
from cuesketch.timing.tempo_fit.report import measure

R24 = STANDARD_RATES["24"]
FPF = R24.flicks_per_frame


def test_hits_every_12_2_frames_give_the_12_2_click_at_117_551_bpm() -> None:
    # a click every 12 2/8 frames from frame 10: the hits are the frames the clicks fall in
    hits = tuple(FitHit((Fraction(49, 4) * k).__floor__() + 10) for k in range(64))
    problem = FitProblem(hits, R24, start_frame=10, lo=Fraction(60), hi=Fraction(140))
    best = constant_intervals(problem)[0]
    assert best.score.caught == 64 and best.score.worst == 0
    assert best.click == "12-2" and best.click_inside
    assert best.bpm == best.click_bpm == Fraction(60 * 24 * 8, 98)
    assert round(float(best.bpm), 3) == 117.551
    assert set(best.offs) == {0}
    # the applied tempo, measured on a map from scratch: every hit on its frame
    tm = TempoMap.constant(best.bpm, origin=best.origin)
    results = measure(tm, problem)
    assert [r.off for r in results] == [0] * 64
    assert {r.status for r in results} == {Status.CAUGHT}


def test_frame_click_is_at_the_films_exact_rate() -> None:
    rate = STANDARD_RATES["23.976"]
    hits = tuple(FitHit(12 * k + 5) for k in range(30))
    best = constant_intervals(FitProblem(hits, rate, start_frame=5, lo=Fraction(100),
                                         hi=Fraction(140)))[0]
    assert best.score.caught == 30
    assert best.click == "12-0" and best.click_bpm == Fraction(60 * 24000, 1001 * 12)
    assert f"{float(best.click_bpm):.2f}" == "119.88"


def test_a_nice_tempo_inside_the_interval_is_the_suggestion() -> None:
    # 120 bpm at 24 fps: a beat every 12 frames exactly
    hits = tuple(FitHit(12 * k + 3) for k in range(1, 9))
    best = constant_intervals(FitProblem(hits, R24, start_frame=3, lo=Fraction(90),
                                         hi=Fraction(150)))[0]
    assert best.contains(Fraction(120)) and best.nice_inside
    assert best.nice.denominator == 1 and best.bpm == best.nice and best.contains(best.nice)


def _planted_ramp() -> tuple[TempoMap, list[int]]:
    """About 100 bpm for 8 beats, a ramp up to about 140 over 8 beats, then steady: the
    changes in the middle of hit frames (where Find Tempo puts them)."""
    origin = 10 * FPF
    a1, a2 = 125 * FPF + FPF // 2, 221 * FPF + FPF // 2
    ta = 8 * 60 * F / Fraction(a1 - origin)
    tb = 120 * F * 8 / Fraction(a2 - a1) - ta
    tm = TempoMap(origin, (TempoChange(Fraction(0), ta), TempoChange(Fraction(8), ta, True),
                           TempoChange(Fraction(16), tb)))
    beats = [2, 5, 8, 10, 12, 14, 16, 19, 22, 24, 27, 30]
    return tm, [R24.flicks_to_frame(tm.beat_to_flicks(b)) for b in beats]


def test_a_planted_two_tempo_map_with_a_ramp_is_recovered() -> None:
    planted, frames = _planted_ramp()
    problem = FitProblem(tuple(FitHit(f, must=True) for f in frames), R24, start_frame=10,
                         lo=Fraction(60), hi=Fraction(180), ramps=True, max_step=Fraction(50))
    found = best_map(problem)
    assert found is not None
    assert found.changes == 1  # one ramp; the tempo it reaches holds
    assert found.tempo_map(problem) == planted
    assert found.offs == [0] * len(frames)
    assert [r.off for r in measure(found.tempo_map(problem), problem)] == found.offs


def test_without_ramps_the_same_hits_need_steps() -> None:
    _, frames = _planted_ramp()
    problem = FitProblem(tuple(FitHit(f, must=True) for f in frames), R24, start_frame=10,
                         lo=Fraction(60), hi=Fraction(180), ramps=False, max_step=Fraction(50))
    found = best_map(problem)
    assert found is not None and found.changes >= 2
    assert all(t.ramp is False for t in found.tempo_map(problem).tempos)
    assert [r.off for r in measure(found.tempo_map(problem), problem)] == found.offs


def test_a_planted_step_is_recovered_with_one_change() -> None:
    origin = 0
    a = 96 * FPF + FPF // 2  # beat 8 at the middle of frame 96: 120 bpm
    tm = TempoMap(origin, (TempoChange(Fraction(0), 8 * 60 * F / Fraction(a)),
                           TempoChange(Fraction(8), Fraction(90))))
    frames = [R24.flicks_to_frame(tm.beat_to_flicks(b)) for b in (2, 4, 7, 8, 10, 13, 15, 18)]
    problem = FitProblem(tuple(FitHit(f, must=True) for f in frames), R24, start_frame=0,
                         lo=Fraction(60), hi=Fraction(160))
    found = best_map(problem)
    assert found is not None and found.changes == 1
    assert found.tempo_map(problem).tempos[1].beat == 8
    assert [r.off for r in measure(found.tempo_map(problem), problem)] == found.offs == [0] * 8


def test_no_map_when_the_changes_allowed_cannot_catch_the_musts() -> None:
    _, frames = _planted_ramp()
    problem = FitProblem(tuple(FitHit(f, must=True) for f in frames), R24, start_frame=10,
                         lo=Fraction(60), hi=Fraction(180), max_changes=0)
    assert best_map(problem) is None


def test_applied_maps_measure_as_claimed_on_random_problems() -> None:
    rng = random.Random(7)
    checked = 0
    for _ in range(60):
        n = rng.randint(2, 7)
        frames = sorted(rng.sample(range(20, 400), n))
        hits = tuple(FitHit(f, must=rng.random() < 0.5, weight=rng.randint(1, 3),
                            tolerance=rng.randint(0, 1), grid=rng.choice(list(Grid)))
                     for f in frames)
        lo = rng.randint(60, 150)
        problem = FitProblem(hits, rng.choice([R24, STANDARD_RATES["25"]]), start_frame=10,
                             lo=Fraction(lo), hi=Fraction(lo + rng.randint(5, 40)),
                             ramps=rng.random() < 0.5, max_changes=3)
        found = best_map(problem)
        if found is None:
            continue
        measured = measure(found.tempo_map(problem), problem)
        for i, r in enumerate(measured):
            claimed = found.offs[i]
            assert claimed is not None
            assert r.off == claimed, (problem, i)
        checked += 1
    assert checked > 20


def test_hits_on_one_frame_are_joined() -> None:
    merged = merge_same_frame([FitHit(10, weight=2, name="cut"), FitHit(10, must=True,
                                                                       grid=Grid.DOWNBEAT,
                                                                       name="hit"),
                               FitHit(5)])
    assert [h.frame for h in merged] == [5, 10]
    assert merged[1].must and merged[1].weight == 3 and merged[1].grid is Grid.DOWNBEAT


@pytest.mark.parametrize("kwargs, words", [
    ({"hits": ()}, "no hits"),
    ({"lo": Fraction(120), "hi": Fraction(60)}, "tempo range"),
    ({"hits": (FitHit(5), FitHit(3))}, "in order"),
    ({"start_frame": 50}, "after the first hit"),
    ({"min_changes": 3, "max_changes": 1}, "no range"),
])
def test_questions_that_cannot_be_asked_say_why(kwargs: dict, words: str) -> None:
    args: dict = {"hits": (FitHit(10),), "rate": R24}
    args.update(kwargs)
    with pytest.raises(FitError, match=words):
        FitProblem(**args)


def test_a_ramp_search_too_large_is_a_plain_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from cuesketch.timing.tempo_fit import pieces

    monkeypatch.setattr(pieces, "RAMP_BUDGET", 10)
    _, frames = _planted_ramp()
    problem = FitProblem(tuple(FitHit(f, must=True) for f in frames), R24, start_frame=10,
                         lo=Fraction(60), hi=Fraction(180), ramps=True, max_step=Fraction(50))
    with pytest.raises(FitError, match="too many ramps to try"):
        best_map(problem)
