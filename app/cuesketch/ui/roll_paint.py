"""Drawing the piano roll: rows, grid, cues, hits, notes, the range marks, the playhead (the
frames-off readout is ``roll_readout``).

Everything is drawn in batches from numpy columns, never a Python object per note. The note
area is one small image built with numpy, a pixel column per column and a row per pitch
(rows, cue tint, grid lines, hits and, when there are many, the notes), scaled onto the roll
in one ``drawImage``: its cost follows the roll's size, not the number of notes. A few hundred
notes are drawn over it as rectangles with outlines instead. Long vertical lines are the
expensive thing to draw with QPainter, so they live in the images too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen

from cuesketch.model.entities import Cue, HitKind
from cuesketch.model.grid import Grid, GridKind, TempoGrid
from cuesketch.timing.rates import FrameRate
from cuesketch.ui.roll_index import Marks, RollIndex, TrackNotes
from cuesketch.ui.roll_view_model import RollGeometry

VECTOR_LIMIT = 400  # above this many visible notes, rasterize

BACKGROUND = QColor("#1d2025")
BLACK_ROW = QColor("#181a1e")
ROW_LINE = QColor("#23272d")
OCTAVE_LINE = QColor("#343a43")
BAR_LINE = QColor("#4b525d")
BEAT_LINE = QColor("#343941")
STEP_LINE = QColor("#282c33")
FRAME_LINE = QColor("#2b3a3a")
ROW_GAP = QColor("#15171a")
CUE_BACKGROUND = QColor("#212833")
CUE_BLACK_ROW = QColor("#1b212a")
CUE_EDGE = QColor("#5b8fd6")
PLAYHEAD = QColor("#ffd84a")
SELECTED_EDGE = QColor("#ffffff")
RUBBER_BAND = QColor(255, 255, 255, 40)
HIT_COLORS = {kind: QColor(kind.color) for kind in HitKind}
BLACK_KEYS = frozenset({1, 3, 6, 8, 10})


def blend(a: QColor, b: QColor, k: float) -> QColor:
    """``a`` moved a share ``k`` toward ``b``."""
    return QColor(round(a.red() + (b.red() - a.red()) * k), round(a.green() + (b.green() - a.green()) * k),
                  round(a.blue() + (b.blue() - a.blue()) * k))


def argb(c: QColor) -> int:
    return (255 << 24) | (c.red() << 16) | (c.green() << 8) | c.blue()


@dataclass(frozen=True)
class TrackStyle:
    track_id: int
    fill: QColor
    edge: QColor
    active: bool

    @classmethod
    def of(cls, track_id: int, color: str, active: bool) -> TrackStyle:
        base = QColor(color)
        if not base.isValid():
            base = QColor("#4f9dde")
        if not active:  # the other tracks stay readable but step back
            base = blend(base, BACKGROUND, 0.6)
        return cls(track_id, base, blend(base, QColor("black"), 0.45), active)


def _rects(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], w: npt.NDArray[np.float64],
           h: float) -> list[QRectF]:
    return list(map(QRectF, x.tolist(), y.tolist(), w.tolist(), [h] * len(x)))


def _lines_v(xs: npt.NDArray[np.float64], top: float, bottom: float) -> list[QLineF]:
    return [QLineF(x, top, x, bottom) for x in xs.tolist()]


# -- background ---------------------------------------------------------------------------

def grid_levels(geo: RollGeometry, tgrid: TempoGrid, grid: Grid, t: int) -> tuple[int, bool, bool]:
    """What the grid can show at this zoom: (bars apart, beats?, grid steps?)."""
    bar = tgrid.bar_at_flicks(t)
    bar_px = (tgrid.bar_start_flicks(bar + 1) - tgrid.bar_start_flicks(bar)) / geo.fpp
    every = 1
    while bar_px * every < 8 and every < 4096:
        every *= 2
    meter = tgrid.tempo.meter_at(bar)
    beat_px = bar_px / meter.numerator
    step_px = bar_px * float(grid.step_beats(meter.numerator, meter.denominator)) / (
        4 * meter.numerator / meter.denominator)
    return every, beat_px >= 8, step_px >= 8 and grid.kind is GridKind.NOTE


def bar_and_beat_lines(geo: RollGeometry, tgrid: TempoGrid, grid: Grid, t_lo: int,
                       t_hi: int) -> tuple[list[int], list[int], list[int]]:
    """Bar, beat and grid-step lines (flicks) between two times, thinned to the zoom."""
    # the view's middle decides the density, so a strip drawn while scrolling matches the rest
    every, beats, steps = grid_levels(geo, tgrid, grid, geo.t_of(geo.width / 2))
    bars_out: list[int] = []
    beats_out: list[int] = []
    steps_out: list[int] = []
    first = tgrid.bar_at_flicks(t_lo)
    bar = first - first % every
    beat_grid = Grid(GridKind.BEAT)
    while True:
        start = tgrid.bar_start_flicks(bar)
        if start > t_hi:
            break
        bars_out.append(start)
        if beats:
            beats_out.extend(tgrid.bar_lines(bar, beat_grid)[1:])
        if steps:
            steps_out.extend(tgrid.bar_lines(bar, grid)[1:])
        bar += every
    return bars_out, beats_out, steps_out


_grid_cache: dict[tuple[object, ...], list[tuple[npt.NDArray[np.float64], QColor]]] = {}


def grid_xs(geo: RollGeometry, tgrid: TempoGrid, grid: Grid, rate: FrameRate, x0: float,
            x1: float) -> list[tuple[npt.NDArray[np.float64], QColor]]:
    """The grid's line positions (x) and colors, faintest first; the canvas and both lanes
    draw the same lines, so the last few answers are kept."""
    key = (tgrid, grid, rate, geo.t0, geo.fpp, geo.width, x0, x1)
    hit = _grid_cache.get(key)
    if hit is not None:
        return hit
    t_lo, t_hi = geo.t_of(x0 - 1), geo.t_of(x1 + 1)
    bars, beats, steps = bar_and_beat_lines(geo, tgrid, grid, t_lo, t_hi)
    out = []
    fpf = rate.flicks_per_frame
    if fpf / geo.fpp >= 10:  # frames wide enough to see: their own faint lines
        frames = np.arange(t_lo // fpf, t_hi // fpf + 2) * fpf
        out.append((np.floor((frames - geo.t0) / geo.fpp) + 0.5, FRAME_LINE))
    for lines, color in ((steps, STEP_LINE), (beats, BEAT_LINE), (bars, BAR_LINE)):
        if lines:
            out.append((np.floor((np.asarray(lines, np.float64) - geo.t0) / geo.fpp) + 0.5, color))
    if len(_grid_cache) > 8:
        _grid_cache.clear()
    _grid_cache[key] = out
    return out


def paint_strip(p: QPainter, grid: list[tuple[npt.NDArray[np.float64], QColor]],
                spans: list[tuple[float, float]], hits: list[tuple[npt.NDArray[np.float64], QColor]],
                x0: float, x1: float, top: float, bottom: float, back: QColor,
                cue_back: QColor) -> None:
    """A background with cue tint and grid lines under a lane: one row of pixels, built with
    numpy and stretched to the lane's height (vertical lines drawn one by one cost more)."""
    c0, c1 = int(np.floor(x0)), int(np.ceil(x1))
    width = max(c1 - c0, 1)
    col = _column_codes(spans, grid, c0, width)
    palette = []
    for under in (back, cue_back):
        palette.append(argb(under))
        palette += [argb(color) for _xs, color in grid]
    codes = col.astype(np.uint16)[None, :]
    _put_columns(codes, hits, c0, palette)
    pixels = np.ascontiguousarray(np.array(palette, np.uint32)[codes[0]])
    image = QImage(pixels.data, width, 1, width * 4, QImage.Format.Format_RGB32)
    p.drawImage(QRectF(c0, top, width, bottom - top), image)


