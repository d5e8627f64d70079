"""`cuesketch new FILM --out PROJECT [--rate R] [--start TC]`: a project on a film, as File ›
New from Film makes it: the film's rate (or ``--rate``), a start at 01:00:00:00 (or
``--start``), the film placed by its embedded timecode, the starter tracks."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cuesketch.cli import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="make a project on a film",
                       description=(__doc__ or "").replace("`", ""))
    p.add_argument("film", type=Path, help="the film (any file ffmpeg reads)")
    p.add_argument("--out", type=Path, required=True, metavar="PROJECT",
                   help="the .cuesketch file to make (it must not exist)")
    p.add_argument("--rate", help="frame rate (default: the film's): 23.976, 24, 25, 29.97df, "
                                  "29.97, 30, 50, 59.94df, 59.94, 60")
    p.add_argument("--start", metavar="TC", help="the project start timecode (default "
                                                 "01:00:00:00)")
    p.add_argument("--no-tracks", action="store_true", help="start with no tracks")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from cuesketch.media.probe import MediaError, probe
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    from cuesketch.timing.rates import RateError, parse_rate
    from cuesketch.timing.timecode import TimecodeError, parse_timecode, format_timecode
    from cuesketch.media.new_project import new_project

    out: Path = args.out
    if out.exists():
        raise UserError(f"{out} exists already; choose another name")
    if out.suffix != ".cuesketch":
        raise UserError(f"a project file ends in .cuesketch, not {out.suffix or 'nothing'}")
    try:
        rate = parse_rate(args.rate) if args.rate else None
    except RateError as e:
        raise UserError(str(e)) from None
    try:
        info = probe(args.film)
    except MediaError as e:
        raise UserError(str(e)) from None
    rate = rate or info.rate
    try:
        start = parse_timecode(args.start, rate) if args.start else None
    except TimecodeError as e:
        raise UserError(str(e)) from None
    try:
        project = new_project(info, out.resolve(), start, rate, not args.no_tracks)
        ProjectFile.write_new(out, project)
    except ProjectFileError as e:
        raise UserError(str(e)) from None
    for warning in info.warnings:
        print(f"cuesketch: note: {warning}", file=sys.stderr)
    s = project.settings
    print(f"{out}: {info.name} at {s.rate.name} fps, starting "
          f"{format_timecode(s.start_frame, s.rate)}, {len(project.tracks)} tracks",
          file=sys.stderr)
    return 0
