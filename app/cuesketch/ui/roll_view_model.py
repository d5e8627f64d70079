"""The piano roll's geometry without Qt: time and pitch to pixels, zoom, scroll, following.

x grows with time: ``x = (t - t0) / fpp`` (``fpp``: flicks per pixel). y grows downward with
falling pitch: the row of pitch p spans ``[(top - p - 1) * key_h, (top - p) * key_h)``, so
``top`` is the pitch boundary at y = 0 (128 shows the highest key at the top edge).
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass

from cuesketch.timing.units import FLICKS_PER_SECOND


class Follow(enum.Enum):
    OFF = "off"
    PAGE = "page"  # jump a page when the playhead leaves the view
    CONTINUOUS = "continuous"  # the view scrolls under a playhead that stays put


@dataclass
class RollGeometry:
    width: int = 800  # of the time area, px
    height: int = 480  # of the note area, px
    t0: int = 0  # flicks at x = 0
    fpp: float = FLICKS_PER_SECOND / 100  # flicks per pixel: 100 px a second
    top: float = 96.0
    key_h: float = 10.0

    MIN_FPP = FLICKS_PER_SECOND / 20000  # 20,000 px a second: frames are wide
    MAX_FPP = FLICKS_PER_SECOND * 4.0  # 4 s a pixel: two hours in 1,800 px
    MIN_KEY_H = 3.0
    MAX_KEY_H = 40.0
    FOLLOW_AT = 1 / 3  # where a continuously followed playhead sits
    PAGE_LEAD = 0.05  # how much of the old page stays visible after a page turn

    # -- conversions -------------------------------------------------------------------------
    def x_of(self, t: float) -> float:
        return (t - self.t0) / self.fpp

    def t_of(self, x: float) -> int:
        return self.t0 + round(x * self.fpp)

    @property
    def t1(self) -> int:
        """Flicks at the right edge."""
        return self.t_of(self.width)

    def y_of(self, pitch: float) -> float:
        """The top edge of a pitch's row."""
        return (self.top - pitch - 1) * self.key_h

    def pitch_at(self, y: float) -> int:
        return math.floor(self.top - y / self.key_h)

    def pitch_span(self) -> tuple[int, int]:
        """The lowest and highest pitch with a row at least partly visible."""
        high = min(127, self.pitch_at(0))
        low = max(0, self.pitch_at(self.height - 1e-6))
        return low, high

    # -- zoom and scroll ---------------------------------------------------------------------
    def clamp(self) -> None:
        self.fpp = min(self.MAX_FPP, max(self.MIN_FPP, self.fpp))
        self.key_h = min(self.MAX_KEY_H, max(self.MIN_KEY_H, self.key_h))
        rows = self.height / self.key_h
        self.top = min(128.0, max(min(rows, 128.0), self.top))

    def zoom_time(self, factor: float, anchor_x: float | None = None) -> None:
        """``factor`` > 1 zooms in; the time under ``anchor_x`` stays put."""
        ax = self.width / 2 if anchor_x is None else anchor_x
        t = self.t0 + ax * self.fpp
        self.fpp /= factor
        self.clamp()
        self.t0 = round(t - ax * self.fpp)

    def zoom_pitch(self, factor: float, anchor_y: float | None = None) -> None:
        ay = self.height / 2 if anchor_y is None else anchor_y
        p = self.top - ay / self.key_h
        self.key_h *= factor
        self.clamp()
        self.top = p + ay / self.key_h
        self.clamp()

    def scroll_x(self, dx: float) -> None:
        self.t0 += round(dx * self.fpp)

    def scroll_y(self, dy: float) -> None:
        self.top -= dy / self.key_h
        self.clamp()

    def show_time(self, start: int, end: int, margin: float = 0.05) -> None:
        """Fit ``start..end`` into the width, with a margin on both sides."""
        span = max(end - start, 1)
        self.fpp = span / max(self.width * (1 - 2 * margin), 1)
        self.clamp()
        self.t0 = round((start + end) / 2 - self.width / 2 * self.fpp)

    def show_pitches(self, low: int, high: int, margin: int = 2) -> None:
        """Fit the rows ``low..high`` if they fit at a readable height, else center them."""
        rows = high - low + 1 + 2 * margin
        self.key_h = min(self.key_h, self.height / rows) if rows * self.key_h > self.height \
            else self.key_h
        self.clamp()
        self.top = (low + high + 1) / 2 + self.height / self.key_h / 2
        self.clamp()

    def frame_pitches(self, low: int, high: int, margin: int = 2, largest: float = 14.0) -> None:
        """Fit the rows ``low..high`` (and a margin) into the height: rows as tall as fit, up to
        ``largest`` px; at the smallest rows, what does not fit is centered."""
        rows = high - low + 1 + 2 * margin
        self.key_h = min(largest, max(self.height / rows, self.MIN_KEY_H))
        self.clamp()
        self.top = (low + high + 1) / 2 + self.height / self.key_h / 2
        self.clamp()

    def ensure_pitches(self, low: int, high: int, margin: int = 1) -> bool:
        """Scroll the least so the rows ``low..high`` are in view (smaller rows when they don't
        fit at this height); True when the view moved."""
        rows = self.height / self.key_h
        if high - low + 1 + 2 * margin > rows:
            self.frame_pitches(low, high, margin, largest=self.key_h)
            return True
        top = self.top
        if top < high + 1 + margin:
            self.top = high + 1 + margin
        elif top - rows > low - margin:
            self.top = low - margin + rows
        self.clamp()
        return self.top != top

    def frame_times(self, start: int, end: int, widest: float) -> None:
        """Show ``start..end``: scroll when it fits at this zoom, else zoom out to fit it while a
        pixel spans at most ``widest`` flicks (past that, show from ``start``)."""
        margin = 0.03
        if end - start <= self.width * (1 - 2 * margin) * self.fpp:
            if start < self.t0 or end > self.t1:
                self.t0 = start - round(self.width * margin * self.fpp)
            return
        fpp = (end - start) / max(self.width * (1 - 2 * margin), 1)
        if fpp <= widest:
            self.show_time(start, end, margin)
        else:
            self.t0 = start - round(self.width * margin * self.fpp)

    # -- following the playhead --------------------------------------------------------------
    def follow(self, position: int, mode: Follow) -> int:
        """Scroll so the playhead stays in view; returns how far the view moved, in pixels.

        Continuous following moves the view in whole pixels only, so what is already drawn
        can be shifted on screen instead of drawn again; a page turn moves a page.
        """
        if mode is Follow.OFF:
            return 0
        if mode is Follow.CONTINUOUS:
            target = position - self.width * self.FOLLOW_AT * self.fpp
        else:
            x = self.x_of(position)
            if 0 <= x < self.width:
                return 0
            target = position - self.width * self.PAGE_LEAD * self.fpp
        dx = round((target - self.t0) / self.fpp)
        if dx:
            self.t0 += round(dx * self.fpp)
        return dx
