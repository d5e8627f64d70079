"""Where an edited position lands: on the musical grid, on a frame, on a hit, or where it is."""

from __future__ import annotations

import enum
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cuesketch.model.grid import Grid, TempoGrid, tempo_grid
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.tempo import TempoMap


class SnapMode(enum.Enum):
    OFF = "off"
    GRID = "grid"
    FRAMES = "frames"
    HITS = "hits"  # a hit within reach, else the nearest frame


@dataclass(frozen=True)
class Snapper:
    """Snapping for one edit. ``hits`` are flicks, sorted; ``reach`` (flicks) is how near a hit
    pulls (the view sets it from a few pixels at its zoom); ``maps``, if given, is the tempo map
    in force at a position (a cue's own inside the cue), else ``tempo`` everywhere."""

    mode: SnapMode
    grid: Grid
    tempo: TempoMap
    rate: FrameRate
    hits: tuple[int, ...] = ()
    reach: int = 0
    swing: float = field(default=0.0)
    maps: Callable[[int], TempoMap] | None = None

    @classmethod
    def of_hits(cls, mode: SnapMode, grid: Grid, tempo: TempoMap, rate: FrameRate,
                hit_frames: Iterable[int], reach: int = 0, swing: float = 0.0,
                maps: Callable[[int], TempoMap] | None = None) -> Snapper:
        return cls(mode, grid, tempo, rate,
                   tuple(sorted(rate.frame_to_flicks(f) for f in hit_frames)), reach, swing,
                   maps)

    def _grid(self, position: int) -> TempoGrid:
        return tempo_grid(self.tempo if self.maps is None else self.maps(position))

    def _hit_near(self, position: int) -> int | None:
        i = bisect_left(self.hits, position)
        best = None
        for j in (i - 1, i):
            if 0 <= j < len(self.hits) and abs(self.hits[j] - position) <= self.reach:
                if best is None or abs(self.hits[j] - position) < abs(best - position):
                    best = self.hits[j]
        return best

    def nearest(self, position: int) -> int:
        """Where a moved position lands."""
        if self.mode is SnapMode.GRID:
            return self._grid(position).nearest(position, self.grid, self.swing)
        if self.mode is SnapMode.HITS:
            hit = self._hit_near(position)
            if hit is not None:
                return hit
        if self.mode in (SnapMode.FRAMES, SnapMode.HITS):
            return self.rate.frame_to_flicks(self.rate.nearest_frame(position))
        return position

    def floor(self, position: int) -> int:
        """Where a drawn note starts: the grid cell or frame under the pointer."""
        if self.mode is SnapMode.GRID:
            return self._grid(position).at_or_before(position, self.grid)
        if self.mode is SnapMode.HITS:
            hit = self._hit_near(position)
            if hit is not None:
                return hit
        if self.mode in (SnapMode.FRAMES, SnapMode.HITS):
            return self.rate.flicks_to_frame(position) * self.rate.flicks_per_frame
        return position

    def step(self, position: int) -> int:
        """One step of this snapping at a position: a grid step, or one frame."""
        if self.mode in (SnapMode.FRAMES, SnapMode.HITS):
            return self.rate.flicks_per_frame
        return self._grid(position).step_at(position, self.grid)
