"""The command line: `cuesketch [PROJECT]` opens the window; subcommands need none.

Each subcommand lives in its own module here with ``add_parser(subparsers)`` and
``run(args) -> int``; add its name to SUBCOMMANDS. Exit status: 0 success, 1 failure,
2 usage error. A user's mistake is a message on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from cuesketch import __version__

# module name -> subcommand name
SUBCOMMANDS = {
    "info": "info",
    "tc": "tc",
    "json_io": "export-json, import-json",
    "render": "render",
    "midi_io": "import-midi, export-midi",
    "fit_tempo": "fit-tempo",
    "stems": "stems",
    "review": "review-pack, import-review",
    "new_project": "new",
    "markers": "import-markers, export-markers",
    "spotting": "detect-cuts, spotting, cue-sheet",
    "preview": "preview",
    "themes": "themes",
    "speech": "speech",
}


class UserError(Exception):
    """A mistake of the user's or a missing thing: printed in plain words, exit 1."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cuesketch",
        usage="cuesketch [--read-only] [PROJECT]\n       cuesketch COMMAND ...",
        description="Sketch film music against picture. With no command, opens the window "
                    "on PROJECT (a .cuesketch file), or on the demo at first start; "
                    "--read-only opens it without changing it.",
    )
    parser.add_argument("--version", action="version", version=f"cuesketch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module_name in SUBCOMMANDS:
        module = importlib.import_module(f"cuesketch.cli.{module_name}")
        module.add_parser(sub)
    return parser


def _gui_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cuesketch", add_help=False)
    parser.add_argument("project", nargs="?")
    parser.add_argument("--demo", action="store_true", help="open the demo project")
    parser.add_argument("--read-only", action="store_true",
                        help="open the project without changing it (a snapshot, a reference)")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    choices = parser._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    subcommand_names = set(choices or ())
    first = next((a for a in argv if not a.startswith("-")), None)
    if first not in subcommand_names and not {"-h", "--help", "--version"} & set(argv):
        gui_args, rest = _gui_parser().parse_known_args(argv)
        if rest:
            parser.error(f"unrecognized arguments: {' '.join(rest)}")
        from cuesketch.app import run_gui
        return run_gui(gui_args.project, demo=gui_args.demo, read_only=gui_args.read_only)
    args = parser.parse_args(argv)
    try:
        return int(args.run(args))
    except UserError as e:
        print(f"cuesketch: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
