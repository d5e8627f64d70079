"""What to draw over the picture at a frame: scoring marks from the hits, and the texts.

Pure geometry in fractions of the picture, no Qt: the view scales it to pixels.

* **Streamer**: a vertical bar that wipes across the frame from the left edge to the right,
  over ``streamer_seconds`` (2 s by default), reaching the right edge on the hit's frame:
  ``x = (frame - (hit - length)) / length``, 0 (at the left edge) at the start, 1 (at the
  right edge) on the hit.
* **Punch**: a flash (a filled circle) on the hit's frame, held ``punch_frames`` frames.
* **Flutter**: a warning flicker in the last ``flutter_frames`` frames before the hit, on
  every other frame, ending two frames before the punch.

Which marks a hit gets, and its colour, depend on its kind (``KIND_STYLES``).
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass

from cuesketch.model.entities import Cue, Hit, HitKind, Settings
from cuesketch.timing.cues import cue_at
from cuesketch.timing.position import tempo_at
from cuesketch.timing.rates import FrameRate
from cuesketch.timing.timecode import format_timecode


@dataclass(frozen=True)
class KindStyle:
    color: str  # "#rrggbb": the kind's own (HitKind.color), as in the roll
    streamer: bool = True
    punch: bool = True
    flutter: bool = False


KIND_STYLES: dict[HitKind, KindStyle] = {
    HitKind.HARD: KindStyle(HitKind.HARD.color, flutter=True),  # the big sync points
    HitKind.SOFT: KindStyle(HitKind.SOFT.color),
    HitKind.CUT: KindStyle(HitKind.CUT.color),  # picture cuts
    HitKind.DIALOGUE: KindStyle(HitKind.DIALOGUE.color, punch=False),  # a line to play around
}


@dataclass(frozen=True)
class OverlayOptions:
    """Which overlays show, and how (the view's settings; the preferences hold the defaults)."""

    timecode: bool = True
    timecode_x: float = 0.5  # the burn-in box's centre, fractions of the picture
    timecode_y: float = 0.92
    timecode_size: float = 0.065  # text height, a fraction of the picture's height
    cue: bool = True  # the current cue's name and bar|beat, top left
    streamers: bool = True
    punches: bool = True
    flutters: bool = True
    streamer_seconds: float = 2.0
    streamer_width: float = 0.012  # the bar's width, a fraction of the picture's width
    punch_frames: int = 2
    punch_size: float = 0.35  # the flash's diameter, a fraction of the picture's height
    flutter_frames: int = 8


@dataclass(frozen=True)
class Streamer:
    hit: Hit
    x: float  # 0: the bar at the left edge (2 s before) .. 1: at the right edge (on the hit)
    color: str


@dataclass(frozen=True)
class Punch:
    hit: Hit
    strength: float  # 1 on the hit frame, fading over the frames it is held
    color: str


@dataclass(frozen=True)
class Flutter:
    hit: Hit
    color: str


Mark = Streamer | Punch | Flutter


def streamer_frames(rate: FrameRate, seconds: float) -> int:
    """A streamer's length in frames (48 at 24 fps for 2 s)."""
    return max(1, round(seconds * float(rate.fps)))


def streamer_x(frame: int, hit_frame: int, length: int) -> float | None:
    """Where a streamer for a hit at ``hit_frame`` stands at ``frame`` (None: not shown)."""
    start = hit_frame - length
    if not start <= frame <= hit_frame:
        return None
    return (frame - start) / length


class HitIndex:
    """The hits by frame, to find those whose marks show at a frame quickly."""

    def __init__(self, hits: Iterable[Hit]) -> None:
        self.hits = sorted(hits, key=lambda h: (h.frame, h.id))
        self.frames = [h.frame for h in self.hits]

    def between(self, first: int, last: int) -> list[Hit]:
        """Hits with ``first <= frame <= last``."""
        lo = bisect.bisect_left(self.frames, first)
        hi = bisect.bisect_right(self.frames, last)
        return self.hits[lo:hi]


def marks_at(frame: int, hits: HitIndex, rate: FrameRate,
             options: OverlayOptions = OverlayOptions()) -> list[Mark]:
    """The scoring marks showing at project frame ``frame``, streamers first."""
    length = streamer_frames(rate, options.streamer_seconds)
    reach = max(length, options.flutter_frames)
    marks: list[Mark] = []
    punches: list[Mark] = []
    for hit in hits.between(frame - options.punch_frames + 1, frame + reach):
        style = KIND_STYLES.get(hit.kind, KIND_STYLES[HitKind.HARD])
        ahead = hit.frame - frame  # frames until the hit
        if options.streamers and style.streamer:
            x = streamer_x(frame, hit.frame, length)
            if x is not None:
                marks.append(Streamer(hit, x, style.color))
        if options.flutters and style.flutter and 2 <= ahead <= options.flutter_frames \
                and ahead % 2 == 0:
            marks.append(Flutter(hit, style.color))
        if options.punches and style.punch and 0 <= -ahead < options.punch_frames:
            punches.append(Punch(hit, 1.0 - (-ahead) / options.punch_frames, style.color))
    return marks + punches


@dataclass(frozen=True)
class Shape:
    """How a mark is drawn, in pixels of a ``width`` x ``height`` picture: a filled box, a
    filled disc or a ring (``ring`` > 0: the pen's width), its colour and opacity. The window
    (``ui.picture_view``) paints it with QPainter, a preview movie (``media.preview_graph``)
    burns it in with ffmpeg: one drawing for both."""

    kind: str  # "box", "disc", "ring"
    x: float  # box: left, top, width, height; disc and ring: centre and radius (w = h = r)
    y: float
    w: float
    h: float
    color: str
    alpha: float
    ring: float = 0.0


def mark_shape(mark: Mark, width: float, height: float,
               options: OverlayOptions = OverlayOptions()) -> Shape:
    """Where and how a mark is drawn on a picture of this size."""
    if isinstance(mark, Streamer):
        # whole from the first frame (at the left edge) to the hit (at the right edge)
        bar = max(3.0, width * options.streamer_width)
        return Shape("box", mark.x * (width - bar), 0.0, bar, height, mark.color, 0.85)
    radius = height * options.punch_size / 2
    if isinstance(mark, Punch):
        return Shape("disc", width / 2, height / 2, radius, radius, mark.color,
                     0.7 * mark.strength)
    # flutter: the punch's outline flickers before it lands
    return Shape("ring", width / 2, height / 2, radius * 0.8, radius * 0.8, mark.color, 0.8,
                 max(2.0, radius * 0.12))


@dataclass(frozen=True)
class OverlayTexts:
    timecode: str
    cue: str  # "1M3 The Bunny", or "" outside cues
    bar_beat: str  # "12|3"


def texts_at(frame: int, settings: Settings, cues: Iterable[Cue]) -> OverlayTexts:
    """The timecode (as the transport bar shows it), the cue and its bar|beat at a frame."""
    rate = settings.rate
    flicks = rate.frame_to_flicks(frame)
    cues = list(cues)
    timecode = format_timecode(settings.start_frame + frame, rate)
    current = cue_at(cues, frame)
    label = "" if current is None else f"{current.name} {current.title}".strip()
    bbt = tempo_at(flicks, settings, cues).flicks_to_bbt(flicks)
    return OverlayTexts(timecode, label, f"{bbt.bar}|{bbt.beat}")
