"""A preview plan as ffmpeg's filters and the encoding command: the cut, the size, the burn-in
(timecode, cue, version and date, watermark) and the marks of the hits.

The cut is made on decoded frames (``trim`` at half a frame before the first frame and before
the end: whatever the container's rounding, exactly those frames), after ffmpeg opened the
film a second before (``film_seek``) with its own time stamps kept (``-copyts``). The
timecode is ffmpeg's ``drawtext`` counting from the first frame's timecode at the film's rate,
drop-frame when the label has ``;``. Every text the user typed is read from a file
(``textfile``), never parsed as filter syntax.

Streamers, punches and flutters come from the window's own code: ``media.overlays.marks_at``
says which show at each frame and ``mark_shape`` where and how; here each run of a mark
becomes an ``overlay`` of its shape (a coloured bar, a disc, a ring drawn once) whose place
follows the shape frame by frame (a streamer moves linearly: its x is an exact expression in
the frame number).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from cuesketch.engine.preview_mix import METER, film_seek, seconds_text
from cuesketch.media.overlays import (HitIndex, OverlayOptions, Shape, mark_shape, marks_at,
                                      Streamer, Punch)
from cuesketch.media.preview_plan import PreviewPlan
from cuesketch.model.entities import Hit
from cuesketch.timing.rates import FrameRate

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
MONO = FONT_DIR / "DejaVuSansMono-Bold.ttf"
SANS = FONT_DIR / "DejaVuSans-Bold.ttf"
BOX = "black@0.82"  # the window's burn-in box: black at 210/255


def font_option(path: Path, family: str) -> str:
    """``fontfile=`` when the font is where Debian puts it, else fontconfig's name."""
    if path.is_file() and all(c.isalnum() or c in "/._-" for c in str(path)):
        return f"fontfile={path}"
    return f"font='{family}'"


def _safe_path(path: Path) -> str:
    text = str(path)
    if not all(c.isalnum() or c in "/._-" for c in text):
        raise ValueError(f"a filter's file path must be plain: {text}")
    return text


def trim_times(plan: PreviewPlan, video_start: Fraction) -> tuple[Fraction, Fraction]:
    """The instants between frames where the cut is made: half a frame before the first
    frame and half a frame before the frame after the last."""
    half = Fraction(1, 2)
    return (video_start + (plan.film_first - half) / plan.fps,
            video_start + (plan.film_end - half) / plan.fps)


def film_start(plan: PreviewPlan, video_start: Fraction) -> Fraction:
    """The instant the first frame starts, on the film's time line (the sound's cut)."""
    return video_start + Fraction(plan.film_first) / plan.fps


def escaped_timecode(tc: str) -> str:
    return "'" + tc.replace(":", "\\:").replace(";", "\\;") + "'"


@dataclass(frozen=True)
class TextFiles:
    """The burn-in's texts, written where the filters read them (``write_texts``)."""

    version: Path
    watermark: Path | None
    cues: tuple[Path, ...]  # one per plan.cue_spans
    title: Path


def write_texts(plan: PreviewPlan, folder: Path) -> TextFiles:
    def put(name: str, text: str) -> Path:
        path = folder / name
        path.write_text(text.replace("\r", " ").replace("\n", " "), encoding="utf-8")
        return path

    cues = tuple(put(f"cue{i}.txt", span.text) for i, span in enumerate(plan.cue_spans))
    watermark = plan.options.watermark.strip()
    return TextFiles(put("version.txt", plan.version_line),
                     put("watermark.txt", watermark) if watermark else None, cues,
                     put("title.txt", plan.top_line))


