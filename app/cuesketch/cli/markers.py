"""`cuesketch import-markers FILE --into PROJECT` and `cuesketch export-markers PROJECT --out
FILE`: markers from the cutting room in, the spotting out for the editor.

Import reads CMX 3600 EDL locators, Resolve marker EDLs, Avid and Premiere marker text, Pro
Tools session info, OTIO and CSV files (the format from the file, or ``--format``); ``--as``
says what a marker becomes when no rule of ``--rules`` says (hits, by colour; cues; notes).
It prints the plan; ``--dry-run`` stops there. What lands is one undo step, and a file imported
twice adds nothing the second time. A file that fails half-way lands nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cuesketch.cli import UserError

MAX_RULES_BYTES = 1 << 20


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("import-markers", help="bring an editor's markers into a project",
                       description=(__doc__ or "").replace("`", ""),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("file", type=Path, help="the marker file (.edl, .txt, .csv, .otio)")
    p.add_argument("--into", type=Path, required=True, metavar="PROJECT")
    p.add_argument("--as", dest="as_what", choices=("hits", "cues", "notes"), default="hits",
                   help="what a marker becomes when no rule says (default: hits, by colour)")
    p.add_argument("--rules", type=Path, metavar="RULES",
                   help="a rules file: 'color red -> hit hard', 'prefix CUE -> cue', ...")
    p.add_argument("--format", choices=("edl", "avid", "premiere", "protools", "otio", "csv"),
                   help="the file's format (default: from the file)")
    p.add_argument("--columns", metavar="MAP",
                   help="CSV columns: tc=Record In,name=Marker,color=Colour,note=Comment")
    p.add_argument("--file-rate", metavar="RATE",
                   help="the file's frame rate when it is not the project's")
    p.add_argument("--file-start", metavar="TC",
                   help="the file's start timecode when it is not the project's")
    p.add_argument("--dry-run", action="store_true", help="show the plan, change nothing")
    p.set_defaults(run=run_import)

    p = sub.add_parser("export-markers", help="write a project's hits and cues as markers",
                       description="Write the hits, cues, no-music ranges and notes as markers "
                                   "for the editor.")
    p.add_argument("project", type=Path)
    p.add_argument("--out", type=Path, required=True, metavar="FILE")
    p.add_argument("--format", choices=("edl", "avid", "csv", "otio"),
                   help="default: from the file's suffix (.edl, .txt, .csv, .otio)")
    p.set_defaults(run=run_export)


def run_import(args: argparse.Namespace) -> int:
    from cuesketch.formats.markers_common import MarkerFormatError
    from cuesketch.formats.markers_io import plan_file
    from cuesketch.formats.markers_text import parse_columns
    from cuesketch.model.document import Document
    from cuesketch.model.markers_rules import RulesError, land, parse_rules
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    from cuesketch.timing.rates import RateError, parse_rate

    try:
        rules = parse_rules(_read_rules(args.rules)) if args.rules else []
        columns = parse_columns(args.columns) if args.columns else None
        file_rate = parse_rate(args.file_rate) if args.file_rate else None
    except (RulesError, MarkerFormatError, RateError) as e:
        raise UserError(str(e)) from None
    if not args.into.exists():
        raise UserError(f"there is no project {args.into}; make one with 'cuesketch new FILM "
                        f"--out {args.into}'")
    try:
        with ProjectFile.open(args.into, read_only=args.dry_run) as pf:
            if pf.read_only and not args.dry_run:
                raise UserError(f"can't change {args.into}: {pf.reason or 'it is read-only'}")
            project = pf.load()
            try:
                imp = plan_file(project, args.file, args.as_what, rules, args.format, columns,
                                file_rate, args.file_start)
            except MarkerFormatError as e:
                raise UserError(f"{args.file.name}: {e}; nothing was imported") from None
            for row in imp.plan.rows:
                if row.problem:
                    print(f"cuesketch: note: line {row.marker.line}: {row.problem}",
                          file=sys.stderr)
            summary = imp.plan.summary()
            if args.dry_run:
                print(f"{args.file.name} ({imp.file.format}, {len(imp.file.markers)} markers) "
                      f"would add {summary}", file=sys.stderr)
                return 0
            document = Document(project, sink=pf)
            land(document, imp.plan, f"Import markers from {args.file.name}")
    except ProjectFileError as e:
        raise UserError(str(e)) from None
    print(f"{args.file.name} ({imp.file.format}, {len(imp.file.markers)} markers): added "
          f"{summary} to {args.into}", file=sys.stderr)
    return 0


def _read_rules(path: Path) -> str:
    try:
        data = path.read_bytes()[:MAX_RULES_BYTES + 1]
    except OSError as e:
        raise UserError(f"can't read the rules {path}: {e.strerror or e}") from None
    if len(data) > MAX_RULES_BYTES:
        raise UserError(f"{path} is too large for a rules file")
    return data.decode("utf-8", "replace")


def run_export(args: argparse.Namespace) -> int:
    from cuesketch.cli.common import open_project_or_fail
    from cuesketch.files import replacing
    from cuesketch.formats.markers_common import MarkerFormatError
    from cuesketch.formats.markers_io import SUFFIX, export_markers

    fmt = args.format or next((f for f, s in SUFFIX.items() if args.out.suffix.lower() == s),
                              None)
    if fmt is None:
        raise UserError(f"say --format edl, avid, csv or otio (the suffix "
                        f"{args.out.suffix or '(none)'} does not tell)")
    with open_project_or_fail(args.project) as project:
        try:
            text = export_markers(project, fmt)
        except MarkerFormatError as e:
            raise UserError(str(e)) from None
    with replacing(args.out, UserError) as tmp:
        tmp.write_text(text, encoding="utf-8", newline="")
    count = len(project.hits) + len(project.cues)
    print(f"{args.out}: {count} hits and cues as {fmt}", file=sys.stderr)
    return 0
