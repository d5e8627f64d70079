"""Bars of a free meter plan: the fewest meter changes that fill a stretch with allowed bars.

A free plan gives the bar lengths a map may use (4/4, 3/4, 5/4, say). Between two bar lines
the search has pinned (bar 1, and each hit it puts on a downbeat), the bars may be any
sequence of allowed lengths adding up to the distance; ``BarFill`` says, for a distance and the
meter coming in, the fewest meter changes that do it for each meter it may end in, and gives
the bars of one such sequence. Lengths are counted in whole steps of the plan's common step
(``FitProblem.bar_step``), so the table is of whole numbers.
"""

from __future__ import annotations

from fractions import Fraction

from cuesketch.timing.tempo import MeterChange
from cuesketch.timing.tempo_fit.problem import FitProblem

INF = 1 << 30


class BarFill:
    def __init__(self, problem: FitProblem) -> None:
        self.step = problem.bar_step
        self.units = [int(x / self.step) for x in problem.bar_lengths]
        self.plan = problem.meters or ((problem.numerator, problem.denominator),)
        # by the meter coming in (None: bar 1, any meter free): for each length in steps,
        # the fewest changes ending in each meter
        self._tables: dict[int | None, list[list[int]]] = {}

    def _table(self, m_in: int | None, n: int) -> list[list[int]]:
        table = self._tables.get(m_in)
        if table is not None and len(table) > n:
            return table
        size = max(n + 1, 2 * len(table) if table else 64)
        k = len(self.units)
        rows = [[INF] * k for _ in range(size)]
        for m, u in enumerate(self.units):
            if u < size:
                rows[u][m] = min(rows[u][m], 0 if m_in is None or m == m_in else 1)
        for pos in range(size):
            row = rows[pos]
            for m in range(k):
                c = row[m]
                if c >= INF:
                    continue
                for m2, u in enumerate(self.units):
                    if pos + u < size:
                        c2 = c + (m2 != m)
                        if c2 < rows[pos + u][m2]:
                            rows[pos + u][m2] = c2
        self._tables[m_in] = rows
        return rows

    def ends(self, gap: Fraction, m_in: int | None) -> list[tuple[int | None, int]]:
        """(the meter the last bar is in, the fewest meter changes) for every way to fill
        ``gap`` beats with allowed bars after a bar in meter ``m_in`` (None: bar 1 comes
        next). A gap of 0 is no bars: the meter stays."""
        if gap == 0:
            return [(m_in, 0)]
        n = gap / self.step
        if gap < 0 or n.denominator != 1:
            return []
        row = self._table(m_in, int(n))[int(n)]
        return [(m, c) for m, c in enumerate(row) if c < INF]

    def bars(self, gap: Fraction, m_in: int | None, m_out: int | None) -> list[int]:
        """The meters of the bars of one fill of ``gap`` ending in ``m_out`` with the fewest
        changes (of those ``ends`` gives)."""
        if gap == 0:
            return []
        assert m_out is not None
        pos = int(gap / self.step)
        rows = self._table(m_in, pos)
        out: list[int] = []
        m = m_out
        while True:
            out.append(m)
            c, prev = rows[pos][m], pos - self.units[m]
            if prev == 0:  # the first bar
                break
            m = next(m2 for m2 in range(len(self.units)) if rows[prev][m2] + (m2 != m) == c)
            pos = prev
        out.reverse()
        return out

    def meter_changes(self, seq: list[int]) -> tuple[MeterChange, ...]:
        """The meters of a map whose bars are ``seq`` (then the last meter on)."""
        out: list[MeterChange] = []
        for bar, m in enumerate(seq or [0]):
            if not out or (out[-1].numerator, out[-1].denominator) != self.plan[m]:
                out.append(MeterChange(bar, *self.plan[m]))
        return tuple(out)

    def lines(self, seq: list[int], upto: Fraction) -> list[Fraction]:
        """The bar lines (beats) of bars ``seq``, then the last meter on, up to past ``upto``."""
        beat, out = Fraction(0), [Fraction(0)]
        last = seq[-1] if seq else 0
        for m in seq:
            beat += self.units[m] * self.step
            out.append(beat)
        while beat <= upto:
            beat += self.units[last] * self.step
            out.append(beat)
        return out
