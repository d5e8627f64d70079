"""What a preview movie holds, as plain values: which frames of the film, the burn-in texts,
the version, the watermark, the film's level, the loudness target and the container.

    options = PreviewOptions(cue="1M3", handles=2.0, watermark="For R. Smith")
    plan = plan_preview(project, film_facts, options, snapshot_names)
    plan.first_frame, plan.frame_count, plan.start_timecode, plan.metadata ...

Nothing here runs a process or reads a file: ``media.preview`` renders and encodes a plan,
``media.preview_graph`` turns one into ffmpeg's filters. Frames are project frames (from the
project start, at the project's rate); the film's frame ``f`` is project frame
``f + offset_frames``. A range is half-open: ``first_frame`` is in it, ``end_frame`` is not.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Literal

from cuesketch.engine.render import RenderError, find_cue
from cuesketch.engine.stem_plan import cue_version, safe_name
from cuesketch.model.entities import Cue
from cuesketch.model.project import Project
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.timecode import TimecodeError, format_timecode, parse_timecode

FORMATS = ("mp4", "mov")
LOUDNESS_TARGETS = (-23.0, -16.0)  # EBU R 128 broadcast; web and phone viewing
PRESETS = ("ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow")
MAX_HANDLES = 60.0
FILM_LEVEL_RANGE = (-60.0, 12.0)  # dB
MAX_TEXT = 200  # characters of a watermark or a label


class PreviewError(RuntimeError):
    """A preview that can't be made, in plain words (which film, which range, why)."""


class PreviewCancelled(PreviewError):
    pass


@dataclass(frozen=True)
class PreviewOptions:
    """The composer's choices (the command line's and the dialog's)."""

    cue: str | None = None  # a cue by name, with handles
    range_tc: tuple[str, str] | None = None  # project timecodes IN (shown) .. OUT (not shown)
    # neither: the whole film
    handles: float = 2.0  # seconds before and after a cue
    burn_in: bool = True  # timecode, cue, version, date, watermark drawn in the picture
    streamers: bool = False  # the hits' streamers, punches and flutters as the window draws
    watermark: str = ""  # the recipient ("For R. Smith")
    version: str = ""  # "v4"; empty: from the cue's latest snapshot, else v1
    film_level: float | None = -12.0  # dB under the sketch; None: without the film's sound
    loudness: float | None = -23.0  # LUFS, integrated (EBU R 128); None: as it comes
    format: Literal["mp4", "mov"] = "mp4"
    height: int | None = None  # the picture's height; None: the film's own
    preset: str = "veryfast"  # x264's speed/size trade
    crf: int = 20
    date: dt.date | None = None  # the date burned in (default: today)

    def check(self) -> None:
        if self.cue is not None and self.range_tc is not None:
            raise PreviewError("a preview is of a cue or of a range, not both")
        if not 0 <= self.handles <= MAX_HANDLES or math.isnan(self.handles):
            raise PreviewError(f"handles are 0 to {MAX_HANDLES:g} seconds, not {self.handles}")
        if self.film_level is not None and (
                math.isnan(self.film_level)
                or not FILM_LEVEL_RANGE[0] <= self.film_level <= FILM_LEVEL_RANGE[1]):
            raise PreviewError(f"the film's level is {FILM_LEVEL_RANGE[0]:g} to "
                               f"{FILM_LEVEL_RANGE[1]:g} dB, not {self.film_level}")
        if self.loudness is not None and (math.isnan(self.loudness)
                                          or not -40.0 <= self.loudness <= -10.0):
            raise PreviewError(f"the loudness target is -40 to -10 LUFS (-23 for broadcast, "
                               f"-16 for the web), not {self.loudness}")
        if self.format not in FORMATS:
            raise PreviewError(f"a preview is an .mp4 or a .mov, not .{self.format}")
        if self.height is not None and not 64 <= self.height <= 4320:
            raise PreviewError(f"the picture's height is 64 to 4320 pixels, not {self.height}")
        if self.preset not in PRESETS:
            raise PreviewError(f"the encoder's preset is one of {', '.join(PRESETS)}")
        if not 0 <= self.crf <= 51:
            raise PreviewError(f"the quality (CRF) is 0 to 51, not {self.crf}")
        for text in (self.watermark, self.version):
            if len(text) > MAX_TEXT:
                raise PreviewError(f"a label is at most {MAX_TEXT} characters")


