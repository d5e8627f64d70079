"""What every marker reader gives and how it lands in a project.

A reader turns a file into a ``MarkerFile``: markers at absolute frame counts (since
00:00:00:00) at the file's rate, with the line each came from, and the file's start timecode
when it says one. ``to_project`` then places them on the project's frames: at the same frame
rate a frame count is the same frame whatever the counting (drop or not); at another rate a
marker must fall exactly on a project frame (the time since each one's start), or the whole
file is refused with the first marker that does not, never shifted in silence. A timecode
names the same picture frame in any file; only when the user gives the file's start timecode
is its timeline laid from the project start (a file whose markers all fall before the project
start is refused with that hint).

Untrusted files: at most ``MAX_BYTES`` read, ``MAX_MARKERS`` markers, ``MAX_TEXT`` characters
of a name or note; a malformed line stops the whole file with its line number and what was
expected there, so nothing lands from a file that fails half-way.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from cuesketch.model.entities import Settings
from cuesketch.model.markers_rules import SpottedMarker
from cuesketch.timing.rates import STANDARD_RATES, FrameRate
from cuesketch.timing.timecode import Timecode, TimecodeError, format_timecode

MAX_BYTES = 16 << 20
MAX_MARKERS = 100_000
MAX_TEXT = 2_000
MAX_LINE = 4_096  # characters of a line: checked before any pattern reads it


class MarkerFormatError(ValueError):
    """A marker file that can't be read, with where and what was expected."""

    def __init__(self, message: str, line: int | None = None) -> None:
        # line 0 is no line: a message about something else names it itself
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line


@dataclass(frozen=True)
class RawMarker:
    frame: int  # absolute frame count at the file's rate (timecode 00:00:00:00 is 0)
    name: str = ""
    color: str = ""  # lower case: "red", "cyan"...
    note: str = ""
    length: int = 0  # frames at the file's rate
    line: int = 0


@dataclass
class MarkerFile:
    format: str  # "CMX 3600 EDL", "Avid marker text", ...
    rate: FrameRate
    markers: list[RawMarker] = field(default_factory=list)
    start: int | None = None  # the file's own start timecode as a frame count, if it says
    # the counting is settled (by an EDL's FCM line or the first label read): a later label
    # in the other counting is refused rather than read 108 frames an hour off
    counting_fixed: bool = False

    def frame(self, label: str, line: int) -> int:
        """The absolute frame a label names in this file's counting. A ``;`` label at 29.97
        or 59.94 counts drop-frame; the first label read settles the file's counting and
        ``rate`` says it from then on."""
        label = label.strip()
        if ";" in label and not self.rate.drop and can_drop(self.rate):
            if self.counting_fixed:
                raise MarkerFormatError(
                    f"{label[:20]} is drop-frame timecode (';') but the file counts "
                    f"non-drop-frame (its header or its other timecodes say so); a file counts one "
                    f"way throughout", line)
            self.rate = FrameRate(self.rate.fps, True)
        frame = timecode_frame(label, self.rate, line)
        self.counting_fixed = True
        return frame

    def add(self, marker: RawMarker) -> None:
        if len(self.markers) >= MAX_MARKERS:
            raise MarkerFormatError(f"more than {MAX_MARKERS} markers; split the file",
                                    marker.line)
        self.markers.append(marker)


def read_bytes(path: Path) -> bytes:
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise MarkerFormatError(f"there is no file {path}") from None
    except OSError as e:
        raise MarkerFormatError(f"can't read {path.name}: {e.strerror or e}") from None
    if len(data) > MAX_BYTES:
        raise MarkerFormatError(f"{path.name} is larger than {MAX_BYTES >> 20} MB; "
                                f"a marker list is never that big")
    return data


def decode(data: bytes) -> str:
    """Text from UTF-8 or UTF-16 (with its BOM, as Premiere writes), else Latin-1."""
    if len(data) > MAX_BYTES:
        raise MarkerFormatError(f"more than {MAX_BYTES >> 20} MB of text")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as e:
            raise MarkerFormatError(f"the file says UTF-16 but byte {e.start} is not") from None
    if data.startswith(codecs.BOM_UTF8):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def lines_of(body: str) -> list[str]:
    """The lines of a marker file; a line longer than ``MAX_LINE`` refuses the file (no
    marker list has one, and every pattern after this reads bounded lines)."""
    lines = body.splitlines()
    for number, line in enumerate(lines, 1):
        if len(line) > MAX_LINE:
            raise MarkerFormatError(f"the line is longer than {MAX_LINE} characters; this is "
                                    f"not a marker list", number)
    return lines


