"""The musical grid: bar, beat and note-value lines read from the tempo map, and snapping to them.

A grid line is a beat (quarter notes from the tempo map's origin) turned into flicks by the
tempo map, so the grid follows tempo ramps and meter changes. Note-value lines are counted
from each bar's start: in 7/8 with a quarter-note grid the lines fall at 0, 1, 2, 3 quarters and
the next bar starts at 3.5. Swing delays every second line of a bar by a share of a step:
0 is straight, 1/3 the triplet shuffle, 1/2 a dotted feel.

Only these tempo-map calls are used (``cuesketch.timing.tempo``): ``flicks_to_beat``,
``beat_to_flicks``, ``beat_to_bbt``, ``bbt_to_beat`` and ``meter_at``.
"""

from __future__ import annotations

import enum
from bisect import bisect_right
from dataclasses import dataclass
from fractions import Fraction

from cuesketch.timing.tempo import BarBeatTick, TempoMap


class GridKind(enum.Enum):
    BAR = "bar"
    BEAT = "beat"  # the meter's beat: a quarter in 4/4, an eighth in 6/8
    NOTE = "note"  # a note value: 1/8, 1/16 ... straight or triplet


@dataclass(frozen=True)
class Grid:
    kind: GridKind = GridKind.NOTE
    value: Fraction = Fraction(1, 16)  # of a whole note (NOTE only)
    triplet: bool = False  # three in the time of two (NOTE only)

    @property
    def label(self) -> str:
        if self.kind is GridKind.BAR:
            return "Bar"
        if self.kind is GridKind.BEAT:
            return "Beat"
        return f"{self.value.numerator}/{self.value.denominator}{'T' if self.triplet else ''}"

    @classmethod
    def parse(cls, text: str) -> Grid:
        """``bar``, ``beat``, ``1/16``, ``1/8T`` (triplet)."""
        key = text.strip().lower()
        if key == "bar":
            return cls(GridKind.BAR)
        if key == "beat":
            return cls(GridKind.BEAT)
        triplet = key.endswith("t")
        try:
            value = Fraction(key.rstrip("t"))
        except (ValueError, ZeroDivisionError):
            raise ValueError(f"'{text}' is not a grid; use bar, beat, 1/8, 1/16, 1/8T ...") from None
        if value <= 0:
            raise ValueError(f"'{text}' is not a grid: the note value must be above 0")
        return cls(GridKind.NOTE, value, triplet)

    def step_beats(self, numerator: int, denominator: int) -> Fraction:
        """One step in quarter notes, inside a bar of ``numerator/denominator``."""
        if self.kind is GridKind.BAR:
            return Fraction(4 * numerator, denominator)
        if self.kind is GridKind.BEAT:
            return Fraction(4, denominator)
        step = self.value * 4
        return step * Fraction(2, 3) if self.triplet else step


GRIDS: tuple[Grid, ...] = tuple(Grid.parse(t) for t in (
    "bar", "beat", "1/2", "1/4", "1/8", "1/16", "1/32", "1/4T", "1/8T", "1/16T"))


# -- bars and lines from the tempo map ------------------------------------------------------

