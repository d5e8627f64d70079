"""Find Tempo under a free meter plan: the bars may change length where hits ask for it."""

from __future__ import annotations

from fractions import Fraction

import pytest

from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.tempo import BarBeatTick, MeterChange
from cuesketch.timing.tempo_fit import FitError, FitHit, FitProblem, Grid, best_map
from cuesketch.timing.tempo_fit.bars import BarFill
from cuesketch.timing.tempo_fit.freemeter import MAX_HITS
from cuesketch.timing.tempo_fit.report import measure

R24 = STANDARD_RATES["24"]


def downbeats(beats: list[int], **kw: object) -> tuple[FitHit, ...]:
    """Hits on the frames of the given beats at 120 bpm (12 frames a beat) from frame 10."""
    return tuple(FitHit(10 + 12 * b, grid=Grid.DOWNBEAT, **kw) for b in beats)  # type: ignore


def test_a_planted_4_4_3_4_4_4_is_caught_at_a_steady_tempo_with_its_meters() -> None:
    # bars of 4, 3 and 4 beats, then 4/4 on: bar lines on beats 0, 4, 7, 11, 15
    hits = downbeats([4, 7, 11, 15], must=True)
    fixed = FitProblem(hits, R24, start_frame=10, lo=Fraction(60), hi=Fraction(180),
                       max_changes=0)
    assert best_map(fixed) is None  # in 4/4 throughout no steady tempo catches them
    for plan in (((4, 4), (3, 4)), ((4, 4), (3, 4), (5, 4))):
        problem = FitProblem(hits, R24, start_frame=10, lo=Fraction(60), hi=Fraction(180),
                             meters=plan)
        found = best_map(problem)
        assert found is not None
        assert found.changes == 0 and found.cost[1] == 0  # no tempo change, nothing missed
        assert found.meter_changes == 2
        assert found.bars == (MeterChange(0, 4, 4), MeterChange(1, 3, 4), MeterChange(2, 4, 4))
        assert found.offs == [0, 0, 0, 0]
        assert abs(float(found.pieces[0].t0) - 120) < 0.01
        tm = found.tempo_map(problem)
        assert tm.meters == found.bars
        # measured from scratch on the map: on the downbeats of bars 2, 3, 4 and 5
        results = measure(tm, problem)
        assert [r.off for r in results] == [0, 0, 0, 0]
        assert [r.bbt.bar for r in results] == [2, 3, 4, 5]
        assert all(r.bbt.beat == 1 for r in results)
        assert tm.bbt_to_beat(BarBeatTick(3)) == 7


def test_a_meter_change_catches_what_a_fixed_meter_misses() -> None:
    # a 3/4 bar among 4/4 ones: with the meter fixed a steady tempo misses the last three
    hits = downbeats([4, 8, 11, 15, 19])
    fixed = FitProblem(hits, R24, start_frame=10, lo=Fraction(60), hi=Fraction(180))
    steady = best_map(fixed)
    assert steady is not None and steady.changes == 0 and steady.cost[1] == 3
    free = FitProblem(hits, R24, start_frame=10, lo=Fraction(60), hi=Fraction(180),
                      meters=((4, 4), (3, 4), (2, 4)))
    found = best_map(free)
    assert found is not None and found.changes == 0 and found.cost[1] == 0
    assert found.meter_changes == 2  # one 3/4 bar (and back): not 2/4 + ... or more changes
    assert [m.bar for m in found.bars] == [0, 2, 3]
    assert found.offs == [0] * 5


def test_soft_hits_only_change_the_meter_when_it_catches_more() -> None:
    hits = downbeats([4, 8, 12]) + (FitHit(10 + 12 * 14, weight=1),)  # the last on a beat
    problem = FitProblem(hits, R24, start_frame=10, lo=Fraction(100), hi=Fraction(140),
                         meters=((4, 4), (3, 4)))
    found = best_map(problem)
    assert found is not None and found.meter_changes == 0
    assert found.bars == (MeterChange(0, 4, 4),)


