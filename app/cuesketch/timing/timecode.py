"""SMPTE timecode (ST 12-1, drop-frame included), feet+frames and sub-frames.

A timecode names an absolute frame count since 00:00:00:00 of a 24-hour day. Counting runs at
the nominal rate (30 for 29.97); drop-frame timecode (29.97df, 59.94df) skips the frame
numbers 00-01 (00-03 at 59.94) at the start of every minute except each tenth, so the label
stays within a few frames of the wall clock. Frame counts wrap at 24 hours both ways: pre-roll
before 00:00:00:00 reads 23:59:...
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

from cuesketch.timing.rates import FrameRate
from cuesketch.timing.units import Flicks, Frames


class TimecodeError(ValueError):
    """A timecode, feet+frames or position that does not exist, said in plain words."""


def _drop_count(rate: FrameRate) -> int:
    """Frame numbers skipped at each dropping minute: 2 at 29.97, 4 at 59.94, 0 non-drop."""
    if not rate.drop:
        return 0
    if rate.nominal % 30:
        raise TimecodeError(f"drop-frame counting exists only at 29.97 and 59.94 fps, "
                            f"not at {rate.name}")
    return rate.nominal // 15


@lru_cache(maxsize=64)
def _counting(rate: FrameRate) -> tuple[int, int, int]:
    """(nominal fps, frames dropped per minute, frames per day) of a rate."""
    n, d = rate.nominal, _drop_count(rate)
    return n, d, 144 * (600 * n - 9 * d)  # 144 blocks of ten minutes


def frames_per_day(rate: FrameRate) -> int:
    """Frames in 24 hours of timecode: 2,073,600 at 24; 2,589,408 at 29.97df."""
    return _counting(rate)[2]


def _fields(frame: int, rate: FrameRate, strict: bool) -> tuple[int, int, int, int]:
    n, d, day = _counting(rate)
    if strict and not -day <= frame < day:
        where = "past 24 hours" if frame >= 0 else "more than 24 hours before 00:00:00:00"
        raise TimecodeError(f"frame {frame} is {where} at {rate.name} fps "
                            f"(a day has {day} frames)")
    f = frame % day
    if d:
        # Put the skipped labels back, then count as non-drop at the nominal rate.
        tens, rem = divmod(f, 600 * n - 9 * d)
        f += 9 * d * tens
        if rem >= d:
            f += d * ((rem - d) // (60 * n - d))
    secs, ff = divmod(f, n)
    mins, ss = divmod(secs, 60)
    hh, mm = divmod(mins, 60)
    return hh, mm, ss, ff


def _frame_of(hh: int, mm: int, ss: int, ff: int, drop: bool, rate: FrameRate,
              label: str) -> Frames:
    """The absolute frame count a label names; ``label`` is how the user wrote it."""
    n, d, _ = _counting(rate)
    if drop and not d:
        hint = f"; use {rate.name}df" if n % 30 == 0 and rate.fps.denominator == 1001 else ""
        raise TimecodeError(f"{label} is drop-frame timecode (';') but {rate.name} fps "
                            f"counts without drop-frame{hint}")
    if not 0 <= hh <= 23:
        raise TimecodeError(f"{label}: hours go from 00 to 23 (timecode wraps at 24 hours)")
    if not 0 <= mm <= 59:
        raise TimecodeError(f"{label}: minutes go from 00 to 59")
    if not 0 <= ss <= 59:
        raise TimecodeError(f"{label}: seconds go from 00 to 59")
    if not 0 <= ff < n:
        raise TimecodeError(f"{label}: frames go from 00 to {n - 1:02d} at {rate.name} fps")
    minutes = 60 * hh + mm
    if d and ss == 0 and ff < d and minutes % 10:
        after = Timecode(hh, mm, 0, d, True)
        before = Timecode.from_frame(after.to_frame(rate) - 1, rate)
        raise TimecodeError(
            f"{label} does not exist at {rate.name}: drop-frame counting skips frame numbers "
            f"00 to {d - 1:02d} at the start of every minute except each tenth "
            f"(the frame after {before} is {after})")
    return Frames((minutes * 60 + ss) * n + ff - d * (minutes - minutes // 10))


_TC = re.compile(r"^\s*(\d{1,4})[:;.](\d{1,4})[:;.](\d{1,4})[:;.](\d{1,4})\s*$")  # bounded


def _parse_fields(text: str, rate: FrameRate) -> tuple[int, int, int, int, bool]:
    m = _TC.match(text)
    if m is None:
        raise TimecodeError(f"'{text.strip()[:40]}' is not a timecode; write HH:MM:SS:FF "
                            f"(HH:MM:SS;FF for drop-frame)")
    hh, mm, ss, ff = map(int, m.groups())
    # A ';' marks drop-frame; ':' and '.' take the rate's own counting.
    return hh, mm, ss, ff, ";" in text or rate.drop


@dataclass(frozen=True)
class Timecode:
    """The four fields of a timecode label; ``drop`` writes ``;`` before the frames."""

    hours: int
    minutes: int
    seconds: int
    frames: int
    drop: bool = False

    def __str__(self) -> str:
        sep = ";" if self.drop else ":"
        return f"{self.hours:02d}:{self.minutes:02d}:{self.seconds:02d}{sep}{self.frames:02d}"

    @classmethod
    def from_frame(cls, frame: int, rate: FrameRate, *, strict: bool = False) -> Timecode:
        """The label of an absolute frame count (wrapping at 24 hours unless ``strict``)."""
        return cls(*_fields(frame, rate, strict), rate.drop)

    def to_frame(self, rate: FrameRate) -> Frames:
        """The absolute frame count this label names at ``rate``; raises if it does not exist."""
        return _frame_of(self.hours, self.minutes, self.seconds, self.frames, self.drop, rate,
                         str(self))

    @classmethod
    def parse(cls, text: str, rate: FrameRate) -> Timecode:
        """``HH:MM:SS:FF``, ``HH:MM:SS;FF`` or with ``.`` separators; checked against ``rate``."""
        fields = _parse_fields(text, rate)
        _frame_of(*fields, rate, text.strip())
        return cls(*fields)


def format_timecode(frame: int | Fraction, rate: FrameRate, subframes: int | None = None, *,
                    strict: bool = False) -> str:
    """The timecode of an absolute frame count since 00:00:00:00, e.g. ``01:00:00;00``.

    ``frame`` may carry a fraction of a frame: with ``subframes`` (e.g. 100 or 80) it is shown
    after a dot, floored (``01:00:00:12.50``); without, the frame showing is labelled. Frame
    counts wrap at 24 hours (pre-roll reads 23:59:...) unless ``strict``, which refuses a frame
    past 24 hours.
    """
    whole = frame if isinstance(frame, int) else int(frame // 1)
    hh, mm, ss, ff = _fields(whole, rate, strict)
    label = f"{hh:02d}:{mm:02d}:{ss:02d}{';' if rate.drop else ':'}{ff:02d}"
    if subframes is None:
        return label
    if subframes < 1:
        raise TimecodeError(f"sub-frames per frame must be 1 or more, not {subframes}")
    sub = int((frame - whole) * subframes)
    return f"{label}.{sub:0{len(str(subframes - 1))}d}"


def parse_timecode(text: str, rate: FrameRate) -> Frames:
    """The absolute frame count (0 .. a day's frames - 1) that a timecode names at ``rate``."""
    return _frame_of(*_parse_fields(text, rate), rate, text.strip())


# --- a transport position (flicks from the project start) as timecode with sub-frames ------

def format_position(flicks: int, rate: FrameRate, start_frame: int = 0,
                    subframes: int | None = None) -> str:
    """The timecode of a transport position; ``start_frame`` is the project start's frame.

    With ``subframes`` (100, or 80 as in some DAWs) the position inside the frame is shown
    after a dot (floored): ``01:00:00:12.37``.
    """
    fpf = rate.flicks_per_frame
    frame, inside = divmod(flicks, fpf)
    return format_timecode(start_frame + frame + Fraction(inside, fpf), rate, subframes)


_POSITION = re.compile(r"^\s*(?P<tc>\d+[:;.]\d+[:;.]\d+[:;.]\d+)(?:\.(?P<sub>\d+))?\s*$")


def parse_position(text: str, rate: FrameRate, start_frame: int = 0,
                   subframes: int = 100) -> Flicks:
    """Flicks from the project start of a timecode with optional sub-frames (``...:12.37``)."""
    m = _POSITION.match(text)
    if m is None:
        digits = "0" * len(str(subframes - 1))
        raise TimecodeError(f"'{text.strip()}' is not a timecode; write HH:MM:SS:FF, "
                            f"optionally with sub-frames as HH:MM:SS:FF.{digits}")
    sub = int(m.group("sub") or 0)
    if sub >= subframes:
        raise TimecodeError(f"{text.strip()}: sub-frames go from 0 to {subframes - 1}")
    frame = parse_timecode(m.group("tc"), rate) - start_frame
    fpf = rate.flicks_per_frame
    return Flicks(frame * fpf + -(-sub * fpf // subframes))  # ceil: inside the named sub-frame


# --- feet+frames: film footage counted from the start mark --------------------------------

class Gauge(enum.Enum):
    """A film gauge, by how feet+frames count it."""

    MM35 = "35mm"  # 16 frames a foot
    MM16 = "16mm"  # 40 frames a foot

    @property
    def frames_per_foot(self) -> int:
        return 16 if self is Gauge.MM35 else 40

    @classmethod
    def parse(cls, text: str) -> Gauge:
        """``35mm``, ``35 mm`` or ``35``."""
        key = text.lower().replace(" ", "")
        try:
            return cls(key if key.endswith("mm") else key + "mm")
        except ValueError:
            raise TimecodeError(f"'{text}' is not a film gauge; use 35mm (16 frames a foot) "
                                f"or 16mm (40 frames a foot)") from None


def _gauge_name(gauge: Gauge | str) -> str:
    return gauge.value if isinstance(gauge, Gauge) else gauge


def _per_foot(gauge: Gauge | str) -> int:
    return (gauge if isinstance(gauge, Gauge) else Gauge.parse(gauge)).frames_per_foot


def format_feet(frame: int, gauge: Gauge | str = Gauge.MM35) -> str:
    """Feet+frames of a frame count: 88 frames of 35 mm is ``5+08``; negative is ``-5+08``."""
    feet, frames = divmod(abs(frame), _per_foot(gauge))
    return f"{'-' if frame < 0 else ''}{feet}+{frames:02d}"


_FEET = re.compile(r"^\s*(?P<sign>-)?\s*(?P<ft>\d+)\s*\+\s*(?P<fr>\d+)\s*$")


def parse_feet(text: str, gauge: Gauge | str = Gauge.MM35) -> Frames:
    """The frame count of feet+frames (``5+08`` is 88 frames of 35 mm)."""
    per = _per_foot(gauge)
    m = _FEET.match(text)
    if m is None:
        raise TimecodeError(f"'{text.strip()}' is not feet+frames; write e.g. 5+08")
    frames = int(m.group("fr"))
    if frames >= per:
        raise TimecodeError(f"{text.strip()}: a foot of {_gauge_name(gauge)} has {per} frames, "
                            f"so frames go from 00 to {per - 1}")
    total = int(m.group("ft")) * per + frames
    return Frames(-total if m.group("sign") else total)
