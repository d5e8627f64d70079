"""`cuesketch speech PROJECT [--csv out.csv]`: where people speak in the film, with timecodes.

Prints the project's speech regions (the ones kept in it, as the composer left them), or, when
it keeps none or ``--detect`` says so, the ones the detector finds in the film's sound.
``--store`` keeps what was detected in the project (one undo step, replacing the regions there);
``--dialogue-hits`` also marks each line's start with a "dialogue" hit. ``--csv`` writes the
same table for a spreadsheet or the dialogue editor.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import sys
from pathlib import Path

from cuesketch.cli import UserError


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("speech", help="where people speak in the film, with timecodes")
    p.add_argument("project", type=Path)
    p.add_argument("--csv", type=Path, metavar="OUT.csv", help="also write the table as CSV")
    p.add_argument("--detect", action="store_true",
                   help="listen to the film again, even when the project keeps regions")
    p.add_argument("--sensitivity", type=float, default=0.5,
                   help="0..1: higher finds quieter speech, and more that is not (0.5)")
    p.add_argument("--min-gap", type=float, default=0.3, metavar="SECONDS",
                   help="pauses shorter than this stay inside one line (0.3)")
    p.add_argument("--stream", type=int, metavar="N",
                   help="the film's sound stream to listen to, counted from 1 (the first)")
    p.add_argument("--store", action="store_true",
                   help="keep the regions detected in the project (one undo step)")
    p.add_argument("--dialogue-hits", action="store_true",
                   help="with --store: a dialogue hit at the start of each line")
    p.set_defaults(run=run)


def _detect(args: argparse.Namespace, settings: object) -> list[tuple[int, int]]:
    from cuesketch.media.filmtime import FilmTime
    from cuesketch.media.probe import MediaError, probe
    from cuesketch.media.speech import SpeechSettings, detect_speech
    from cuesketch.model.entities import Settings
    from cuesketch.store.relink import check_link

    assert isinstance(settings, Settings)
    media = settings.media
    if media is None:
        raise UserError(f"{args.project.name} has no film to listen to")
    link = check_link(args.project, media)
    if not link.found:
        raise UserError(f"the film is not there: {link.path}; relink it in the window "
                        "(File › Relink Film…)")
    if not 0 <= args.sensitivity <= 1:
        raise UserError("--sensitivity must be between 0 and 1")
    if not 0.01 <= args.min_gap <= 60:
        raise UserError("--min-gap must be between 0.01 and 60 seconds")
    try:
        info = probe(link.path, check_decode=False)
        if not info.audio:
            raise UserError(f"{link.path.name} has no sound")
        stream, chosen = None, info.audio[0]
        if args.stream is not None:
            if not 1 <= args.stream <= len(info.audio):
                raise UserError(f"{link.path.name} has {len(info.audio)} sound stream"
                                f"{'s' if len(info.audio) != 1 else ''}; --stream counts "
                                "from 1")
            chosen = info.audio[args.stream - 1]
            stream = chosen.index
        result = detect_speech(link.path, stream, SpeechSettings(args.sensitivity,
                                                                 args.min_gap),
                               lead=chosen.lead, duration_s=info.duration_s)
    except MediaError as e:
        raise UserError(str(e)) from None
    if result.silent:
        print(f"cuesketch: the sound of {link.path.name} is silent", file=sys.stderr)
    origin = FilmTime(settings.rate, info.rate, info.frame_count, media.offset_frames).origin
    return [(a + origin, b + origin) for a, b in result.regions]


def table(project: object) -> list[list[str]]:
    """One row a line: number, start and end timecode, seconds, length, the notes over it."""
    from cuesketch.model.project import Project
    from cuesketch.model.speech import project_density, regions
    from cuesketch.timing.timecode import format_timecode
    from cuesketch.timing.units import FLICKS_PER_SECOND

    assert isinstance(project, Project)
    s = project.settings
    dens = {d.region_id: d for d in project_density(project)}
    rows = []
    for k, r in enumerate(regions(project), 1):
        d = dens[r.id]
        rows.append([str(k),
                     format_timecode(s.start_frame + s.rate.flicks_to_frame(r.start), s.rate),
                     format_timecode(s.start_frame + s.rate.flicks_to_frame(r.end), s.rate),
                     f"{r.start / FLICKS_PER_SECOND:.3f}", f"{r.end / FLICKS_PER_SECOND:.3f}",
                     f"{(r.end - r.start) / FLICKS_PER_SECOND:.3f}", str(d.notes),
                     str(d.most_at_once)])
    return rows


HEADER = ["line", "start", "end", "start_s", "end_s", "length_s", "notes", "most_at_once"]


def _print_table(rows: list[list[str]]) -> None:
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(HEADER)]
    shown = [0, 1, 2, 5, 6, 7]
    print("  ".join(HEADER[i].ljust(widths[i]) for i in shown).rstrip())
    for r in rows:
        print("  ".join(r[i].ljust(widths[i]) for i in shown).rstrip())
    if not rows:
        print("(no speech)")


def run(args: argparse.Namespace) -> int:
    from cuesketch.files import replacing
    from cuesketch.model.document import Document
    from cuesketch.model.speech import SpeechEdits, replace_all
    from cuesketch.store.project_file import ProjectFile, ProjectFileError

    if args.dialogue_hits and not args.store:
        raise UserError("--dialogue-hits needs --store (the hits are kept in the project)")
    try:
        with ProjectFile.open(args.project, read_only=not args.store) as pf:
            project = pf.load()
            detect = args.detect or args.store or not project.speech_regions
            if detect:
                spans = _detect(args, project.settings)
                if args.store:
                    edits = SpeechEdits(Document(project, sink=pf))
                    edits.replace_detection(spans)
                    hits = edits.add_dialogue_hits() if args.dialogue_hits else 0
                    print(f"kept {len(spans)} speech regions in {args.project.name}"
                          + (f", {hits} dialogue hits" if args.dialogue_hits else ""),
                          file=sys.stderr)
                else:  # shown, not kept: a project of its own, in memory
                    project.apply(replace_all(project, spans))
    except ProjectFileError as e:
        raise UserError(str(e)) from None
    rows = table(project)
    try:
        _print_table(rows)
    except BrokenPipeError:  # read by `head`: the rest is not wanted
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - Python flushes it at exit
    if args.csv is not None:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(rows)
        with replacing(args.csv, UserError) as tmp:
            tmp.write_text(out.getvalue(), encoding="utf-8")
        print(f"wrote {args.csv}", file=sys.stderr)
    return 0
