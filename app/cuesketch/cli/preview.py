"""`cuesketch preview PROJECT --out 1M3_v4.mp4 (--cue 1M3 | --range IN OUT | --all)
[--handles 2s] [--film-level -12 | --no-film-sound] [--watermark "For R. Smith"] [--no-burn-in]
[--streamers] [--format mp4|mov] [--loudness -23|-16|off] [--version-label v4] [--height 720]`:
the preview movie a composer sends the director.

The original film (not the proxy) cut to the cue with handles, or to a range, or whole, with
the sketch mixed over the film's own sound and normalized to a loudness target, the project's
timecode, the cue, the version, the date and a watermark burned in, H.264 and AAC, and a
timecode track. See ``media.preview``. The movie appears only when it is whole.
"""

from __future__ import annotations

import argparse
import math
import sys
import threading
from pathlib import Path
from typing import Literal, cast

from cuesketch.cli import UserError
from cuesketch.cli.common import open_project_or_fail


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("preview", help="make a preview movie: the sketch over the film",
                       description="Write a preview movie for the director: the original "
                                   "film cut to a cue (with handles), a range or whole, the "
                                   "sketch mixed in, the timecode, cue, version, date and a "
                                   "watermark burned in.")
    p.add_argument("project", type=Path)
    p.add_argument("--out", type=Path, required=True, metavar="MOVIE",
                   help="the movie to write (.mp4 or .mov)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--cue", metavar="NAME", help="a cue (e.g. 1M3), with its handles")
    which.add_argument("--range", nargs=2, metavar=("IN", "OUT"),
                       help="project timecodes: the first frame shown, and the frame after "
                            "the last (e.g. 01:02:00:00 01:03:10:00)")
    which.add_argument("--all", action="store_true", help="the whole film")
    p.add_argument("--handles", default="2s", metavar="TIME",
                   help="before and after a cue: seconds (2s) or frames (48f) (default 2s)")
    level = p.add_mutually_exclusive_group()
    level.add_argument("--film-level", type=float, default=-12.0, metavar="DB",
                       help="the film's own sound under the sketch, in dB (default -12)")
    level.add_argument("--no-film-sound", action="store_true",
                       help="the sketch alone, without the film's sound")
    p.add_argument("--watermark", default="", metavar="TEXT",
                   help='burned in large, e.g. "For R. Smith"')
    p.add_argument("--no-burn-in", action="store_true",
                   help="a clean picture: no timecode, cue, version, date or watermark")
    p.add_argument("--streamers", action="store_true",
                   help="burn in the hits' streamers and punches, as the window draws them")
    p.add_argument("--format", choices=("mp4", "mov"),
                   help="the container (default: from --out's name, else mp4)")
    p.add_argument("--loudness", default="-23", metavar="LUFS",
                   help="integrated loudness target: -23 (EBU R 128, default), -16 (web), "
                        "or off")
    p.add_argument("--version-label", default="", metavar="LABEL",
                   help="the version burned in and tagged (v4); default: from the cue's "
                        "latest snapshot (\"1M3 v4 ...\"), else v1")
    p.add_argument("--height", type=int, metavar="PIXELS",
                   help="a smaller picture (e.g. 720); default: the film's size")
    p.add_argument("--preset", default="veryfast",
                   help="x264's preset: ultrafast ... slow (default veryfast)")
    p.add_argument("--soundfont", type=Path, metavar="SF2",
                   help="the SoundFont (default: the project's, else General MIDI)")
    p.set_defaults(run=run)


def loudness_target(text: str) -> float | None:
    if text.strip().lower() in ("off", "none", "no"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise UserError(f"--loudness takes LUFS (-23, -16) or off, not {text!r}") from None
    if math.isnan(value):
        raise UserError("--loudness takes LUFS (-23, -16) or off")
    return value


def output_format(out: Path, chosen: str | None) -> tuple[Path, Literal["mp4", "mov"]]:
    suffix = out.suffix.lower().lstrip(".")
    if chosen is None:
        chosen = suffix if suffix in ("mp4", "mov") else "mp4"
    if suffix not in ("mp4", "mov"):
        out = out.with_name(out.name + f".{chosen}")
    elif suffix != chosen:
        raise UserError(f"{out.name} is named .{suffix} but --format says {chosen}; "
                        "make them agree")
    return out, cast(Literal["mp4", "mov"], chosen)


def run(args: argparse.Namespace) -> int:
    from cuesketch.cli.stems import parse_handles
    from cuesketch.media.preview import (PreviewCancelled, PreviewError, PreviewOptions,
                                         Progress, export_preview, locate_film, plan_for)
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    from cuesketch.store.snapshots import list_snapshots

    out, fmt = output_format(args.out, args.format)
    with open_project_or_fail(args.project, read_only=True) as project:
        try:
            with ProjectFile.open(args.project, read_only=True) as pf:
                snapshots = [s.name for s in list_snapshots(pf)]
        except ProjectFileError:
            snapshots = []
        if args.soundfont is not None and not args.soundfont.is_file():
            raise UserError(f"there is no SoundFont {args.soundfont}")
        soundfont = str(args.soundfont or project.settings.soundfont or "default")
        options = PreviewOptions(
            cue=args.cue, range_tc=tuple(args.range) if args.range else None,
            handles=parse_handles(args.handles, float(project.settings.rate.fps)),
            burn_in=not args.no_burn_in, streamers=args.streamers,
            watermark=args.watermark.strip(), version=args.version_label,
            film_level=None if args.no_film_sound else args.film_level,
            loudness=loudness_target(args.loudness), format=fmt, height=args.height,
            preset=args.preset)
        cancel = threading.Event()
        shown = [-1]

        def progress(p: Progress) -> None:
            step = int(p.fraction * 100)
            if step != shown[0] and sys.stderr.isatty():
                shown[0] = step
                left = "" if p.seconds_left is None else \
                    f", {int(p.seconds_left // 60)}:{int(p.seconds_left % 60):02d} left"
                print(f"\r{out.name}: {step:3d} % ({p.phase}{left})   ", end="",
                      file=sys.stderr)

        try:
            film = locate_film(args.project, project.settings)
            plan = plan_for(project, film, options, snapshots,
                            "" if soundfont == "default" else Path(soundfont).name)
            result = export_preview(project, film, plan, out, soundfont=soundfont,
                                    progress=progress, cancel=cancel)
        except PreviewCancelled as e:
            raise UserError(str(e)) from None
        except PreviewError as e:
            raise UserError(str(e)) from None
        except KeyboardInterrupt:
            cancel.set()
            raise
    if sys.stderr.isatty():
        print(file=sys.stderr)
    plan = result.plan
    loud = "" if result.loudness is None else f", {result.loudness:.1f} LUFS"
    print(f"{result.path}: {plan.what}, {plan.version}, {plan.frame_count} frames from "
          f"{plan.start_timecode} to {plan.end_timecode}, {plan.width}x{plan.height}"
          f"{loud}, {result.size / 1e6:.1f} MB in {result.seconds:.1f} s", file=sys.stderr)
    for warning in plan.warnings:
        print(f"cuesketch: note: {warning}", file=sys.stderr)
    return 0