class TempoGrid:
    """Bars and grid lines of one tempo map, memoized (scrolling asks for the same bars again).

    Get one with ``tempo_grid(tempo)``: it is kept per map by identity, because hashing a map
    of hundreds of tempo changes on every lookup would cost more than the lookup saves.
    """

    def __init__(self, tempo: TempoMap) -> None:
        self.tempo = tempo
        self._bar_beats: dict[int, Fraction] = {}
        self._bar_flicks: dict[int, int] = {}
        self._lines: dict[tuple[int, Grid, float], tuple[int, ...]] = {}

    # -- bars
    def bar_start(self, bar: int) -> Fraction:
        """The beat where a (1-based) bar starts."""
        beat = self._bar_beats.get(bar)
        if beat is None:
            beat = self._bar_beats[bar] = self.tempo.bbt_to_beat(BarBeatTick(bar))
        return beat

    def bar_start_flicks(self, bar: int) -> int:
        t = self._bar_flicks.get(bar)
        if t is None:
            t = self._bar_flicks[bar] = self.tempo.beat_to_flicks(self.bar_start(bar))
        return t

    def bar_at(self, beat: Fraction) -> int:
        """The (1-based) bar a beat lies in."""
        bar = self.tempo.beat_to_bbt(beat).bar
        # beat_to_bbt rounds to the nearest tick: a beat just before a bar line reads as the bar
        if self.bar_start(bar) > beat:
            bar -= 1
        return bar

    def bar_at_flicks(self, position: int) -> int:
        return self.bar_at(self.tempo.flicks_to_beat(position))

    # -- lines
    def line_beats(self, bar: int, grid: Grid, swing: float = 0.0) -> list[Fraction]:
        """The grid lines of one bar in beats: its start included, the next bar's start not."""
        meter = self.tempo.meter_at(bar)
        start = self.bar_start(bar)
        length = Fraction(4 * meter.numerator, meter.denominator)
        step = grid.step_beats(meter.numerator, meter.denominator)
        delay = Fraction(swing).limit_denominator(1000) * step
        lines = []
        k = 0
        while k * step < length:
            offset = k * step + (delay if k % 2 else 0)
            if offset < length:
                lines.append(start + offset)
            k += 1
        return lines

    def bar_lines(self, bar: int, grid: Grid, swing: float = 0.0) -> tuple[int, ...]:
        """The grid lines of one bar in flicks."""
        key = (bar, grid, swing)
        lines = self._lines.get(key)
        if lines is None:
            if len(self._lines) > 20000:
                self._lines.clear()
            lines = self._lines[key] = tuple(
                self.tempo.beat_to_flicks(b) for b in self.line_beats(bar, grid, swing))
        return lines

    def lines(self, start: int, end: int, grid: Grid, swing: float = 0.0) -> list[int]:
        """Every grid line from ``start`` to ``end`` (flicks, both included)."""
        out: list[int] = []
        bar = self.bar_at_flicks(start)
        while self.bar_start_flicks(bar) <= end:
            out.extend(t for t in self.bar_lines(bar, grid, swing) if start <= t <= end)
            bar += 1
        return out

    def _around(self, position: int, grid: Grid, swing: float) -> list[int]:
        """The lines of the bar holding ``position`` and the next bar's start, sorted."""
        bar = self.bar_at_flicks(position)
        return [*self.bar_lines(bar, grid, swing), self.bar_start_flicks(bar + 1)]

    def nearest(self, position: int, grid: Grid, swing: float = 0.0) -> int:
        """The grid line nearest to a position (the earlier one on a tie)."""
        return min(self._around(position, grid, swing), key=lambda t: (abs(t - position), t))

    def at_or_before(self, position: int, grid: Grid) -> int:
        lines = self._around(position, grid, 0.0)
        return lines[max(bisect_right(lines, position) - 1, 0)]

    def after(self, position: int, grid: Grid) -> int:
        """The first grid line strictly after a position."""
        lines = self._around(position, grid, 0.0)
        return lines[min(bisect_right(lines, position), len(lines) - 1)]

    def step_at(self, position: int, grid: Grid) -> int:
        """The length in flicks of the grid step that holds ``position``."""
        line = self.at_or_before(position, grid)
        return self.after(line, grid) - line


_GRIDS: list[TempoGrid] = []


def tempo_grid(tempo: TempoMap) -> TempoGrid:
    """The memoized grid of a tempo map (the last few maps are kept, found by identity)."""
    for g in _GRIDS:
        if g.tempo is tempo:
            return g
    g = TempoGrid(tempo)
    _GRIDS.insert(0, g)
    del _GRIDS[4:]
    return g
