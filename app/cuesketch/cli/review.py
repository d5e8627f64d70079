"""`cuesketch review-pack PROJECT --cues 1M3,1M5 --versions v3,v4 --for "R. Smith" --out X.cuereview
[--with-movie]` and `cuesketch import-review REPLY --into PROJECT`.

review-pack renders each cue version (a named snapshot, or ``current``) as the app plays it,
and writes one package the director opens with ``cuesketch X.cuereview``. import-review brings
the director's reply (``.cuereply``) into the project as one undo step: notes at their frames,
verdicts as the cues' status; importing the same reply twice changes nothing.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cuesketch.cli import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("review-pack", help="make a review package for the director",
                       description="Render cue versions (named snapshots, or 'current') and "
                                   "write one .cuereview package: the audio as you hear it, "
                                   "the notes and tempo map, the cues' spotting and hits, the "
                                   "film's identity, optionally a small preview movie.")
    p.add_argument("project", type=Path)
    p.add_argument("--cues", default="", metavar="1M3,1M5",
                   help="the cues to send (default: all)")
    p.add_argument("--versions", default="current", metavar="v3,v4",
                   help="the versions: snapshot names ('1M3 v3' or 'v3'), or 'current' "
                        "(default)")
    p.add_argument("--for", dest="made_for", required=True, metavar="NAME",
                   help="who it is for (the director)")
    p.add_argument("--from", dest="made_by", default="", metavar="NAME", help="who sends it")
    p.add_argument("--out", type=Path, required=True, metavar="FILE.cuereview")
    p.add_argument("--with-movie", action="store_true",
                   help="embed a small preview movie of the cues' stretch of the film")
    p.add_argument("--force", action="store_true", help="replace FILE if it exists")
    p.set_defaults(run=run_pack)
    p = sub.add_parser("import-review", help="bring a director's reply into a project",
                       description="Import a reply (.cuereply): notes become review notes at "
                                   "their frames, verdicts set the cues' status. A review "
                                   "site's markers (an EDL, a CSV) land as notes the same way. "
                                   "One undo step; importing the same file again changes "
                                   "nothing.")
    p.add_argument("reply", type=Path, help="the reply (.cuereply), or a review site's "
                                            "markers (Frame.io's EDL, a Vimeo CSV...)")
    p.add_argument("--into", type=Path, required=True, metavar="PROJECT")
    p.add_argument("--site", default="", metavar="NAME",
                   help="who a marker file's notes are from (default: the file's name)")
    p.set_defaults(run=run_import)


def _names(text: str) -> list[str]:
    return [t.strip() for t in text.split(",") if t.strip()]


def run_pack(args: argparse.Namespace) -> int:
    from cuesketch.media.review_send import PackError, ReviewFilmError, send_for_review
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    from cuesketch.store.review_schema import PACKAGE_SUFFIX, ReviewFileError

    out: Path = args.out
    if out.suffix.lower() != PACKAGE_SUFFIX:
        raise UserError(f"a review package's name ends in {PACKAGE_SUFFIX} ({out.name} does not)")
    if out.exists() and not args.force:
        raise UserError(f"{out} exists already (--force replaces it)")
    if not args.made_for.strip():
        raise UserError("--for needs the name of who will review it")
    try:
        pf = ProjectFile.open(args.project, read_only=True)
    except ProjectFileError as e:
        raise UserError(str(e)) from None
    try:
        project = pf.load()
        if pf.damaged:
            raise UserError(f"{args.project.name} is damaged; save a recovered copy and send "
                            f"that")
        result = send_for_review(
            pf, project, args.project, out, cues=_names(args.cues),
            versions=_names(args.versions), made_for=args.made_for.strip(),
            made_by=args.made_by.strip(), with_movie=args.with_movie,
            progress=lambda what: print(f"rendering {what}", file=sys.stderr))
    except (PackError, ReviewFilmError, ReviewFileError, ProjectFileError) as e:
        raise UserError(str(e)) from None
    except ImportError as e:
        raise UserError(f"FluidSynth is not installed ({e})") from None
    finally:
        pf.close()
    for why in result.skipped:
        print(f"cuesketch: note: {why}", file=sys.stderr)
    size = result.size / 1e6
    print(f"{out}: {result.cues} cue{'s' * (result.cues != 1)}, {result.versions} "
          f"version{'s' * (result.versions != 1)}, {result.minutes:.1f} min of audio, "
          f"{size:.1f} MB" + (", with a preview movie" if result.with_movie else ""),
          file=sys.stderr)
    return 0


def run_import(args: argparse.Namespace) -> int:
    from cuesketch.formats.review_markers import (MarkerFormatError, is_marker_file,
                                                  reply_from_markers)
    from cuesketch.model.document import Document
    from cuesketch.model.review_notes import import_reply
    from cuesketch.store.project_file import ProjectFile, ProjectFileError
    from cuesketch.store.review_reply import read_reply
    from cuesketch.store.review_schema import ReviewFileError

    from_site = is_marker_file(args.reply)
    try:
        reply = None if from_site else read_reply(args.reply)
    except ReviewFileError as e:
        raise UserError(str(e)) from None
    try:
        pf = ProjectFile.open(args.into)
    except ProjectFileError as e:
        raise UserError(str(e)) from None
    try:
        project = pf.load()
        if pf.read_only:
            raise UserError(pf.reason or f"{args.into.name} can't be written")
        if reply is None:  # a review site's markers: an EDL, a CSV...
            try:
                reply = reply_from_markers(args.reply, project.settings,
                                           list(project.cues.values()), args.site)
            except (MarkerFormatError, OSError) as e:
                raise UserError(f"{args.reply.name}: {e}") from None
        document = Document(project, pf)
        media = project.settings.media
        report = import_reply(document, reply, media.content_hash if media else "")
    except ProjectFileError as e:
        raise UserError(str(e)) from None
    finally:
        pf.close()
    print(f"{args.into}: {report.summary()}", file=sys.stderr)
    if report.off_cut:
        print(f"cuesketch: warning: {report.off_cut} note{'s were' if report.off_cut > 1 else ' was'}"
              f" written against another cut of the film; they are flagged in the Review dock",
              file=sys.stderr)
    for cue in report.unknown_cues:
        print(f"cuesketch: note: the project has no cue {cue}; its verdict was not applied",
              file=sys.stderr)
    return 0
