"""The roll's bars and grid drawn from the tempo map in force: a cue's own map inside the cue
(its bar 1 at the cue's start), the project's elsewhere (``model.tempo_regions``), as the
transport bar, the picture's bars and the click already count.

    grid = grid_xs_in_force(geo, project, editor.grid, x0, x1)     # for rp.paint_roll, strips
    per_map(p, geo, project, x0, x1, top, height, paint)           # paint(a, b, tgrid), clipped
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QPainter

from cuesketch.model.grid import Grid, TempoGrid, tempo_grid
from cuesketch.model.project import Project
from cuesketch.model.tempo_regions import Region, regions_between
from cuesketch.ui import roll_paint as rp
from cuesketch.ui.roll_view_model import RollGeometry

GridXs = list[tuple[npt.NDArray[np.float64], QColor]]
_FAINTEST_FIRST = (rp.FRAME_LINE, rp.STEP_LINE, rp.BEAT_LINE, rp.BAR_LINE)


def _pixels(geo: RollGeometry, region: Region, x0: float, x1: float) -> tuple[float, float]:
    """The pixel columns of a region within ``x0`` to ``x1``: a line on the region's first
    column is its own, one on the next region's first column is not."""
    a = x0 if region.start is None else max(x0, float(math.floor(geo.x_of(region.start))))
    b = x1 if region.end is None else min(x1, float(math.floor(geo.x_of(region.end))))
    return a, b


def grid_xs_in_force(geo: RollGeometry, project: Project, grid: Grid, x0: float,
                     x1: float) -> GridXs:
    """``roll_paint.grid_xs`` with each stretch's lines from the map in force there."""
    rate = project.settings.rate
    regions = regions_between(project, geo.t_of(x0 - 1), geo.t_of(x1 + 1))
    if len(regions) == 1:
        return rp.grid_xs(geo, tempo_grid(regions[0].tempo), grid, rate, x0, x1)
    parts: dict[int, list[npt.NDArray[np.float64]]] = {}
    for region in regions:
        a, b = _pixels(geo, region, x0, x1)
        if b <= a:
            continue
        for xs, color in rp.grid_xs(geo, tempo_grid(region.tempo), grid, rate, a, b):
            parts.setdefault(color.rgba(), []).append(xs[(xs >= a) & (xs < b)])
    return [(np.concatenate(parts[c.rgba()]), c) for c in _FAINTEST_FIRST if c.rgba() in parts]


def per_map(p: QPainter, geo: RollGeometry, project: Project, x0: float, x1: float, top: float,
            height: float, paint: Callable[[float, float, TempoGrid], None]) -> None:
    """Call ``paint(a, b, tgrid)`` for each stretch of ``x0`` to ``x1`` with its own map,
    clipped to the stretch (the ruler's bar numbers: a cue's own count from its bar 1)."""
    regions = regions_between(project, geo.t_of(x0), geo.t_of(x1))
    if len(regions) == 1:
        paint(x0, x1, tempo_grid(regions[0].tempo))
        return
    for region in regions:
        a, b = _pixels(geo, region, x0, x1)
        if b <= a:
            continue
        p.save()
        p.setClipRect(QRectF(a, top, b - a, height))
        paint(a, b, tempo_grid(region.tempo))
        p.restore()
