"""`cuesketch export-json PROJECT [--out FILE]` and `cuesketch import-json FILE --out PROJECT`.

The JSON form is readable and diffable (see ``store.json_file``); a round trip gives back the
same project. Exporting a damaged project writes what could be read, and says what was lost.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cuesketch.cli import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("export-json", help="write a project as readable, diffable JSON",
                       description="Write a project as JSON: one note a line, sorted, so that "
                                   "two exports diff line by line.")
    p.add_argument("project", type=Path)
    p.add_argument("--out", type=Path, metavar="FILE",
                   help="where to write it (default: print it)")
    p.set_defaults(run=run_export)
    p = sub.add_parser("import-json", help="make a project from a JSON export",
                       description="Make a new project file from a JSON export.")
    p.add_argument("file", type=Path, help="the JSON export")
    p.add_argument("--out", type=Path, metavar="PROJECT", required=True,
                   help="the project file to make (.cuesketch)")
    p.add_argument("--force", action="store_true", help="replace PROJECT if it exists")
    p.set_defaults(run=run_import)


def run_export(args: argparse.Namespace) -> int:
    from cuesketch.store.codec import FormatError
    from cuesketch.store.json_file import dumps, write_json
    from cuesketch.store.project_file import ProjectFile, ProjectFileError

    try:
        pf = ProjectFile.open(args.project, read_only=True)
        try:
            project = pf.load()
            damaged, problems = pf.damaged, pf.problems
        finally:
            pf.close()
    except ProjectFileError as e:
        raise UserError(str(e)) from None
    if damaged:
        lost = "; ".join(problems) or "nothing that could be seen"
        print(f"cuesketch: warning: {args.project} is damaged; exporting what could be read "
              f"(lost: {lost})", file=sys.stderr)
    if args.out is None or str(args.out) == "-":
        sys.stdout.write(dumps(project))
        return 0
    try:
        write_json(project, args.out)
    except FormatError as e:
        raise UserError(str(e)) from None
    return 0


def run_import(args: argparse.Namespace) -> int:
    from cuesketch.store.codec import FormatError
    from cuesketch.store.json_file import read_json
    from cuesketch.store.project_file import ProjectFile, ProjectFileError

    try:
        project = read_json(args.file)
    except FormatError as e:
        raise UserError(str(e)) from None
    if args.out.exists() and not args.force:
        raise UserError(f"{args.out} exists already; choose another name, or add --force "
                        f"to replace it")
    try:
        ProjectFile.write_new(args.out, project, overwrite=args.force)
    except ProjectFileError as e:
        raise UserError(str(e)) from None
    print(f"{args.out}: {len(project.tracks)} tracks, {len(project.notes)} notes",
          file=sys.stderr)
    return 0
