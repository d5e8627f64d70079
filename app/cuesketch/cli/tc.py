"""`cuesketch tc VALUE`: convert between timecode, frames, seconds, feet+frames, samples and
bars|beats at any frame rate.

The value's kind is read from its form: ``01:00:10;00`` timecode (``.37`` after it: sub-frames),
``5+08`` feet+frames, ``12.5s`` seconds, ``3|2|480`` bars|beats|ticks, a bare integer frames
(``--from samples`` reads it as samples). Frames, seconds, feet, samples and bars count from
``--start`` (the project start timecode); timecode is absolute. Seconds and samples are
rounded up, so that they read back inside the same frame; a bar|beat shows the frame nearest
to it. A negative value other than a frame count goes after ``--``, options first:
``cuesketch tc --to frames -- -2.5s``.
"""

from __future__ import annotations

import argparse
import re
from fractions import Fraction

from cuesketch.cli import UserError
from cuesketch.timing.rates import FrameRate, RateError, parse_rate
from cuesketch.timing.tempo import BarBeatTick, TempoError, TempoMap, click_to_bpm
from cuesketch.timing.timecode import (
    TimecodeError,
    format_feet,
    format_position,
    format_timecode,
    frames_per_day,
    parse_feet,
    parse_position,
    parse_timecode,
)
from cuesketch.timing.units import FLICKS_PER_SECOND, flicks_to_samples, samples_to_flicks

KINDS = ("timecode", "frames", "seconds", "feet", "samples", "bars")

_TIMECODE = re.compile(r"^\s*\d+[:;.]\d+[:;.]\d+[:;.]\d+(\.\d+)?\s*$")
_FRAMES = re.compile(r"^\s*-?\d+\s*$")
_SECONDS = re.compile(r"^\s*(-?(\d+(\.\d*)?|\.\d+))\s*s(ec(onds?)?)?\s*$", re.IGNORECASE)
_SAMPLES = re.compile(r"^\s*(-?\d+)\s*(smp|samples?)?\s*$", re.IGNORECASE)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "tc", help="convert between timecode, frames, seconds, feet+frames, samples and bars",
        description=(__doc__ or "").replace("``", ""), formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("value", help="01:00:10;00, 1798 (frames), 12.5s, 5+08 (feet), 3|2|480 (bars)")
    p.add_argument("--rate", help="frame rate: 23.976, 24, 25, 29.97df, 29.97, 30, 47.952, 48, "
                                  "50, 59.94df, 59.94, 60 (default 24)")
    p.add_argument("--start", default="00:00:00:00",
                   help="the project start timecode; frames, seconds, feet, samples and bars "
                        "count from it (default 00:00:00:00)")
    p.add_argument("--to", choices=(*KINDS, "all"), default="all",
                   help="what to print (default: all)")
    p.add_argument("--from", dest="kind", choices=KINDS,
                   help="read VALUE as this (when its form does not say, e.g. samples)")
    p.add_argument("--tempo", help="tempo for bars|beats: bpm (120, 117.5) or a frame click "
                                   "at the rate (12-2)")
    p.add_argument("--meter", default="4/4", help="meter for bars|beats (default 4/4)")
    p.add_argument("--gauge", default="35mm", choices=("35mm", "16mm"),
                   help="film gauge for feet+frames (default 35mm, 16 frames a foot)")
    p.add_argument("--sample-rate", type=int, default=48000, help="samples a second (48000)")
    p.add_argument("--subframes", type=int, choices=(80, 100),
                   help="show the position inside the frame in 80ths or 100ths")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    try:
        conv = _Converter(args)
        position = conv.read(args.value, args.kind)
        forms = KINDS if args.to == "all" else (args.to,)
        lines = [(kind, conv.write(position, kind)) for kind in forms
                 if not (kind == "bars" and args.to == "all" and conv.tempo is None)]
    except (TimecodeError, TempoError, RateError) as e:
        raise UserError(str(e)) from None
    if args.to != "all":
        print(lines[0][1])
    else:
        for kind, text in lines:
            print(f"{kind:<9} {text}")
    return 0


