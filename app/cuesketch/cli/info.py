"""`cuesketch info PROJECT`: what a project holds, without opening a window."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from cuesketch.cli.common import open_project_or_fail


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("info", help="describe a project: rate, start, film, tracks, cues, hits")
    p.add_argument("project", type=Path)
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from cuesketch.timing.timecode import format_timecode

    with open_project_or_fail(args.project, read_only=True) as project:
        s = project.settings
        info: dict[str, Any] = {
            "title": s.title,
            "rate": s.rate.name,
            "start": format_timecode(s.start_frame, s.rate),
            "film": s.media.path if s.media else None,
            "tracks": [{"name": t.name, "program": t.program,
                        "notes": sum(1 for _ in project.notes_of(t.id))}
                       for t in project.sorted_tracks()],
            "cues": [{"name": c.name, "start": format_timecode(s.start_frame + c.start_frame, s.rate),
                      "end": format_timecode(s.start_frame + c.end_frame, s.rate)}
                     for c in sorted(project.cues.values(), key=lambda c: c.start_frame)],
            "hits": len(project.hits),
            "notes": len(project.notes),
        }
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"{info['title']}  ({info['rate']} fps, starts {info['start']})")
    print(f"film: {info['film'] or '(none)'}")
    for t in info["tracks"]:
        print(f"track {t['name']}: {t['notes']} notes, GM program {t['program'] + 1}")
    for c in info["cues"]:
        print(f"cue {c['name']}: {c['start']} - {c['end']}")
    print(f"{info['hits']} hits, {info['notes']} notes")
    return 0