def text(value: str, what: str, line: int) -> str:
    value = value.strip()
    if len(value) > MAX_TEXT:
        raise MarkerFormatError(f"the {what} is longer than {MAX_TEXT} characters", line)
    return "".join(ch for ch in value if ch.isprintable() or ch == "\t")


def can_drop(rate: FrameRate) -> bool:
    """29.97 and 59.94 can count drop-frame."""
    return rate.nominal in (30, 60) and rate.fps.denominator == 1001


def timecode_frame(label: str, rate: FrameRate, line: int, what: str = "") -> int:
    """The absolute frame a label names at ``rate`` (in its counting); ``what`` names the
    label where it is not on a line of the file."""
    label = label.strip()
    try:
        return int(Timecode.parse(label, rate).to_frame(rate))
    except (TimecodeError, ValueError, OverflowError) as e:
        raise MarkerFormatError(f"{what + ': ' if what else ''}expected a timecode "
                                f"(HH:MM:SS:FF) — {e}", line) from None


def whole(value: str, what: str, line: int, lo: int = 0, hi: int = 10**12) -> int:
    value = value.strip()
    if not (value.isascii() and value.isdecimal()) or len(value) > 13 \
            or not lo <= int(value) <= hi:
        raise MarkerFormatError(f"expected {what} as a whole number from {lo}, not "
                                f"{value[:20]!r}", line)
    return int(value)


COLORS = ("red", "green", "blue", "cyan", "magenta", "yellow", "black", "white", "orange",
          "purple", "pink", "fuchsia", "rose", "lavender", "sky", "mint", "lemon", "sand",
          "cocoa", "cream")


def color_word(value: str) -> str:
    """A colour as one lower-case word ("ResolveColorRed" and "RED" are "red")."""
    v = value.strip().lower()
    if v.startswith("resolvecolor"):
        v = v[len("resolvecolor"):]
    return v[:40]


# -- landing on the project's frames --------------------------------------------------------------
def start_label(settings: Settings) -> str:
    return format_timecode(settings.start_frame, settings.rate)


def _label_at(settings: Settings, rate: FrameRate) -> int:
    """The frame the project's start label names in a file counting at ``rate``."""
    t = Timecode.from_frame(settings.start_frame, settings.rate)
    return int(Timecode(t.hours, t.minutes, t.seconds, t.frames, rate.drop).to_frame(rate))


def to_project(mf: MarkerFile, settings: Settings, file_start: str | None = None
               ) -> list[SpottedMarker]:
    """The markers on the project's frames (from the project start); raises
    MarkerFormatError naming the first marker that would not land exactly on a frame."""
    rate, prate = mf.rate, settings.rate
    same = rate == prate  # the same fps *and* counting
    if file_start is not None:  # the user says: the file's timeline starts where ours does
        start = timecode_frame(file_start, rate, 0, "the file's start timecode")
    elif same:
        start = settings.start_frame
    else:  # the project's start label, read in the file's fps and counting
        try:
            start = _label_at(settings, rate)
        except (MarkerFormatError, TimecodeError):
            raise MarkerFormatError(
                f"the project starts at {start_label(settings)}, which does not exist at "
                f"{rate.name} fps; give the file's start timecode") from None
    if mf.markers and all(m.frame < start for m in mf.markers):
        stated = (f"the file's timeline starts at {format_timecode(mf.start, rate)}. "
                  if mf.start is not None and mf.start != start else "")
        raise MarkerFormatError(
            f"every marker is before the project start {start_label(settings)}: {stated}"
            f"If the file's timeline starts where the project does, import with the file's "
            f"start timecode (say {format_timecode(min(m.frame for m in mf.markers), rate)} "
            f"or 00:00:00:00); nothing was imported")
    out: list[SpottedMarker] = []
    for m in mf.markers:
        rel = m.frame - start
        if rate.fps == prate.fps:
            frame, length = rel, m.length
        else:
            exact = Fraction(rel) * prate.fps / rate.fps
            if exact.denominator != 1:
                label = format_timecode(m.frame, rate)
                raise MarkerFormatError(
                    f"the marker at {label} ({rate.name} fps) falls between two frames at the "
                    f"project's {prate.name} fps ({float(exact):.3f} frames from its start); "
                    f"nothing was imported. Convert the markers in the editing system, or "
                    f"import them into a project at {rate.name} fps", m.line or None)
            frame = int(exact)
            length = round(Fraction(m.length) * prate.fps / rate.fps)
        out.append(SpottedMarker(frame, m.name, m.color, m.note, length, m.line))
    return out


def rate_for(name: str) -> FrameRate:
    return STANDARD_RATES[name]  # type: ignore[index]