def test_bars_fill_with_the_fewest_changes() -> None:
    problem = FitProblem(downbeats([4]), R24, start_frame=10, meters=((4, 4), (3, 4)))
    fill = BarFill(problem)
    assert dict(fill.ends(Fraction(11), 0)) == {0: 2, 1: 1}  # after a 4/4: 4+3+4 or 4+4+3
    assert dict(fill.ends(Fraction(12), 0)) == {0: 0, 1: 1}
    assert fill.ends(Fraction(5), 0) == []
    assert dict(fill.ends(Fraction(0), 1)) == {1: 0}
    assert fill.bars(Fraction(11), None, 1) == [0, 0, 1]
    assert fill.bars(Fraction(11), 0, 0) in ([0, 1, 0], [1, 0, 0])
    assert sum(4 if m == 0 else 3 for m in fill.bars(Fraction(10), 0, 0)) == 10


@pytest.mark.parametrize("kwargs, words", [
    (dict(meters=((4, 4), (7, 8))), "7/8 is 3½ beats|falls off|fall off"),
    (dict(meters=((4, 4), (3, 0))), "3/0 is not a meter"),
])
def test_plans_that_cannot_be_searched_say_why(kwargs: dict, words: str) -> None:
    hits = (FitHit(30, grid=Grid.BEAT), FitHit(60, grid=Grid.DOWNBEAT))
    with pytest.raises(FitError, match=words):
        FitProblem(hits, R24, **kwargs)


def test_7_8_counted_in_eighths_is_a_plan() -> None:
    hits = (FitHit(30, grid=Grid.BEAT), FitHit(60, grid=Grid.DOWNBEAT))
    problem = FitProblem(hits, R24, meters=((4, 4), (7, 8)), beat_unit=Fraction(1, 2),
                         lo=Fraction(120), hi=Fraction(300))
    assert problem.bar_lengths == (8, 7) and problem.bar_step == 1


def test_a_free_plan_on_too_many_hits_is_a_plain_error() -> None:
    hits = downbeats(list(range(4, 4 + 4 * (MAX_HITS + 1), 4)))
    problem = FitProblem(hits, R24, start_frame=10, meters=((4, 4), (3, 4)))
    with pytest.raises(FitError, match=f"up to {MAX_HITS} hits"):
        best_map(problem)


def test_a_free_search_too_long_is_a_plain_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from cuesketch.timing.tempo_fit import freemeter
    monkeypatch.setattr(freemeter, "MAX_PIECES", 20)
    hits = downbeats([4, 7, 11, 15, 18, 22])
    problem = FitProblem(hits, R24, start_frame=10, lo=Fraction(40), hi=Fraction(240),
                         meters=((4, 4), (3, 4)), max_changes=3)
    with pytest.raises(FitError, match="too long; narrow the tempo range"):
        best_map(problem)


@pytest.mark.parametrize("ramps", [False, True])
def test_a_planted_tempo_change_with_meter_changes_agrees_with_brute_force(ramps: bool) -> None:
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from tempo_fit_brute import brute_free_map
    # 4/4 and 3/4 at 100 bpm (14.4 frames a beat), then two bars of 4/4 at 120 (12 frames)
    times = [Fraction(72, 5) * 4, Fraction(72, 5) * 7, Fraction(72, 5) * 7 + 48,
             Fraction(72, 5) * 7 + 96]
    hits = tuple(FitHit(10 + int(t), must=True, tolerance=1, grid=Grid.DOWNBEAT)
                 for t in times)
    # (from 95 bpm up: 3/4 on at 90 bpm, one meter change fewer, is out of the range)
    problem = FitProblem(hits, R24, start_frame=10, lo=Fraction(95), hi=Fraction(130),
                         meters=((4, 4), (3, 4)), max_changes=2, ramps=ramps)
    found = best_map(problem)
    assert found is not None and found.changes == 1 and found.cost[1] == 0
    assert [(m.bar, m.numerator) for m in found.bars] == [(0, 4), (1, 3), (2, 4)]
    assert (found.cost[0], found.cost[1], found.meter_changes, found.cost[2],
            found.cost[3]) == brute_free_map(problem)
    assert [r.off for r in measure(found.tempo_map(problem), problem)] == found.offs
