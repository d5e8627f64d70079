"""`cuesketch themes PROJECT`: the theme map: where each theme sounds, inserted or found."""

from __future__ import annotations

import argparse
from pathlib import Path

from cuesketch.cli import UserError
from cuesketch.cli.common import open_project_or_fail


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("themes", help="print the theme map: each theme, where it sounds, how")
    p.add_argument("project", type=Path)
    p.add_argument("--theme", help="only this theme (by name)")
    p.add_argument("--threshold", type=float, default=None,
                   help="the score a found statement must reach, 0..1 (default 0.75)")
    p.add_argument("--json", action="store_true", help="print JSON instead of text")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    import json

    from cuesketch.model import theme_map, theme_match
    from cuesketch.model.theme_values import ThemeError
    from cuesketch.model.themes import theme_by_name
    from cuesketch.timing.timecode import format_timecode

    threshold = theme_match.THRESHOLD if args.threshold is None else args.threshold
    if not 0 < threshold <= 1:
        raise UserError(f"the threshold is a score above 0 and at most 1, not {threshold}")
    with open_project_or_fail(args.project, read_only=True) as project:
        if not project.themes:
            raise UserError(f"{args.project.name} has no themes yet (capture one from the "
                            "roll's selection in the Themes panel)")
        try:
            only = theme_by_name(project, args.theme).id if args.theme else None
        except ThemeError as e:
            raise UserError(str(e)) from None
        entries = [e for e in theme_map.build(project, threshold)
                   if only is None or e.theme_id == only]
        s = project.settings
        tracks = {t.id: t.name for t in project.tracks.values()}

        def tc(flicks: int) -> str:
            return format_timecode(s.start_frame + s.rate.flicks_to_frame(flicks), s.rate)

        rows = [{"theme": e.theme_name, "start": tc(e.start), "end": tc(e.end),
                 "cue": e.cue, "track": tracks.get(e.track_id, "?"), "source": e.source,
                 "how": e.how, "score": e.score} for e in entries]
        themes = sorted(project.themes.values(), key=lambda t: t.name.lower())
        summary = [{"theme": t.name, "stands_for": t.stands_for, "role": t.role.value,
                    "key": str(t.key), "statements": sum(1 for e in entries if e.theme_id == t.id)}
                   for t in themes if only is None or t.id == only]
    if args.json:
        print(json.dumps({"themes": summary, "map": rows}, indent=2))
        return 0
    for t in summary:
        about = f" ({t['stands_for']})" if t["stands_for"] else ""
        print(f"theme {t['theme']}{about}: {t['role']}, {t['key']}, "
              f"{t['statements']} statement{'' if t['statements'] == 1 else 's'}")
    for r in rows:
        where = f"{r['cue']} " if r["cue"] else ""
        print(f"{r['start']}  {where}{r['theme']} on {r['track']}: {r['source']}, {r['how']}"
              + (f" (score {r['score']:.2f})" if r["source"] == "found" else ""))
    return 0