# -- cues and hits --------------------------------------------------------------------------

def visible_cues(marks: Marks, rate: FrameRate, geo: RollGeometry, t_lo: int,
                 t_hi: int) -> list[Cue]:
    return [c for c in marks.cues if rate.frame_to_flicks(c.end_frame) >= t_lo
            and rate.frame_to_flicks(c.start_frame) <= t_hi]


def cue_spans(geo: RollGeometry, marks: Marks, rate: FrameRate, x0: float,
              x1: float) -> list[tuple[float, float]]:
    """The x spans of the cues in view."""
    return [(geo.x_of(rate.frame_to_flicks(c.start_frame)), geo.x_of(rate.frame_to_flicks(c.end_frame)))
            for c in visible_cues(marks, rate, geo, geo.t_of(x0), geo.t_of(x1))]


def paint_cue_edges(p: QPainter, spans: list[tuple[float, float]], top: float,
                    bottom: float) -> None:
    if spans:
        p.setPen(QPen(CUE_EDGE, 1, Qt.PenStyle.DashLine))
        p.drawLines([QLineF(x, top, x, bottom) for span in spans for x in span])


def visible_hits(marks: Marks, rate: FrameRate, geo: RollGeometry, x0: float,
                 x1: float) -> tuple[int, int]:
    """The slice of ``marks.hits`` drawn between x0 and x1."""
    fpf = rate.flicks_per_frame
    f_lo = (geo.t_of(x0 - 2) // fpf) - 1
    f_hi = (geo.t_of(x1 + 2) // fpf) + 1
    lo = int(np.searchsorted(marks.hit_frames, f_lo, side="left"))
    hi = int(np.searchsorted(marks.hit_frames, f_hi, side="right"))
    return lo, hi


def hit_columns(geo: RollGeometry, marks: Marks, rate: FrameRate, x0: float,
                x1: float) -> list[tuple[npt.NDArray[np.float64], QColor]]:
    """The x of each visible hit, grouped by kind (its color)."""
    lo, hi = visible_hits(marks, rate, geo, x0, x1)
    if hi <= lo:
        return []
    fpf = rate.flicks_per_frame
    xs = np.round((marks.hit_frames[lo:hi] * fpf - geo.t0) / geo.fpp)
    kinds = [h.kind for h in marks.hits[lo:hi]]
    out = []
    for kind, color in HIT_COLORS.items():
        m = np.array([k is kind for k in kinds])
        if m.any():
            out.append((xs[m] + 0.5, color))
    return out


def _put_columns(codes: npt.NDArray[np.uint16], columns: list[tuple[npt.NDArray[np.float64], QColor]],
                 c0: int, palette: list[int]) -> None:
    """Overwrite whole pixel columns (hit lines) in an image of palette codes."""
    width = codes.shape[1]
    for xs, color in columns:
        cols = xs.astype(np.int64) - c0
        cols = cols[(cols >= 0) & (cols < width)]
        if len(cols):
            palette.append(argb(color))
            codes[:, cols] = len(palette) - 1


# -- notes ----------------------------------------------------------------------------------

@dataclass
class NoteLayer:
    style: TrackStyle
    notes: TrackNotes
    rows: npt.NDArray[np.int64]  # indices into notes, visible
    selected: npt.NDArray[np.bool_]  # aligned with rows


def note_layers(index: RollIndex, geo: RollGeometry, styles: list[TrackStyle],
                selection: npt.NDArray[np.int64], x0: float, x1: float) -> list[NoteLayer]:
    """Visible notes per track, the dimmed tracks first and the active track last (on top)."""
    low, high = geo.pitch_span()
    t_lo, t_hi = geo.t_of(x0 - 1), geo.t_of(x1 + 1)
    layers = []
    for style in styles:
        tn = index.notes.get(style.track_id)
        if tn is None or not len(tn):
            continue
        rows = tn.window(t_lo, t_hi, low, high)
        if not len(rows):
            continue
        sel = (np.isin(tn["id"][rows], selection) if style.active and len(selection)
               else np.zeros(len(rows), bool))
        layers.append(NoteLayer(style, tn, rows, sel))
    return layers


def _column_codes(spans: list[tuple[float, float]],
                  grid: list[tuple[npt.NDArray[np.float64], QColor]], c0: int,
                  width: int) -> npt.NDArray[np.uint8]:
    """Each pixel column's kind: inside a cue or not, times (1 + the grid kinds), plus which
    grid line falls on it (0: none); the later grid kinds win."""
    kinds = len(grid) + 1
    col = np.zeros(width, np.uint8)
    for a, b in spans:
        col[max(int(a) - c0, 0): max(min(int(b) - c0, width), 0)] = kinds
    for k, (xs, _color) in enumerate(grid, start=1):
        cols = xs.astype(np.int64) - c0
        cols = cols[(cols >= 0) & (cols < width)]
        col[cols] = (col[cols] // kinds) * kinds + k
    return col


def paint_roll(p: QPainter, geo: RollGeometry, layers: list[NoteLayer],
               spans: list[tuple[float, float]], grid: list[tuple[npt.NDArray[np.float64], QColor]],
               hits: list[tuple[npt.NDArray[np.float64], QColor]], x0: float, x1: float) -> None:
    """Rows, cue tint, grid, notes and hit lines of the note area, from ``x0`` to ``x1``.

    The background (and, for many notes, the notes) is built with numpy as one image with a
    pixel column per column and a row per pitch, then scaled onto the rows in one
    ``drawImage``: grid lines stay behind the notes and the cost follows the roll's size, not
    the number of notes. A few hundred notes are drawn on top as rectangles with outlines.
    """
    c0, c1 = int(np.floor(x0)), int(np.ceil(x1))
    low, high = geo.pitch_span()
    n_rows, width = high - low + 1, max(c1 - c0, 1)
    top = geo.y_of(high)
    bottom = geo.y_of(low) + geo.key_h
    if top > 0 or bottom < geo.height:  # fewer rows than the roll is tall
        p.fillRect(QRectF(x0, 0, x1 - x0, geo.height), BACKGROUND)
    raster = sum(len(layer.rows) for layer in layers) > VECTOR_LIMIT
    labels, palette = (_note_labels(geo, layers, c0, width, high, n_rows) if raster and layers
                       else (None, [0]))
    # The background as codes after the note colors: row kind (white or black key) x column
    # kind (plain or cue) x grid line (none, or which kind); then one palette lookup.
    kinds = len(grid) + 1
    base = len(palette)
    black_row = np.isin((high - np.arange(n_rows)) % 12, list(BLACK_KEYS)).astype(np.uint8)
    col = _column_codes(spans, grid, c0, width)
    codes = (black_row.astype(np.uint16) * (2 * kinds) + base)[:, None] + col[None, :]
    for black in (0, 1):  # in the codes' order: black * 2 * kinds + cue * kinds + grid kind
        for light, dark in ((BACKGROUND, BLACK_ROW), (CUE_BACKGROUND, CUE_BLACK_ROW)):
            palette.append(argb(dark if black else light))
            palette += [argb(blend(color, dark, 0.3) if black else color) for _xs, color in grid]
    if labels is not None:
        codes = np.where(labels > 0, labels, codes)
    if raster:  # hits through the notes; over drawn rectangles they are drawn after them
        _put_columns(codes, hits, c0, palette)
    pixels = np.array(palette, np.uint32)[codes]
    pixels = np.ascontiguousarray(pixels)
    image = QImage(pixels.data, width, n_rows, width * 4, QImage.Format.Format_RGB32)
    p.drawImage(QRectF(c0, top, width, n_rows * geo.key_h), image)
    # Horizontal lines as one-pixel rectangles: the raster engine fills those far faster.
    p.setPen(Qt.PenStyle.NoPen)
    for color, keep in ((ROW_GAP, (lambda k: raster and geo.key_h >= 6)),
                        (ROW_LINE, (lambda k: k % 12 == 5)), (OCTAVE_LINE, (lambda k: k % 12 == 0))):
        rows = [QRectF(x0, round(geo.y_of(k) + geo.key_h) - 1, x1 - x0, 1)
                for k in range(low, high + 1) if keep(k)]
        if rows:
            p.setBrush(color)
            p.drawRects(rows)
    if not raster:
        _paint_notes_vector(p, geo, layers)
        for xs, color in hits:
            p.setPen(QPen(color, 1))
            p.drawLines(_lines_v(xs, 0, geo.height))


def _paint_notes_vector(p: QPainter, geo: RollGeometry, layers: list[NoteLayer]) -> None:
    h = max(geo.key_h - 1.0, 1.0)
    for layer in layers:
        tn, rows = layer.notes, layer.rows
        starts, ends = tn["start"][rows], tn["end"][rows]
        x = (starts - geo.t0) / geo.fpp
        w = np.maximum((ends - starts) / geo.fpp, 1.0)
        y = (geo.top - tn["pitch"][rows] - 1) * geo.key_h + 0.5
        for sel in (False, True):
            m = layer.selected == sel
            if not m.any():
                continue
            if sel:
                p.setPen(QPen(SELECTED_EDGE, 1))
                p.setBrush(blend(layer.style.fill, QColor("white"), 0.45))
            else:
                p.setPen(QPen(layer.style.edge, 1) if geo.key_h >= 4 else Qt.PenStyle.NoPen)
                p.setBrush(layer.style.fill)
            p.drawRects(_rects(x[m], y[m], w[m], h))


def _note_labels(geo: RollGeometry, layers: list[NoteLayer], c0: int, width: int, high: int,
                 n_rows: int) -> tuple[npt.NDArray[Any], list[int]]:
    """Which note color each cell shows (0: none), layer over layer, and the colors.

    All visible notes become cell spans in one pass; each layer (a track, its selected notes
    apart) then writes its cells in drawing order, the later on top.
    """
    groups = []  # (layer, selected) in drawing order
    picks = []
    for layer in layers:
        for sel in (False, True):
            m = layer.selected == sel
            if m.any():
                groups.append((layer, sel))
                picks.append(layer.rows[m])
    palette = [0]
    labels = np.zeros(n_rows * width, np.uint8 if len(groups) < 120 else np.uint16)
    if not groups:
        return labels.reshape(n_rows, width), palette
    starts = np.concatenate([g[0].notes["start"][r] for g, r in zip(groups, picks)])
    ends = np.concatenate([g[0].notes["end"][r] for g, r in zip(groups, picks)])
    pitches = np.concatenate([g[0].notes["pitch"][r] for g, r in zip(groups, picks)])
    xa = np.floor((starts - geo.t0) / geo.fpp).astype(np.int64) - c0
    xb = np.maximum(np.ceil((ends - geo.t0) / geo.fpp).astype(np.int64) - c0, xa + 1)
    np.clip(xa, 0, width, out=xa)
    np.clip(xb, 0, width, out=xb)
    w = xb - xa
    first = (high - pitches) * width + xa
    offsets = np.cumsum(w) - w
    cells = np.repeat(first - offsets, w) + np.arange(int(w.sum()))
    bounds = np.cumsum([0] + [len(r) for r in picks])
    cell_bounds = np.concatenate([[0], np.cumsum(w)])[bounds]
    for k, (layer, sel) in enumerate(groups):
        fill = blend(layer.style.fill, QColor("white"), 0.45) if sel else layer.style.fill
        palette += [argb(fill), argb(SELECTED_EDGE if sel else layer.style.edge)]
        labels[cells[cell_bounds[k]:cell_bounds[k + 1]]] = len(palette) - 2
        a, b = bounds[k], bounds[k + 1]
        wide = (w[a:b] >= 3) & (xa[a:b] < width)  # a note's start shows as a darker column
        labels[first[a:b][wide]] = len(palette) - 1
    return labels.reshape(n_rows, width), palette


# -- overlays --------------------------------------------------------------------------------

RANGE_MARK = QColor(240, 168, 48, 170)


def paint_range_marks(p: QPainter, geo: RollGeometry, marks: Iterable[int | None], top: float,
                      bottom: float) -> None:
    """The in and out marks as dashed lines through the roll (the ruler shows the range)."""
    p.setPen(QPen(RANGE_MARK, 1, Qt.PenStyle.DashLine))
    for at in marks:
        if at is not None:
            x = round(geo.x_of(at)) + 0.5
            if -2 <= x <= geo.width + 2:
                p.drawLine(QLineF(x, top, x, bottom))


def paint_playhead(p: QPainter, geo: RollGeometry, position: int, top: float, bottom: float) -> None:
    x = round(geo.x_of(position)) + 0.5
    if -2 <= x <= geo.width + 2:
        p.setPen(QPen(PLAYHEAD, 1.5))
        p.drawLine(QLineF(x, top, x, bottom))
