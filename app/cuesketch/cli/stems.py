"""`cuesketch stems PROJECT --out DIR (--cue 1M3 | --all) [--handles 2s] [--click] [--mix]
[--bits 24] [--rate 48000] [--jobs N] [--version v5]`: the delivery to the music editor.

One folder per cue in DIR with a time-stamped Broadcast WAV per stem section (1M3_v4_STR.wav
...), the mix and the click if asked, the cue's MIDI file, and DIR/manifest.csv and .json.
See ``engine.stems`` for what each file holds.
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
from pathlib import Path

from cuesketch.cli import UserError
from cuesketch.cli.common import open_project_or_fail

_HANDLES = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|f|sec|frames?)?\s*$", re.IGNORECASE)


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("stems", help="render a cue's stems for the music editor",
                       description="Render time-stamped Broadcast WAV stems, one per section "
                                   "(strings, brass, ...), per cue, with a manifest and the "
                                   "cue's MIDI file. The stems of a cue sum to its mix.")
    p.add_argument("project", type=Path)
    p.add_argument("--out", type=Path, required=True, metavar="DIR",
                   help="the folder to write in (a folder per cue is made in it)")
    which = p.add_mutually_exclusive_group(required=True)
    which.add_argument("--cue", action="append", metavar="NAME",
                       help="a cue to deliver (e.g. 1M3); again for more")
    which.add_argument("--all", action="store_true", help="every cue of the project")
    p.add_argument("--handles", default="2s", metavar="TIME",
                   help="before the cue's start and after its end: seconds (2s) or frames "
                        "(48f) (default 2s)")
    p.add_argument("--click", action="store_true", help="a CLICK file too")
    p.add_argument("--mix", action="store_true", help="a MIX file too (rendered on its own)")
    p.add_argument("--bits", type=int, choices=(16, 24, 32), default=24,
                   help="16 or 24-bit PCM, or 32-bit float (default 24)")
    p.add_argument("--rate", type=int, choices=(44100, 48000, 96000), default=48000,
                   help="sample rate (default 48000)")
    p.add_argument("--jobs", type=int, default=0, metavar="N",
                   help="processes rendering at once (default: one per core)")
    p.add_argument("--version", dest="version_label", default="", metavar="LABEL",
                   help="the version in the names (v5); default: from the cue's latest "
                        "snapshot (\"1M3 v4 ...\"), else v1")
    p.add_argument("--soundfont", type=Path, metavar="SF2",
                   help="the SoundFont (default: the project's, else General MIDI)")
    p.set_defaults(run=run)


def parse_handles(text: str, fps: float) -> float:
    m = _HANDLES.match(text)
    if not m:
        raise UserError(f"--handles takes seconds (2s) or frames (48f), not {text!r}")
    value = float(m.group(1))
    unit = (m.group(2) or "s").lower()
    return value / fps if unit.startswith("f") else value


def run(args: argparse.Namespace) -> int:
    from cuesketch.engine.stems import StemError, StemOptions, export_stems, plan_stems
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    from cuesketch.store.snapshots import list_snapshots

    if args.jobs < 0:
        raise UserError("--jobs takes a number of processes, 0 for one per core")
    with open_project_or_fail(args.project, read_only=True) as project:
        try:
            with ProjectFile.open(args.project, read_only=True) as pf:
                snapshots = [s.name for s in list_snapshots(pf)]
        except ProjectFileError:
            snapshots = []
        handles = parse_handles(args.handles, float(project.settings.rate.fps))
        soundfont = str(args.soundfont or project.settings.soundfont or "default")
        if args.soundfont is not None and not args.soundfont.is_file():
            raise UserError(f"there is no SoundFont {args.soundfont}")
        options = StemOptions(handles=handles, click=args.click, mix=args.mix, bits=args.bits,
                              sample_rate=args.rate, jobs=args.jobs,
                              version=args.version_label, soundfont=soundfont)
        cancel = threading.Event()
        shown: dict[str, int] = {}

        def progress(cue: str, fraction: float) -> None:
            step = int(fraction * 10)
            if shown.get(cue, -1) != step and sys.stderr.isatty():
                shown[cue] = step
                print(f"\r{cue}: {int(fraction * 100):3d} %", end="", file=sys.stderr)

        try:
            plans = plan_stems(project, args.out, None if args.all else args.cue, options,
                               snapshots)
            report = export_stems(project, args.out, plans, options, progress, cancel)
        except StemError as e:
            raise UserError(str(e)) from None
        except KeyboardInterrupt:
            cancel.set()
            raise
    if sys.stderr.isatty():
        print(file=sys.stderr)
    files = sum(1 for r in report.rows if r.stem != "MIDI")
    silent = [r.file for r in report.rows if r.note.startswith("silent")]
    print(f"{files} files for {', '.join(report.cues)} in {report.folder} "
          f"({report.seconds:.1f} s); manifest.csv and manifest.json list them",
          file=sys.stderr)
    if silent:
        print(f"cuesketch: note: {len(silent)} silent (their sections play nothing in the "
              f"cue): {', '.join(silent)}", file=sys.stderr)
    for name, count in report.clipped.items():
        print(f"cuesketch: warning: {name}: {count} samples were above full scale and were "
              "clipped; lower the tracks' volumes or use --bits 32", file=sys.stderr)
    return 0