class _Converter:
    """Reads and writes one position: flicks from the project start."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        if args.rate is None and ";" in args.value:
            raise UserError(f"{args.value} is drop-frame timecode: give its rate, "
                            f"--rate 29.97df or --rate 59.94df")
        self.rate: FrameRate = parse_rate(args.rate or "24")
        self.start_frame = parse_timecode(args.start, self.rate)
        if args.sample_rate <= 0:
            raise UserError(f"a sample rate must be above 0, not {args.sample_rate}")
        self.tempo = self._tempo_map(args.tempo, args.meter) if args.tempo else None
        # A beat rarely starts on a frame: frame forms show the frame nearest to it, as hits
        # are placed, rather than the one showing at that instant.
        self.nearest_frame = False

    def _tempo_map(self, tempo: str, meter: str) -> TempoMap:
        text = tempo.strip()
        if re.fullmatch(r"\d+\s*-\s*\d+", text):
            bpm = click_to_bpm(text, self.rate)
        else:
            try:
                bpm = Fraction(text)
            except (ValueError, ZeroDivisionError):
                raise UserError(f"'{tempo}' is not a tempo; give bpm (120) or a frame "
                                f"click (12-2)") from None
            if bpm <= 0:
                raise UserError(f"a tempo must be above 0 bpm, not {tempo}")
        m = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", meter)
        if m is None:
            raise UserError(f"'{meter}' is not a meter; write e.g. 4/4 or 6/8")
        return TempoMap.constant(bpm, int(m.group(1)), int(m.group(2)))

    def _need_tempo(self) -> TempoMap:
        if self.tempo is None:
            raise UserError("bars|beats need a tempo: add --tempo 120 (or a click, --tempo 12-2)")
        return self.tempo

    def read(self, text: str, kind: str | None) -> int:
        kind = kind or _kind_of(text)
        self.nearest_frame = kind == "bars"
        fpf = self.rate.flicks_per_frame
        if kind == "timecode":
            return parse_position(text, self.rate, self.start_frame, self.args.subframes or 100)
        if kind == "frames":
            if not _FRAMES.match(text):
                raise UserError(f"'{text}' is not a frame count")
            return int(text) * fpf
        if kind == "seconds":
            m = _SECONDS.match(text) or _SECONDS.match(text + "s")
            if m is None:
                raise UserError(f"'{text}' is not a number of seconds; write e.g. 12.5s")
            return round(Fraction(m.group(1)) * FLICKS_PER_SECOND)
        if kind == "feet":
            return parse_feet(text, self.args.gauge) * fpf
        if kind == "samples":
            m = _SAMPLES.match(text)
            if m is None:
                raise UserError(f"'{text}' is not a number of samples")
            return samples_to_flicks(int(m.group(1)), self.args.sample_rate)
        return self._need_tempo().bbt_to_flicks(BarBeatTick.parse(text))

    def write(self, position: int, kind: str) -> str:
        rate = self.rate
        frame = rate.nearest_frame(position) if self.nearest_frame else rate.flicks_to_frame(position)
        if kind == "timecode":
            absolute = self.start_frame + frame
            day = frames_per_day(self.rate)
            if not -day <= absolute < day:
                raise UserError(
                    f"{self.args.value} is past 24 hours of timecode at {self.rate} fps "
                    f"(frame {absolute} counting from 00:00:00:00; a day has {day} frames)")
            subframes = self.args.subframes
            if subframes:
                return format_position(position, self.rate, self.start_frame, subframes)
            return format_timecode(absolute, self.rate)
        if kind == "frames":
            return str(frame)
        if kind == "seconds":
            return _seconds(position)
        if kind == "feet":
            return format_feet(frame, self.args.gauge)
        if kind == "samples":  # rounded up, like seconds, so that it reads back
            return str(-flicks_to_samples(-position, self.args.sample_rate))
        return str(self._need_tempo().flicks_to_bbt(position))


def _kind_of(text: str) -> str:
    if "|" in text:
        return "bars"
    if _TIMECODE.match(text):
        return "timecode"
    if "+" in text:
        return "feet"
    if _FRAMES.match(text):
        return "frames"
    if text.strip().lower().endswith(("smp", "sample", "samples")):
        return "samples"
    if _SECONDS.match(text):
        return "seconds"
    if ":" in text or ";" in text:
        return "timecode"  # malformed: let the timecode parser say what is wrong
    raise UserError(f"'{text}' is not a timecode (01:00:00:00), frame count (1798), "
                    f"seconds (12.5s), feet+frames (5+08) or bars|beats|ticks (3|2|480)")


def _seconds(flicks: int) -> str:
    """Seconds to the microsecond, rounded up so that reading it back lands in the same frame."""
    micro = -(-flicks * 1_000_000 // FLICKS_PER_SECOND)
    whole, frac = divmod(abs(micro), 1_000_000)
    sign = "-" if micro < 0 else ""
    return f"{sign}{whole}.{frac:06d}".rstrip("0").rstrip(".") + "s"
