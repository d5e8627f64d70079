"""Snapping an edited position: to the grid, to frames, to hits within reach, or not at all."""

from __future__ import annotations

from cuesketch.model.grid import Grid
from cuesketch.model.snap import SnapMode, Snapper
from cuesketch.timing.rates import STANDARD_RATES
from cuesketch.timing.tempo import TempoMap
from cuesketch.timing.units import FLICKS_PER_SECOND

RATE = STANDARD_RATES["24"]
FPF = RATE.flicks_per_frame
BEAT = FLICKS_PER_SECOND // 2


def snapper(mode: SnapMode, hits: list[int] = (), reach: int = 0) -> Snapper:  # type: ignore[assignment]
    return Snapper.of_hits(mode, Grid.parse("beat"), TempoMap.constant(120), RATE, hits, reach)


def test_off_keeps_the_position() -> None:
    assert snapper(SnapMode.OFF).nearest(12345) == 12345
    assert snapper(SnapMode.OFF).floor(12345) == 12345


def test_grid() -> None:
    s = snapper(SnapMode.GRID)
    assert s.nearest(BEAT - 100) == BEAT
    assert s.floor(BEAT - 100) == 0
    assert s.step(0) == BEAT


def test_frames() -> None:
    s = snapper(SnapMode.FRAMES)
    assert s.nearest(10 * FPF + FPF // 2 + 1) == 11 * FPF
    assert s.floor(10 * FPF + FPF - 1) == 10 * FPF
    assert s.step(0) == FPF


def test_hits_within_reach_else_frames() -> None:
    s = snapper(SnapMode.HITS, hits=[100, 40], reach=3 * FPF)
    assert s.nearest(100 * FPF + 2 * FPF) == 100 * FPF
    assert s.floor(40 * FPF - FPF) == 40 * FPF
    assert s.nearest(70 * FPF + 5) == 70 * FPF  # no hit near: the nearest frame
