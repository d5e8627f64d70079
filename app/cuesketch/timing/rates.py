"""Frame rates as exact rationals, with SMPTE drop-frame where it applies."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from functools import cached_property
from typing import Literal

from cuesketch.timing.units import FLICKS_PER_SECOND, Flicks, Frames


class RateError(ValueError):
    """A frame rate that Cuesketch does not know, said in plain words."""


@dataclass(frozen=True, order=True)
class FrameRate:
    """A frame rate: ``fps`` exact, ``drop`` for SMPTE drop-frame counting (29.97, 59.94)."""

    fps: Fraction
    drop: bool = False

    @property
    def nominal(self) -> int:
        """Frames counted per timecode second (30 for 29.97)."""
        return int(-(-self.fps.numerator // self.fps.denominator))  # ceil

    @property
    def name(self) -> str:
        for name, rate in STANDARD_RATES.items():
            if rate == self:
                return name
        return f"{float(self.fps):g}"

    @cached_property  # on the hot path of every frame conversion
    def flicks_per_frame(self) -> int:
        f = FLICKS_PER_SECOND / self.fps
        assert f.denominator == 1, "standard rates divide a flick exactly"
        return int(f)

    def frame_to_flicks(self, frame: int) -> Flicks:
        """The position where a frame starts."""
        return Flicks(frame * self.flicks_per_frame)

    def flicks_to_frame(self, flicks: int) -> Frames:
        """The frame showing at a position (floor: a frame lasts until the next one starts)."""
        return Frames(flicks // self.flicks_per_frame)

    def nearest_frame(self, flicks: int) -> Frames:
        """The frame whose start is nearest to a position (halves round up, to the later one)."""
        fpf = self.flicks_per_frame
        return Frames((2 * flicks + fpf) // (2 * fpf))

    def __str__(self) -> str:
        return self.name


def _r(num: int, den: int = 1, drop: bool = False) -> FrameRate:
    return FrameRate(Fraction(num, den), drop)


RateName = Literal["23.976", "24", "25", "29.97df", "29.97", "30", "47.952", "48", "50",
                   "59.94df", "59.94", "60"]

# Keyed by RateName: mypy checks ``STANDARD_RATES["24"]``; a name from outside (a file, the
# user) goes through ``rate_named`` or ``parse_rate``.
STANDARD_RATES: dict[RateName, FrameRate] = {
    "23.976": _r(24000, 1001),
    "24": _r(24),
    "25": _r(25),
    "29.97df": _r(30000, 1001, True),
    "29.97": _r(30000, 1001),
    "30": _r(30),
    "47.952": _r(48000, 1001),
    "48": _r(48),
    "50": _r(50),
    "59.94df": _r(60000, 1001, True),
    "59.94": _r(60000, 1001),
    "60": _r(60),
}

_BY_NAME: dict[str, FrameRate] = {name: rate for name, rate in STANDARD_RATES.items()}


def rate_named(name: str) -> FrameRate | None:
    """The standard rate of this exact name (``"29.97df"``), or None."""
    return _BY_NAME.get(name)


_ALIASES = {
    "23.98": "23.976", "29.97ndf": "29.97", "29.97nd": "29.97", "2997df": "29.97df",
    "29.97drop": "29.97df", "59.94ndf": "59.94", "59.94drop": "59.94df", "47.95": "47.952",
}


def parse_rate(text: str) -> FrameRate:
    """A rate as a user types it: ``24``, ``23.976``, ``29.97df``, ``59.94ndf``, ``30000/1001``."""
    key = text.strip().lower().replace(" ", "").replace("fps", "").replace("-", "")
    named = rate_named(_ALIASES.get(key, key))
    if named is not None:
        return named
    try:
        value = Fraction(key)
    except (ValueError, ZeroDivisionError):
        raise RateError(
            f"'{text}' is not a frame rate; use one of {', '.join(STANDARD_RATES)}"
        ) from None
    snapped = snap_rate(value)
    if snapped is None:
        raise RateError(f"{text} fps is not a standard film or video rate "
                        f"({', '.join(STANDARD_RATES)})")
    return snapped


def snap_rate(fps: Fraction | float, drop: bool = False, tolerance: float = 0.002) -> FrameRate | None:
    """The standard rate nearest to a measured one (2997/125 is 23.976), or None.

    Files often carry rounded rates (23.98, 2997/125, 29.97); within ``tolerance`` (relative)
    they mean the 1000/1001 rate.
    """
    value = float(fps)
    best: FrameRate | None = None
    for rate in STANDARD_RATES.values():
        if rate.drop != drop and rate.nominal in (30, 60):
            continue
        if abs(float(rate.fps) - value) / float(rate.fps) <= tolerance:
            if best is None or abs(float(rate.fps) - value) < abs(float(best.fps) - value):
                best = rate
    return best