def burn_in_filters(plan: PreviewPlan, texts: TextFiles,
                    overlay: OverlayOptions = OverlayOptions()) -> list[str]:
    """drawtext filters: the timecode (as the window's burn-in: bottom centre, white on a
    black box), the cue (top left; the project's title between cues), version, SKETCH and
    date (top right), the watermark (large, translucent, lower middle)."""
    h = plan.height
    mono, sans = font_option(MONO, "DejaVu Sans Mono"), font_option(SANS, "DejaVu Sans")
    tc_size = max(10, round(h * overlay.timecode_size))
    pad = max(2, tc_size // 4)
    rate = f"{plan.fps.numerator}/{plan.fps.denominator}"
    out = [f"drawtext={mono}:timecode={escaped_timecode(plan.start_timecode)}:"
           f"timecode_rate={rate}:fontsize={tc_size}:fontcolor=white:box=1:boxcolor={BOX}:"
           f"boxborderw={pad}:x=w*{overlay.timecode_x:.3f}-tw/2:"
           f"y=h*{overlay.timecode_y:.3f}-th/2"]
    small = max(8, round(h * 0.045))
    spans = plan.cue_spans
    common = f"{sans}:fontsize={small}:fontcolor=white:box=1:boxcolor={BOX}:" \
             f"boxborderw={max(2, small // 4)}:expansion=none"
    for span, path in zip(spans, texts.cues):
        out.append(f"drawtext={common}:textfile={_safe_path(path)}:x=w*0.02:y=h*0.03:"
                   f"enable='between(n,{span.first},{span.last})'")
    for between in _gaps(spans, plan.frame_count):
        out.append(f"drawtext={common}:textfile={_safe_path(texts.title)}:x=w*0.02:y=h*0.03:"
                   f"enable='{between}'")
    out.append(f"drawtext={common}:textfile={_safe_path(texts.version)}:x=w*0.98-tw:"
               f"y=h*0.03")
    if texts.watermark is not None:
        big = max(10, round(h * 0.07))
        out.append(f"drawtext={sans}:fontsize={big}:fontcolor=white@0.5:shadowcolor=black@0.5:"
                   f"shadowx=2:shadowy=2:expansion=none:textfile={_safe_path(texts.watermark)}"
                   f":x=(w-tw)/2:y=h*0.72-th/2")
    return out


def _gaps(spans: Iterable[object], count: int) -> list[str]:
    """ffmpeg expressions, together true on the frames no cue covers (none when the cues
    cover all); each a sum of at most LANE_RUNS terms, as ffmpeg stops near 100."""
    covered = [(s.first, s.last) for s in spans]  # type: ignore[attr-defined]
    if not covered:
        return ["1"]
    gaps, at = [], 0
    for first, last in covered:
        if first > at:
            gaps.append((at, first - 1))
        at = max(at, last + 1)
    if at < count:
        gaps.append((at, count - 1))
    return ["+".join(f"between(n,{a},{b})" for a, b in gaps[i:i + LANE_RUNS])
            for i in range(0, len(gaps), LANE_RUNS)]


# -- the marks of the hits -----------------------------------------------------------------------

@dataclass(frozen=True)
class MarkRun:
    """One mark over consecutive output frames, its shape at the first and the last."""

    first: int
    last: int
    start: Shape
    end: Shape

    def x_expression(self) -> str:
        """The left (box) or the left of the bounding square (disc, ring), per frame ``n``:
        exact for a streamer, which moves the same distance every frame."""
        x0, x1 = _left(self.start), _left(self.end)
        if self.last == self.first or x0 == x1:
            return f"{x0:.4f}"
        step = (x1 - x0) / (self.last - self.first)
        return f"{x0:.4f}+(n-{self.first})*{step:.6f}"


def _left(shape: Shape) -> float:
    return shape.x if shape.kind == "box" else shape.x - shape.w - shape.ring / 2


def _top(shape: Shape) -> float:
    return shape.y if shape.kind == "box" else shape.y - shape.h - shape.ring / 2


def mark_runs(hits: Iterable[Hit], rate: FrameRate, first_frame: int, count: int,
              width: int, height: int,
              options: OverlayOptions = OverlayOptions()) -> list[MarkRun]:
    """The marks over output frames ``0 .. count-1`` (project frame ``first_frame + n``), as
    runs of one mark with the same look (a streamer's bar moves; a punch's disc and a
    flutter's ring stand)."""
    index = HitIndex(hits)
    length = max(options.flutter_frames, round(options.streamer_seconds * float(rate.fps)))
    frames: set[int] = set()
    for hit in index.between(first_frame - options.punch_frames, first_frame + count + length):
        lo = max(0, hit.frame - first_frame - length)
        hi = min(count - 1, hit.frame - first_frame + options.punch_frames)
        frames.update(range(lo, hi + 1))
    open_runs: dict[tuple[object, ...], list[tuple[int, Shape]]] = {}
    runs: list[MarkRun] = []
    for n in sorted(frames):
        for mark in marks_at(first_frame + n, index, rate, options):
            shape = mark_shape(mark, width, height, options)
            kind = "streamer" if isinstance(mark, Streamer) else \
                "punch" if isinstance(mark, Punch) else "flutter"
            key = (kind, mark.hit.id, shape.alpha if kind != "streamer" else 0.0)
            run = open_runs.get(key)
            if run is not None and run[-1][0] == n - 1:
                run.append((n, shape))
            else:
                if run is not None:
                    runs.append(MarkRun(run[0][0], run[-1][0], run[0][1], run[-1][1]))
                open_runs[key] = [(n, shape)]
    for run in open_runs.values():
        runs.append(MarkRun(run[0][0], run[-1][0], run[0][1], run[-1][1]))
    return sorted(runs, key=lambda r: (r.first, r.start.kind))


def _source(shape: Shape, fps: Fraction) -> str:
    """A one-frame picture of the shape (overlay repeats it)."""
    r, g, b = (int(shape.color[i:i + 2], 16) for i in (1, 3, 5))
    a = round(255 * shape.alpha)
    if shape.kind == "box":
        w, h = max(1, round(shape.w)), max(1, round(shape.h))
        return f"color=c=0x{shape.color[1:]}:s={w}x{h}:r=1:d=1,format=rgba," \
               f"colorchannelmixer=aa={shape.alpha:.3f}"
    side = max(2, round(2 * shape.w + shape.ring + 2))
    c = side / 2
    if shape.kind == "disc":
        inside = f"lte(hypot(X+0.5-{c:.2f},Y+0.5-{c:.2f}),{shape.w:.2f})"
    else:
        inside = f"lte(abs(hypot(X+0.5-{c:.2f},Y+0.5-{c:.2f})-{shape.w:.2f}),{shape.ring / 2:.2f})"
    return (f"color=c=black:s={side}x{side}:r=1:d=1,format=rgba,"
            f"geq=r={r}:g={g}:b={b}:a='{a}*{inside}'")


LANE_RUNS = 40  # ffmpeg evaluates a sum of fewer than 100 terms: a lane's runs stay well under


def lanes(runs: list[MarkRun]) -> list[list[MarkRun]]:
    """Runs of one look shared out among as few overlays as can draw them: a lane takes a run
    that starts after its last one ended (two streamers a second apart need two lanes; a
    feature's hundreds of hits still need only a few overlays)."""
    out: list[list[MarkRun]] = []
    for run in sorted(runs, key=lambda r: r.first):
        lane = next((lane for lane in out
                     if lane[-1].last < run.first and len(lane) < LANE_RUNS), None)
        if lane is None:
            out.append([run])
        else:
            lane.append(run)
    return out


def lane_x(lane: list[MarkRun]) -> str:
    """The lane's x at frame ``n``: the run showing then (a sum over its runs, one nonzero)."""
    if len(lane) == 1:
        return lane[0].x_expression()
    return "+".join(f"between(n,{r.first},{r.last})*({r.x_expression()})" for r in lane)


def lane_enable(lane: list[MarkRun]) -> str:
    return "+".join(f"between(n,{r.first},{r.last})" for r in lane)


def mark_filters(runs: list[MarkRun], fps: Fraction, first_label: str = "v0",
                 ) -> tuple[list[str], str]:
    """Filter chains overlaying the runs on ``[first_label]``; returns them and the label of
    the result. Runs with the same look share its picture (split) and their overlays
    (``lanes``)."""
    chains: list[str] = []
    looks: dict[tuple[object, ...], list[MarkRun]] = {}
    for run in runs:
        s = run.start
        key: tuple[object, ...] = (s.kind, round(s.w), round(s.h), s.color,
                                   round(s.alpha, 3), round(s.ring, 2))
        looks.setdefault(key, []).append(run)
    current = first_label
    count = 0
    for j, members in enumerate(looks.values()):
        shared = lanes(members)
        source = _source(members[0].start, fps)
        if len(shared) == 1:
            chains.append(f"{source}[m{j}]")
            labels = [f"m{j}"]
        else:
            labels = [f"m{j}_{k}" for k in range(len(shared))]
            chains.append(f"{source},split={len(shared)}" + "".join(f"[{x}]" for x in labels))
        y = _top(members[0].start)
        for lane, label in zip(shared, labels):
            nxt = f"o{count}"
            count += 1
            chains.append(f"[{current}][{label}]overlay=x='{lane_x(lane)}':y={y:.2f}:"
                          f"eof_action=repeat:repeatlast=1:enable='{lane_enable(lane)}'"
                          f"[{nxt}]")
            current = nxt
    return chains, current


# -- the command ---------------------------------------------------------------------------------

def video_graph(plan: PreviewPlan, video_start: Fraction, texts: TextFiles | None,
                runs: list[MarkRun], film_width: int, film_height: int,
                overlay: OverlayOptions = OverlayOptions()) -> str:
    """The filter graph from the film's picture ``[0:v:0]`` to ``[v]``; the burn-in laid
    out as ``overlay`` says (the window's own overlay options)."""
    t0, t1 = trim_times(plan, video_start)
    head = [f"trim=start={seconds_text(t0)}:end={seconds_text(t1)}", "setpts=PTS-STARTPTS"]
    if (plan.width, plan.height) != (film_width, film_height):
        # area averaging: no aliasing when shrinking, and cheaper than bicubic
        head.append(f"scale={plan.width}:{plan.height}:flags=area")
    head += ["setsar=1", "format=yuv420p"]
    chains = [f"[0:v:0]{','.join(head)}[v0]"]
    current = "v0"
    if runs:
        more, current = mark_filters(runs, plan.fps, current)
        chains += more
    if texts is not None:
        chains.append(f"[{current}]{','.join(burn_in_filters(plan, texts, overlay))}[v]")
    else:
        chains.append(f"[{current}]null[v]")
    return ";".join(chains)


def encode_command(plan: PreviewPlan, film: Path, video_start: Fraction, graph_script: Path,
                   mix: Path | None, audio_filter: str, out: Path) -> list[str]:
    """One ffmpeg run: the film's picture cut and drawn on, the mix, H.264 + AAC, the tags,
    the timecode track (tmcd) at the first frame's timecode; progress on stdout."""
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise FileNotFoundError("ffmpeg")
    o = plan.options
    cmd = [ffmpeg, "-hide_banner", "-nostdin", "-v", "info", "-nostats", "-progress",
           "pipe:1", "-y", "-copyts", "-noaccurate_seek", "-seek_timestamp", "1",
           "-ss", film_seek(video_start + Fraction(plan.film_first) / plan.fps),
           "-i", str(film)]
    if mix is not None:
        cmd += ["-i", str(mix)]
    cmd += ["-filter_complex_script", str(graph_script), "-map", "[v]"]
    if mix is not None:
        cmd += ["-map", "[a]"]
    cmd += ["-fps_mode", "passthrough", "-c:v", "libx264", "-preset", o.preset,
            "-crf", str(o.crf), "-pix_fmt", "yuv420p", "-profile:v", "high",
            "-g", str(max(1, round(2 * plan.fps))), "-tag:v", "avc1"]
    if mix is not None:
        cmd += ["-c:a", "aac", "-b:a", "192k", "-ar", "48000", "-ac", "2"]
    cmd += ["-map_metadata", "-1", "-map_chapters", "-1"]
    for key, value in plan.metadata.items():
        if value:
            cmd += ["-metadata", f"{key}={value}"]
    cmd += ["-timecode", plan.start_timecode,
            "-movflags", "+faststart+use_metadata_tags", "-f", o.format, str(out)]
    return cmd


def full_graph(video: str, mix: bool, audio_filter: str) -> str:
    """The picture's graph, and the mix's: its gain, and the meter on what is encoded (the
    movie's loudness, as reported)."""
    if not mix:
        return video
    return (video + f";[1:a]{audio_filter},asplit[a][meter];"
            f"[meter]{METER},anullsink")


__all__ = ["video_graph", "encode_command", "full_graph", "mark_runs", "mark_filters", "lanes",
           "lane_x", "lane_enable",
           "MarkRun", "burn_in_filters", "write_texts", "TextFiles", "trim_times",
           "film_start"]
