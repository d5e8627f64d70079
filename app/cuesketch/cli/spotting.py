"""`cuesketch detect-cuts PROJECT`, `cuesketch spotting PROJECT --out notes.pdf|.csv|.html`
and `cuesketch cue-sheet PROJECT --out sheet.csv|.pdf`.

detect-cuts finds the scene cuts in the project's film and lists them; ``--apply`` adds them
as cut hits (one undo step; a frame with a cut hit already gets none). The spotting notes show
a picture per cue at its start (PDF and HTML). The cue sheet's writers and publishers are kept
in the project: ``--composer "Name,SOCIETY,50"`` (share in percent) and ``--publisher`` set them.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cuesketch.cli import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("detect-cuts", help="find the scene cuts in the project's film",
                       description=(__doc__ or "").replace("`", ""),
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("project", type=Path)
    p.add_argument("--sensitivity", type=int, default=50, metavar="N",
                   help="1 (only the plainest cuts) to 100 (every change); default 50")
    p.add_argument("--apply", action="store_true", help="add the cuts as cut hits")
    p.set_defaults(run=run_detect)

    p = sub.add_parser("spotting", help="print the spotting notes (PDF, CSV or HTML)")
    p.add_argument("project", type=Path)
    p.add_argument("--out", type=Path, required=True, metavar="FILE",
                   help="notes.pdf, notes.csv or notes.html")
    p.add_argument("--no-pictures", action="store_true", help="no picture per cue")
    p.set_defaults(run=run_spotting)

    p = sub.add_parser("cue-sheet", help="write the music cue sheet (CSV or PDF)")
    p.add_argument("project", type=Path)
    p.add_argument("--out", type=Path, required=True, metavar="FILE",
                   help="sheet.csv or sheet.pdf")
    p.add_argument("--composer", action="append", default=[], metavar="NAME,SOCIETY,SHARE",
                   help="a composer (repeat for each); replaces those kept in the project")
    p.add_argument("--publisher", action="append", default=[], metavar="NAME,SOCIETY,SHARE",
                   help="a publisher (repeat for each); replaces those kept in the project")
    p.set_defaults(run=run_cue_sheet)


def _film(project_path: Path, project: object) -> Path:
    from cuesketch.model.project import Project
    from cuesketch.store.relink import film_path

    assert isinstance(project, Project)
    media = project.settings.media
    if media is None:
        raise UserError(f"{project_path.name} has no film; make the project with "
                        f"'cuesketch new FILM --out {project_path.name}'")
    film = film_path(project_path, media)
    if not film.is_file():
        raise UserError(f"the film {film} is not there; relink it in the window")
    return film


def run_detect(args: argparse.Namespace) -> int:
    from cuesketch.media.cut_detect import CutDetectError, cut_hit_changes, detect_cuts
    from cuesketch.media.probe import MediaError, probe
    from cuesketch.model.document import Document
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    from cuesketch.timing.timecode import format_timecode

    if not 1 <= args.sensitivity <= 100:
        raise UserError(f"the sensitivity goes from 1 to 100, not {args.sensitivity}")
    try:
        with ProjectFile.open(args.project, read_only=not args.apply) as pf:
            if args.apply and pf.read_only:
                raise UserError(f"can't change {args.project}: {pf.reason or 'read-only'}")
            project = pf.load()
            film = _film(args.project, project)
            try:
                info = probe(film, check_decode=False)
                last = [-1.0]

                def progress(p: float) -> None:
                    if sys.stderr.isatty() and p - last[0] >= 0.01:
                        last[0] = p
                        print(f"\rfinding cuts: {p:4.0%}", end="", file=sys.stderr)

                cuts = detect_cuts(film, args.sensitivity, info.frame_count, progress)
                if sys.stderr.isatty():
                    print("", file=sys.stderr)
            except (CutDetectError, MediaError) as e:
                raise UserError(str(e)) from None
            s = project.settings
            offset = s.media.offset_frames if s.media else 0
            for c in cuts:
                print(f"{format_timecode(s.start_frame + offset + c.frame, s.rate)}\t"
                      f"{offset + c.frame}\t{c.score:.1f}")
            if args.apply:
                changes = cut_hit_changes(project, [c.frame for c in cuts], offset)
                document = Document(project, sink=pf)
                if changes:
                    with document.transaction("Add detected cuts"):
                        document.execute_changes(changes)
                print(f"{len(cuts)} cuts found, {len(changes)} added as cut hits",
                      file=sys.stderr)
            else:
                print(f"{len(cuts)} cuts found (--apply adds them as cut hits)",
                      file=sys.stderr)
    except ProjectFileError as e:
        raise UserError(str(e)) from None
    return 0


def run_spotting(args: argparse.Namespace) -> int:
    from cuesketch.cli.common import open_project_or_fail
    from cuesketch.media.spotting_frames import frames_at
    from cuesketch.ui.spotting_print import PrintError, write_spotting

    with open_project_or_fail(args.project) as project:
        pictures = None
        if not args.no_pictures and project.settings.media is not None \
                and args.out.suffix.lower() != ".csv":
            film = _film(args.project, project)
            pictures = lambda frames: frames_at(film, frames)  # noqa: E731
        try:
            what = write_spotting(project, args.out, pictures, _versions(args.project, project))
        except PrintError as e:
            raise UserError(str(e)) from None
    print(f"{args.out}: {what}", file=sys.stderr)
    return 0


def _versions(path: Path, project: object) -> dict[str, int]:
    from cuesketch.model.project import Project
    from cuesketch.model.spotting_numbers import versions_of
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    from cuesketch.store.snapshots import list_snapshots

    assert isinstance(project, Project)
    try:
        with ProjectFile.open(path, read_only=True) as pf:
            names = [s.name for s in list_snapshots(pf)]
    except ProjectFileError:
        return {}
    return {c.name: versions_of(c.name, names) for c in project.cues.values()}


def _people(role: str, specs: list[str]) -> list[tuple[str, str, int]]:
    out = []
    for spec in specs:
        parts = [p.strip() for p in spec.split(",")]
        if not parts[0] or len(parts) > 3:
            raise UserError(f"a {role} is NAME,SOCIETY,SHARE (e.g. 'Ann Lee,PRS,50'), "
                            f"not {spec!r}")
        share = 100.0
        if len(parts) == 3 and parts[2]:
            try:
                share = float(parts[2].rstrip("%"))
            except ValueError:
                raise UserError(f"the share of {parts[0]} is a percentage, not "
                                f"{parts[2]!r}") from None
        if not 0 <= share <= 100:
            raise UserError(f"the share of {parts[0]} must be 0 to 100 %, not {share:g}")
        out.append((parts[0], parts[1] if len(parts) > 1 else "", round(share * 100)))
    return out


def run_cue_sheet(args: argparse.Namespace) -> int:
    from cuesketch.cli.common import open_project_or_fail
    from cuesketch.model.document import Document
    from cuesketch.model.spotting_sheet import RightsError, rights_changes
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    from cuesketch.ui.spotting_print import PrintError, write_cue_sheet

    roles = {"composer": _people("composer", args.composer),
             "publisher": _people("publisher", args.publisher)}
    if any(roles.values()):
        try:
            with ProjectFile.open(args.project) as pf:
                if pf.read_only:
                    raise UserError(f"can't change {args.project}: {pf.reason or 'read-only'}")
                document = Document(pf.load(), sink=pf)
                changes = rights_changes(
                    document.project,
                    [(role, n, soc, share) for role, people in roles.items()
                     for n, soc, share in people],
                    [role for role, people in roles.items() if people])
                with document.transaction("Set the cue sheet's writers and publishers"):
                    document.execute_changes(changes)
        except (ProjectFileError, RightsError) as e:
            raise UserError(str(e)) from None
    with open_project_or_fail(args.project) as project:
        try:
            what = write_cue_sheet(project, args.out)
        except PrintError as e:
            raise UserError(str(e)) from None
    print(f"{args.out}: {what}", file=sys.stderr)
    return 0
