"""Grid lines from the tempo map: bars, beats, note values, triplets, swing, meter changes."""

from __future__ import annotations

from fractions import Fraction

from cuesketch.model.grid import GRIDS, Grid, GridKind, tempo_grid
from cuesketch.timing.tempo import MeterChange, TempoChange, TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND

SEC = FLICKS_PER_SECOND
BEAT = SEC // 2  # 120 bpm


def test_parse_and_label_round_trip() -> None:
    for g in GRIDS:
        assert Grid.parse(g.label) == g
    assert Grid.parse("1/8T") == Grid(GridKind.NOTE, Fraction(1, 8), True)


def test_sixteenths_and_triplets_at_120() -> None:
    g = tempo_grid(TempoMap.constant(120))
    assert g.lines(0, BEAT, Grid.parse("1/16")) == [0, BEAT // 4, BEAT // 2, 3 * BEAT // 4, BEAT]
    assert g.lines(0, BEAT, Grid.parse("1/8T")) == [0, BEAT // 3, 2 * BEAT // 3, BEAT]


def test_beats_follow_the_meter_denominator() -> None:
    g = tempo_grid(TempoMap.constant(120, 6, 8))
    assert g.lines(0, BEAT, Grid.parse("beat")) == [0, BEAT // 2, BEAT]
    assert g.lines(0, 4 * BEAT, Grid.parse("bar")) == [0, 3 * BEAT]


def test_note_lines_restart_at_each_bar_of_an_odd_meter() -> None:
    g = tempo_grid(TempoMap.constant(120, 7, 8))  # a bar is 3.5 quarters
    assert g.lines(0, 4 * BEAT, Grid.parse("1/4")) == [0, BEAT, 2 * BEAT, 3 * BEAT, 7 * BEAT // 2]


def test_lines_follow_a_tempo_change_and_a_meter_change() -> None:
    tempo = TempoMap(0, (TempoChange(Fraction(0), Fraction(120)),
                         TempoChange(Fraction(4), Fraction(60))),
                     (MeterChange(0, 4, 4), MeterChange(1, 3, 4)))
    g = tempo_grid(tempo)
    # bar 1: 4 beats at 120 (2 s); bar 2: 3 beats at 60 (3 s)
    assert g.lines(0, 6 * SEC, Grid.parse("bar")) == [0, 2 * SEC, 5 * SEC]
    assert g.lines(2 * SEC, 5 * SEC, Grid.parse("beat")) == [2 * SEC, 3 * SEC, 4 * SEC, 5 * SEC]


def test_nearest_floor_after_and_step() -> None:
    g = tempo_grid(TempoMap.constant(120))
    s16 = BEAT // 4
    grid = Grid.parse("1/16")
    assert g.nearest(s16 + s16 // 2 - 1, grid) == s16
    assert g.nearest(s16 + s16 // 2 + 1, grid) == 2 * s16
    assert g.at_or_before(2 * s16 - 1, grid) == s16
    assert g.at_or_before(2 * s16, grid) == 2 * s16
    assert g.after(2 * s16, grid) == 3 * s16
    assert g.step_at(5, grid) == s16
    assert g.nearest(-s16 - 10, grid) == -s16  # before the origin, the grid goes on


def test_swing_moves_only_the_off_beats() -> None:
    g = tempo_grid(TempoMap.constant(120))
    eighth = BEAT // 2
    lines = g.lines(0, 2 * BEAT, Grid.parse("1/8"), swing=0.5)
    assert lines == [0, eighth + eighth // 2, BEAT, BEAT + eighth + eighth // 2, 2 * BEAT]


def test_bar_at_a_bar_line() -> None:
    g = tempo_grid(TempoMap.constant(120))
    assert g.bar_at_flicks(4 * BEAT) == 2
    assert g.bar_at_flicks(4 * BEAT - 1) == 1
    assert g.bar_at_flicks(-1) == 0