@dataclass(frozen=True)
class FilmFacts:
    """What the plan needs to know of the film (from ``media.probe`` and the project)."""

    frame_count: int
    width: int
    height: int
    offset_frames: int = 0  # the film's first frame, in project frames
    has_sound: bool = True


@dataclass(frozen=True)
class CueSpan:
    """A cue's label shown over the output frames ``first .. last`` (inclusive, 0-based)."""

    first: int
    last: int
    text: str


@dataclass(frozen=True)
class PreviewPlan:
    options: PreviewOptions
    title: str  # the project's
    what: str  # "cue 1M3 (The Bunny)", "01:00:10:00 to 01:00:20:00", "the whole film"
    cue: Cue | None
    version: str
    first_frame: int  # project frames, half-open
    end_frame: int
    film_first: int  # the film's frame shown first
    fps: Fraction
    drop: bool
    start_timecode: str  # the first frame's, as the project counts it
    end_timecode: str  # the last frame's
    width: int  # the output picture
    height: int
    date: str  # "2026-12-06"
    soundfont: str
    cue_spans: tuple[CueSpan, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def frame_count(self) -> int:
        return self.end_frame - self.first_frame

    @property
    def seconds(self) -> float:
        return float(self.frame_count / self.fps)

    @property
    def film_end(self) -> int:
        return self.film_first + self.frame_count

    @property
    def top_line(self) -> str:
        """The burn-in's top-left line when no cue is current: the project's title."""
        return self.title

    @property
    def version_line(self) -> str:
        return f"{self.version}  SKETCH  {self.date}"

    @property
    def metadata(self) -> dict[str, str]:
        """The container's tags: QuickTime and ffprobe show them."""
        cue = self.cue.name if self.cue is not None else ""
        comment = (f"Cuesketch preview of {self.title}: {self.what}, {self.version}, "
                   f"from {self.start_timecode} at {rate_name(self.fps, self.drop)} fps")
        return {"title": f"{self.title} {cue} {self.version}".replace("  ", " ").strip(),
                "comment": comment, "description": comment, "date": self.date,
                "cuesketch_cue": cue, "cuesketch_cue_title": self.cue.title if self.cue else "",
                "cuesketch_version": self.version, "cuesketch_range": self.what,
                "cuesketch_start_timecode": self.start_timecode,
                "cuesketch_soundfont": self.soundfont,
                "cuesketch_film_level": "off" if self.options.film_level is None
                else f"{self.options.film_level:g} dB",
                "cuesketch_loudness_target": "off" if self.options.loudness is None
                else f"{self.options.loudness:g} LUFS"}


def rate_name(fps: Fraction, drop: bool) -> str:
    text = f"{float(fps):.3f}".rstrip("0").rstrip(".")
    return text + ("df" if drop else "")


def handles_frames(seconds: float, fps: Fraction) -> int:
    return round(Fraction(seconds) * fps)


def output_size(film_width: int, film_height: int, height: int | None) -> tuple[int, int]:
    """The picture's size: the film's, or shrunk to ``height`` (never enlarged), even numbers
    (yuv420p needs them)."""
    if height is None or height >= film_height:
        return film_width // 2 * 2, film_height // 2 * 2
    w = max(2, round(film_width * height / film_height / 2) * 2)
    return w, max(2, height // 2 * 2)


def default_name(plan_or_cue: str, version: str, fmt: str) -> str:
    """``1M3_v4.mp4``: the cue's name made safe for any file system."""
    return f"{safe_name(plan_or_cue)}_{safe_name(version)}.{fmt}"


def plan_preview(project: Project, film: FilmFacts, options: PreviewOptions,
                 snapshot_names: Iterable[str] = (), soundfont: str = "",
                 today: dt.date | None = None) -> PreviewPlan:
    """Which frames, what texts, what tags; PreviewError when the range is not in the film."""
    options.check()
    s = project.settings
    rate = s.rate
    film_first_project = film.offset_frames
    film_end_project = film.offset_frames + film.frame_count
    cue = None
    warnings: list[str] = []
    if options.cue is not None:
        try:
            cue = find_cue(project, options.cue)
        except RenderError as e:
            raise PreviewError(str(e)) from None
        what = f"cue {cue.name}" + (f" ({cue.title})" if cue.title else "")
        _inside(cue.start_frame, cue.end_frame, film_first_project, film_end_project,
                f"cue {cue.name}", s.start_frame, rate)
        hand = handles_frames(options.handles, rate.fps)
        first = max(film_first_project, cue.start_frame - hand)
        end = min(film_end_project, cue.end_frame + hand)
        if (first, end) != (cue.start_frame - hand, cue.end_frame + hand):
            warnings.append("the handles are cut short where the film starts or ends")
    elif options.range_tc is not None:
        try:
            first = parse_timecode(options.range_tc[0], rate) - s.start_frame
            end = parse_timecode(options.range_tc[1], rate) - s.start_frame
        except TimecodeError as e:
            raise PreviewError(str(e)) from None
        if end <= first:
            raise PreviewError(f"the range's out point ({options.range_tc[1].strip()}) must "
                               f"come after its in point ({options.range_tc[0].strip()})")
        what = (f"{format_timecode(s.start_frame + first, rate)} to "
                f"{format_timecode(s.start_frame + end, rate)}")
        _inside(first, end, film_first_project, film_end_project, "the range",
                s.start_frame, rate)
    else:
        first, end = film_first_project, film_end_project
        what = "the whole film"
    if cue is not None:
        version = cue_version(cue.name, snapshot_names, options.version)
    else:
        version = cue_version(s.title, (), options.version)
    width, height = output_size(film.width, film.height, options.height)
    spans = tuple(_cue_spans(project.cues.values(), first, end))
    date = (options.date or today or dt.date.today()).isoformat()
    return PreviewPlan(
        options=options, title=s.title, what=what, cue=cue, version=version,
        first_frame=first, end_frame=end, film_first=first - film.offset_frames,
        fps=rate.fps, drop=rate.drop,
        start_timecode=format_timecode(s.start_frame + first, rate),
        end_timecode=format_timecode(s.start_frame + end - 1, rate),
        width=width, height=height, date=date, soundfont=soundfont or "General MIDI (default)",
        cue_spans=spans, warnings=tuple(warnings))


def _inside(first: int, end: int, film_first: int, film_end: int, what: str,
            start_frame: int, rate: FrameRate) -> None:
    if first < film_first or end > film_end:
        raise PreviewError(
            f"{what} ({format_timecode(start_frame + first, rate)} to "
            f"{format_timecode(start_frame + end - 1, rate)}) is not all in the film, which "
            f"runs from {format_timecode(start_frame + film_first, rate)} to "
            f"{format_timecode(start_frame + film_end - 1, rate)}")


def _cue_spans(cues: Iterable[Cue], first: int, end: int) -> Iterable[CueSpan]:
    """Each cue's label over the output frames it covers (the window shows the cue under the
    playhead the same way: ``media.overlays.texts_at``)."""
    for cue in sorted(cues, key=lambda c: (c.start_frame, c.name)):
        lo, hi = max(first, cue.start_frame), min(end, cue.end_frame)
        if lo < hi:
            yield CueSpan(lo - first, hi - 1 - first, f"{cue.name} {cue.title}".strip())


__all__ = ["PreviewOptions", "PreviewPlan", "PreviewError", "PreviewCancelled", "FilmFacts",
           "CueSpan", "plan_preview", "output_size", "default_name", "FORMATS",
           "LOUDNESS_TARGETS", "PRESETS", "rate_name", "handles_frames"]
