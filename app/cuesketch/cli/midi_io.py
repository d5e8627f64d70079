"""`cuesketch import-midi FILE --into PROJECT` and `cuesketch export-midi PROJECT --out FILE`.

Import makes PROJECT when it does not exist (its rate and start from the file's SMPTE offset);
into an existing project the file lands at ``--at`` (a timecode), else at its SMPTE offset,
else at the project start, as one undo step.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cuesketch.cli import UserError
from cuesketch.cli.common import open_project_or_fail


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import-midi", help="bring a Standard MIDI File into a project",
                       description="Read a Standard MIDI File (type 0 or 1) into a project: "
                                   "a new one when PROJECT does not exist.")
    p.add_argument("file", type=Path, help="the .mid file")
    p.add_argument("--into", type=Path, required=True, metavar="PROJECT",
                   help="the project (made when it does not exist)")
    p.add_argument("--at", metavar="TIMECODE",
                   help="where the file starts in an existing project (default: its SMPTE "
                        "offset, else the project start)")
    p.add_argument("--tempo", action="store_true",
                   help="replace an existing project's tempo map by the file's")
    p.set_defaults(run=run_import)
    p = sub.add_parser("export-midi", help="write a project as a Standard MIDI File",
                       description="Write a type 1 MIDI file: a track per project track, the "
                                   "tempo map, the SMPTE offset of the project start, cues "
                                   "and hits as markers.")
    p.add_argument("project", type=Path)
    p.add_argument("--out", type=Path, required=True, metavar="FILE", help="the .mid to write")
    p.set_defaults(run=run_export)


def run_import(args: argparse.Namespace) -> int:
    from cuesketch.formats import smf
    from cuesketch.model.document import Document
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    from cuesketch.timing.timecode import TimecodeError, parse_position

    try:
        imp = smf.read(args.file)
    except smf.MidiFileError as e:
        raise UserError(str(e)) from None
    for warning in imp.warnings:
        print(f"cuesketch: note: {warning}", file=sys.stderr)
    try:
        if not args.into.exists():
            if args.at is not None or args.tempo:
                raise UserError("--at and --tempo are for an existing project; a new one "
                                "takes the file's start and tempo")
            project = smf.new_project(imp)
            ProjectFile.write_new(args.into, project)
            what = "made"
        else:
            with ProjectFile.open(args.into) as pf:
                if pf.read_only:
                    raise UserError(f"can't change {args.into}: {pf.reason or 'it is read-only'}")
                project = pf.load()
                at = None
                if args.at is not None:
                    s = project.settings
                    try:
                        at = parse_position(args.at, s.rate, s.start_frame)
                    except TimecodeError as e:
                        raise UserError(str(e)) from None
                document = Document(project, sink=pf)
                smf.import_into(document, imp, at, use_tempo=args.tempo)
            what = "imported into"
    except ProjectFileError as e:
        raise UserError(str(e)) from None
    notes = sum(len(t.notes) for t in imp.tracks)
    print(f"{args.file.name}: {len(imp.tracks)} tracks, {notes} notes, {len(imp.markers)} "
          f"markers {what} {args.into}", file=sys.stderr)
    return 0


def run_export(args: argparse.Namespace) -> int:
    from cuesketch.formats import smf

    with open_project_or_fail(args.project, read_only=True) as project:
        try:
            smf.write(project, args.out)
        except smf.MidiFileError as e:
            raise UserError(str(e)) from None
    print(f"{args.out}: {len(project.tracks)} tracks, {len(project.notes)} notes",
          file=sys.stderr)
    return 0
